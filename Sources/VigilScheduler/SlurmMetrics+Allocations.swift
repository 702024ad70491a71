import VigilModel

extension SlurmMetrics {
    /// `slurm_job_gpu_info{job_id,user,account,partition,node,gpu}` = 1 for each GPU index a job holds on
    /// a node, so that GPU series (`DCGM_FI_DEV_*{Hostname,gpu}`) join to jobs where process attribution
    /// is impossible.
    public static func appendGPUInfo(_ allocations: [SlurmJobAllocation], to metrics: inout MetricSet) {
        var seen: Set<Labels> = []
        for allocation in allocations {
            for index in allocation.gpuIndices {
                let labels: Labels = [
                    "job_id": allocation.jobID, "user": allocation.user, "account": allocation.account,
                    "partition": allocation.partition, "node": allocation.node, "gpu": String(index),
                ]
                guard seen.insert(labels).inserted else { continue }
                metrics.gauge(
                    "slurm_job_gpu_info",
                    help: "1 for each GPU (index on the node) a Slurm job holds, from scontrol -d show job.",
                    labels: labels, value: 1)
            }
        }
    }
}
