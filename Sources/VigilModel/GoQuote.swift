/// Go's `%q` (`strconv.Quote`), which Prometheus's and Alertmanager's messages use for the values they
/// quote: `cannot parse "x" to a valid timestamp`, `invalid label name: "\xff"`, `group "g", rule 1, "x"`.
public enum GoQuote {
    /// Quotes a string; Swift strings are valid UTF-8, so only escapes and non-printable runes change.
    public static func quote(_ text: String) -> String { quote(bytes: Array(text.utf8)) }

    /// Quotes bytes that need not be valid UTF-8: an invalid byte is written `\xNN`, as Go does.
    public static func quote(bytes: [UInt8]) -> String {
        var out = "\""
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                out += escapeASCII(byte)
                index += 1
                continue
            }
            guard let (scalar, width) = decodeScalar(bytes, at: index) else {
                out += "\\x" + hex(byte, digits: 2)
                index += 1
                continue
            }
            if isPrintable(scalar) {
                out.unicodeScalars.append(scalar)
            } else if scalar.value < 0x10000 {
                out += "\\u" + hex(scalar.value, digits: 4)
            } else {
                out += "\\U" + hex(scalar.value, digits: 8)
            }
            index += width
        }
        return out + "\""
    }

    private static func escapeASCII(_ byte: UInt8) -> String {
        switch byte {
        case 0x07: return "\\a"
        case 0x08: return "\\b"
        case 0x0C: return "\\f"
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x09: return "\\t"
        case 0x0B: return "\\v"
        case UInt8(ascii: "\""): return "\\\""
        case UInt8(ascii: "\\"): return "\\\\"
        case 0x20..<0x7F: return String(UnicodeScalar(byte))
        default: return "\\x" + hex(byte, digits: 2)
        }
    }

    private static func hex(_ value: some BinaryInteger, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// One UTF-8 sequence starting at `index`, or nil when it is invalid (Go then escapes the first byte).
    private static func decodeScalar(_ bytes: [UInt8], at index: Int) -> (Unicode.Scalar, Int)? {
        var iterator = bytes[index...].makeIterator()
        var decoder = Unicode.UTF8()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator) else { return nil }
        return (scalar, UTF8.width(scalar))
    }

    /// Go's `strconv.IsPrint` for runes beyond ASCII: letters, marks, numbers, punctuation and symbols.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber,
            .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            true
        default:
            false
        }
    }
}
