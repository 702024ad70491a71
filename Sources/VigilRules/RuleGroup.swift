import VigilModel
import VigilPromQL
import VigilStorage
import VigilTemplate

/// A group of rules evaluated in order at one timestamp, with its rules' state between evaluations.
///
/// A value: a manager owns it (in an actor), builds it from a ``RuleFile``, calls ``evaluate(at:on:appendingTo:)``
/// every ``intervalMilliseconds`` and sends the alerts it returns; on reload it calls
/// ``copyState(from:)``; ``snapshot`` feeds `/api/v1/rules` and `/api/v1/alerts`.
public struct RuleGroup: Sendable {
    /// What the group's evaluation needs besides storage.
    public struct Options: Sendable {
        public var engine: Engine
        /// Labels the notifier adds to alerts; `$externalLabels` in templates.
        public var externalLabels: Labels
        /// `$externalURL` in templates; the prefix of generator URLs.
        public var externalURL: String
        /// The interval of groups without one (`global.evaluation_interval`).
        public var defaultIntervalMilliseconds: Int64
        /// The query offset of groups without one (`global.rule_query_offset`).
        public var defaultQueryOffsetMilliseconds: Int64
        /// How often a firing alert is sent again (`--rules.alert.resend-delay`).
        public var resendDelayMilliseconds: Int64

        public init(
            engine: Engine = Engine(), externalLabels: Labels = Labels(), externalURL: String = "",
            defaultIntervalMilliseconds: Int64 = 60_000, defaultQueryOffsetMilliseconds: Int64 = 0,
            resendDelayMilliseconds: Int64 = 60_000
        ) {
            self.engine = engine
            self.externalLabels = externalLabels
            self.externalURL = externalURL
            self.defaultIntervalMilliseconds = defaultIntervalMilliseconds
            self.defaultQueryOffsetMilliseconds = defaultQueryOffsetMilliseconds
            self.resendDelayMilliseconds = resendDelayMilliseconds
        }
    }

    public let name: String
    /// The file the group came from ("" when built in code).
    public let file: String
    public let intervalMilliseconds: Int64
    public let queryOffsetMilliseconds: Int64
    public let limit: Int
    public var options: Options
    public internal(set) var rules: [Rule]
    /// The evaluation time (ms) of the last evaluation.
    public private(set) var lastEvaluation: Int64?
    public private(set) var evaluationDuration: Duration = .zero

    /// A group from its definition; throws when an expression does not parse (validate files first with
    /// ``RuleFile/parse(_:path:ignoreUnknownFields:)``).
    public init(_ definition: RuleGroupDefinition, file: String = "", options: Options = Options()) throws(RulesError) {
        name = definition.name
        self.file = file
        self.options = options
        intervalMilliseconds = definition.intervalMilliseconds ?? options.defaultIntervalMilliseconds
        queryOffsetMilliseconds = definition.queryOffsetMilliseconds ?? options.defaultQueryOffsetMilliseconds
        limit = definition.limit
        var rules: [Rule] = []
        for (index, rule) in definition.rules.enumerated() {
            do {
                rules.append(try Rule(rule, groupLabels: definition.labels))
            } catch {
                var located = error
                located.file = file
                located.group = definition.name
                located.ruleIndex = index + 1
                throw located
            }
        }
        self.rules = rules
    }

    /// The groups of a parsed file, in file order.
    public static func groups(of file: RuleFile, options: Options = Options()) throws(RulesError) -> [RuleGroup] {
        var out: [RuleGroup] = []
        for definition in file.groups { out.append(try RuleGroup(definition, file: file.path, options: options)) }
        return out
    }

    /// Prometheus's group key, `file;name`, unique across a manager's groups.
    public var key: String { file + ";" + name }

    /// What one evaluation produced for the manager to act on.
    public struct Evaluation: Sendable {
        /// The alerts to send to the notifier now (firing, resolved, resends), external labels added.
        public var alertsToSend: [NotifierAlert]
        /// The rules that failed, by index, with their errors.
        public var failures: [(ruleIndex: Int, error: RulesError)]
    }

    /// Evaluates every rule in order at `ts` (ms; queries run at `ts - queryOffset`), appending recorded
    /// samples, `ALERTS`/`ALERTS_FOR_STATE` and stale markers for series that disappeared, and returns
    /// the alerts to send. A failing rule gets health `err` and its error; the others still run.
    public mutating func evaluate(at ts: Int64, on queryable: any Queryable, appendingTo appendable: any Appendable)
        -> Evaluation
    {
        let clock = ContinuousClock()
        let start = clock.now
        var evaluation = Evaluation(alertsToSend: [], failures: [])
        for index in rules.indices {
            let ruleStart = clock.now
            var alerts: [NotifierAlert] = []
            do {
                try evaluateRule(index, at: ts, on: queryable, appendingTo: appendable, alertsToSend: &alerts)
            } catch {
                var located = error
                located.file = file
                located.group = name
                located.ruleIndex = index + 1
                located.ruleName = rules[index].name
                rules[index].health = .err
                rules[index].lastError = located
                evaluation.failures.append((index, located))
            }
            // Sent even when appending failed, as Prometheus sends before it appends.
            evaluation.alertsToSend += alerts
            rules[index].lastEvaluation = ts
            rules[index].evaluationDuration = clock.now - ruleStart
        }
        lastEvaluation = ts
        evaluationDuration = clock.now - start
        return evaluation
    }

    private mutating func evaluateRule(
        _ index: Int, at ts: Int64, on queryable: any Queryable, appendingTo appendable: any Appendable,
        alertsToSend notify: inout [NotifierAlert]
    ) throws(RulesError) {
        let queryTime = ts - queryOffsetMilliseconds
        let rule = rules[index]
        let vector = try query(rule.expr, at: queryTime, on: queryable)
        var output: [(Labels, Double)] = []
        switch rule.kind {
        case .recording:
            var seen = Set<Labels>()
            for sample in vector {
                var labels = sample.labels.setting(metricNameLabel, to: rule.name)
                for label in rule.definition.labels { labels = set(labels, label.name, label.value) }
                guard seen.insert(labels).inserted else {
                    throw RulesError(
                        .evaluation, "vector contains metrics with the same labelset after applying rule labels")
                }
                output.append((labels, sample.value))
            }
            if limit > 0 && output.count > limit {
                throw RulesError(.evaluation, "exceeded limit of \(limit) with \(output.count) series")
            }
        case .alerting:
            let expander = templateExpander(on: queryable)
            var observations: [AlertStateMachine.Observation] = []
            for sample in vector {
                var labels = sample.labels.removing(metricNameLabel)
                for label in rule.definition.labels {
                    let value = expander.expandForAlert(
                        name: "__alert_" + rule.name, text: label.value, labels: sample.labels, value: sample.value,
                        at: ts)
                    labels = set(labels, label.name, value)
                }
                labels = labels.setting("alertname", to: rule.name)
                let annotations = Labels(
                    rule.definition.annotations.map { annotation in
                        Label(
                            annotation.name,
                            expander.expandForAlert(
                                name: "__alert_" + rule.name, text: annotation.value, labels: sample.labels,
                                value: sample.value, at: ts))
                    })
                observations.append(.init(labels: labels, annotations: annotations, value: sample.value))
            }
            let active = try rules[index].alertState.advance(observations, at: ts, limit: limit)
            if rule.restored {
                for alert in active {
                    let alertLabels = alert.labels.setting(metricNameLabel, to: "ALERTS")
                        .setting("alertstate", to: alert.state.rawValue)
                    output.append((alertLabels, 1))
                    output.append(
                        (
                            alert.labels.setting(metricNameLabel, to: "ALERTS_FOR_STATE"),
                            Double(floorDiv(alert.activeAt, 1000))
                        ))
                }
            }
            let toSend = rules[index].alertState.alertsToSend(
                at: ts, resendDelay: options.resendDelayMilliseconds, interval: intervalMilliseconds)
            notify = toSend.map { notifierAlert($0, expr: rule.expr) }
        }
        rules[index].health = .ok
        rules[index].lastError = nil

        let appender = appendable.appender()
        var written = Set<Labels>()
        var appendError: RulesError?
        for (labels, value) in output {
            do {
                try appender.append(labels, timestamp: queryTime, value: value)
                written.insert(labels)
            } catch {
                appendError = RulesError(.evaluation, "\(error)")
            }
        }
        for labels in rules[index].seriesInPreviousEvaluation where !written.contains(labels) {
            _ = try? appender.append(labels, timestamp: queryTime, value: staleNaN)
        }
        do {
            try appender.commit()
        } catch {
            appendError = RulesError(.evaluation, "\(error)")
        }
        rules[index].seriesInPreviousEvaluation = written
        if let appendError { throw appendError }
    }

    private func query(_ expr: Expr, at time: Int64, on queryable: any Queryable) throws(RulesError)
        -> [VectorSample]
    {
        do {
            let result = try options.engine.instantQuery(expr, at: time, on: queryable)
            switch result.value {
            case .vector(let samples): return samples
            case .scalar(let value, let timestamp):
                return [VectorSample(labels: Labels(), timestamp: timestamp, value: value)]
            default: throw RulesError(.evaluation, "rule result is not a vector or scalar")
            }
        } catch let error as RulesError {
            throw error
        } catch {
            throw RulesError(.evaluation, "\(error)")
        }
    }

    private func templateExpander(on queryable: any Queryable) -> RuleTemplateExpander {
        let engine = options.engine
        return RuleTemplateExpander(
            externalLabels: options.externalLabels, externalURL: options.externalURL,
            query: { query, time in
                let result = try engine.instantQuery(query, at: time, on: queryable)
                switch result.value {
                case .vector(let samples): return samples.map { TemplateSample(labels: $0.labels, value: $0.value) }
                case .scalar(let value, _): return [TemplateSample(labels: Labels(), value: value)]
                default: throw RulesError(.evaluation, "rule result is not a vector or scalar")
                }
            })
    }

    private func notifierAlert(_ alert: Alert, expr: Expr) -> NotifierAlert {
        var labels = alert.labels
        for label in options.externalLabels where labels[label.name] == nil {
            labels = labels.setting(label.name, to: label.value)
        }
        return NotifierAlert(
            labels: labels, annotations: alert.annotations, startsAt: alert.firedAt ?? alert.activeAt,
            endsAt: alert.resolvedAt ?? alert.validUntil ?? alert.activeAt,
            generatorURL: options.externalURL + "/graph?g0.expr=" + queryEscape("\(expr)") + "&g0.tab=1")
    }

    /// Takes over the alerts and rule state of `old`, the same group before a reload: rules match by
    /// name, kind and labels, in order (Prometheus's `CopyState`).
    public mutating func copyState(from old: RuleGroup) {
        lastEvaluation = old.lastEvaluation
        evaluationDuration = old.evaluationDuration
        var used = Set<Int>()
        for index in rules.indices {
            let match = old.rules.indices.first { candidate in
                !used.contains(candidate) && old.rules[candidate].name == rules[index].name
                    && old.rules[candidate].kind == rules[index].kind
                    && old.rules[candidate].definition.labels == rules[index].definition.labels
            }
            guard let match else { continue }
            used.insert(match)
            rules[index].copyState(from: old.rules[match])
        }
    }

    /// Restores the `for` state of alerting rule `ruleIndex` from an `ALERTS_FOR_STATE` sample (see
    /// ``AlertStateMachine/restoreForState(labels:activeAtSeconds:downAt:at:forGracePeriod:)``); `labels`
    /// are the alert's labels (without `__name__`).
    @discardableResult
    public mutating func restoreForState(
        ruleIndex: Int, labels: Labels, activeAtSeconds: Double, downAt: Int64, at ts: Int64,
        forGracePeriod: Int64 = 10 * 60_000
    ) -> Bool {
        guard rules.indices.contains(ruleIndex), rules[ruleIndex].kind == .alerting else { return false }
        return rules[ruleIndex].alertState.restoreForState(
            labels: labels, activeAtSeconds: activeAtSeconds, downAt: downAt, at: ts, forGracePeriod: forGracePeriod)
    }
}

/// Sets a label; an empty value removes it (Prometheus's `labels.Builder.Set`).
func set(_ labels: Labels, _ name: String, _ value: String) -> Labels {
    value.isEmpty ? labels.removing(name) : labels.setting(name, to: value)
}

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// Go's `url.QueryEscape`.
func queryEscape(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        case UInt8(ascii: " "): out += "+"
        default:
            let hex = String(byte, radix: 16, uppercase: true)
            out += "%" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    return out
}
