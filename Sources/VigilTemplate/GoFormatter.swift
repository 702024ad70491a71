import VigilModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Go's `fmt` as templates use it: `Sprint`, `Sprintln`, `Sprintf` with the common verbs, `%v` of
/// every ``TemplateValue``, and `strconv`'s float formatting (`'g'` shortest: `1e+06`, `0.1`, `+Inf`).
enum GoFormatter {
    // MARK: Print

    /// `fmt.Sprint`: spaces between operands when neither side is a string.
    static func sprint(_ values: [TemplateValue]) -> String {
        var out = ""
        var previousIsString = false
        for (offset, value) in values.enumerated() {
            let isString = value.stringValue != nil
            if offset > 0 && !isString && !previousIsString { out += " " }
            out += format(value)
            previousIsString = isString
        }
        return out
    }

    /// `fmt.Sprintln`: always spaces, and a newline.
    static func sprintln(_ values: [TemplateValue]) -> String {
        values.map(format).joined(separator: " ") + "\n"
    }

    /// `%v`.
    static func format(_ value: TemplateValue) -> String {
        switch value {
        case .null: "<nil>"
        case .bool(let value): value ? "true" : "false"
        case .int(let value): String(value)
        case .float(let value): formatFloat(value, verb: "g", precision: nil)
        case .string(let value): value
        case .list(let values): "[" + values.map(format).joined(separator: " ") + "]"
        case .map(let map):
            "map[" + map.keys.sorted().map { "\($0):\(format(map[$0]!))" }.joined(separator: " ") + "]"
        }
    }

    // MARK: Floats

    /// Decimal digits (no leading or trailing zeros) and the decimal point position: 0.d1d2… × 10^point.
    struct Digits {
        var digits: [UInt8]
        var point: Int
    }

    /// The shortest digits that round-trip (what Go's and Swift's shortest formatting both produce).
    static func shortestDigits(_ value: Double) -> Digits {
        decimalDigits(from: abs(value).description)
    }

    /// Digits correctly rounded to `count` significant digits.
    static func roundedDigits(_ value: Double, significant count: Int) -> Digits {
        decimalDigits(from: cFormat("%.*e", max(count, 1) - 1, abs(value)))
    }

    private static func decimalDigits(from text: String) -> Digits {
        var digits: [UInt8] = []
        digits.reserveCapacity(24)
        var point = 0
        var seenPoint = false
        var exponent = 0
        var exponentSign = 1
        var inExponent = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "."): seenPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
            case UInt8(ascii: "-") where inExponent: exponentSign = -1
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inExponent {
                    exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
                } else {
                    digits.append(byte - UInt8(ascii: "0"))
                    if !seenPoint { point += 1 }
                }
            default: break
            }
        }
        point += exponentSign * exponent
        var leading = 0
        while leading < digits.count && digits[leading] == 0 { leading += 1 }
        if leading > 0 {
            digits.removeFirst(leading)
            point -= leading
        }
        while let last = digits.last, last == 0 { digits.removeLast() }
        if digits.isEmpty { point = 0 }
        return Digits(digits: digits, point: point)
    }

    /// `strconv.FormatFloat` for the verbs `e E f F g G` (`v` is `g`); `precision` nil is shortest
    /// (`%v`, `%g`), otherwise as `%.Ng`. Infinities print `+Inf` / `-Inf` as fmt prints them.
    static func formatFloat(_ value: Double, verb: Character, precision: Int?) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        let sign = value.sign == .minus ? "-" : ""
        switch verb {
        case "f", "F":
            if let precision { return sign + cFormat("%.*f", precision, abs(value)) }
            let digits = shortestDigits(value)
            return sign + fixed(digits, decimals: max(digits.digits.count - digits.point, 0))
        case "e", "E":
            let text: String
            if let precision {
                var digits = roundedDigits(value, significant: precision + 1)
                while digits.digits.count < precision + 1 { digits.digits.append(0) }
                text = exponential(digits, decimals: precision)
            } else {
                let digits = shortestDigits(value)
                text = exponential(digits, decimals: max(digits.digits.count - 1, 0))
            }
            return sign + (verb == "E" ? text.uppercased() : text)
        default:
            let shortest = precision == nil
            var significant = precision ?? 0
            if significant == 0 && !shortest { significant = 1 }
            let digits = shortest ? shortestDigits(value) : roundedDigits(value, significant: significant)
            if shortest { significant = digits.digits.count }
            var exponentLimit = significant
            if !shortest && exponentLimit > digits.digits.count && digits.digits.count >= digits.point {
                exponentLimit = digits.digits.count
            }
            if shortest { exponentLimit = 6 }
            let exponent = digits.point - 1
            let text: String
            if exponent < -4 || exponent >= exponentLimit {
                text = exponential(digits, decimals: max(min(significant, digits.digits.count) - 1, 0))
            } else {
                let shown = significant > digits.point ? digits.digits.count : significant
                text = fixed(digits, decimals: max(shown - digits.point, 0))
            }
            return sign + (verb == "G" ? text.uppercased() : text)
        }
    }

    private static func digit(_ digits: Digits, _ index: Int) -> Character {
        index >= 0 && index < digits.digits.count
            ? Character(Unicode.Scalar(digits.digits[index] + 48)) : "0"
    }

    /// `d.ddde±XX`.
    private static func exponential(_ digits: Digits, decimals: Int) -> String {
        var out = String(digit(digits, 0))
        if decimals > 0 {
            out += "."
            for index in 1...decimals { out.append(digit(digits, index)) }
        }
        let exponent = digits.digits.isEmpty ? 0 : digits.point - 1
        out += exponent < 0 ? "e-" : "e+"
        let magnitude = abs(exponent)
        if magnitude < 10 { out += "0" }
        out += String(magnitude)
        return out
    }

    /// `ddd.ddd`.
    private static func fixed(_ digits: Digits, decimals: Int) -> String {
        var out = ""
        if digits.point > 0 {
            for index in 0..<digits.point { out.append(digit(digits, index)) }
        } else {
            out = "0"
        }
        if decimals > 0 {
            out += "."
            for index in 0..<decimals { out.append(digit(digits, digits.point + index)) }
        }
        return out
    }

    /// C's correctly rounded `printf` for one precision and one double (what Go's digits agree with).
    static func cFormat(_ format: String, _ precision: Int, _ value: Double) -> String {
        let precision = Int32(min(max(precision, 0), 10_000))
        var buffer = [CChar](repeating: 0, count: 64)
        let needed = withVaList([precision, value]) { vsnprintf(&buffer, buffer.count, format, $0) }
        if needed >= buffer.count {
            buffer = [CChar](repeating: 0, count: Int(needed) + 1)
            _ = withVaList([precision, value]) { vsnprintf(&buffer, buffer.count, format, $0) }
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: Quoting

    /// `strconv.Quote`.
    static func quote(_ text: String) -> String { GoQuote.quote(text) }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(width - digits.count, 0)) + digits
    }

    /// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .spaceSeparator, .lineSeparator,
            .paragraphSeparator:
            return false
        default:
            return true
        }
    }
}
