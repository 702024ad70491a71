import VigilModel
import VigilRules

extension PrometheusAPI {
    /// `/api/v1/rules`: the groups in file order with their rules, health and alerts, as Prometheus
    /// lists them. `type` (alert|record), `rule_name[]`, `rule_group[]`, `file[]` filter;
    /// `exclude_alerts=true` leaves the alerts out.
    func ruleList(_ form: FormValues, _ out: inout APIOutput) async throws {
        let type = form["type"].lowercased()
        guard type.isEmpty || type == "alert" || type == "record" else {
            throw APIError(.badData, "unsupported type \(GoQuote.quote(form["type"]))")
        }
        let excludeAlerts: Bool
        switch form["exclude_alerts"].lowercased() {
        case "", "false", "0", "f": excludeAlerts = false
        case "true", "1", "t": excludeAlerts = true
        default:
            throw APIError(.badData, "parsing exclude_alerts: invalid syntax \(GoQuote.quote(form["exclude_alerts"]))")
        }
        let names = Set(form.all("rule_name[]"))
        let groupNames = Set(form.all("rule_group[]"))
        let files = Set(form.all("file[]"))
        out.raw(#"{"groups":["#)
        var firstGroup = true
        for group in await ruleGroups() {
            if !groupNames.isEmpty && !groupNames.contains(group.name) { continue }
            if !files.isEmpty && !files.contains(group.file) { continue }
            let rules = group.rules.filter { rule in
                (type.isEmpty || (type == "alert") == (rule.kind == .alerting))
                    && (names.isEmpty || names.contains(rule.name))
            }
            // Prometheus leaves out a group whose rules the filters removed, unless none was asked for.
            if rules.isEmpty && (!type.isEmpty || !names.isEmpty) { continue }
            if !firstGroup { out.json.byte(UInt8(ascii: ",")) }
            firstGroup = false
            out.raw(#"{"name":"#)
            out.string(group.name)
            out.raw(#","file":"#)
            out.string(group.file)
            out.raw(#","rules":["#)
            for (index, rule) in rules.enumerated() {
                if index > 0 { out.json.byte(UInt8(ascii: ",")) }
                writeRule(rule, excludeAlerts: excludeAlerts, to: &out)
            }
            out.raw(#"],"interval":"#)
            out.json.number(Double(group.intervalMilliseconds) / 1000)
            out.raw(#","limit":"#)
            out.json.int(group.limit)
            out.raw(#","evaluationTime":"#)
            out.json.number(Self.seconds(group.evaluationDuration))
            out.raw(#","lastEvaluation":"#)
            out.string(Self.evaluationTime(group.lastEvaluation))
            out.raw("}")
        }
        out.raw("]}")
    }

    /// `/api/v1/alerts`: every pending and firing alert of every alerting rule.
    func alertList(_ form: FormValues, _ out: inout APIOutput) async throws {
        out.raw(#"{"alerts":["#)
        var first = true
        for group in await ruleGroups() {
            for rule in group.rules where rule.kind == .alerting {
                for alert in rule.alerts {
                    if !first { out.json.byte(UInt8(ascii: ",")) }
                    first = false
                    writeAlert(alert, to: &out)
                }
            }
        }
        out.raw("]}")
    }

    private func writeRule(_ rule: RuleSnapshot, excludeAlerts: Bool, to out: inout APIOutput) {
        switch rule.kind {
        case .alerting:
            out.raw(#"{"state":"#)
            out.string(rule.state.rawValue)
            out.raw(#","name":"#)
            out.string(rule.name)
            out.raw(#","query":"#)
            out.string(rule.query)
            out.raw(#","duration":"#)
            out.json.number(Double(rule.forMilliseconds) / 1000)
            out.raw(#","keepFiringFor":"#)
            out.json.number(Double(rule.keepFiringForMilliseconds) / 1000)
            out.raw(#","labels":"#)
            out.json.labels(rule.labels)
            out.raw(#","annotations":"#)
            out.json.labels(rule.annotations)
            if !excludeAlerts {
                out.raw(#","alerts":["#)
                for (index, alert) in rule.alerts.enumerated() {
                    if index > 0 { out.json.byte(UInt8(ascii: ",")) }
                    writeAlert(alert, to: &out)
                }
                out.raw("]")
            }
        case .recording:
            out.raw(#"{"name":"#)
            out.string(rule.name)
            out.raw(#","query":"#)
            out.string(rule.query)
            out.raw(#","labels":"#)
            out.json.labels(rule.labels)
        }
        out.raw(#","health":"#)
        out.string(rule.health.rawValue)
        if let lastError = rule.lastError, !lastError.isEmpty {
            out.raw(#","lastError":"#)
            out.string(lastError)
        }
        out.raw(#","evaluationTime":"#)
        out.json.number(Self.seconds(rule.evaluationDuration))
        out.raw(#","lastEvaluation":"#)
        out.string(Self.evaluationTime(rule.lastEvaluation))
        out.raw(#","type":"#)
        out.raw(rule.kind == .alerting ? #""alerting""# : #""recording""#)
        out.raw("}")
    }

    private func writeAlert(_ alert: Alert, to out: inout APIOutput) {
        out.raw(#"{"labels":"#)
        out.json.labels(alert.labels)
        out.raw(#","annotations":"#)
        out.json.labels(alert.annotations)
        out.raw(#","state":"#)
        out.string(alert.state.rawValue)
        out.raw(#","activeAt":"#)
        out.string(RFC3339.format(alert.activeAt))
        if let since = alert.keepFiringSince {
            out.raw(#","keepFiringSince":"#)
            out.string(RFC3339.format(since))
        }
        out.raw(#","value":"#)
        out.string(GoFloat.exponentForm(alert.value))
        out.raw("}")
    }

    /// Go's zero time for a rule or group not evaluated yet, as Prometheus shows it.
    static func evaluationTime(_ milliseconds: Int64?) -> String {
        milliseconds.map { RFC3339.format($0) } ?? "0001-01-01T00:00:00Z"
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
