import Logging
import Synchronization
import VigilModel

/// Runs a set of collectors, times each, counts their issues and logs them without flooding.
///
/// Adds Vigil's own `vigil_collector_duration_seconds{collector}` and
/// `vigil_collector_errors_total{collector}` to every collection. Thread-safe: concurrent
/// `collect()` calls are allowed (the agent's cache normally prevents them).
public final class CollectorRegistry: Sendable {
    public let collectors: [any Collector]
    private let logger: Logger
    private let logInterval: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())

    private struct State {
        var errorTotals: [String: Double] = [:]
        var lastLogged: [String: ContinuousClock.Instant] = [:]
        var suppressed: [String: Int] = [:]
    }

    /// - Parameters:
    ///   - logInterval: at most one log line per collector and file in this interval; the next line says how
    ///     many were suppressed.
    ///   - now: the clock, injected so tests can move time.
    public init(
        collectors: [any Collector], logger: Logger, logInterval: Duration = .seconds(600),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.collectors = collectors
        self.logger = logger
        self.logInterval = logInterval
        self.now = now
        state.withLock { state in
            for collector in collectors { state.errorTotals[collector.name] = 0 }
        }
    }

    /// One full collection: every collector's metrics, then Vigil's own collector metrics.
    public func collect(paths: HostPaths) -> MetricSet {
        var result = MetricSet()
        var durations: [(String, Double)] = []
        var issuesByCollector: [(String, [CollectorIssue])] = []
        let clock = ContinuousClock()
        for collector in collectors {
            var output = CollectorOutput(paths: paths)
            let elapsed = clock.measure { collector.collect(into: &output) }
            result.append(contentsOf: output.metrics)
            durations.append((collector.name, elapsed.seconds))
            if !output.issues.isEmpty { issuesByCollector.append((collector.name, output.issues)) }
        }
        let totals = record(issuesByCollector)
        for (name, seconds) in durations {
            result.gauge(
                "vigil_collector_duration_seconds", help: "Time the collector took in the last collection.",
                labels: ["collector": name], value: seconds)
        }
        for collector in collectors {
            result.counter(
                "vigil_collector_errors_total",
                help: "Files or lines a collector could not read or parse; the affected metrics were skipped.",
                labels: ["collector": collector.name], value: totals[collector.name] ?? 0)
        }
        return result
    }

    /// Adds the issues to the totals and logs those whose (collector, file) was not logged recently.
    private func record(_ issuesByCollector: [(String, [CollectorIssue])]) -> [String: Double] {
        let instant = now()
        var toLog: [(collector: String, issue: CollectorIssue, suppressed: Int)] = []
        let totals = state.withLock { state in
            for (collector, issues) in issuesByCollector {
                state.errorTotals[collector, default: 0] += Double(issues.count)
                for issue in issues {
                    let key = collector + "\u{0}" + issue.path
                    if let last = state.lastLogged[key], instant - last < logInterval {
                        state.suppressed[key, default: 0] += 1
                    } else {
                        toLog.append((collector, issue, state.suppressed[key] ?? 0))
                        state.lastLogged[key] = instant
                        state.suppressed[key] = 0
                    }
                }
            }
            return state.errorTotals
        }
        for entry in toLog {
            logger.warning(
                "collector could not read a file; the affected metrics are skipped",
                metadata: [
                    "collector": "\(entry.collector)", "path": "\(entry.issue.path)",
                    "error": "\(entry.issue.message)", "suppressed_since_last": "\(entry.suppressed)",
                ])
        }
        return totals
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
