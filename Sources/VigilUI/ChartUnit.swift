/// How a chart's values read: the unit decides the prefix family (SI, binary, time) and the symbol.
public enum ChartUnit: String, Sendable, Hashable, CaseIterable {
    /// A plain number with SI prefixes: `950`, `1.2k`, `3.4M`, `12m`.
    case none
    /// Bytes with binary prefixes: `512 B`, `1.5 KiB`, `80 GiB`.
    case bytes
    /// Bytes per second with binary prefixes: `1.5 MiB/s`.
    case bytesPerSecond
    /// A value already in percent (0–100), as DCGM's utilisation gauges are: `87%`.
    case percent
    /// A fraction (0–1) shown as percent: `0.87` → `87%`.
    case ratio
    /// Watts with SI prefixes: `350 W`, `1.2 kW`.
    case watts
    /// Degrees Celsius: `71 °C`.
    case celsius
    /// A rate with SI prefixes: `120/s`, `3.4k/s`.
    case perSecond
    /// A duration: `250 ms`, `12 s`, `5 min`, `2 h`, `3 d`.
    case seconds

    /// The divisor and suffix to show values of about `magnitude` with: `1.5e9` bytes → (1024³, ` GiB`).
    public func scale(forMagnitude magnitude: Double) -> UnitScale {
        let m = magnitude.isFinite ? magnitude.magnitude : 0
        switch self {
        case .none: return Self.siScale(m, symbol: "", separator: "")
        case .watts: return Self.siScale(m, symbol: "W", separator: " ")
        case .perSecond:
            let si = Self.siScale(m, symbol: "", separator: "")
            return UnitScale(divisor: si.divisor, suffix: si.suffix + "/s")
        case .bytes: return Self.binaryScale(m, perSecond: false)
        case .bytesPerSecond: return Self.binaryScale(m, perSecond: true)
        case .percent: return UnitScale(divisor: 1, suffix: "%")
        case .ratio: return UnitScale(divisor: 0.01, suffix: "%")
        case .celsius: return UnitScale(divisor: 1, suffix: " °C")
        case .seconds:
            if m >= 86400 { return UnitScale(divisor: 86400, suffix: " d") }
            if m >= 3600 { return UnitScale(divisor: 3600, suffix: " h") }
            if m >= 60 { return UnitScale(divisor: 60, suffix: " min") }
            if m >= 1 || m == 0 { return UnitScale(divisor: 1, suffix: " s") }
            return Self.siScale(m, symbol: "s", separator: " ")
        }
    }

    /// One value for a tooltip or legend: three significant digits in the unit's best scale
    /// (`1536` bytes → `1.5 KiB`; NaN → `NaN`; infinities → `+Inf`/`-Inf`).
    public func format(_ value: Double) -> String {
        guard value.isFinite else { return NumberText.fixed(value, decimals: 0) }
        let scale = scale(forMagnitude: value)
        var scaled = value / scale.divisor
        // 999.7 KiB reads better as 1 MiB: rescale when rounding reaches the next prefix.
        let rounded = Double(NumberText.significant(scaled).filter { $0 != "-" }) ?? scaled.magnitude
        let next = self.scale(forMagnitude: rounded * scale.divisor)
        if next.divisor != scale.divisor {
            scaled = value / next.divisor
            return NumberText.significant(scaled) + next.suffix
        }
        return NumberText.significant(scaled) + scale.suffix
    }

    private static let siPrefixes: [(exponent: Int, prefix: String)] = [
        (18, "E"), (15, "P"), (12, "T"), (9, "G"), (6, "M"), (3, "k"), (0, ""), (-3, "m"), (-6, "µ"), (-9, "n"),
        (-12, "p"),
    ]

    private static func siScale(_ magnitude: Double, symbol: String, separator: String) -> UnitScale {
        guard magnitude > 0 else { return UnitScale(divisor: 1, suffix: separator + symbol) }
        for (exponent, prefix) in siPrefixes {
            let divisor = NumberText.pow10(Double(exponent))
            if magnitude >= divisor { return UnitScale(divisor: divisor, suffix: separator + prefix + symbol) }
        }
        return UnitScale(divisor: NumberText.pow10(-12), suffix: separator + "p" + symbol)
    }

    private static let binaryPrefixes = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]

    private static func binaryScale(_ magnitude: Double, perSecond: Bool) -> UnitScale {
        var divisor = 1.0
        var index = 0
        while index + 1 < binaryPrefixes.count, magnitude >= divisor * 1024 {
            divisor *= 1024
            index += 1
        }
        return UnitScale(divisor: divisor, suffix: " " + binaryPrefixes[index] + (perSecond ? "/s" : ""))
    }
}

/// A unit's scale for a range of values: divide by ``divisor``, then append ``suffix``.
public struct UnitScale: Sendable, Hashable {
    public var divisor: Double
    public var suffix: String

    public init(divisor: Double, suffix: String) {
        self.divisor = divisor
        self.suffix = suffix
    }
}
