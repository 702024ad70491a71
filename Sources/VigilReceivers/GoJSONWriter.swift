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
        return CivilTime(secondsSinceEpoch: 0, nanoseconds: micros * 1000).rfc3339
    }

}
