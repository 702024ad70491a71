import Synchronization
import VigilModel

/// Something one poll could not get or read: the command and why. Its metrics are left out.
public struct SlurmPollIssue: Sendable, Equatable, CustomStringConvertible {
    /// The command line that failed (`squeue --all --states=all --json`).
    public var command: String
    public var error: SchedulerError

    public init(command: String, error: SchedulerError) {
        self.command = command
        self.error = error
    }

    public var description: String { "\(command): \(error.code.rawValue): \(error)" }
}

/// What one poll of Slurm produced: its metrics (data and health) and what went wrong.
public struct SlurmPoll: Sendable {
    /// Jobs, nodes and scheduler statistics; nil when `squeue` or `sinfo` failed.
    public var snapshot: SlurmSnapshot?
    /// ``SlurmMetrics`` of the snapshot plus `slurm_up` and the per-command health metrics.
    public var metrics: MetricSet
    public var issues: [SlurmPollIssue]
    /// Each running job's GPUs per node from `scontrol -d show job -o`; nil when it is off or failed.
    public var allocations: [SlurmJobAllocation]? = nil
}

/// Polls Slurm through its client commands: `squeue` and `sinfo` (required), `sacct` (optional: it
/// needs slurmdbd) and `sdiag` (JSON where the version has it, text otherwise), and turns one round into
/// metric families plus health metrics:
///
/// - `slurm_up`: 1 when `squeue` and `sinfo` both answered and parsed, else 0 (the data metrics are
///   then left out rather than reported as zeros);
/// - `slurm_scrape_duration_seconds`: the whole round;
/// - `slurm_command_success{command}`, `slurm_command_duration_seconds{command}` for each command run;
/// - `slurm_command_errors_total{command}`: failures, timeouts and unreadable output since start.
///
/// With `allocations` on, `scontrol -d show job -o` also runs and its GPU indices per job and node become
/// `slurm_job_gpu_info{job_id,user,account,partition,node,gpu}` (left out while it fails). Where 22.05's
/// `sacct --json` marks its exit codes unreliable, `sacct -P` text corrects the finished jobs' states
/// and exit codes (the JSON's are kept, with an issue, when the text fails).
///
/// A command that fails never stops the round: its metrics are missing and an issue says why. `sacct`
/// failing (no slurmdbd: "accounting storage is disabled") is reported once, when it starts failing,
/// not on every poll. Thread-safe.
public final class SlurmPoller: SlurmJobDirectory {
    public let runner: any SlurmCommandRunner
    /// The limit for each command.
    public let timeout: Duration
    /// `sacct --starttime` (Slurm's syntax); nil runs no `sacct`.
    public let sacctWindow: String?
    /// Whether `scontrol -d show job -o` runs for the GPU→job allocations.
    public let allocations: Bool
    private let now: @Sendable () -> Int64
    private let state: Mutex<State>

    private struct State {
        var errorTotals: [String: Double]
        /// Set once `sdiag --json` was refused as an unknown option (Slurm before 23.02).
        var sdiagTextOnly = false
        /// Whether the last `sacct` failed (its next failure is then not reported again).
        var sacctFailing = false
        /// The jobs of the last good snapshot, kept while later polls fail.
        var jobs = SlurmJobIndex()
    }

    /// - Parameters:
    ///   - timeout: the limit for each command; one past it is killed and counted as an error.
    ///   - sacctWindow: how far back `sacct` lists finished jobs; nil to not run `sacct`.
    ///   - allocations: whether to run `scontrol -d show job -o` for `slurm_job_gpu_info`.
    ///   - now: seconds since the Unix epoch, injected so tests have fixed queue wait times.
    public init(
        runner: any SlurmCommandRunner, timeout: Duration = .seconds(5), sacctWindow: String? = "now-1hours",
        allocations: Bool = true, now: @escaping @Sendable () -> Int64
    ) {
        self.runner = runner
        self.timeout = timeout
        self.sacctWindow = sacctWindow
        self.allocations = allocations
        self.now = now
        var totals: [String: Double] = ["squeue": 0, "sinfo": 0, "sacct": 0, "sdiag": 0]
        if allocations { totals["scontrol"] = 0 }
        self.state = Mutex(State(errorTotals: totals))
    }

    /// One round: every command, decoded, as metrics.
    public func poll() -> SlurmPoll {
        let clock = ContinuousClock()
        let started = clock.now
        var round = Round(runner: runner, timeout: timeout)

        let jobs = round.run(.squeue) { bytes throws(SchedulerError) in try SlurmDecoder.jobs(bytes) }
        let nodes = round.run(.sinfo) { bytes throws(SchedulerError) in try SlurmDecoder.nodes(bytes) }
        var history: [SlurmJob] = []
        if let sacctWindow {
            let command = SlurmCommand.sacct(since: sacctWindow)
            let issuesBefore = round.issues.count
            let wasFailing = state.withLock { $0.sacctFailing }
            let result = round.run(command) { bytes throws(SchedulerError) in try SlurmDecoder.jobs(bytes) }
            state.withLock { $0.sacctFailing = result == nil }
            if let result {
                history = result
                if result.contains(where: { $0.exitCode?.isReliable == false }) {
                    if let exits = round.run(
                        .sacctText(since: sacctWindow),
                        { bytes throws(SchedulerError) in
                            try SlurmDecoder.sacctExits(text: String(decoding: bytes, as: UTF8.self))
                        })
                    {
                        history = Self.correct(history, with: exits)
                    }
                }
            } else if wasFailing {
                round.issues.removeSubrange(issuesBefore...)  // said when it started failing
            } else if let last = round.issues.last {
                round.issues[round.issues.count - 1].error.message =
                    last.error.message
                    + " (without slurmdbd, finished jobs are known only while squeue lists them; "
                    + "said once until sacct works again)"
            }
        }
        let scheduler = sdiag(&round)
        var allocations: [SlurmJobAllocation]?
        if self.allocations {
            allocations = round.run(.scontrolJobDetail) { bytes throws(SchedulerError) in
                try SlurmDecoder.allocations(scontrolJobs: String(decoding: bytes, as: UTF8.self))
            }
        }

        var metrics = MetricSet()
        var snapshot: SlurmSnapshot?
        if let jobs, let nodes {
            let listed = Set(jobs.map(\.jobID))
            let merged = jobs + history.filter { !listed.contains($0.jobID) }
            let taken = SlurmSnapshot(jobs: merged, nodes: nodes, scheduler: scheduler, time: now())
            snapshot = taken
            metrics = SlurmMetrics.metricSet(for: taken)
        }
        if let allocations { SlurmMetrics.appendGPUInfo(allocations, to: &metrics) }
        let index = snapshot.map { SlurmJobIndex($0.jobs) }
        let totals = state.withLock { state in
            if let index { state.jobs = index }
            for (name, failed) in round.outcomes where failed { state.errorTotals[name, default: 0] += 1 }
            return state.errorTotals
        }
        metrics.gauge(
            "slurm_up", help: "1 when squeue and sinfo answered and their JSON was read; 0 otherwise.",
            value: snapshot == nil ? 0 : 1)
        metrics.gauge(
            "slurm_scrape_duration_seconds", help: "Time the last poll of Slurm's commands took.",
            value: (clock.now - started).seconds)
        for (name, seconds) in round.durationsByCommand {
            metrics.gauge(
                "slurm_command_duration_seconds", help: "Time the Slurm command took in the last poll.",
                labels: ["command": name], value: seconds)
        }
        for (name, failed) in round.outcomesByCommand {
            metrics.gauge(
                "slurm_command_success",
                help: "1 when the Slurm command succeeded and its output was read in the last poll.",
                labels: ["command": name], value: failed ? 0 : 1)
        }
        for name in totals.keys.sorted() {
            metrics.counter(
                "slurm_command_errors_total",
                help: "Slurm commands that were missing, failed, timed out or printed output Vigil could not read.",
                labels: ["command": name], value: totals[name] ?? 0)
        }
        return SlurmPoll(snapshot: snapshot, metrics: metrics, issues: round.issues, allocations: allocations)
    }

    /// The job with `id` in the last poll that read `squeue` and `sinfo` (jobs `sacct` added included).
    public func job(id: String) -> SlurmJob? {
        state.withLock { $0.jobs[id: id] }
    }

    /// `jobs` with the state and exit code of the `sacct -P` row of the same id (``SlurmJob/displayID``);
    /// a job without a row keeps its own.
    public static func correct(_ jobs: [SlurmJob], with exits: [SlurmSacctExit]) -> [SlurmJob] {
        var byID: [String: SlurmSacctExit] = [:]
        for exit in exits { byID[exit.jobID] = exit }
        return jobs.map { job in
            guard let exit = byID[job.displayID] else { return job }
            var corrected = job
            corrected.state = exit.state
            corrected.exitCode = exit.exitCode
            return corrected
        }
    }

    /// `sdiag --json`, falling back to text `sdiag` for good once the version refuses `--json`.
    private func sdiag(_ round: inout Round) -> SlurmSchedulerStats? {
        if !state.withLock({ $0.sdiagTextOnly }) {
            let issuesBefore = round.issues.count
            if let stats = round.run(
                .sdiagJSON,
                { bytes throws(SchedulerError) in
                    try SlurmDecoder.schedulerStats(bytes)
                })
            {
                return stats
            }
            guard let issue = round.issues.last, round.issues.count > issuesBefore, Self.refusesJSON(issue.error)
            else { return nil }
            round.issues.removeLast()
            round.outcomes.removeLast()
            round.durations.removeLast()
            state.withLock { $0.sdiagTextOnly = true }
        }
        return round.run(.sdiagText) { bytes throws(SchedulerError) in
            try SlurmDecoder.schedulerStats(sdiagText: String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Whether a failure is the command not knowing `--json` (22.05: "unrecognized option '--json'").
    static func refusesJSON(_ error: SchedulerError) -> Bool {
        guard error.code == .commandFailed else { return false }
        let message = error.message.lowercased()
        return message.contains("unrecognized option") || message.contains("invalid option")
            || message.contains("unknown option")
    }
}

/// The commands of one poll, their durations and outcomes.
private struct Round {
    let runner: any SlurmCommandRunner
    let timeout: Duration
    var issues: [SlurmPollIssue] = []
    /// (command name, failed) in the order run.
    var outcomes: [(String, Bool)] = []
    var durations: [(String, Double)] = []

    init(runner: any SlurmCommandRunner, timeout: Duration) {
        self.runner = runner
        self.timeout = timeout
    }

    /// One outcome per command name (`sacct` runs twice on 22.05): failed when any run failed.
    var outcomesByCommand: [(String, Bool)] {
        var merged: [(String, Bool)] = []
        for (name, failed) in outcomes {
            if let index = merged.firstIndex(where: { $0.0 == name }) {
                merged[index].1 = merged[index].1 || failed
            } else {
                merged.append((name, failed))
            }
        }
        return merged
    }

    /// One duration per command name: the runs' sum.
    var durationsByCommand: [(String, Double)] {
        var merged: [(String, Double)] = []
        for (name, seconds) in durations {
            if let index = merged.firstIndex(where: { $0.0 == name }) {
                merged[index].1 += seconds
            } else {
                merged.append((name, seconds))
            }
        }
        return merged
    }

    mutating func run<Value>(
        _ command: SlurmCommand, _ decode: ([UInt8]) throws(SchedulerError) -> Value
    ) -> Value? {
        let clock = ContinuousClock()
        let started = clock.now
        defer { durations.append((command.name, (clock.now - started).seconds)) }
        do {
            let value = try decode(try runner.run(command, timeout: timeout))
            outcomes.append((command.name, false))
            return value
        } catch {
            outcomes.append((command.name, true))
            issues.append(SlurmPollIssue(command: command.description, error: error))
            return nil
        }
    }
}

extension Duration {
    fileprivate var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
