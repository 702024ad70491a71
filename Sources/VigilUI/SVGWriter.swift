/// Appends SVG markup to a string, escaping every attribute value and text node.
///
/// Charts never concatenate user text into markup by hand: label values reach the output only through
/// ``attribute(_:_:)`` and ``text(_:)``, which escape `&`, `<`, `>`, `"` and `'`.
struct SVGWriter {
    private(set) var output = ""

    init(capacity: Int = 4096) { output.reserveCapacity(capacity) }

    /// Opens `<name attributes…>`; attribute values are escaped, nil values are left out.
    mutating func open(_ name: String, _ attributes: KeyValuePairs<String, String?> = [:]) {
        output += "<" + name
        appendAttributes(attributes)
        output += ">"
    }

    mutating func close(_ name: String) { output += "</" + name + ">\n" }

    /// A self-closing element `<name attributes…/>`.
    mutating func empty(_ name: String, _ attributes: KeyValuePairs<String, String?> = [:]) {
        output += "<" + name
        appendAttributes(attributes)
        output += "/>\n"
    }

    /// `<name attributes…>text</name>` with the text escaped.
    mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String?> = [:], text: String) {
        open(name, attributes)
        self.text(text)
        close(name)
    }

    mutating func text(_ text: String) { output += Self.escape(text) }

    mutating func newline() { output += "\n" }

    private mutating func appendAttributes(_ attributes: KeyValuePairs<String, String?>) {
        for (name, value) in attributes {
            guard let value else { continue }
            output += " " + name + "=\"" + Self.escape(value) + "\""
        }
    }

    /// `text` with the five XML special characters replaced by entities, and control characters other than
    /// tab, newline and carriage return (not allowed in XML 1.0) replaced by U+FFFD.
    static func escape(_ text: String) -> String {
        let needsWork = text.utf8.contains { byte in
            byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
                || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
                || (byte < 0x20 && byte != 9 && byte != 10 && byte != 13)
        }
        guard needsWork else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 { out += "\u{FFFD}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}

/// Checks an id prefix chosen by the page (ids must be unique when several charts share a document).
func validateIdentifier(_ prefix: String, keyPath: String) throws(ChartError) {
    let bytes = Array(prefix.utf8)
    func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
    let valid =
        !bytes.isEmpty && bytes.count <= 64 && isLetter(bytes[0])
        && bytes.allSatisfy {
            isLetter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-")
                || $0 == UInt8(ascii: "_")
        }
    guard valid else {
        throw ChartError(
            .invalidIdentifier,
            "id prefix \"\(prefix)\" must start with a letter and hold only letters, digits, '-' and '_' (at most 64)",
            keyPath: keyPath)
    }
}
