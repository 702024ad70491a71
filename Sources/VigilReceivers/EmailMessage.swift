import Foundation

/// An e-mail as Alertmanager's email notifier writes it: the headers, then a MIME multipart/alternative
/// body with a quoted-printable text/plain part and a text/html part.
struct EmailMessage: Sendable, Hashable {
    /// In order; values are plain text (encoded here when not ASCII).
    var headers: [(name: String, value: String)]
    var text: String
    var html: String
    var boundary: String

    static func == (lhs: EmailMessage, rhs: EmailMessage) -> Bool { lhs.rendered == rhs.rendered }
    func hash(into hasher: inout Hasher) { hasher.combine(rendered) }

    /// The message with CRLF line ends, before SMTP's dot-stuffing.
    var rendered: String {
        var out = ""
        for header in headers { out += "\(header.name): \(Self.encodeHeader(header.value))\r\n" }
        out += "Content-Type: multipart/alternative;  boundary=\(boundary)\r\n"
        out += "MIME-Version: 1.0\r\n\r\n"
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            out += "--\(boundary)\r\n"
            out += "Content-Transfer-Encoding: quoted-printable\r\n"
            out += "Content-Type: \(type); charset=UTF-8\r\n\r\n"
            out += Self.quotedPrintable(body) + "\r\n"
        }
        out += "--\(boundary)--\r\n"
        return out
    }

    /// RFC 2047 `Q` encoding when the value is not printable ASCII (as Go's `mime.QEncoding`).
    static func encodeHeader(_ value: String) -> String {
        let bytes = Array(value.utf8)
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return value }
        var out = "=?utf-8?q?"
        for byte in bytes {
            switch byte {
            case UInt8(ascii: " "): out += "_"
            case 0x21...0x7E where byte != UInt8(ascii: "=") && byte != UInt8(ascii: "?") && byte != UInt8(ascii: "_"):
                out.append(Character(UnicodeScalar(byte)))
            default: out += "=" + hex(byte)
            }
        }
        return out + "?="
    }

    /// RFC 2045 quoted-printable: CRLF line breaks, lines of at most 76 characters (soft breaks `=`),
    /// `=`, control and non-ASCII bytes as `=XX`, trailing blanks encoded.
    static func quotedPrintable(_ text: String) -> String {
        var lines: [String] = []
        for rawLine in text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false)
        {
            let bytes = Array(rawLine.utf8)
            var line = ""
            var length = 0
            for (position, byte) in bytes.enumerated() {
                let isLast = position == bytes.count - 1
                var token: String
                if (byte == 0x20 || byte == 0x09) && isLast {
                    token = "=" + hex(byte)
                } else if (byte >= 0x21 && byte <= 0x7E && byte != UInt8(ascii: "=")) || byte == 0x20 || byte == 0x09 {
                    token = String(UnicodeScalar(byte))
                } else {
                    token = "=" + hex(byte)
                }
                if length + token.count > 75 {
                    line += "=\r\n"
                    length = 0
                }
                line += token
                length += token.count
            }
            lines.append(line)
        }
        return lines.joined(separator: "\r\n")
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }

    /// Go's `time.RFC1123Z`: `Mon, 02 Jan 2006 15:04:05 -0700`, in UTC.
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    /// The address part of `Name <user@host>` or `user@host`; nil when there is none.
    static func address(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let open = trimmed.lastIndex(of: "<"), let close = trimmed.lastIndex(of: ">"), open < close {
            let inner = String(trimmed[trimmed.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
            return isAddress(inner) ? inner : nil
        }
        return isAddress(trimmed) ? trimmed : nil
    }

    private static func isAddress(_ text: String) -> Bool {
        guard let at = text.lastIndex(of: "@"), at != text.startIndex, text.index(after: at) != text.endIndex else {
            return false
        }
        return !text.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0 == "\r" || $0 == "\n" })
    }
}
