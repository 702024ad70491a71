/// Durations as PromQL reads and prints them (Prometheus's `model.ParseDuration` and `model.Duration.String`),
/// in milliseconds, with Prometheus's error messages.
enum PromQLDuration {
    private static let units: [(name: String, nanoseconds: UInt64)] = [
        ("y", 365 * 86_400 * 1_000_000_000), ("w", 7 * 86_400 * 1_000_000_000), ("d", 86_400 * 1_000_000_000),
        ("h", 3_600 * 1_000_000_000), ("m", 60 * 1_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000),
    ]

    /// Parses `1h30m`, `5m`, `500ms`, `0`; units from largest to smallest, each at most once. The result must
    /// fit Go's `time.Duration` (nanoseconds in an Int64), as in Prometheus. Returns the message on failure.
    static func parse(_ text: String) -> Result<Int64, DurationError> {
        if text == "0" { return .success(0) }
        if text.isEmpty { return .failure(DurationError(message: "empty duration string")) }
        let bytes = Array(text.utf8)
        let invalid = DurationError(message: "not a valid duration string: \(GoStrconv.quote(text))")
        var index = 0
        var total: UInt64 = 0
        var lastUnit = -1
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        while index < bytes.count {
            guard isDigit(bytes[index]) else { return .failure(invalid) }
            var value: UInt64 = 0
            var overflow = false
            while index < bytes.count && isDigit(bytes[index]) {
                let (product, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = product.addingReportingOverflow(UInt64(bytes[index] - 0x30))
                overflow = overflow || o1 || o2
                value = sum
                index += 1
            }
            if overflow { return .failure(invalid) }
            let unitStart = index
            while index < bytes.count && !isDigit(bytes[index]) { index += 1 }
            guard index > unitStart else { return .failure(invalid) }
            let unit = String(decoding: bytes[unitStart..<index], as: UTF8.self)
            guard let position = units.firstIndex(where: { $0.name == unit }) else {
                return .failure(
                    DurationError(message: "unknown unit \(GoStrconv.quote(unit)) in duration \(GoStrconv.quote(text))")
                )
            }
            guard position > lastUnit else { return .failure(invalid) }
            lastUnit = position
            let multiplier = units[position].nanoseconds
            guard value <= (UInt64(1) << 63) / multiplier else {
                return .failure(DurationError(message: "duration out of range"))
            }
            total += value * multiplier
            guard total <= UInt64(Int64.max) else { return .failure(DurationError(message: "duration out of range")) }
        }
        return .success(Int64(total / 1_000_000))
    }

    struct DurationError: Error, Equatable {
        var message: String
    }

    /// Prometheus's `model.Duration.String()`: `1h30m`, `5m`, `1d`, `90d` (not `12w6d`: years and weeks only
    /// when exact), `0s` for zero.
    static func format(milliseconds: Int64) -> String {
        if milliseconds == 0 { return "0s" }
        var remaining = milliseconds
        var out = ""
        let steps: [(String, Int64, Bool)] = [
            ("y", 365 * 86_400_000, true), ("w", 7 * 86_400_000, true), ("d", 86_400_000, false),
            ("h", 3_600_000, false), ("m", 60_000, false), ("s", 1_000, false), ("ms", 1, false),
        ]
        for (unit, size, exactOnly) in steps {
            if exactOnly && remaining % size != 0 { continue }
            let count = remaining / size
            if count > 0 {
                out += "\(count)\(unit)"
                remaining -= count * size
            }
        }
        return out
    }

    /// Seconds (a PromQL number used as a duration) to milliseconds as Prometheus converts them
    /// (`time.Duration(seconds*1000) * time.Millisecond`), or nil when the result would not fit a Go duration.
    static func milliseconds(fromSeconds seconds: Double) -> Int64? {
        let nanoseconds = seconds * 1e9
        guard nanoseconds.isFinite, nanoseconds.magnitude < 9.223_372_036_854_775_807e18 else { return nil }
        return Int64(seconds * 1000)
    }
}
