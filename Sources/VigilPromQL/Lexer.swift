/// Splits a PromQL query into tokens the way Prometheus 3.5's lexer does, with its error messages.
///
/// The lexer does not depend on the parser, so the whole query is tokenized up front. The token list ends with
/// `.eof`, or with the first `.error`, whose start and ``Tokens/errorMessage`` are what Prometheus reports.
/// Comments are dropped.
struct Lexer {
    private let input: [UInt8]
    private var pos = 0
    private var start = 0
    private var lastWidth = 0
    private var parenDepth = 0
    private var braceOpen = false
    private var bracketOpen = false
    private var gotColon = false
    private var state = State.statements
    private var tokens: [Token] = []
    private var errorMessage = ""
    private var finished = false

    struct Tokens {
        var tokens: [Token]
        /// What the final `.error` token is about (empty when the list ends with `.eof`).
        var errorMessage: String
    }

    private enum State {
        case statements
        case insideBraces
        /// Right after `[`: the first token of a range or subquery.
        case bracketStart
    }

    static func tokenize(_ input: [UInt8]) -> Tokens {
        var lexer = Lexer(input: input)
        while !lexer.finished {
            switch lexer.state {
            case .statements: lexer.lexStatements()
            case .insideBraces: lexer.lexInsideBraces()
            case .bracketStart: lexer.lexBracketStart()
            }
        }
        return Tokens(tokens: lexer.tokens, errorMessage: lexer.errorMessage)
    }

    private init(input: [UInt8]) {
        self.input = input
    }

    // MARK: - Primitives (runes as Go's lexer reads them)

    private static let eof: Int32 = -1

    private mutating func next() -> Int32 {
        let (rune, width) = GoStrconv.decodeRune(input, at: pos)
        lastWidth = width
        pos += width
        return rune
    }

    private mutating func backup() { pos -= lastWidth }

    private mutating func peek() -> Int32 {
        let rune = next()
        backup()
        return rune
    }

    private mutating func accept(_ valid: String) -> Bool {
        let rune = next()
        if rune >= 0, rune < 0x80, valid.utf8.contains(UInt8(rune)) { return true }
        backup()
        return false
    }

    private mutating func isNext(_ valid: String) -> Bool {
        let rune = peek()
        return rune >= 0 && rune < 0x80 && valid.utf8.contains(UInt8(rune))
    }

    private mutating func acceptRun(_ valid: String) {
        while accept(valid) {}
    }

    private mutating func emit(_ kind: TokenKind) {
        if kind != .comment { tokens.append(Token(kind: kind, start: start, end: pos)) }
        start = pos
        if kind == .eof { finished = true }
    }

    private mutating func ignore() { start = pos }

    private mutating func fail(_ message: String) {
        tokens.append(Token(kind: .error, start: start, end: input.count))
        errorMessage = message
        finished = true
    }

    private static func isSpace(_ rune: Int32) -> Bool { rune == 0x20 || rune == 0x09 || rune == 0x0A || rune == 0x0D }
    private static func isDigit(_ rune: Int32) -> Bool { rune >= 0x30 && rune <= 0x39 }
    private static func isAlpha(_ rune: Int32) -> Bool {
        rune == 0x5F || (rune >= 0x61 && rune <= 0x7A) || (rune >= 0x41 && rune <= 0x5A)
    }
    private static func isAlphaNumeric(_ rune: Int32) -> Bool { isAlpha(rune) || isDigit(rune) }

    private func startsComment() -> Bool { pos < input.count && input[pos] == UInt8(ascii: "#") }

    // MARK: - States

    private mutating func lexStatements() {
        if braceOpen {
            state = .insideBraces
            return
        }
        if startsComment() {
            lexLineComment()
            return
        }
        let rune = next()
        switch rune {
        case Self.eof:
            if parenDepth != 0 {
                fail("unclosed left parenthesis")
            } else if bracketOpen {
                fail("unclosed left bracket")
            } else {
                emit(.eof)
            }
        case 0x2C: emit(.comma)
        case _ where Self.isSpace(rune): skipSpaces()
        case 0x2A: emit(.mul)
        case 0x2F: emit(.div)
        case 0x25: emit(.mod)
        case 0x2B: emit(.add)
        case 0x2D: emit(.sub)
        case 0x5E: emit(.pow)
        case 0x3D:  // =
            let following = peek()
            if following == 0x3D {
                _ = next()
                emit(.eqlc)
            } else if following == 0x7E {
                fail("unexpected character after '=': \(GoStrconv.quoteRune(following))")
            } else {
                emit(.eql)
            }
        case 0x21:  // !
            let following = next()
            if following != 0x3D {
                fail("unexpected character after '!': \(GoStrconv.quoteRune(following))")
                return
            }
            emit(.neq)
        case 0x3C:  // <
            if peek() == 0x3D {
                _ = next()
                emit(.lte)
            } else {
                emit(.lss)
            }
        case 0x3E:  // >
            if peek() == 0x3D {
                _ = next()
                emit(.gte)
            } else {
                emit(.gtr)
            }
        case _ where Self.isDigit(rune) || (rune == 0x2E && Self.isDigit(peek())):
            backup()
            lexNumberOrDuration()
        case 0x22, 0x27: lexString(quote: rune)
        case 0x60: lexRawString()
        case _ where Self.isAlpha(rune) || rune == 0x3A:
            if !bracketOpen {
                backup()
                lexKeywordOrIdentifier()
                return
            }
            if rune == 0x3A {
                if gotColon {
                    fail("unexpected colon ':'")
                    return
                }
                emit(.colon)
                gotColon = true
                return
            }
            fail("unexpected character: \(GoStrconv.quoteRune(rune)), expected ':'")
        case 0x28:
            emit(.leftParen)
            parenDepth += 1
        case 0x29:
            emit(.rightParen)
            parenDepth -= 1
            if parenDepth < 0 {
                tokens.removeLast()
                fail("unexpected right parenthesis ')'")
            }
        case 0x7B:
            emit(.leftBrace)
            braceOpen = true
            state = .insideBraces
        case 0x5B:
            if bracketOpen {
                fail("unexpected left bracket '['")
                return
            }
            gotColon = false
            emit(.leftBracket)
            while Self.isSpace(peek()) { _ = next() }
            ignore()
            bracketOpen = true
            state = .bracketStart
        case 0x5D:
            if !bracketOpen {
                fail("unexpected right bracket ']'")
                return
            }
            emit(.rightBracket)
            bracketOpen = false
        case 0x40: emit(.at)
        default:
            fail("unexpected character: \(GoStrconv.quoteRune(rune))")
        }
    }

    /// The first token after `[`: a number or duration, a sign, or `]` (duration arithmetic is not PromQL 3.5
    /// by default; its tokens are lexed so that the parser can reject them with a clear message).
    private mutating func lexBracketStart() {
        let rune = next()
        switch rune {
        case Self.eof:
            fail("unexpected end of input in duration expression")
        case 0x5D:
            emit(.rightBracket)
            bracketOpen = false
            gotColon = false
            state = .statements
        case 0x3A:
            emit(.colon)
            tokens.removeLast()
            fail("unexpected colon before duration in duration expression")
        case 0x28:
            emit(.leftParen)
            parenDepth += 1
        case 0x29:
            emit(.rightParen)
            parenDepth -= 1
            if parenDepth < 0 {
                tokens.removeLast()
                fail("unexpected right parenthesis ')'")
            }
        case _ where Self.isSpace(rune): skipSpaces()
        case 0x2B: emit(.add)
        case 0x2D: emit(.sub)
        case 0x2A: emit(.mul)
        case 0x2F: emit(.div)
        case 0x25: emit(.mod)
        case 0x5E: emit(.pow)
        case 0x2C: emit(.comma)
        case _ where Self.isDigit(rune) || (rune == 0x2E && Self.isDigit(peek())):
            backup()
            state = .statements
            lexNumberOrDuration()
        default:
            fail("unexpected character in duration expression: \(GoStrconv.quoteRune(rune))")
        }
    }

    private mutating func lexInsideBraces() {
        if startsComment() {
            lexLineComment()
            return
        }
        let rune = next()
        switch rune {
        case Self.eof:
            fail("unexpected end of input inside braces")
        case _ where Self.isSpace(rune): skipSpaces()
        case _ where Self.isAlpha(rune):
            backup()
            while Self.isAlphaNumeric(next()) {}
            backup()
            emit(.identifier)
        case 0x2C: emit(.comma)
        case 0x22, 0x27: lexString(quote: rune)
        case 0x60: lexRawString()
        case 0x3D:  // = or =~
            if next() == 0x7E {
                emit(.eqlRegex)
            } else {
                backup()
                emit(.eql)
            }
        case 0x21:
            let following = next()
            switch following {
            case 0x7E: emit(.neqRegex)
            case 0x3D: emit(.neq)
            default: fail("unexpected character after '!' inside braces: \(GoStrconv.quoteRune(following))")
            }
        case 0x7B:
            fail("unexpected left brace '{'")
        case 0x7D:
            emit(.rightBrace)
            braceOpen = false
            state = .statements
        default:
            fail("unexpected character inside braces: \(GoStrconv.quoteRune(rune))")
        }
    }

    private mutating func skipSpaces() {
        while Self.isSpace(peek()) { _ = next() }
        ignore()
    }

    private mutating func lexLineComment() {
        pos += 1
        var rune = next()
        while rune != 0x0A && rune != 0x0D && rune != Self.eof { rune = next() }
        backup()
        emit(.comment)
    }

    // MARK: - Strings

    private mutating func lexString(quote: Int32) {
        while true {
            let rune = next()
            switch rune {
            case 0x5C:
                guard lexEscape(quote: quote) else { return }
            case GoStrconv.runeError:
                fail("invalid UTF-8 rune")
                return
            case Self.eof, 0x0A:
                fail("unterminated quoted string")
                return
            case quote:
                emit(.string)
                return
            default:
                continue
            }
        }
    }

    /// Checks one escape sequence after a backslash; false (with the error recorded) when it is invalid.
    private mutating func lexEscape(quote: Int32) -> Bool {
        var rune = next()
        var count: Int
        var base: UInt32
        var maximum: UInt32
        switch rune {
        case 0x61, 0x62, 0x66, 0x6E, 0x72, 0x74, 0x76, 0x5C, quote:  // a b f n r t v \ and the quote
            return true
        case 0x30...0x37:
            (count, base, maximum) = (3, 8, 255)
        case 0x78:  // x
            rune = next()
            (count, base, maximum) = (2, 16, 255)
        case 0x75:  // u
            rune = next()
            (count, base, maximum) = (4, 16, 0x10FFFF)
        case 0x55:  // U
            rune = next()
            (count, base, maximum) = (8, 16, 0x10FFFF)
        case Self.eof:
            fail("escape sequence not terminated")
            return false
        default:
            fail("unknown escape sequence \(GoStrconv.unicodeFormat(rune))")
            return false
        }
        var value: UInt32 = 0
        while count > 0 {
            let digit = Self.digitValue(rune)
            if digit >= base {
                if rune == Self.eof {
                    fail("escape sequence not terminated")
                } else {
                    fail("illegal character \(GoStrconv.unicodeFormat(rune)) in escape sequence")
                }
                return false
            }
            value = value &* base &+ digit
            count -= 1
            if count > 0 { rune = next() }
        }
        if value > maximum || (0xD800..<0xE000).contains(value) {
            fail("escape sequence is an invalid Unicode code point")
            return false
        }
        return true
    }

    private static func digitValue(_ rune: Int32) -> UInt32 {
        switch rune {
        case 0x30...0x39: UInt32(rune - 0x30)
        case 0x61...0x66: UInt32(rune - 0x61 + 10)
        case 0x41...0x46: UInt32(rune - 0x41 + 10)
        default: 16
        }
    }

    private mutating func lexRawString() {
        while true {
            switch next() {
            case GoStrconv.runeError:
                fail("invalid UTF-8 rune")
                return
            case Self.eof:
                fail("unterminated raw string")
                return
            case 0x60:
                emit(.string)
                return
            default:
                continue
            }
        }
    }

    // MARK: - Numbers, durations, identifiers

    private mutating func lexNumberOrDuration() {
        if scanNumber() {
            emit(.number)
            return
        }
        if acceptRemainingDuration() {
            backup()
            emit(.duration)
            return
        }
        fail("bad number or duration syntax: \(GoStrconv.quote(bytes: input[start..<pos]))")
    }

    /// Units after the number: `5m`, `1h30m`, `500ms`; bad unit orders are left for the duration parser.
    private mutating func acceptRemainingDuration() -> Bool {
        guard accept("smhdwy") else { return false }
        _ = accept("s")
        while accept("0123456789") {
            while accept("0123456789") {}
            guard accept("smhdw") else { return false }
            _ = accept("s")
        }
        return !Self.isAlphaNumeric(next())
    }

    /// Prometheus's `scanNumber`: decimal, hexadecimal (`0x1f`), octal-looking, with `.`, exponent and `_`
    /// separators; the text is validated later by `strconv`.
    private mutating func scanNumber() -> Bool {
        let initial = pos
        var digits = "0123456789"
        if accept("0") && accept("xX") {
            _ = accept("_")
            digits = "0123456789abcdefABCDEF"
        }
        _ = accept(".")
        _ = accept(digits)
        var dotConsumed = false
        var exponentConsumed = false
        while isNext(digits + "._eE") {
            if isNext(".") && dotConsumed {
                _ = accept(".")
                return false
            }
            if isNext("eE") && exponentConsumed {
                _ = accept("eE")
                return false
            }
            if accept(".") {
                dotConsumed = true
                if accept("_.") { return false }
                if digits.count > 10 { return false }  // No fractional hexadecimal literals.
                continue
            }
            if accept("eE") {
                exponentConsumed = true
                _ = accept("+-")
                if accept("._eE") || peek() == Self.eof { return false }
                continue
            }
            if accept("_") {
                if accept("._eE") || peek() == Self.eof { return false }
                continue
            }
            acceptRun(digits)
        }
        if pos == initial { return false }
        return !Self.isAlphaNumeric(peek())
    }

    private mutating func lexKeywordOrIdentifier() {
        while true {
            let rune = next()
            if Self.isAlphaNumeric(rune) || rune == 0x3A { continue }
            backup()
            break
        }
        let word = String(decoding: input[start..<pos], as: UTF8.self)
        if let keyword = TokenKind.keywords[word.lowercased()] {
            emit(keyword)
        } else if word.contains(":") {
            emit(.metricIdentifier)
        } else {
            emit(.identifier)
        }
    }
}
