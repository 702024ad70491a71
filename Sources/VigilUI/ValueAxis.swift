/// The value axis of a chart: a "nice" range and ticks (steps of 1, 2, 2.5 or 5 × 10ⁿ in the unit's scale),
/// with labels that all carry the same number of decimals.
public struct ValueAxis: Sendable, Hashable {
    /// The bottom and top of the axis, in raw values (ticks lie on both).
    public var lower: Double
    public var upper: Double
    /// The tick positions, in raw values, from ``lower`` to ``upper``.
    public var ticks: [Double]
    /// The tick labels, one per tick (`0 GiB`, `0.5 GiB`, …).
    public var labels: [String]
    /// The distance between ticks, in raw values.
    public var step: Double

    /// An axis covering `minimum...maximum` with about `targetTicks` ticks.
    ///
    /// Equal bounds are widened (0 → 0…1, v → v ± 10 %); non-finite bounds give 0…1.
    public init(minimum: Double, maximum: Double, unit: ChartUnit, targetTicks: Int = 5) {
        var low = minimum
        var high = maximum
        if !low.isFinite || !high.isFinite || low > high {
            low = 0
            high = 1
        }
        if low == high {
            if low == 0 {
                high = 1
            } else {
                let pad = low.magnitude * 0.1
                low -= pad
                high += pad
            }
        }
        let scale = unit.scale(forMagnitude: max(low.magnitude, high.magnitude))
        let scaledLow = low / scale.divisor
        let scaledHigh = high / scale.divisor
        let (step, decimals) = Self.niceStep(span: scaledHigh - scaledLow, targetTicks: max(2, targetTicks))
        let first = (scaledLow / step).rounded(.down)
        let last = (scaledHigh / step).rounded(.up)
        var ticks: [Double] = []
        var labels: [String] = []
        var k = first
        while k <= last && ticks.count < 1000 {
            let value = k * step
            ticks.append(value * scale.divisor)
            labels.append(NumberText.fixed(value == 0 ? 0 : value, decimals: decimals) + scale.suffix)
            k += 1
        }
        self.lower = first * step * scale.divisor
        self.upper = last * step * scale.divisor
        self.ticks = ticks
        self.labels = labels
        self.step = step * scale.divisor
    }

    /// The nice step for `span` split into about `targetTicks` intervals, and the decimals its labels need.
    static func niceStep(span: Double, targetTicks: Int) -> (step: Double, decimals: Int) {
        let raw = span / Double(targetTicks)
        guard raw > 0, raw.isFinite else { return (1, 0) }
        let exponent = NumberText.floorOfLog10(raw)
        let magnitude = NumberText.pow10(exponent)
        let residual = raw / magnitude
        let nice: Double
        switch residual {
        case ...1: nice = 1
        case ...2: nice = 2
        case ...2.5: nice = 2.5
        case ...5: nice = 5
        default: nice = 10
        }
        var decimals = -Int(exponent) + (nice == 2.5 ? 1 : 0)
        if nice == 10 { decimals -= 1 }
        return (nice * magnitude, max(0, decimals))
    }
}
