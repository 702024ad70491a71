import VigilModel
import VigilScheduler

/// Slurm's queue, nodes and scheduler health as one of the agent's collectors (`--slurm`): each
/// collection runs one ``SlurmPoller`` round. A failing or hanging command costs its metrics and an
/// issue naming the command, never the collection: `scontrol -d show job -o` failing leaves out
/// `slurm_job_gpu_info` (its series go stale) and counts in `vigil_collector_errors_total{collector="slurm"}`
/// and `slurm_command_errors_total{command="scontrol"}`.
public struct SlurmCollector: Collector {
    public let name = "slurm"
    public let poller: SlurmPoller

    public init(poller: SlurmPoller) {
        self.poller = poller
    }

    /// A collector that runs the real commands on `PATH`, each limited to `timeout`; `allocations` runs
    /// `scontrol -d show job -o` for `slurm_job_gpu_info`.
    public init(timeout: Duration = .seconds(5), sacctWindow: String? = "now-1hours", allocations: Bool = true) {
        self.init(
            poller: SlurmPoller(
                runner: SlurmProcessRunner(), timeout: timeout, sacctWindow: sacctWindow, allocations: allocations,
                now: { WallClock.nowMilliseconds() / 1000 }))
    }

    public func collect(into output: inout CollectorOutput) {
        let poll = poller.poll()
        output.metrics.append(contentsOf: poll.metrics)
        for issue in poll.issues {
            output.report(issue.command, "\(issue.error.code.rawValue): \(issue.error)")
        }
    }
}
