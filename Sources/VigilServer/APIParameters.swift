import VigilModel
import VigilPromQL

/// The API's parameter formats, parsed as Prometheus's `web/api/v1` parses them, with its messages.
enum APIParameters {
    /// Prometheus's `MinTime` and `MaxTime` (in milliseconds), the defaults of optional time ranges, and the
    /// RFC 3339 spellings clients send for them (Go's parser cannot read years beyond four digits, so Prometheus
    /// recognises these two strings by name).
    static let minTime: Int64 = -9_223_309_901_257_974_000
    static let maxTime: Int64 = 9_223_309_901_257_974_999
    static let minTimeFormatted = "-292273086-05-16T16:47:06Z"
    static let maxTimeFormatted = "292277025-08-18T07:12:54.999999999Z"

    /// A time as Unix seconds (`1700000000.123`, rounded to the millisecond) or RFC 3339 (`2023-11-14T22:13:20Z`),
    /// in milliseconds; the error is Prometheus's `cannot parse "x" to a valid timestamp`.
    static func parseTime(_ text: String) throws(APIParameterError) -> Int64 {
        if let seconds = parseGoFloat(text) {
            guard seconds.isFinite, seconds.magnitude < 9.2e15 else {
                throw .init("cannot parse \(GoQuote.quote(text)) to a valid timestamp")
            }
            // Go: whole seconds plus the fraction rounded to the millisecond.
            let whole = seconds.rounded(.towardZero)
            return Int64(whole) * 1000 + Int64(((seconds - whole) * 1000).rounded())
        }
        if let milliseconds = RFC3339.milliseconds(text) { return milliseconds }
        switch text {
        case minTimeFormatted: return minTime
        case maxTimeFormatted: return maxTime
        default: throw .init("cannot parse \(GoQuote.quote(text)) to a valid timestamp")
        }
    }

    /// An optional time parameter (`time`, `start`, `end` outside range queries): the default when absent, and
    /// Prometheus's wrapped message when malformed.
    static func timeParameter(_ form: FormValues, _ name: String, default value: Int64) throws(APIError) -> Int64 {
        let text = form[name]
        if text.isEmpty { return value }
        do {
            return try parseTime(text)
        } catch {
            throw .invalidParameter(name, "Invalid time value for '\(name)': \(error.message)")
        }
    }

    /// A required time parameter (`start` and `end` of range queries).
    static func requiredTime(_ form: FormValues, _ name: String) throws(APIError) -> Int64 {
        do {
            return try parseTime(form[name])
        } catch {
            throw .invalidParameter(name, error.message)
        }
    }

    /// A duration as float seconds (`15`, `0.5`) or a Prometheus duration (`1m30s`), in nanoseconds, as Go's
    /// `time.Duration`.
    static func parseDuration(_ text: String) throws(APIParameterError) -> Int64 {
        if let seconds = parseGoFloat(text) {
            let nanoseconds = seconds * 1e9
            guard nanoseconds.isFinite, nanoseconds < 9.223372036854775807e18, nanoseconds > -9.223372036854775808e18
            else { throw .init("cannot parse \(GoQuote.quote(text)) to a valid duration. It overflows int64") }
            return Int64(nanoseconds)
        }
        if let milliseconds = PrometheusDuration.milliseconds(text) {
            let (nanoseconds, overflow) = milliseconds.multipliedReportingOverflow(by: 1_000_000)
            if !overflow { return nanoseconds }
        }
        throw .init("cannot parse \(GoQuote.quote(text)) to a valid duration")
    }

    static func duration(_ form: FormValues, _ name: String) throws(APIError) -> Int64 {
        do {
            return try parseDuration(form[name])
        } catch {
            throw .invalidParameter(name, error.message)
        }
    }

    /// The `limit` of the label and series endpoints: 0 (no limit) when absent, else a non-negative integer.
    static func limit(_ form: FormValues) throws(APIError) -> Int {
        let text = form["limit"]
        if text.isEmpty { return 0 }
        guard let limit = Int(text) else {
            throw .invalidParameter("limit", "strconv.Atoi: parsing \(GoQuote.quote(text)): invalid syntax")
        }
        guard limit >= 0 else { throw .invalidParameter("limit", "limit must be non-negative") }
        return limit
    }

    /// `match[]` selectors, each of which must hold a matcher that rejects the empty string.
    static func matcherSets(_ selectors: [String]) throws(APIParameterError) -> [[LabelMatcher]] {
        var sets: [[LabelMatcher]] = []
        for selector in selectors {
            let matchers: [LabelMatcher]
            do {
                matchers = try PromQLParser().parseMetricSelector(selector)
            } catch {
                throw .init(error.description)
            }
            guard matchers.contains(where: { !$0.matchesEmpty }) else {
                throw .init("match[] must contain at least one non-empty matcher")
            }
            sets.append(matchers)
        }
        return sets
    }

    /// Go's `strconv.ParseFloat` for the inputs that matter here: decimal and exponent notation, `inf`, `nan`.
    static func parseGoFloat(_ text: String) -> Double? {
        guard let first = text.utf8.first, first != UInt8(ascii: " "), first != UInt8(ascii: "\t"),
            text.utf8.last != UInt8(ascii: " ")
        else { return nil }
        return Double(text)
    }

    /// A label name from a URL path: percent-decoded, then `U__` escapes undone as Prometheus's
    /// `model.UnescapeName` does (`U__foo_2e_bar` is `foo.bar`, `__` is `_`). Nil when the name is not valid
    /// UTF-8; the bytes are returned for the message.
    static func labelName(fromPath raw: Substring) -> (name: String?, bytes: [UInt8]) {
        let bytes = FormValues.unescapeBytes(raw.utf8, plusIsSpace: false) ?? Array(raw.utf8)
        guard var name = String(validating: bytes, as: UTF8.self) else { return (nil, bytes) }
        if name.hasPrefix("U__") { name = unescapeName(name) }
        return (name, Array(name.utf8))
    }

    /// Prometheus's value-encoding unescaping of names; the input comes back unchanged when malformed.
    static func unescapeName(_ name: String) -> String {
        let escaped = Array(name.utf8.dropFirst(3))
        var out = String.UnicodeScalarView()
        var index = 0
        while index < escaped.count {
            let byte = escaped[index]
            guard byte == UInt8(ascii: "_") else {
                // Multi-byte characters pass through whole.
                let end = escaped[index...].firstIndex(of: UInt8(ascii: "_")) ?? escaped.count
                out.append(contentsOf: String(decoding: escaped[index..<end], as: UTF8.self).unicodeScalars)
                index = end
                continue
            }
            index += 1
            guard index < escaped.count else { return name }
            if escaped[index] == UInt8(ascii: "_") {
                out.append("_")
                index += 1
                continue
            }
            var value: UInt32 = 0
            var digits = 0
            while index < escaped.count, escaped[index] != UInt8(ascii: "_") {
                guard digits < 6, let digit = hexDigit(escaped[index]) else { return name }
                value = value * 16 + UInt32(digit)
                digits += 1
                index += 1
            }
            guard index < escaped.count, digits > 0, let scalar = Unicode.Scalar(value) else { return name }
            out.append(scalar)
            index += 1
        }
        return String(out)
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Why a parameter did not parse, before it is wrapped into an ``APIError`` naming the parameter.
struct APIParameterError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// RFC 3339 timestamps as Go's `time.Parse(time.RFC3339Nano, …)` reads them:
/// `2006-01-02T15:04:05.999999999Z07:00`, fraction optional, `Z` or a numeric offset.
enum RFC3339 {
    static func milliseconds(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 20 else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                guard index < b.count, b[index] >= UInt8(ascii: "0"), b[index] <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(b[index] - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), b[4] == UInt8(ascii: "-"), let month = number(5..<7), b[7] == UInt8(ascii: "-"),
            let day = number(8..<10), b[10] == UInt8(ascii: "T"), let hour = number(11..<13),
            b[13] == UInt8(ascii: ":"), let minute = number(14..<16), b[16] == UInt8(ascii: ":"),
            let second = number(17..<19)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= CivilTime.daysIn(month: month, year: year), hour < 24,
            minute < 60,
            second < 60
        else { return nil }
        var index = 19
        var nanoseconds: Int64 = 0
        if b[index] == UInt8(ascii: ".") || b[index] == UInt8(ascii: ",") {
            index += 1
            var digits = 0
            while index < b.count, b[index] >= UInt8(ascii: "0"), b[index] <= UInt8(ascii: "9") {
                if digits < 9 { nanoseconds = nanoseconds * 10 + Int64(b[index] - UInt8(ascii: "0")) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            if digits < 9 { for _ in digits..<9 { nanoseconds *= 10 } }
        }
        guard index < b.count else { return nil }
        var offsetSeconds: Int64 = 0
        switch b[index] {
        case UInt8(ascii: "Z"):
            guard index + 1 == b.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == b.count, let offsetHours = number(index + 1..<index + 3),
                b[index + 3] == UInt8(ascii: ":"), let offsetMinutes = number(index + 4..<index + 6),
                offsetHours < 24, offsetMinutes < 60
            else { return nil }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (b[index] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
        let days = CivilTime.days(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return seconds * 1000 + nanoseconds / 1_000_000
    }

    /// Go's `time.Time` in JSON for a UTC time: RFC 3339 with the fraction trimmed of trailing zeros,
    /// `2023-11-14T22:13:20.5Z`; nil is Go's zero time, `0001-01-01T00:00:00Z`.
    static func format(_ milliseconds: Int64?) -> String {
        guard let milliseconds else { return "0001-01-01T00:00:00Z" }
        return CivilTime(millisecondsSinceEpoch: milliseconds).rfc3339
    }
}
