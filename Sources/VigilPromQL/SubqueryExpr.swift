/// A subquery: `rate(x[5m])[1h:1m] offset 5m`.
public struct SubqueryExpr: Sendable, Hashable {
    public let expr: Expr
    /// The range in milliseconds (always positive).
    public var rangeMilliseconds: Int64
    /// The resolution in milliseconds; 0 when omitted (`[1h:]`), meaning the evaluation's default.
    public var stepMilliseconds: Int64
    /// `offset` in milliseconds as written; 0 when absent.
    public var offsetMilliseconds: Int64
    public var at: AtModifier?
    /// The byte offset just past the subquery and its modifiers.
    public var endPosition: Int

    public init(
        expr: Expr, rangeMilliseconds: Int64, stepMilliseconds: Int64 = 0, offsetMilliseconds: Int64 = 0,
        at: AtModifier? = nil, endPosition: Int = 0
    ) {
        self.expr = expr
        self.rangeMilliseconds = rangeMilliseconds
        self.stepMilliseconds = stepMilliseconds
        self.offsetMilliseconds = offsetMilliseconds
        self.at = at
        self.endPosition = endPosition
        startPosition = expr.position.start
    }

    /// Where ``expr`` starts (stored: computing it would walk nested subqueries).
    public let startPosition: Int

    public var position: PositionRange { PositionRange(start: startPosition, end: endPosition) }
}
