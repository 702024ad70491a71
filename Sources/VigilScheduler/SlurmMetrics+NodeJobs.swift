import VigilModel

extension SlurmMetrics {
    /// `slurm_node_jobs_finished{node, outcome}`: the finished jobs Slurm still lists (squeue
    /// `--states=all`, the sacct window) by each node they ran on, so that a node that fails job after
    /// job stands out. A job on several nodes counts on each; a node list that does not parse counts
    /// under its text as written.
    static func addNodeJobs(_ snapshot: SlurmSnapshot, to set: inout MetricSet) {
        var finished: [Labels: Int] = [:]
        for job in snapshot.jobs where !job.nodes.isEmpty {
            guard let outcome = job.outcome else { continue }
            for node in SlurmHostlist.expand(job.nodes) ?? [job.nodes] {
                finished[["node": node, "outcome": outcome.rawValue], default: 0] += 1
            }
        }
        for (labels, count) in finished.sorted(by: { $0.key.description < $1.key.description }) {
            set.gauge(
                "slurm_node_jobs_finished",
                help: "Finished jobs still listed by Slurm (squeue --states=all or sacct window), by node and outcome.",
                labels: labels, value: Double(count))
        }
    }
}
