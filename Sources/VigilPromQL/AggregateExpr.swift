/// An aggregation: `sum by (job) (rate(x[5m]))`, `topk(3, x)`, `count_values("v", x)`.
public struct AggregateExpr: Sendable, Hashable {
    public var op: AggregationOp
    public var expr: Expr
    /// The first argument of `topk`, `bottomk`, `quantile`, `count_values`, `limitk` and `limit_ratio`.
    public var param: Expr?
    /// The labels of `by (...)` or, with ``without``, of `without (...)`.
    public var grouping: [String]
    public var without: Bool
    public var position: PositionRange

    public init(
        _ op: AggregationOp, expr: Expr, param: Expr? = nil, grouping: [String] = [], without: Bool = false,
        position: PositionRange = .zero
    ) {
        self.op = op
        self.expr = expr
        self.param = param
        self.grouping = grouping
        self.without = without
        self.position = position
    }
}

/// The aggregation operators; the raw value is the keyword.
public enum AggregationOp: String, Sendable, Hashable, CaseIterable {
    case sum, avg, count, min, max, group, stddev, stdvar, topk, bottomk, quantile, limitk
    case countValues = "count_values"
    case limitRatio = "limit_ratio"

    /// Whether the operator takes a parameter before the vector.
    public var takesParameter: Bool {
        switch self {
        case .topk, .bottomk, .quantile, .countValues, .limitk, .limitRatio: true
        default: false
        }
    }

    /// The type the parameter must have.
    public var parameterType: ValueType? {
        switch self {
        case .topk, .bottomk, .quantile, .limitk, .limitRatio: .scalar
        case .countValues: .string
        default: nil
        }
    }

    /// Behind `--enable-feature=promql-experimental-functions` in Prometheus.
    public var isExperimental: Bool { self == .limitk || self == .limitRatio }
}
