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

    /// The GPUs each running job holds, as `scontrol -d show job` reports them (GRES indices per node).
    public func allocations() -> [SlurmJobAllocation] {
        guard let snapshot = cluster.schedulerSnapshot() else { return [] }
        return snapshot.jobs.compactMap { job in
            guard case .running = job.state, !job.gpuIndexes.isEmpty else { return nil }
            return SlurmJobAllocation(
                jobID: String(job.id), user: job.user, account: job.account, partition: job.partition,
                node: job.nodeName, gpuIndices: job.gpuIndexes.sorted())
        }
    }

    /// The `slurm_*` families now, `slurm_job_gpu_info` included (none without a controller).
    public func families() -> [MetricFamily] {
        guard let snapshot = snapshot() else { return [] }
        var metrics = SlurmMetrics.metricSet(for: snapshot)
        SlurmMetrics.appendGPUInfo(allocations(), to: &metrics)
        return metrics.families
    }
}
