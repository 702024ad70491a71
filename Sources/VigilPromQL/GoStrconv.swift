/// The parts of Go's `strconv` and `fmt` whose exact output Prometheus's parser messages and printer depend on:
/// `%q` quoting, `%#U`, `strconv.ParseInt(s, 0, 64)` / `ParseFloat`, `FormatFloat(f, 'f', -1, 64)` and `%.Nf`.
///
/// PromQL strings are byte strings in Prometheus (`"\xff"` is a valid literal), so quoting works on UTF-8 bytes.
enum GoStrconv {
    // MARK: - Runes

    /// Go's `utf8.RuneError`.
    static let runeError: Int32 = 0xFFFD

    /// Decodes one rune as Go's `utf8.DecodeRune` does: an invalid or truncated sequence, an overlong form or a
    /// surrogate yields `(RuneError, 1)`; the end of input yields `(-1, 0)`.
    static func decodeRune(_ bytes: [UInt8], at index: Int) -> (rune: Int32, width: Int) {
        guard index < bytes.count else { return (-1, 0) }
        let b0 = bytes[index]
        if b0 < 0x80 { return (Int32(b0), 1) }
        func continuation(_ offset: Int) -> UInt32? {
            let at = index + offset
            guard at < bytes.count, bytes[at] & 0xC0 == 0x80 else { return nil }
            return UInt32(bytes[at] & 0x3F)
        }
        switch b0 {
        case 0xC2...0xDF:
            guard let c1 = continuation(1) else { return (runeError, 1) }
            return (Int32(UInt32(b0 & 0x1F) << 6 | c1), 2)
        case 0xE0...0xEF:
            guard let c1 = continuation(1), let c2 = continuation(2) else { return (runeError, 1) }
            let value = UInt32(b0 & 0x0F) << 12 | c1 << 6 | c2
            guard value >= 0x800, !(0xD800...0xDFFF).contains(value) else { return (runeError, 1) }
            return (Int32(value), 3)
        case 0xF0...0xF4:
            guard let c1 = continuation(1), let c2 = continuation(2), let c3 = continuation(3) else {
                return (runeError, 1)
            }
            let value = UInt32(b0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3
            guard (0x10000...0x10FFFF).contains(value) else { return (runeError, 1) }
            return (Int32(value), 4)
        default:
            return (runeError, 1)
        }
    }

    /// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
    static func isPrint(_ rune: Int32) -> Bool {
        if rune < 0x80 { return rune >= 0x20 && rune < 0x7F }
        guard let scalar = Unicode.Scalar(UInt32(rune)) else { return false }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark,
            .decimalNumber, .letterNumber, .otherNumber,
            .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation,
            .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func appendHex(_ value: UInt32, digits: Int, to out: inout [UInt8]) {
        var shift = (digits - 1) * 4
        while shift >= 0 {
            out.append(hexDigits[Int((value >> UInt32(shift)) & 0xF)])
            shift -= 4
        }
    }

    private static func appendUTF8(_ rune: Int32, to out: inout [UInt8]) {
        let scalar = Unicode.Scalar(UInt32(rune)) ?? "\u{FFFD}"
        out.append(contentsOf: String(Character(scalar)).utf8)
    }

    /// Appends one rune escaped as `strconv.Quote` / `QuoteRune` do, for the given quote character.
    private static func appendEscaped(_ rune: Int32, quote: UInt8, to out: inout [UInt8]) {
        if rune == Int32(quote) || rune == 0x5C {
            out.append(0x5C)
            out.append(UInt8(rune))
            return
        }
        if isPrint(rune) {
            appendUTF8(rune, to: &out)
            return
        }
        switch rune {
        case 0x07: out.append(contentsOf: Array(#"\a"#.utf8))
        case 0x08: out.append(contentsOf: Array(#"\b"#.utf8))
        case 0x0C: out.append(contentsOf: Array(#"\f"#.utf8))
        case 0x0A: out.append(contentsOf: Array(#"\n"#.utf8))
        case 0x0D: out.append(contentsOf: Array(#"\r"#.utf8))
        case 0x09: out.append(contentsOf: Array(#"\t"#.utf8))
        case 0x0B: out.append(contentsOf: Array(#"\v"#.utf8))
        default:
            if rune < 0x20 || rune == 0x7F {
                out.append(contentsOf: Array(#"\x"#.utf8))
                appendHex(UInt32(rune), digits: 2, to: &out)
            } else if rune < 0x10000 {
                out.append(contentsOf: Array(#"\u"#.utf8))
                appendHex(UInt32(rune), digits: 4, to: &out)
            } else {
                out.append(contentsOf: Array(#"\U"#.utf8))
                appendHex(UInt32(rune), digits: 8, to: &out)
            }
        }
    }

    /// `strconv.Quote` (Go's `%q` for strings) of a byte string: invalid UTF-8 bytes become `\xNN`.
    static func quote<Bytes: Collection>(bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let input = Array(bytes)
        var out: [UInt8] = [0x22]
        out.reserveCapacity(input.count + 2)
        var index = 0
        while index < input.count {
            let (rune, width) = decodeRune(input, at: index)
            if width == 1 && rune == runeError {
                out.append(contentsOf: Array(#"\x"#.utf8))
                appendHex(UInt32(input[index]), digits: 2, to: &out)
            } else {
                appendEscaped(rune, quote: 0x22, to: &out)
            }
            index += width
        }
        out.append(0x22)
        return String(decoding: out, as: UTF8.self)
    }

    /// `strconv.Quote` of a Swift string.
    static func quote(_ string: some StringProtocol) -> String { quote(bytes: string.utf8) }

    /// `%.Nq` followed by `...`: the first `runes` runes quoted, as Prometheus describes long tokens.
    static func quotePrefix(bytes: [UInt8], runes: Int) -> String {
        var index = 0
        var count = 0
        while index < bytes.count && count < runes {
            index += max(1, decodeRune(bytes, at: index).width)
            count += 1
        }
        return quote(bytes: bytes[..<index])
    }

    /// `strconv.QuoteRune` (Go's `%q` for a rune); end of input (-1) prints as the replacement character.
    static func quoteRune(_ rune: Int32) -> String {
        let valid = rune >= 0 && rune <= 0x10FFFF && !(0xD800...0xDFFF).contains(rune)
        var out: [UInt8] = [0x27]
        appendEscaped(valid ? rune : runeError, quote: 0x27, to: &out)
        out.append(0x27)
        return String(decoding: out, as: UTF8.self)
    }

    /// Go's `%#U`: `U+0063 'c'`, or just `U+000A` for a rune that is not printable.
    static func unicodeFormat(_ rune: Int32) -> String {
        var out: [UInt8] = []
        let value = UInt32(bitPattern: rune)
        appendHex(value, digits: value > 0xFFFF ? (value > 0xFFFFF ? 6 : 5) : 4, to: &out)
        var text = "U+" + String(decoding: out, as: UTF8.self).uppercased()
        if isPrint(rune) {
            var quoted: [UInt8] = []
            appendUTF8(rune, to: &quoted)
            text += " '" + String(decoding: quoted, as: UTF8.self) + "'"
        }
        return text
    }

    // MARK: - Number parsing

    /// The outcome of `strconv` number parsing: a value, or the text of Go's `*NumError`.
    enum NumberParse: Equatable {
        case value(Double)
        case failure(String)
    }

    /// Prometheus's `parser.number`: `strconv.ParseInt(text, 0, 64)` and, when that fails,
    /// `strconv.ParseFloat(text, 64)`; the failure text is the `ParseFloat` error.
    static func parsePromQLNumber(_ text: String) -> NumberParse {
        if let integer = parseIntBase0(text) { return .value(Double(integer)) }
        return parseFloat(text)
    }

    /// `strconv.ParseInt(s, 0, 64)` for unsigned input (the lexer never includes a sign); nil on any error.
    static func parseIntBase0(_ text: String) -> Int64? {
        var digits = Substring(text)
        guard !digits.isEmpty else { return nil }
        var base: UInt64 = 10
        if digits.first == "0" {
            let second = digits.dropFirst().first.map { Character($0.lowercased()) }
            if digits.count >= 3 && second == "b" {
                base = 2
                digits = digits.dropFirst(2)
            } else if digits.count >= 3 && second == "o" {
                base = 8
                digits = digits.dropFirst(2)
            } else if digits.count >= 3 && second == "x" {
                base = 16
                digits = digits.dropFirst(2)
            } else {
                base = 8
                digits = digits.dropFirst()
            }
        }
        var value: UInt64 = 0
        var sawUnderscore = false
        for byte in digits.utf8 {
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "_"):
                sawUnderscore = true
                continue
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): digit = UInt64(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): digit = UInt64(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            guard digit < base else { return nil }
            let (product, overflow1) = value.multipliedReportingOverflow(by: base)
            let (sum, overflow2) = product.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        if sawUnderscore && !underscoreOK(text) { return nil }
        guard value <= UInt64(Int64.max) else { return nil }
        return Int64(value)
    }

    /// `strconv.ParseFloat(s, 64)` for what the PromQL lexer can produce: decimal literals with optional
    /// underscores between digits, `Inf`/`Infinity`/`NaN` in any case. Hexadecimal input has no `p` exponent
    /// here, which Go rejects as invalid syntax.
    static func parseFloat(_ text: String) -> NumberParse {
        func failure(_ reason: String) -> NumberParse {
            .failure("strconv.ParseFloat: parsing \(quote(text)): \(reason)")
        }
        var body = Substring(text)
        var negative = false
        if let first = body.first, first == "+" || first == "-" {
            negative = first == "-"
            body = body.dropFirst()
        }
        switch body.lowercased() {
        case "inf", "infinity": return .value(negative ? -.infinity : .infinity)
        case "nan": return .value(.nan)
        default: break
        }
        let lower = body.lowercased()
        if lower.hasPrefix("0x") { return failure("invalid syntax") }
        // Go syntax: digits, one optional '.', optional exponent with optional sign and digits; underscores only
        // between digits.
        let allowed = Set("0123456789._eE+-".utf8)
        guard !body.isEmpty, body.utf8.allSatisfy({ allowed.contains($0) }) else { return failure("invalid syntax") }
        if body.contains("_") && !underscoreOK(String(body)) { return failure("invalid syntax") }
        let cleaned = String(body.filter { $0 != "_" })
        guard isDecimalFloatSyntax(cleaned), let value = Double(cleaned) else { return failure("invalid syntax") }
        if value.isInfinite { return failure("value out of range") }
        return .value(negative ? -value : value)
    }

    /// `[digits][.digits][(e|E)[+-]digits]` with at least one mantissa digit.
    private static func isDecimalFloatSyntax(_ text: String) -> Bool {
        var bytes = text.utf8[...]
        var mantissaDigits = 0
        while let byte = bytes.first, byte >= 0x30 && byte <= 0x39 {
            mantissaDigits += 1
            bytes = bytes.dropFirst()
        }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            while let byte = bytes.first, byte >= 0x30 && byte <= 0x39 {
                mantissaDigits += 1
                bytes = bytes.dropFirst()
            }
        }
        guard mantissaDigits > 0 else { return false }
        if let byte = bytes.first, byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                bytes = bytes.dropFirst()
            }
            var exponentDigits = 0
            while let byte = bytes.first, byte >= 0x30 && byte <= 0x39 {
                exponentDigits += 1
                bytes = bytes.dropFirst()
            }
            guard exponentDigits > 0 else { return false }
        }
        return bytes.isEmpty
    }

    /// Go's `underscoreOK`: underscores only between digits, or between a base prefix and a digit.
    static func underscoreOK(_ text: String) -> Bool {
        var bytes = Array(text.utf8)
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { bytes.removeFirst() }
        var saw: UInt8 = UInt8(ascii: "^")
        var index = 0
        var hex = false
        if bytes.count >= 2, bytes[0] == UInt8(ascii: "0") {
            let second = bytes[1] | 0x20
            if second == UInt8(ascii: "b") || second == UInt8(ascii: "o") || second == UInt8(ascii: "x") {
                index = 2
                saw = UInt8(ascii: "0")
                hex = second == UInt8(ascii: "x")
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            let lower = byte | 0x20
            if (byte >= 0x30 && byte <= 0x39) || (hex && lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "f")) {
                saw = UInt8(ascii: "0")
            } else if byte == UInt8(ascii: "_") {
                if saw != UInt8(ascii: "0") { return false }
                saw = UInt8(ascii: "_")
            } else {
                if saw == UInt8(ascii: "_") { return false }
                saw = UInt8(ascii: "!")
            }
            index += 1
        }
        return saw != UInt8(ascii: "_")
    }

    // MARK: - Number formatting

    /// `strconv.FormatFloat(value, 'f', -1, 64)`: the shortest digits that round-trip, never in exponent form;
    /// `+Inf`, `-Inf`, `NaN` for the special values.
    static func formatShortest(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        // Swift's description is also the shortest round-trip form; only its notation differs.
        var text = Substring(value.magnitude.description)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        var digits = ""
        var pointPosition: Int
        if let dot = text.firstIndex(of: ".") {
            let integerPart = text[..<dot]
            let fraction = text[text.index(after: dot)...]
            digits = String(integerPart) + String(fraction)
            pointPosition = integerPart.count
        } else {
            digits = String(text)
            pointPosition = text.count
        }
        pointPosition += exponent
        // Normalise: strip leading zeros (adjusting the point) and trailing zeros.
        while digits.count > 1, digits.first == "0" {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        var out = value.sign == .minus ? "-" : ""
        if digits == "0" { return out + "0" }
        if pointPosition <= 0 {
            out += "0." + String(repeating: "0", count: -pointPosition) + digits
        } else if pointPosition >= digits.count {
            out += digits + String(repeating: "0", count: pointPosition - digits.count)
        } else {
            let split = digits.index(digits.startIndex, offsetBy: pointPosition)
            out += digits[..<split] + "." + digits[split...]
        }
        return out
    }

    /// `strconv.FormatFloat(value, 'f', decimals, 64)` (Go's `%.Nf`), exact and rounded half to even like Go;
    /// `decimals` must be at most 9.
    static func formatFixed(_ value: Double, decimals: Int) -> String {
        precondition(decimals >= 0 && decimals <= 9, "formatFixed supports up to 9 decimals")
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        let sign = value.sign == .minus ? "-" : ""
        let magnitude = value.magnitude
        let fractionZeros = decimals > 0 ? "." + String(repeating: "0", count: decimals) : ""
        if magnitude == 0 { return sign + "0" + fractionZeros }
        let exponent = Int(magnitude.exponent)  // value = significand * 2^exponent, 1 <= significand < 2
        let significand = magnitude.significandBitPattern | (magnitude.isNormal ? (1 << 52) : 0)
        let binaryExponent = (magnitude.isNormal ? exponent : -1022) - 52
        if binaryExponent >= 0 {
            return sign + decimalString(of: significand, shiftedLeftBy: binaryExponent) + fractionZeros
        }
        var scale: UInt64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = UInt128(significand) * UInt128(scale)
        let shift = -binaryExponent
        let rounded: UInt128
        if shift >= 127 {
            rounded = 0
        } else {
            let quotient = scaled >> UInt128(shift)
            let remainder = scaled - (quotient << UInt128(shift))
            let half = UInt128(1) << UInt128(shift - 1)
            if remainder > half || (remainder == half && quotient & 1 == 1) {
                rounded = quotient + 1
            } else {
                rounded = quotient
            }
        }
        let integerPart = rounded / UInt128(scale)
        let fractionPart = rounded % UInt128(scale)
        var text = sign + String(integerPart)
        if decimals > 0 {
            let fraction = String(fractionPart)
            text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return text
    }

    /// The decimal digits of `value << shift`, for integers too large for fixed-width arithmetic.
    private static func decimalString(of value: UInt64, shiftedLeftBy shift: Int) -> String {
        if shift < 64, value.leadingZeroBitCount > shift { return String(value << UInt64(shift)) }
        // Little-endian base-1e9 limbs.
        var limbs: [UInt64] = []
        var seed = value
        while seed > 0 {
            limbs.append(seed % 1_000_000_000)
            seed /= 1_000_000_000
        }
        for _ in 0..<shift {
            var carry: UInt64 = 0
            for index in limbs.indices {
                let doubled = limbs[index] * 2 + carry
                limbs[index] = doubled % 1_000_000_000
                carry = doubled / 1_000_000_000
            }
            if carry > 0 { limbs.append(carry) }
        }
        var text = String(limbs.last ?? 0)
        for limb in limbs.dropLast().reversed() {
            let part = String(limb)
            text += String(repeating: "0", count: 9 - part.count) + part
        }
        return text
    }
}
