import VigilModel

/// A Prometheus rule file (`model/rulefmt`): groups of recording and alerting rules, as written.
public struct RuleFile: Sendable, Hashable {
    /// The path the file was read from (as given; used in messages and in the group key).
    public var path: String
    public var groups: [RuleGroupDefinition]

    public init(path: String, groups: [RuleGroupDefinition]) {
        self.path = path
        self.groups = groups
    }

    /// What reading a rule file gives: the file when it decoded, and every error found in it (promtool
    /// reports them all). A file with errors must not be evaluated, even when `file` is set.
    public struct ParseResult: Sendable {
        public var file: RuleFile?
        public var errors: [RulesError]
        public var isValid: Bool { file != nil && errors.isEmpty }
    }
}

/// One `groups[]` entry: rules evaluated in order at one timestamp.
public struct RuleGroupDefinition: Sendable, Hashable {
    public var name: String
    /// `interval`; nil means the global evaluation interval.
    public var intervalMilliseconds: Int64?
    /// `query_offset`; nil means the global one.
    public var queryOffsetMilliseconds: Int64?
    /// `limit`: at most this many series (recording) or alerts (alerting) per rule; 0 is no limit.
    public var limit: Int
    /// Group `labels`, added to every rule's labels (a rule's own labels win).
    public var labels: [Label]
    public var rules: [RuleDefinition]
    /// Where the group starts in its file (1-based), when read from one.
    public var line: Int?
    public var column: Int?

    public init(
        name: String, intervalMilliseconds: Int64? = nil, queryOffsetMilliseconds: Int64? = nil, limit: Int = 0,
        labels: [Label] = [], rules: [RuleDefinition], line: Int? = nil, column: Int? = nil
    ) {
        self.name = name
        self.intervalMilliseconds = intervalMilliseconds
        self.queryOffsetMilliseconds = queryOffsetMilliseconds
        self.limit = limit
        self.labels = labels
        self.rules = rules
        self.line = line
        self.column = column
    }
}

/// One recording or alerting rule as written.
public struct RuleDefinition: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case recording, alerting
    }

    public var kind: Kind
    /// `record` or `alert`.
    public var name: String
    public var expr: String
    /// `for` (alerting rules).
    public var forMilliseconds: Int64
    /// `keep_firing_for` (alerting rules).
    public var keepFiringForMilliseconds: Int64
    /// `labels`, in file order; values of alerting rules are templates.
    public var labels: [Label]
    /// `annotations`, in file order (alerting rules); values are templates.
    public var annotations: [Label]
    /// Where the rule starts in its file (1-based), when read from one.
    public var line: Int?
    public var column: Int?

    public init(
        kind: Kind, name: String, expr: String, forMilliseconds: Int64 = 0, keepFiringForMilliseconds: Int64 = 0,
        labels: [Label] = [], annotations: [Label] = [], line: Int? = nil, column: Int? = nil
    ) {
        self.kind = kind
        self.name = name
        self.expr = expr
        self.forMilliseconds = forMilliseconds
        self.keepFiringForMilliseconds = keepFiringForMilliseconds
        self.labels = labels
        self.annotations = annotations
        self.line = line
        self.column = column
    }

    /// A recording rule.
    public static func recording(_ name: String, expr: String, labels: [Label] = []) -> RuleDefinition {
        RuleDefinition(kind: .recording, name: name, expr: expr, labels: labels)
    }

    /// An alerting rule.
    public static func alerting(
        _ name: String, expr: String, for forMilliseconds: Int64 = 0, keepFiringFor: Int64 = 0,
        labels: [Label] = [], annotations: [Label] = []
    ) -> RuleDefinition {
        RuleDefinition(
            kind: .alerting, name: name, expr: expr, forMilliseconds: forMilliseconds,
            keepFiringForMilliseconds: keepFiringFor, labels: labels, annotations: annotations)
    }
}
