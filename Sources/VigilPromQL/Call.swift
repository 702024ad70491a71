/// A function call: `rate(http_requests_total[5m])`.
public struct Call: Sendable, Hashable {
    public var function: Function
    public var args: [Expr]
    public var position: PositionRange

    public init(_ function: Function, args: [Expr], position: PositionRange = .zero) {
        self.function = function
        self.args = args
        self.position = position
    }
}
