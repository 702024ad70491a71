import ServiceLifecycle
import Synchronization
import VigilCollectors
import VigilModel
import VigilScheduler

/// Slurm's queue, nodes and scheduler health read from slurmrestd (`--slurm-restd URL`) as one of the
/// agent's collectors. ``run()`` polls `jobs`, `nodes` and `diag` every ``interval``, and the accounting's
/// recently finished jobs (`/slurmdb/VERSION/jobs`, `slurmdb_jobs`, as `sacct` on the command path) when
/// slurmrestd has its slurmdbd plugin; each collection
/// turns the last good data into the same ``SlurmMetrics`` the command path (`--slurm`) produces, plus
/// health metrics:
///
/// - `slurm_up`: 1 when the last poll read `jobs` and `nodes`, else 0;
/// - `slurm_data_stale`: 1 when the data metrics come from an earlier good poll because the last failed
///   (they are kept rather than dropped; nothing at all before the first good poll);
/// - `slurm_last_success_timestamp_seconds`: when the data was read;
/// - `slurm_scrape_duration_seconds`: the last poll;
/// - `slurm_rest_request_success{endpoint}`, `slurm_rest_request_duration_seconds{endpoint}` and
///   `slurm_rest_errors_total{endpoint}` (failed, refused, timed out or unreadable) per endpoint.
///
/// `diag` failing costs only the scheduler metrics, `slurmdb_jobs` failing only the finished jobs slurmctld
/// no longer lists (a 404 — no slurmdbd plugin — is no error). When `jobs` cannot be fetched at all (refused token,
/// unknown version, server down or past the timeout) the poll stops there: one issue, one timeout.
public final class SlurmRESTCollector: Collector, Service, SlurmJobDirectory {
    public let name = "slurm"
    public let client: SlurmRESTClient
    /// Time between polls.
    public let interval: Duration
    /// How far back `/slurmdb/VERSION/jobs` lists finished jobs; nil to not ask.
    public let historyWindow: Duration?
    private let now: @Sendable () -> Int64
    private let state = Mutex(State())

    /// What the polls have learnt: the last good snapshot and the last poll's outcome.
    struct State {
        var snapshot: SlurmSnapshot?
        /// The snapshot's jobs by id.
        var jobs = SlurmJobIndex()
        var lastSuccessMs: Int64?
        var up = false
        var polls = 0
        var durationSeconds = 0.0
        var outcomes: [(endpoint: String, failed: Bool, seconds: Double)] = []
        var errorTotals: [String: Double] = ["jobs": 0, "nodes": 0, "diag": 0, "slurmdb_jobs": 0]
        var issues: [SlurmPollIssue] = []
        /// Whether ``issues`` are new since the last collection.
        var unreportedIssues = false
    }

    /// - Parameters:
    ///   - interval: time between polls in ``run()``.
    ///   - historyWindow: how far back the accounting's finished jobs are read (as `sacct`'s window, one
    ///     hour by default); nil to not read them.
    ///   - now: milliseconds since the Unix epoch, injected so tests have fixed queue wait times.
    public init(
        client: SlurmRESTClient, interval: Duration = .seconds(30), historyWindow: Duration? = .seconds(3600),
        now: @escaping @Sendable () -> Int64 = { WallClock.nowMilliseconds() }
    ) {
        self.client = client
        self.interval = interval
        self.historyWindow = historyWindow
        self.now = now
    }

    /// Polls every ``interval`` until graceful shutdown or cancellation.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.poll()
                try? await Task.sleep(for: self.interval)
            }
        }
    }

    /// One round: `jobs`, `nodes`, `diag`, `slurmdb_jobs`; the snapshot is replaced only when `jobs` and
    /// `nodes` were read. Finished jobs the accounting lists and `jobs` no longer does are added.
    public func poll() async {
        let clock = ContinuousClock()
        let started = clock.now
        var outcomes: [(endpoint: String, failed: Bool, seconds: Double)] = []
        var issues: [SlurmPollIssue] = []
        func fetch<Value>(
            _ endpoint: String, _ decode: ([UInt8]) throws(SchedulerError) -> Value
        ) async -> Value? {
            let begun = clock.now
            do {
                let value = try decode(try await client.get(endpoint: endpoint))
                outcomes.append((endpoint, false, (clock.now - begun).seconds))
                return value
            } catch {
                outcomes.append((endpoint, true, (clock.now - begun).seconds))
                let version = client.currentVersion.map { "/slurm/\($0)/" } ?? ""
                issues.append(SlurmPollIssue(command: "slurmrestd \(version)\(endpoint)", error: error))
                return nil
            }
        }
        let jobs = await fetch("jobs") { bytes throws(SchedulerError) in try SlurmDecoder.jobs(bytes) }
        // A refused token, an unknown version, a server down or hung fails every endpoint the same way:
        // said once, and a hung server costs one timeout per poll, not three. Unreadable JSON is not fatal.
        let fatal = issues.first.map {
            [.unauthorized, .unsupportedDocument, .requestFailed, .badConfiguration].contains($0.error.code)
        }
        var nodes: [SlurmNode]?
        var scheduler: SlurmSchedulerStats?
        if fatal != true {
            nodes = await fetch("nodes") { bytes throws(SchedulerError) in try SlurmDecoder.nodes(bytes) }
            scheduler = await fetch("diag") { bytes throws(SchedulerError) in
                try SlurmDecoder.schedulerStats(bytes)
            }
        }
        let time = now()
        var history: [SlurmJob] = []
        if jobs != nil, fatal != true, let historyWindow {
            let begun = clock.now
            do {
                if let bytes = try await client.history(
                    windowSeconds: historyWindow.components.seconds, now: time / 1000)
                {
                    history = try SlurmDecoder.jobs(bytes)
                    outcomes.append(("slurmdb_jobs", false, (clock.now - begun).seconds))
                }
            } catch {
                outcomes.append(("slurmdb_jobs", true, (clock.now - begun).seconds))
                let path = client.currentVersion.map { SlurmRESTClient.historyPath(version: $0) } ?? "slurmdb jobs"
                issues.append(SlurmPollIssue(command: "slurmrestd \(path)", error: error))
            }
        }
        let duration = (clock.now - started).seconds
        state.withLock { state in
            state.polls += 1
            state.durationSeconds = duration
            state.outcomes = outcomes
            state.issues = issues
            state.unreportedIssues = true
            for outcome in outcomes where outcome.failed { state.errorTotals[outcome.endpoint, default: 0] += 1 }
            if let jobs, let nodes {
                let listed = Set(jobs.map(\.jobID))
                let merged = jobs + history.filter { !listed.contains($0.jobID) }
                state.snapshot = SlurmSnapshot(jobs: merged, nodes: nodes, scheduler: scheduler, time: time / 1000)
                state.jobs = SlurmJobIndex(merged)
                state.lastSuccessMs = time
                state.up = true
            } else {
                state.up = false
            }
        }
    }

    /// What the last poll could not get, each naming the endpoint.
    public var issues: [SlurmPollIssue] { state.withLock { $0.issues } }

    /// The last good snapshot (nil before the first good poll).
    public var snapshot: SlurmSnapshot? { state.withLock { $0.snapshot } }

    /// The job with `id` in the last good snapshot.
    public func job(id: String) -> SlurmJob? { state.withLock { $0.jobs[id: id] } }

    public func collect(into output: inout CollectorOutput) {
        // A poll's issues go out with the first collection after it, not with every scrape until the next.
        let state = self.state.withLock { state in
            defer { state.unreportedIssues = false }
            return state
        }
        guard state.polls > 0 else { return }
        if let snapshot = state.snapshot {
            output.metrics.append(contentsOf: SlurmMetrics.metricSet(for: snapshot))
        }
        output.metrics.append(contentsOf: Self.health(state))
        for issue in state.issues where state.unreportedIssues {
            output.report(issue.command, "\(issue.error.code.rawValue): \(issue.error)")
        }
    }

    static func health(_ state: State) -> MetricSet {
        var metrics = MetricSet()
        metrics.gauge(
            "slurm_up", help: "1 when slurmrestd answered jobs and nodes and their JSON was read; 0 otherwise.",
            value: state.up ? 1 : 0)
        metrics.gauge(
            "slurm_data_stale",
            help: "1 when the Slurm metrics come from an earlier good poll because the last one failed.",
            value: !state.up && state.snapshot != nil ? 1 : 0)
        if let last = state.lastSuccessMs {
            metrics.gauge(
                "slurm_last_success_timestamp_seconds", help: "When slurmrestd's jobs and nodes were last read.",
                value: Double(last) / 1000)
        }
        metrics.gauge(
            "slurm_scrape_duration_seconds", help: "Time the last poll of slurmrestd took.",
            value: state.durationSeconds)
        for outcome in state.outcomes {
            metrics.gauge(
                "slurm_rest_request_duration_seconds", help: "Time the slurmrestd request took in the last poll.",
                labels: ["endpoint": outcome.endpoint], value: outcome.seconds)
        }
        for outcome in state.outcomes {
            metrics.gauge(
                "slurm_rest_request_success",
                help: "1 when the slurmrestd request succeeded and its JSON was read in the last poll.",
                labels: ["endpoint": outcome.endpoint], value: outcome.failed ? 0 : 1)
        }
        for endpoint in state.errorTotals.keys.sorted() {
            metrics.counter(
                "slurm_rest_errors_total",
                help: "slurmrestd requests that failed, were refused, timed out or answered JSON Vigil could not read.",
                labels: ["endpoint": endpoint], value: state.errorTotals[endpoint] ?? 0)
        }
        return metrics
    }
}

extension Duration {
    fileprivate var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
