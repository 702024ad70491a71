import VigilModel

extension SimulatedCluster {
    /// One node as a `vigil agent` on it serves it now: its GPUs' readings and its host's metric families,
    /// taken at the same simulated moment.
    public func nodeMetrics(node: Int) -> (readings: [GPUReading], host: [MetricFamily]) {
        let target = now()
        return withFleet { fleet in
            fleet.advance(toMs: target)
            return (fleet.readings(node: node), fleet.hostMetrics(node: node))
        }
    }
}
