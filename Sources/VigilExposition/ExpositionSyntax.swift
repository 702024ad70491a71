/// Byte classes and name rules shared by the parser and the encoder.
enum ExpositionSyntax {
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let hash = UInt8(ascii: "#")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let comma = UInt8(ascii: ",")
    static let equals = UInt8(ascii: "=")

    @inline(__always)
    static func isBlank(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    @inline(__always)
    static func isLetterOrUnderscore(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// `[a-zA-Z_:]`
    @inline(__always)
    static func isMetricNameStart(_ byte: UInt8) -> Bool { isLetterOrUnderscore(byte) || byte == UInt8(ascii: ":") }

    /// `[a-zA-Z0-9_:]`
    @inline(__always)
    static func isMetricNameByte(_ byte: UInt8) -> Bool { isMetricNameStart(byte) || isDigit(byte) }

    /// `[a-zA-Z_]`
    @inline(__always)
    static func isLabelNameStart(_ byte: UInt8) -> Bool { isLetterOrUnderscore(byte) }

    /// `[a-zA-Z0-9_]`
    @inline(__always)
    static func isLabelNameByte(_ byte: UInt8) -> Bool { isLetterOrUnderscore(byte) || isDigit(byte) }

    /// Whether `name` can be written bare; other names are written quoted (Prometheus 3's UTF-8 names).
    static func isLegacyMetricName(_ name: String) -> Bool {
        var bytes = name.utf8.makeIterator()
        guard let first = bytes.next(), isMetricNameStart(first) else { return false }
        while let byte = bytes.next() {
            if !isMetricNameByte(byte) { return false }
        }
        return true
    }

    /// Whether the label name `name` can be written bare.
    static func isLegacyLabelName(_ name: String) -> Bool {
        var bytes = name.utf8.makeIterator()
        guard let first = bytes.next(), isLabelNameStart(first) else { return false }
        while let byte = bytes.next() {
            if !isLabelNameByte(byte) { return false }
        }
        return true
    }

    /// A byte as an error message names it: `'x'`, `' '`, `tab`, `byte 0xC3`.
    static func describe(_ byte: UInt8) -> String {
        switch byte {
        case tab: "tab"
        case carriageReturn: "carriage return"
        case 0x20...0x7E: "'\(Character(Unicode.Scalar(byte)))'"
        default: "byte 0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        }
    }

    /// `bytes` as a quoted string for an error message, shortened when long.
    static func quote(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let limit = 64
        let text = String(decoding: bytes.prefix(limit), as: UTF8.self)
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": quoted += "\\\\"
            case "\"": quoted += "\\\""
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + (bytes.count > limit ? "…\"" : "\"")
    }

    /// `text` quoted for an error message with Prometheus's label value escaping.
    static func quote(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { quote($0) }
    }
}
