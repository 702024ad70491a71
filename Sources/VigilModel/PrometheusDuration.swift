/// Durations written as Prometheus writes them: `15s`, `1m30s`, `500ms`, `1h`, `7d`, `2w`, `1y`.
public enum PrometheusDuration {
    /// Milliseconds in each unit, in the order units must appear.
    private static let units: [(String, Int64)] = [
        ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000),
        ("m", 60_000), ("s", 1000), ("ms", 1),
    ]

    /// Parses a duration into milliseconds; nil when `text` is not a valid duration
    /// (empty, no unit, units out of order or repeated, or overflowing).
    public static func milliseconds(_ text: String) -> Int64? {
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        if rest == "0" { return 0 }
        var total: Int64 = 0
        var lastUnitIndex = -1
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let number = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            // "ms" before "m": the longest unit name that matches.
            let unitIndex = rest.hasPrefix("ms") ? units.count - 1 : units.indices.first { rest.hasPrefix(units[$0].0) }
            guard let unitIndex, unitIndex > lastUnitIndex else { return nil }
            let (product, overflow1) = number.multipliedReportingOverflow(by: units[unitIndex].1)
            let (sum, overflow2) = total.addingReportingOverflow(product)
            guard !overflow1, !overflow2 else { return nil }
            total = sum
            rest = rest.dropFirst(units[unitIndex].0.count)
            lastUnitIndex = unitIndex
        }
        return total
    }

    /// Parses a duration into a Swift `Duration`.
    public static func duration(_ text: String) -> Duration? {
        milliseconds(text).map { .milliseconds($0) }
    }

    /// A duration as Prometheus prints it (`model.Duration.String`): `0s`, `15s`, `1m30s`, `1h`, `90d`;
    /// weeks and years only when they divide it exactly.
    public static func format(milliseconds: Int64) -> String {
        if milliseconds == 0 { return "0s" }
        var text = milliseconds < 0 ? "-" : ""
        var rest = milliseconds == .min ? .max : abs(milliseconds)
        for (unit, size) in units {
            if (unit == "y" || unit == "w") && rest % size != 0 { continue }
            let count = rest / size
            if count > 0 {
                text += "\(count)\(unit)"
                rest -= count * size
            }
        }
        return text
    }

    /// A Swift `Duration` as Prometheus prints it (see ``format(milliseconds:)``); below a millisecond
    /// is dropped.
    public static func format(_ duration: Duration) -> String {
        format(milliseconds: milliseconds(of: duration))
    }

    /// Whole milliseconds of `duration` (truncated towards zero).
    public static func milliseconds(of duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
