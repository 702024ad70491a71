import VigilModel
import VigilScheduler

/// Slurm's queue, nodes and scheduler health as one of the agent's collectors (`--slurm`): each
/// collection runs one ``SlurmPoller`` round. A failing or hanging command costs its metrics and an
/// issue naming the command, never the collection.
public struct SlurmCollector: Collector {
    public let name = "slurm"
    public let poller: SlurmPoller

    public init(poller: SlurmPoller) {
        self.poller = poller
    }

    /// A collector that runs the real commands on `PATH`, each limited to `timeout`.
    public init(timeout: Duration = .seconds(5), sacctWindow: String? = "now-1hours") {
        self.init(
            poller: SlurmPoller(
                runner: SlurmProcessRunner(), timeout: timeout, sacctWindow: sacctWindow,
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
