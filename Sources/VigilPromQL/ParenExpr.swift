/// An expression in parentheses, kept so that printing preserves the grouping the query wrote.
public struct ParenExpr: Sendable, Hashable {
    public var expr: Expr
    public var position: PositionRange

    public init(_ expr: Expr, position: PositionRange = .zero) {
        self.expr = expr
        self.position = position
    }
}
