/// `-x` or `+x` on something other than a number literal (those fold into the literal).
///
/// As in Prometheus, the operator binds more loosely than `^`: `-a ^ b` is `-(a ^ b)`.
public struct UnaryExpr: Sendable, Hashable {
    public enum Operator: String, Sendable, Hashable {
        case plus = "+"
        case minus = "-"
    }

    public let op: Operator
    public let expr: Expr
    /// From the operator to the end of the operand (stored: computing it would walk the operand).
    public let position: PositionRange

    public init(_ op: Operator, _ expr: Expr, startPosition: Int = 0) {
        self.op = op
        self.expr = expr
        position = PositionRange(start: startPosition, end: expr.position.end)
    }

    public var startPosition: Int { position.start }
}
