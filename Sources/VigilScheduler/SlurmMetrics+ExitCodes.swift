import VigilModel

extension SlurmMetrics {
    /// `slurm_jobs_finished_exit_code{partition, outcome, exit_code, signal}`: the finished jobs Slurm
    /// still lists by how their batch script ended — the return code, or the signal that killed it
    /// (`signal="9"`, then without `exit_code`). Which code a failing job exits with tells a broken
    /// environment (127: command not found) from a killed one (signal 9, often memory) from the
    /// application's own failures. Jobs without a known exit are left out, and so are unreliable ones:
    /// 22.05's `sacct --json` writes 0 for a job that exited non-zero, and ``SlurmPoller`` replaces those
    /// from `sacct -P` text; where that failed they stay marked and are not counted.
    static func addExitCodes(_ snapshot: SlurmSnapshot, to set: inout MetricSet) {
        var exits: [Labels: Int] = [:]
        for job in snapshot.jobs {
            guard let outcome = job.outcome, let exit = job.exitCode, exit.isReliable else { continue }
            var labels: Labels = ["partition": job.partition, "outcome": outcome.rawValue]
            if let signal = exit.signal {
                labels = labels.setting("signal", to: String(signal))
            } else if let code = exit.returnCode {
                labels = labels.setting("exit_code", to: String(code))
            } else {
                continue
            }
            exits[labels, default: 0] += 1
        }
        for (labels, count) in exits.sorted(by: { $0.key.description < $1.key.description }) {
            set.gauge(
                "slurm_jobs_finished_exit_code",
                help:
                    "Finished jobs still listed by Slurm (squeue --states=all or sacct window), by exit code or signal.",
                labels: labels, value: Double(count))
        }
    }
}
