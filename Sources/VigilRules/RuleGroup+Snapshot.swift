import VigilModel

/// A read-only view of a group for `/api/v1/rules` and `/api/v1/alerts`.
public struct RuleGroupSnapshot: Sendable {
    public var name: String
    public var file: String
    public var intervalMilliseconds: Int64
    public var queryOffsetMilliseconds: Int64
    public var limit: Int
    public var lastEvaluation: Int64?
    public var evaluationDuration: Duration
    public var rules: [RuleSnapshot]
}

/// A read-only view of one rule and its alerts.
public struct RuleSnapshot: Sendable {
    public var kind: RuleDefinition.Kind
    public var name: String
    /// The expression as Prometheus prints it.
    public var query: String
    public var forMilliseconds: Int64
    public var keepFiringForMilliseconds: Int64
    public var labels: Labels
    public var annotations: Labels
    public var health: RuleHealth
    public var lastError: String?
    public var lastEvaluation: Int64?
    public var evaluationDuration: Duration
    /// Pending and firing alerts, sorted by labels (empty for recording rules).
    public var alerts: [Alert]

    /// The rule's state as `/api/v1/rules` shows it: `firing` when an alert fires, else `pending` when
    /// one is pending, else `inactive`.
    public var state: AlertState { alerts.map(\.state).max() ?? .inactive }
}

extension RuleGroup {
    public var snapshot: RuleGroupSnapshot {
        RuleGroupSnapshot(
            name: name, file: file, intervalMilliseconds: intervalMilliseconds,
            queryOffsetMilliseconds: queryOffsetMilliseconds, limit: limit, lastEvaluation: lastEvaluation,
            evaluationDuration: evaluationDuration,
            rules: rules.map { rule in
                RuleSnapshot(
                    kind: rule.kind, name: rule.name, query: "\(rule.expr)",
                    forMilliseconds: rule.definition.forMilliseconds,
                    keepFiringForMilliseconds: rule.definition.keepFiringForMilliseconds,
                    labels: Labels(rule.definition.labels), annotations: Labels(rule.definition.annotations),
                    health: rule.health, lastError: rule.lastError.map { $0.message },
                    lastEvaluation: rule.lastEvaluation, evaluationDuration: rule.evaluationDuration,
                    alerts: rule.activeAlerts)
            })
    }
}
