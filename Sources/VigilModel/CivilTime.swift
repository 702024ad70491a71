/// A UTC calendar time, for the timestamps Vigil reads and writes as text (RFC 3339 in the APIs and
/// payloads, Go's time formats in templates): Howard Hinnant's algorithms on the proleptic Gregorian
/// calendar, exact for any `Int64` second.
public struct CivilTime: Sendable, Hashable {
    public var year: Int64
    /// 1...12
    public var month: Int64
    /// 1...31
    public var day: Int64
    /// Seconds since midnight, 0..<86_400.
    public var secondOfDay: Int64
    /// 0..<1_000_000_000
    public var nanosecond: Int64

    public var hour: Int64 { secondOfDay / 3600 }
    public var minute: Int64 { secondOfDay / 60 % 60 }
    public var second: Int64 { secondOfDay % 60 }

    /// The UTC calendar time `seconds` (plus `nanoseconds`, of any sign) after the epoch.
    public init(secondsSinceEpoch seconds: Int64, nanoseconds: Int64 = 0) {
        let totalSeconds = seconds + Self.floorDivide(nanoseconds, 1_000_000_000)
        nanosecond = nanoseconds - Self.floorDivide(nanoseconds, 1_000_000_000) * 1_000_000_000
        let days = Self.floorDivide(totalSeconds, 86_400)
        secondOfDay = totalSeconds - days * 86_400
        let z = days + 719_468
        let era = Self.floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// The UTC calendar time `milliseconds` after the epoch.
    public init(millisecondsSinceEpoch milliseconds: Int64) {
        self.init(
            secondsSinceEpoch: Self.floorDivide(milliseconds, 1000),
            nanoseconds: (milliseconds - Self.floorDivide(milliseconds, 1000) * 1000) * 1_000_000)
    }

    /// Days since 1970-01-01 of a civil date (month 1...12).
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// How many days `month` of `year` has.
    public static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `2023-11-14`, `2023-11-14T22:13:20`: the date, then the time after `separator`.
    public func dateAndTime(separator: String) -> String {
        var yearText = String(year.magnitude)
        if yearText.count < 4 { yearText = String(repeating: "0", count: 4 - yearText.count) + yearText }
        if year < 0 { yearText = "-" + yearText }
        return yearText + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2) + separator + Self.pad(hour, 2) + ":"
            + Self.pad(minute, 2) + ":" + Self.pad(second, 2)
    }

    /// The fraction of the second as Go's `.999999999` layouts write it: `.5`, `.123`, or nothing for
    /// whole seconds.
    public var trimmedFraction: String {
        guard nanosecond != 0 else { return "" }
        var digits = Self.pad(nanosecond, 9)
        while digits.last == "0" { digits.removeLast() }
        return "." + digits
    }

    /// Go's `time.RFC3339Nano` for a UTC time: `2023-11-14T22:13:20.5Z`.
    public var rfc3339: String { dateAndTime(separator: "T") + trimmedFraction + "Z" }

    /// RFC 3339 with exactly `digits` fraction digits (truncated): Alertmanager's `.000Z`.
    public func rfc3339(fractionDigits digits: Int) -> String {
        var fraction = Self.pad(nanosecond, 9)
        fraction.removeLast(9 - min(9, max(0, digits)))
        return dateAndTime(separator: "T") + (fraction.isEmpty ? "" : "." + fraction) + "Z"
    }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }
}
