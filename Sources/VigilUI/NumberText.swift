/// Locale-free, platform-independent number text, so that the same chart renders to the same bytes everywhere.
enum NumberText {
    /// `value` with exactly `decimals` digits after the point (0...9), rounded half away from zero.
    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "+Inf" : "-Inf") }
        let digits = min(max(decimals, 0), 9)
        var power: UInt64 = 1
        for _ in 0..<digits { power *= 10 }
        let scaled = (value.magnitude * Double(power)).rounded()
        guard scaled < 9.0e18 else { return String(value) }
        let whole = UInt64(scaled)
        var text = (value < 0 && whole != 0 ? "-" : "") + String(whole / power)
        if digits > 0 {
            let fraction = String(whole % power)
            text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        return text
    }

    /// Like ``fixed(_:decimals:)`` without trailing zeros (and without a trailing point).
    static func trimmed(_ value: Double, decimals: Int) -> String {
        var text = fixed(value, decimals: decimals)
        guard text.contains("."), value.isFinite else { return text }
        while text.last == "0" { text.removeLast() }
        if text.last == "." { text.removeLast() }
        return text
    }

    /// `value` rounded to `digits` significant digits, trailing zeros removed (`1234.5` → `1230`, `0.012345` → `0.0123`).
    static func significant(_ value: Double, digits: Int = 3) -> String {
        guard value.isFinite, value != 0 else { return value.isFinite ? "0" : fixed(value, decimals: 0) }
        let exponent = Int(floorOfLog10(value.magnitude))
        return trimmed(value, decimals: max(0, digits - 1 - exponent))
    }

    /// A coordinate in SVG user units, to 0.1 px.
    static func coordinate(_ value: Double) -> String { trimmed(value, decimals: 1) }

    /// floor(log10(x)) for x > 0, exact at powers of ten (where `log10` may be off by one ulp).
    static func floorOfLog10(_ x: Double) -> Double {
        var exponent = (log10Approx(x)).rounded(.down)
        if pow10(exponent) > x { exponent -= 1 } else if pow10(exponent + 1) <= x { exponent += 1 }
        return exponent
    }

    /// 10^exponent for an integral exponent, by repeated multiplication (no Foundation).
    static func pow10(_ exponent: Double) -> Double {
        var result = 1.0
        let steps = Int(exponent.magnitude)
        for _ in 0..<min(steps, 400) { result *= 10 }
        return exponent < 0 ? 1 / result : result
    }

    /// log10 from the binary exponent and a short series; precise enough to be corrected by ``floorOfLog10``.
    private static func log10Approx(_ x: Double) -> Double {
        let binaryExponent = Double(x.exponent)
        let mantissa = x.significand  // in [1, 2)
        // ln(m) for m in [1, 2) via atanh series: ln(m) = 2 * atanh((m - 1) / (m + 1)).
        let y = (mantissa - 1) / (mantissa + 1)
        let y2 = y * y
        var term = y
        var sum = 0.0
        var k = 1.0
        for _ in 0..<12 {
            sum += term / k
            term *= y2
            k += 2
        }
        let ln = 2 * sum + binaryExponent * 0.693_147_180_559_945_3
        return ln / 2.302_585_092_994_045_7
    }
}
