import VigilGPU
import VigilModel
import VigilScheduler

/// The `--demo` cluster's Slurm-like controller as an in-process target of job `slurm`: the same
/// `slurm_*` series (queue depth, pending reasons, queue wait, finished jobs by outcome, node states
/// with reasons, allocated and total CPUs, memory and GPUs, sdiag's scheduler statistics) that
/// `--slurm` gives on a real cluster, from ``SlurmMetrics``.
public struct DemoSlurmSource: Sendable {
    /// The target's `__address__`: where slurmctld would listen.
    public static let address = "slurmctld-demo:6817"

    public let cluster: SimulatedCluster

    /// - Parameter cluster: a cluster that runs with scheduling `.slurm` (others have no controller and
    ///   give no series).
    public init(cluster: SimulatedCluster) {
        self.cluster = cluster
    }

    /// The controller now, as Slurm's commands would report it; nil without a controller.
    public func snapshot() -> SlurmSnapshot? {
        cluster.schedulerSnapshot().map(SlurmSnapshot.init(simulated:))
    }

    /// The `slurm_*` families now (none without a controller).
    public func families() -> [MetricFamily] {
        snapshot().map { SlurmMetrics.metricSet(for: $0).families } ?? []
    }
}
