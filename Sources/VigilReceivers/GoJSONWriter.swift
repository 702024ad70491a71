import Foundation
import VigilModel

/// Writes JSON the way Go's `encoding/json` Encoder does (the one Alertmanager 0.25 was built with), so
/// that payloads are byte-for-byte what Alertmanager sends: no spaces, map keys sorted, `<`, `>`, `&`,
/// U+2028 and U+2029 escaped as `\u003c`…, other control characters as `\u00XX` except `\n`, `\r`, `\t`.
struct GoJSONWriter {
    var bytes: [UInt8] = []

    private static let hexDigits = Array("0123456789abcdef".utf8)

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: raw("\\\"")
            case 0x5C: raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0x00..<0x20, 0x3C, 0x3E, 0x26, 0x2028, 0x2029:
                raw("\\u")
                let value = Int(scalar.value)
                for shift in stride(from: 12, through: 0, by: -4) {
                    bytes.append(Self.hexDigits[(value >> shift) & 0xF])
                }
            default:
                bytes.append(contentsOf: String(scalar).utf8)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `"key":`
    mutating func key(_ name: String) {
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    /// A Go `map[string]string`: keys in byte order.
    mutating func map(_ labels: Labels) {
        bytes.append(UInt8(ascii: "{"))
        let sorted = labels.pairs.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        for (position, label) in sorted.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            key(label.name)
            string(label.value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// A Go `time.Time` in UTC: RFC 3339 with the fraction's trailing zeros trimmed; `nil` is Go's zero time.
    mutating func time(_ date: Date?) {
        string(GoTime.rfc3339Nano(date))
    }
}

/// Go's `time.RFC3339Nano` layout for UTC times.
enum GoTime {
    /// `0001-01-01T00:00:00Z`: what Go writes for a zero `time.Time`.
    static let zero = "0001-01-01T00:00:00Z"

    /// `2026-11-29T15:10:37.34170579Z`. Foundation's `Date` is a `Double`, good to about a microsecond for
    /// present-day times, so the fraction is rounded to microseconds (Alertmanager prints nanoseconds).
    static func rfc3339Nano(_ date: Date?) -> String {
        guard let date else { return zero }
        let totalMicroseconds = (date.timeIntervalSince1970 * 1_000_000).rounded()
        guard totalMicroseconds.isFinite, abs(totalMicroseconds) < 2.5e17 else { return zero }
        let micros = Int64(totalMicroseconds)
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = civil(daysSinceEpoch: days)
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(secondOfDay / 3600, 2) + ":"
        text += pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if fraction != 0 {
            var digits = pad(fraction * 1000, 9)
            while digits.last == "0" { digits.removeLast() }
            text += "." + digits
        }
        return text + "Z"
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
    private static func civil(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
