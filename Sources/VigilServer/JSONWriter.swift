import VigilModel

/// Appends JSON to a byte buffer exactly as Prometheus's API writes it (json-iterator with its custom
/// encoders for labels, samples and points): no Foundation, no allocation per sample on the hot paths.
///
/// Two string encodings, because Prometheus has both: label names and values go through json-iterator's
/// plain `WriteString`, every other string through the standard-library-compatible encoder, which also
/// escapes `<`, `>`, `&`, U+2028 and U+2029 (`\u003c`, …).
struct JSONWriter {
    var bytes: [UInt8]

    init(capacity: Int = 4096) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    // MARK: - Structure

    @inline(__always) mutating func byte(_ byte: UInt8) { bytes.append(byte) }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// `"name":`, for field names that need no escaping (the API's fixed vocabulary).
    mutating func key(_ name: StaticString) {
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    mutating func null() { raw("null") }

    mutating func bool(_ value: Bool) { value ? raw("true") : raw("false") }

    mutating func int(_ value: some BinaryInteger) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDecimal(UInt64(value.magnitude))
        } else {
            appendDecimal(UInt64(value))
        }
    }

    // MARK: - Strings

    /// A string as Go's standard encoder writes it (HTML-sensitive characters escaped).
    mutating func string(_ text: String) { appendString(text, escapeHTML: true) }

    /// A string as json-iterator's `WriteString` writes it: label names and values.
    mutating func labelString(_ text: String) { appendString(text, escapeHTML: false) }

    private mutating func appendString(_ text: String, escapeHTML: Bool) {
        var text = text
        text.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            var runStart = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                if Self.needsEscape(byte, escapeHTML: escapeHTML) {
                    // U+2028 and U+2029 (E2 80 A8/A9) break JavaScript parsers; the HTML-safe encoder escapes them.
                    if byte == 0xE2 {
                        if escapeHTML, index + 2 < utf8.count, utf8[index + 1] == 0x80,
                            utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9
                        {
                            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                            bytes.append(
                                contentsOf: utf8[index + 2] == 0xA8 ? Self.lineSeparator : Self.paragraphSeparator)
                            index += 3
                            runStart = index
                            continue
                        }
                        index += 1
                        continue
                    }
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                    appendEscape(byte)
                    index += 1
                    runStart = index
                    continue
                }
                index += 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
            bytes.append(UInt8(ascii: "\""))
        }
    }

    private static let lineSeparator = Array(#"\u2028"#.utf8)
    private static let paragraphSeparator = Array(#"\u2029"#.utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)

    @inline(__always)
    private static func needsEscape(_ byte: UInt8, escapeHTML: Bool) -> Bool {
        switch byte {
        case 0..<0x20, UInt8(ascii: "\""), UInt8(ascii: "\\"), 0xE2: true
        case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"): escapeHTML
        default: false
        }
    }

    private mutating func appendEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        default:
            bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 0xF)])
        }
    }

    // MARK: - Prometheus values

    /// `{"name":"value",...}` in label order, as Prometheus's labels encoder writes it.
    mutating func labels(_ labels: Labels) {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for label in labels {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            labelString(label.name)
            bytes.append(UInt8(ascii: ":"))
            labelString(label.value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// A timestamp in milliseconds as seconds, as Prometheus's `jsonutil.MarshalTimestamp` writes it:
    /// `1435781451.781`, `1435781451.050` (always three decimals when there are any), `1435781451`.
    mutating func timestamp(_ milliseconds: Int64) {
        var magnitude = milliseconds.magnitude
        if milliseconds < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDecimal(magnitude / 1000)
        magnitude %= 1000
        if magnitude != 0 {
            bytes.append(UInt8(ascii: "."))
            if magnitude < 100 { bytes.append(UInt8(ascii: "0")) }
            if magnitude < 10 { bytes.append(UInt8(ascii: "0")) }
            appendDecimal(magnitude)
        }
    }

    /// A sample value as Prometheus's `jsonutil.MarshalFloat` writes it: a JSON string holding Go's
    /// `strconv.FormatFloat(v, 'f', -1, 64)`, or the `'e'` form below 1e-6 and from 1e21 on; `NaN`, `+Inf`, `-Inf`.
    mutating func sampleValue(_ value: Double) {
        bytes.append(UInt8(ascii: "\""))
        GoFloat.append(value, to: &bytes, exponentOutsideFixedRange: true)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A float as Go's JSON encoders write a `float64` field: a bare number in the same format as
    /// ``sampleValue(_:)`` (callers keep NaN and infinities out, as Go cannot encode them).
    mutating func number(_ value: Double) {
        GoFloat.append(value, to: &bytes, exponentOutsideFixedRange: true)
    }

    /// `[ts,"value"]`: one point of a vector or matrix.
    @inline(__always)
    mutating func point(_ timestamp: Int64, _ value: Double) {
        bytes.append(UInt8(ascii: "["))
        self.timestamp(timestamp)
        bytes.append(UInt8(ascii: ","))
        sampleValue(value)
        bytes.append(UInt8(ascii: "]"))
    }

    /// Strings as a JSON array (HTML-safe encoding, as for `[]string` in Prometheus).
    mutating func stringArray(_ values: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    private mutating func appendDecimal(_ value: UInt64) {
        GoFloat.appendDecimal(value, to: &bytes)
    }
}
