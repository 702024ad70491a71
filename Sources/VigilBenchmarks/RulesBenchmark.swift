import Synchronization
import VigilAlerting
import VigilModel
import VigilRules
import VigilStorage
import VigilTSDB

/// Rule evaluation cost over the demo cluster's data, and the notifier's latency after `group_wait`.
///
/// ``run(dataSet:rules:rounds:builtinPack:)`` evaluates a generated pack of alerting rules
/// (``makeRuleFile(rules:groupSize:)``: thresholds, `rate`, `max_over_time`, `avg by`, `predict_linear`,
/// `histogram_quantile` over the DCGM and node series of ``PromQLBenchmark/makeDataSet(nodes:gpus:hours:startSeconds:)``,
/// a third of them with `for`, in groups of 20 at 15 s) plus ``BuiltinRulePack/gpuCluster`` on the 15 s grid
/// that ends at the data set's last sample, as a rule manager would: each group at the rounds its own
/// interval calls for, `ALERTS` and `ALERTS_FOR_STATE` appended to the same head. It reports the process's
/// CPU time per round, so the cost of one 15 s interval, and the wall time of each group evaluation.
///
/// ``runNotifier(alerts:)`` runs ``AlertingBenchmark`` (VigilAlerting): that many firing alerts routed
/// and grouped, then the time from the `group_wait` tick until every notification is computed.
public enum RulesBenchmark {
    /// What the rule evaluation measured.
    public struct Result: Sendable {
        public var nodes: Int
        public var series: Int
        public var loadedSamples: Int
        /// Rules in the generated pack and in the built-in pack.
        public var generatedRules: Int
        public var builtinRules: Int
        public var groups: Int
        public var rounds: Int
        /// Rule evaluations over all rounds, and how many of them failed.
        public var rulesEvaluated: Int
        public var ruleFailures: Int
        /// Samples appended by the rules (`ALERTS`, `ALERTS_FOR_STATE`, stale markers).
        public var samplesWritten: Int
        /// Alerts handed to the notifier over all rounds (firing, resends, resolved).
        public var alertsSent: Int
        /// Pending and firing alerts after the last round.
        public var pendingAlerts: Int
        public var firingAlerts: Int
        /// CPU seconds (user + system) of the whole process per round.
        public var cpuSecondsPerRound: Double
        public var wallSecondsPerRound: Double
        /// Wall time of one group evaluation: median, 99th percentile and maximum.
        public var groupMedianMilliseconds: Double
        public var groupP99Milliseconds: Double
        public var groupMaxMilliseconds: Double

        /// The share of one core that evaluating every `interval` seconds takes.
        public func corePercent(atInterval interval: Double = 15) -> Double { cpuSecondsPerRound / interval * 100 }
    }

    /// What the notifier benchmark measured.
    public struct NotifierResult: Sendable {
        public var alerts: Int
        /// Time to accept, route and group every alert.
        public var ingestSeconds: Double
        /// Time from the `group_wait` tick until every notification is computed.
        public var flushSeconds: Double
    }

    /// The generated pack's evaluation interval.
    public static let intervalSeconds: Int64 = 15

    /// A rule file of `rules` alerting rules over the data set's series, `groupSize` per group at 15 s.
    ///
    /// The expressions cycle through twelve shapes an operator writes for a GPU cluster; thresholds vary
    /// with the rule's index so that some rules fire on every round, some now and then and most never.
    public static func makeRuleFile(rules: Int, groupSize: Int = 20) -> String {
        var text = "groups:\n"
        for index in 0..<max(0, rules) {
            if index % max(1, groupSize) == 0 {
                text += "  - name: bench-\(index / max(1, groupSize))\n    interval: \(intervalSeconds)s\n    rules:\n"
            }
            let (name, expr) = expression(index)
            text += "      - alert: \(name)\(index)\n"
            text += "        expr: '\(expr)'\n"
            if index % 3 == 0 { text += "        for: \(index % 2 == 0 ? "1m" : "2m")\n" }
            text += "        labels:\n          severity: \(["page", "ticket", "info"][index % 3])\n"
            text += "        annotations:\n"
            text += "          summary: \"{{ $labels.node }} {{ $labels.gpu }}: \(name) at {{ $value | humanize }}\"\n"
        }
        return text
    }

    /// The `index`th rule's alert name (without the index) and expression.
    static func expression(_ index: Int) -> (String, String) {
        let k = index / 12
        switch index % 12 {
        case 0: return ("GPUTemperatureAbove", "DCGM_FI_DEV_GPU_TEMP > \(76 + k % 12)")
        case 1: return ("GPUMemoryTemperatureMax", "max_over_time(DCGM_FI_DEV_MEMORY_TEMP[5m]) > \(82 + k % 10)")
        case 2: return ("PCIeReplays", "rate(DCGM_FI_DEV_PCIE_REPLAY_COUNTER[5m]) > \(Double(k % 5) / 1000)")
        case 3: return ("NodeGPUsIdle", "avg by (node) (DCGM_FI_DEV_GPU_UTIL) < \(5 + k % 40)")
        case 4:
            return (
                "FramebufferFillingUp", "predict_linear(DCGM_FI_DEV_FB_USED[15m], 3600) > \(80_000 + 100 * (k % 20))"
            )
        case 5:
            return (
                "NodePowerHigh",
                "sum by (node) (rate(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION[5m])) / 1e6 > \(6 + k % 4)"
            )
        case 6: return ("GPUPowerHigh", "DCGM_FI_DEV_POWER_USAGE > \(640 + k % 60)")
        case 7: return ("GPUXid", "max_over_time(DCGM_FI_DEV_XID_ERRORS[5m]) > \(k % 2 == 0 ? 0 : 40)")
        case 8:
            return (
                "NodeIOWait", "avg by (node) (rate(node_cpu_seconds_total{mode=\"iowait\"}[5m])) > \(1 + k % 5)"
            )
        case 9: return ("NodeLoadHigh", "node_load1 > \(8 + k % 6)")
        case 10:
            return (
                "InferenceLatencyP99",
                "histogram_quantile(0.99, sum by (node, le) (rate(inference_request_duration_seconds_bucket[5m]))) > \(2 + k % 8)"
            )
        default:
            return (
                "GPUIdleWithMemory",
                "DCGM_FI_DEV_GPU_UTIL == 0 and on (UUID) DCGM_FI_DEV_FB_USED > \(1000 * (k % 3))"
            )
        }
    }

    /// Builds the demo data set (`nodes` × 8 GPUs, `hours` of 15 s samples) and runs ``run(dataSet:rules:rounds:builtinPack:)``.
    public static func run(nodes: Int, hours: Int = 1, rules: Int, rounds: Int, builtinPack: Bool = true) throws
        -> Result
    {
        let dataSet = try PromQLBenchmark.makeDataSet(nodes: max(1, nodes), hours: max(1, hours))
        return try run(dataSet: dataSet, rules: rules, rounds: rounds, builtinPack: builtinPack)
    }

    /// Evaluates the generated pack (and the built-in one) for `rounds` rounds of 15 s ending at the data
    /// set's last sample. Throws ``RulesError`` when a rule file does not parse (a bug in the generator).
    public static func run(dataSet: PromQLBenchmark.DataSet, rules: Int, rounds: Int, builtinPack: Bool = true)
        throws -> Result
    {
        var groups = try groups(of: makeRuleFile(rules: rules), path: "bench.rules.yml")
        let generatedRules = groups.reduce(0) { $0 + $1.rules.count }
        if builtinPack {
            groups += try self.groups(of: BuiltinRulePack.gpuCluster, path: BuiltinRulePack.gpuClusterFileName)
        }
        let builtinRules = groups.reduce(0) { $0 + $1.rules.count } - generatedRules
        let rounds = max(1, rounds)
        let step = intervalSeconds * 1000
        let first = dataSet.lastSeconds * 1000 - Int64(rounds - 1) * step
        let appendable = PassThroughCountingAppendable(dataSet.storage)
        let clock = ContinuousClock()
        var groupTimes: [Double] = []
        var evaluated = 0
        var failures = 0
        var sent = 0
        let cpuBefore = ProcessUsage.cpuSeconds()
        let started = clock.now
        for round in 0..<rounds {
            let ts = first + Int64(round) * step
            for index in groups.indices where (ts - first) % max(step, groups[index].intervalMilliseconds) == 0 {
                let groupStarted = clock.now
                let evaluation = groups[index].evaluate(at: ts, on: dataSet.storage, appendingTo: appendable)
                groupTimes.append(milliseconds(clock.now - groupStarted))
                evaluated += groups[index].rules.count
                failures += evaluation.failures.count
                sent += evaluation.alertsToSend.count
            }
        }
        let wall = seconds(clock.now - started)
        let cpu = ProcessUsage.cpuSeconds() - cpuBefore
        groupTimes.sort()
        var pending = 0
        var firing = 0
        for group in groups {
            for rule in group.rules {
                for alert in rule.activeAlerts {
                    if alert.state == .firing { firing += 1 } else { pending += 1 }
                }
            }
        }
        return Result(
            nodes: dataSet.nodes, series: dataSet.series, loadedSamples: dataSet.samples,
            generatedRules: generatedRules,
            builtinRules: builtinRules, groups: groups.count, rounds: rounds, rulesEvaluated: evaluated,
            ruleFailures: failures, samplesWritten: appendable.samples, alertsSent: sent, pendingAlerts: pending,
            firingAlerts: firing, cpuSecondsPerRound: cpu / Double(rounds), wallSecondsPerRound: wall / Double(rounds),
            groupMedianMilliseconds: percentile(groupTimes, 0.5), groupP99Milliseconds: percentile(groupTimes, 0.99),
            groupMaxMilliseconds: groupTimes.last ?? 0)
    }

    /// Runs ``AlertingBenchmark`` with `alerts` firing alerts (spread over `alerts / 20` instances).
    public static func runNotifier(alerts: Int = 10_000) async throws -> NotifierResult {
        let count = max(1, alerts)
        let figures = try await AlertingBenchmark.run(count: count, nodes: max(1, count / 20))
        return NotifierResult(
            alerts: count, ingestSeconds: seconds(figures.ingest), flushSeconds: seconds(figures.flush))
    }

    static func groups(of text: String, path: String) throws -> [RuleGroup] {
        let parsed = RuleFile.parse(text, path: path)
        if let error = parsed.errors.first { throw error }
        guard let file = parsed.file else {
            throw RulesError(.syntax, "no rule groups in the generated rule file", file: path)
        }
        return try RuleGroup.groups(
            of: file, options: RuleGroup.Options(defaultIntervalMilliseconds: intervalSeconds * 1000))
    }

    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.down)))]
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func milliseconds(_ d: Duration) -> Double { seconds(d) * 1000 }
}

/// An ``Appendable`` that counts the samples its appenders append, and passes them on.
final class PassThroughCountingAppendable: Appendable {
    let base: any Appendable
    private let count = Atomic<Int>(0)

    init(_ base: any Appendable) { self.base = base }

    var samples: Int { count.load(ordering: .relaxed) }

    func appender() -> any Appender { PassThroughCountingAppender(base.appender(), owner: self) }

    func add(_ n: Int) { count.add(n, ordering: .relaxed) }
}

final class PassThroughCountingAppender: Appender {
    let base: any Appender
    let owner: PassThroughCountingAppendable
    var pending = 0

    init(_ base: any Appender, owner: PassThroughCountingAppendable) {
        self.base = base
        self.owner = owner
    }

    func append(_ labels: Labels, timestamp: Int64, value: Double) throws(StorageError) -> SeriesRef {
        let ref = try base.append(labels, timestamp: timestamp, value: value)
        pending += 1
        return ref
    }

    func append(_ ref: SeriesRef, timestamp: Int64, value: Double) throws(StorageError) {
        try base.append(ref, timestamp: timestamp, value: value)
        pending += 1
    }

    func commit() throws(StorageError) {
        try base.commit()
        owner.add(pending)
        pending = 0
    }

    func rollback() throws(StorageError) {
        try base.rollback()
        pending = 0
    }
}
