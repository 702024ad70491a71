import VigilModel
import VigilPromQL

/// Whether a rule's last evaluation worked (Prometheus's `RuleHealth`).
public enum RuleHealth: String, Sendable, Hashable {
    case unknown, ok, err
}

/// A recording or alerting rule of a ``RuleGroup`` with its evaluation state.
public struct Rule: Sendable {
    /// The rule as written, with the group's labels merged in (the rule's own win).
    public let definition: RuleDefinition
    /// The parsed expression.
    public let expr: Expr
    public internal(set) var health: RuleHealth = .unknown
    public internal(set) var lastError: RulesError?
    /// The group evaluation time (ms) of the last evaluation.
    public internal(set) var lastEvaluation: Int64?
    public internal(set) var evaluationDuration: Duration = .zero
    /// The alerts of an alerting rule (empty for a recording rule).
    public internal(set) var alertState: AlertStateMachine
    /// Whether `ALERTS` and `ALERTS_FOR_STATE` are written: a manager sets it to false until it has
    /// restored the `for` state after a start (Prometheus's `restored`); true by default.
    public var restored = true
    /// The series the last successful evaluation wrote, to mark those that disappear stale.
    var seriesInPreviousEvaluation: Set<Labels> = []

    public var name: String { definition.name }
    public var kind: RuleDefinition.Kind { definition.kind }

    /// A rule from its definition; throws when the expression does not parse.
    public init(_ definition: RuleDefinition, groupLabels: [Label] = []) throws(RulesError) {
        var merged = definition
        if !groupLabels.isEmpty {
            let own = Set(definition.labels.map(\.name))
            merged.labels = groupLabels.filter { !own.contains($0.name) } + definition.labels
        }
        self.definition = merged
        do {
            expr = try PromQLParser().parse(definition.expr)
        } catch {
            throw RulesError(.invalidRule, "could not parse expression: \(error)", ruleName: definition.name)
        }
        alertState = AlertStateMachine(
            holdDuration: definition.forMilliseconds, keepFiringFor: definition.keepFiringForMilliseconds)
    }

    /// The pending and firing alerts.
    public var activeAlerts: [Alert] { alertState.allAlerts.filter { $0.state != .inactive } }

    /// Takes over the evaluation state of the same rule in a group being replaced.
    mutating func copyState(from old: Rule) {
        health = old.health
        lastError = old.lastError
        lastEvaluation = old.lastEvaluation
        evaluationDuration = old.evaluationDuration
        seriesInPreviousEvaluation = old.seriesInPreviousEvaluation
        restored = old.restored
        if kind == .alerting { alertState.copyState(from: old.alertState) }
    }
}
