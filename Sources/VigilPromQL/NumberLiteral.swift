/// A number: `1`, `0x1f`, `1e-3`, `Inf`, `NaN`, or a duration used as seconds (`5m` is 300).
///
/// A leading `+`/`-` folds into the literal, as in Prometheus: `-1` is a literal, not a unary expression.
public struct NumberLiteral: Sendable, Hashable {
    public var value: Double
    /// Written as a duration (`5m`): printed as one again, as Prometheus 3 does.
    public var isDuration: Bool
    public var position: PositionRange

    public init(_ value: Double, isDuration: Bool = false, position: PositionRange = .zero) {
        self.value = value
        self.isDuration = isDuration
        self.position = position
    }

    /// NaN equals NaN here: two trees parsed from the same text are equal.
    public static func == (lhs: NumberLiteral, rhs: NumberLiteral) -> Bool {
        lhs.position == rhs.position && lhs.isDuration == rhs.isDuration
            && (lhs.value == rhs.value && lhs.value.sign == rhs.value.sign || lhs.value.isNaN && rhs.value.isNaN)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(value.isNaN ? Double.nan.bitPattern : value.bitPattern)
        hasher.combine(isDuration)
        hasher.combine(position)
    }
}
