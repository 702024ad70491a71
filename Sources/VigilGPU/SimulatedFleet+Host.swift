import VigilModel

extension SimulatedFleet {
    /// One node's host (CPUs, memory, disks, Ethernet, InfiniBand, uname) now, with node_exporter's metric
    /// names and labels, as a real `vigil agent` on that machine serves them beside its GPUs.
    public func hostMetrics(node: Int) -> [MetricFamily] {
        nodes[node].host.families()
    }

    /// Gives one node's host a problem (see ``SimulatedHostFault``); it acts from the next step.
    public mutating func inject(_ fault: SimulatedHostFault, node: Int) {
        switch fault {
        case .infinibandSymbolErrors(let port):
            nodes[node].host.faults.infinibandErrorPort = min(max(0, port), nodes[node].host.portCount - 1)
        case .slowDisk:
            nodes[node].host.faults.slowDisk = true
        case .scratchFilling:
            nodes[node].host.faults.scratchFilling = true
        }
    }

    /// Ends every problem of one node's host; counters keep what they counted.
    public mutating func clearHost(node: Int) {
        nodes[node].host.faults = SimulatedHostFaultState()
    }

    /// The problems acting on one node's host now, in a fixed order.
    public func activeHostFaults(node: Int) -> [SimulatedHostFault] {
        let faults = nodes[node].host.faults
        var active: [SimulatedHostFault] = []
        if let port = faults.infinibandErrorPort { active.append(.infinibandSymbolErrors(port: port)) }
        if faults.slowDisk { active.append(.slowDisk) }
        if faults.scratchFilling { active.append(.scratchFilling) }
        return active
    }
}
