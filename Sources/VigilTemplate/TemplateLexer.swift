/// A token of Go's template language.
struct TemplateToken: Sendable {
    enum Kind: Sendable, Equatable {
        case text, leftDelim, rightDelim, space, eof
        case identifier, field, variable, keyword
        case string, rawString, charConstant, number, bool
        case pipe, leftParen, rightParen, declare, assign, comma, dot, nilKeyword
    }

    var kind: Kind
    /// Byte offset in the source.
    var position: Int
    /// The token's text (for strings: still quoted; for text: after trimming).
    var text: String
}

/// Go's text/template lexer (`text/template/parse/lex.go`), run eagerly into an array of tokens:
/// text between actions, trim markers (`{{- ` and ` -}}`), comments, and the tokens inside actions.
struct TemplateLexer {
    private let bytes: [UInt8]
    private var position = 0
    private(set) var tokens: [TemplateToken] = []
    private var parenDepth = 0

    static let keywords: Set<String> = [
        "block", "break", "continue", "define", "else", "end", "if", "range", "template", "with",
    ]

    /// The error a lexer stops at: a message and the byte offset where it happened.
    struct Failure: Error {
        var message: String
        var position: Int
    }

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    static func tokenize(_ text: String) throws(Failure) -> [TemplateToken] {
        var lexer = TemplateLexer(text)
        try lexer.run()
        return lexer.tokens
    }

    private mutating func run() throws(Failure) {
        var trimNextText = false
        while true {
            // Text up to the next "{{".
            var end = bytes.count
            var index = position
            while index + 1 < bytes.count {
                if bytes[index] == UInt8(ascii: "{") && bytes[index + 1] == UInt8(ascii: "{") {
                    end = index
                    break
                }
                index += 1
            }
            var textStart = position
            var textEnd = end
            let trimLeft =
                end + 3 < bytes.count && bytes[end + 2] == UInt8(ascii: "-") && Self.isSpace(bytes[end + 3])
            if trimNextText {
                while textStart < textEnd && Self.isSpace(bytes[textStart]) { textStart += 1 }
            }
            if trimLeft {
                while textEnd > textStart && Self.isSpace(bytes[textEnd - 1]) { textEnd -= 1 }
            }
            if textEnd > textStart {
                tokens.append(
                    TemplateToken(kind: .text, position: textStart, text: string(textStart, textEnd)))
            }
            guard end < bytes.count else {
                tokens.append(TemplateToken(kind: .eof, position: bytes.count, text: ""))
                return
            }
            position = end
            trimNextText = try lexAction(trimLeft: trimLeft)
        }
    }

    /// Lexes one action starting at "{{"; returns whether it ended with a trim marker.
    private mutating func lexAction(trimLeft: Bool) throws(Failure) -> Bool {
        let actionStart = position
        position += 2
        if trimLeft { position += 2 }  // "-" and the space after it
        // Comments: "{{/*" ... "*/}}", with optional trim markers.
        var probe = position
        if trimLeft { while probe < bytes.count && Self.isSpace(bytes[probe]) { probe += 1 } }
        if hasPrefix("/*", at: probe) {
            guard let close = find("*/", from: probe + 2) else {
                throw Failure(message: "unclosed comment", position: actionStart)
            }
            position = close + 2
            if hasPrefix("}}", at: position) {
                position += 2
                return false
            }
            if position < bytes.count && Self.isSpace(bytes[position])
                && hasPrefix("-}}", at: position + 1)
            {
                position += 4
                return true
            }
            throw Failure(message: "comment ends before closing delimiter", position: actionStart)
        }
        tokens.append(TemplateToken(kind: .leftDelim, position: actionStart, text: "{{"))
        parenDepth = 0
        while true {
            guard position < bytes.count else {
                throw Failure(message: "unclosed action", position: actionStart)
            }
            // Right delimiter, with or without a trim marker.
            if Self.isSpace(bytes[position]) && hasPrefix("-}}", at: position + 1) {
                if parenDepth > 0 { throw Failure(message: "unclosed left paren", position: position) }
                tokens.append(TemplateToken(kind: .rightDelim, position: position + 1, text: "}}"))
                position += 4
                return true
            }
            if hasPrefix("}}", at: position) {
                if parenDepth > 0 { throw Failure(message: "unclosed left paren", position: position) }
                tokens.append(TemplateToken(kind: .rightDelim, position: position, text: "}}"))
                position += 2
                return false
            }
            try lexInsideAction()
        }
    }

    private mutating func lexInsideAction() throws(Failure) {
        let start = position
        let byte = bytes[position]
        switch byte {
        case _ where Self.isSpace(byte):
            while position < bytes.count && Self.isSpace(bytes[position]) {
                if hasPrefix("-}}", at: position + 1) { break }
                position += 1
            }
            if position == start { position += 1 }
            emit(.space, start)
        case UInt8(ascii: "="):
            position += 1
            emit(.assign, start)
        case UInt8(ascii: ":"):
            guard position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "=") else {
                throw Failure(message: "expected :=", position: start)
            }
            position += 2
            emit(.declare, start)
        case UInt8(ascii: "|"):
            position += 1
            emit(.pipe, start)
        case UInt8(ascii: ","):
            position += 1
            emit(.comma, start)
        case UInt8(ascii: "\""):
            try lexQuote(terminator: UInt8(ascii: "\""), message: "unterminated quoted string")
            emit(.string, start)
        case UInt8(ascii: "'"):
            try lexQuote(terminator: UInt8(ascii: "'"), message: "unterminated character constant")
            emit(.charConstant, start)
        case UInt8(ascii: "`"):
            position += 1
            guard let close = bytes[position...].firstIndex(of: UInt8(ascii: "`")) else {
                throw Failure(message: "unterminated raw quoted string", position: start)
            }
            position = close + 1
            emit(.rawString, start)
        case UInt8(ascii: "$"):
            position += 1
            while position < bytes.count && Self.isAlphaNumeric(bytes[position]) { position += 1 }
            emit(.variable, start)
            try checkTerminator()
        case UInt8(ascii: "."):
            if position + 1 < bytes.count && Self.isDigit(bytes[position + 1]) {
                try lexNumber()
                emit(.number, start)
                return
            }
            position += 1
            while position < bytes.count && Self.isAlphaNumeric(bytes[position]) { position += 1 }
            emit(position - start == 1 ? .dot : .field, start)
            try checkTerminator()
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try lexNumber()
            emit(.number, start)
        case UInt8(ascii: "("):
            position += 1
            parenDepth += 1
            emit(.leftParen, start)
        case UInt8(ascii: ")"):
            position += 1
            parenDepth -= 1
            if parenDepth < 0 { throw Failure(message: "unexpected right paren", position: start) }
            emit(.rightParen, start)
        case _ where Self.isAlphaNumeric(byte) || (byte >= 0x80 && isLetterScalar(at: position)):
            while position < bytes.count
                && (Self.isAlphaNumeric(bytes[position])
                    || (bytes[position] >= 0x80 && isLetterScalar(at: position)))
            {
                position += scalarLength(at: position)
            }
            let word = string(start, position)
            if Self.keywords.contains(word) {
                emit(.keyword, start)
            } else if word == "true" || word == "false" {
                emit(.bool, start)
            } else if word == "nil" {
                emit(.nilKeyword, start)
            } else {
                emit(.identifier, start)
            }
            try checkTerminator()
        default:
            let scalar = scalarValue(at: position)
            throw Failure(
                message: "unrecognized character in action: \(Self.describe(scalar))", position: start)
        }
    }

    private mutating func emit(_ kind: TemplateToken.Kind, _ start: Int) {
        tokens.append(TemplateToken(kind: kind, position: start, text: string(start, position)))
    }

    /// After a word, field or variable comes a space, a delimiter, `.`, `,`, `|`, `:`, `(` or `)`.
    private func checkTerminator() throws(Failure) {
        guard position < bytes.count else { return }
        let byte = bytes[position]
        if Self.isSpace(byte) || hasPrefix("}}", at: position) { return }
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "|"), UInt8(ascii: ":"),
            UInt8(ascii: ")"),
            UInt8(ascii: "("), UInt8(ascii: "="):
            return
        default:
            throw Failure(
                message: "bad character \(Self.describe(scalarValue(at: position)))", position: position)
        }
    }

    private mutating func lexQuote(terminator: UInt8, message: String) throws(Failure) {
        let start = position
        position += 1
        while true {
            guard position < bytes.count, bytes[position] != UInt8(ascii: "\n") else {
                throw Failure(message: message, position: start)
            }
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "\\") {
                guard position < bytes.count, bytes[position] != UInt8(ascii: "\n") else {
                    throw Failure(message: message, position: start)
                }
                position += 1
            } else if byte == terminator {
                return
            }
        }
    }

    /// Scans what Go's lexer accepts as a number; the parser checks that it is a valid one.
    private mutating func lexNumber() throws(Failure) {
        let start = position
        if position < bytes.count
            && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-"))
        {
            position += 1
        }
        var digits = "0123456789_"
        var exponents = "eEpP"
        if hasPrefix("0x", at: position) || hasPrefix("0X", at: position) {
            position += 2
            digits = "0123456789abcdefABCDEF_"
            exponents = "pP"
        } else if hasPrefix("0o", at: position) || hasPrefix("0O", at: position) {
            position += 2
            digits = "01234567_"
        } else if hasPrefix("0b", at: position) || hasPrefix("0B", at: position) {
            position += 2
            digits = "01_"
        }
        let digitSet = Set(digits.utf8)
        let exponentSet = Set(exponents.utf8)
        while position < bytes.count && digitSet.contains(bytes[position]) { position += 1 }
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            position += 1
            while position < bytes.count && digitSet.contains(bytes[position]) { position += 1 }
        }
        if position < bytes.count && exponentSet.contains(bytes[position]) {
            position += 1
            if position < bytes.count
                && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-"))
            {
                position += 1
            }
            while position < bytes.count
                && (Self.isDigit(bytes[position]) || bytes[position] == UInt8(ascii: "_"))
            {
                position += 1
            }
        }
        if position < bytes.count && bytes[position] == UInt8(ascii: "i") { position += 1 }
        let lone =
            position == start + 1
            && (bytes[start] == UInt8(ascii: "+") || bytes[start] == UInt8(ascii: "-"))
        if lone
            || (position < bytes.count
                && (Self.isAlphaNumeric(bytes[position]) || bytes[position] == UInt8(ascii: ".")))
        {
            if position < bytes.count { position += 1 }
            throw Failure(message: "bad number syntax: \"\(string(start, position))\"", position: start)
        }
    }

    // MARK: Bytes

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\n")
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func isAlphaNumeric(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || isDigit(byte)
            || ((byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z"))
    }

    private func hasPrefix(_ prefix: StaticString, at index: Int) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard index >= 0, index + count <= bytes.count else { return false }
        let pointer = prefix.utf8Start
        for offset in 0..<count where bytes[index + offset] != pointer[offset] { return false }
        return true
    }

    private func find(_ needle: StaticString, from index: Int) -> Int? {
        var candidate = index
        while candidate < bytes.count {
            if hasPrefix(needle, at: candidate) { return candidate }
            candidate += 1
        }
        return nil
    }

    private func string(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<min(end, bytes.count)], as: UTF8.self)
    }

    private func scalarLength(at index: Int) -> Int {
        let byte = bytes[index]
        let length: Int
        if byte >= 0xF0 {
            length = 4
        } else if byte >= 0xE0 {
            length = 3
        } else if byte >= 0xC0 {
            length = 2
        } else {
            length = 1
        }
        return min(length, bytes.count - index)
    }

    private func scalarValue(at index: Int) -> Unicode.Scalar {
        string(index, index + scalarLength(at: index)).unicodeScalars.first ?? "\u{FFFD}"
    }

    private func isLetterScalar(at index: Int) -> Bool {
        switch scalarValue(at: index).properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber:
            true
        default: false
        }
    }

    /// Go's `%#U`: `U+0040 '@'`, or just `U+00A0` for a character that does not print.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        var hex = String(scalar.value, radix: 16, uppercase: true)
        while hex.count < 4 { hex = "0" + hex }
        return GoFormatter.isPrintable(scalar) ? "U+\(hex) '\(Character(scalar))'" : "U+\(hex)"
    }
}
