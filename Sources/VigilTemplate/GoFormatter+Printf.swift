import Foundation

/// Go's `fmt.Sprintf` for the verbs templates use: `%v %s %d %f %e %g %q %x %X %t %c %o %b %%`, flags
/// `+ - # 0` and space, width and precision (also `*`), and Go's `%!verb(type=value)` for a bad verb,
/// `%!d(MISSING)` for a missing argument and `%!(EXTRA type=value)` for extra ones.
extension GoFormatter {
    private struct Spec {
        var plus = false, minus = false, sharp = false, space = false, zero = false
        var width: Int?
        var precision: Int?
    }

    static func sprintf(_ format: String, _ arguments: [TemplateValue]) -> String {
        var out = ""
        var argumentIndex = 0
        let scalars = Array(format.unicodeScalars)
        var index = 0
        func nextArgument() -> TemplateValue? {
            guard argumentIndex < arguments.count else { return nil }
            defer { argumentIndex += 1 }
            return arguments[argumentIndex]
        }
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            guard scalar == "%" else {
                out.unicodeScalars.append(scalar)
                continue
            }
            var spec = Spec()
            flags: while index < scalars.count {
                switch scalars[index] {
                case "+": spec.plus = true
                case "-": spec.minus = true
                case "#": spec.sharp = true
                case " ": spec.space = true
                case "0": spec.zero = true
                default: break flags
                }
                index += 1
            }
            func number() -> Int? {
                if index < scalars.count && scalars[index] == "*" {
                    index += 1
                    if case .int(let value)? = nextArgument() { return Int(max(min(value, 1_000_000), -1_000_000)) }
                    out += "%!(BADWIDTH)"
                    return nil
                }
                var value: Int?
                while index < scalars.count, let digit = Int(String(scalars[index])), scalars[index].isASCII {
                    value = min((value ?? 0) * 10 + digit, 1_000_000)
                    index += 1
                }
                return value
            }
            spec.width = number()
            if let width = spec.width, width < 0 {
                spec.minus = true
                spec.width = -width
            }
            if index < scalars.count && scalars[index] == "." {
                index += 1
                spec.precision = number() ?? 0
                if let precision = spec.precision, precision < 0 { spec.precision = nil }
            }
            guard index < scalars.count else {
                out += "%!(NOVERB)"
                break
            }
            let verb = Character(scalars[index])
            index += 1
            if verb == "%" {
                out += "%"
                continue
            }
            guard let argument = nextArgument() else {
                out += "%!\(verb)(MISSING)"
                continue
            }
            out += formatArgument(argument, verb: verb, spec: spec)
        }
        if argumentIndex < arguments.count {
            out += "%!(EXTRA "
            out += arguments[argumentIndex...].map { "\($0.goTypeName)=\(GoFormatter.format($0))" }
                .joined(separator: ", ")
            out += ")"
        }
        return out
    }

    private static func formatArgument(_ argument: TemplateValue, verb: Character, spec: Spec)
        -> String
    {
        func bad() -> String {
            if case .null = argument { return "%!\(verb)(<nil>)" }
            return "%!\(verb)(\(argument.goTypeName)=\(format(argument)))"
        }
        switch argument {
        case .null:
            return verb == "v" ? pad("<nil>", spec, numeric: false) : bad()
        case .bool(let value):
            return verb == "v" || verb == "t"
                ? pad(value ? "true" : "false", spec, numeric: false) : bad()
        case .int(let value):
            return formatInteger(value, verb: verb, spec: spec) ?? bad()
        case .float(let value):
            switch verb {
            case "v", "g", "G":
                return signed(
                    formatFloat(value, verb: verb == "v" ? "g" : verb, precision: spec.precision), spec)
            case "e", "E", "f", "F":
                return signed(formatFloat(value, verb: verb, precision: spec.precision ?? 6), spec)
            default:
                return bad()
            }
        case .string(let value):
            switch verb {
            case "v", "s":
                var text = value
                if let precision = spec.precision, text.unicodeScalars.count > precision {
                    text = String(String.UnicodeScalarView(text.unicodeScalars.prefix(precision)))
                }
                return pad(text, spec, numeric: false)
            case "q":
                return pad(
                    spec.sharp && !value.contains("`") ? "`\(value)`" : quote(value), spec, numeric: false)
            case "x", "X":
                let text = value.utf8.map { hex(UInt32($0), width: 2) }.joined()
                return pad(verb == "X" ? text.uppercased() : text, spec, numeric: false)
            default:
                return bad()
            }
        case .list(let values):
            return "[" + values.map { formatArgument($0, verb: verb, spec: spec) }.joined(separator: " ")
                + "]"
        case .map(let map):
            return "map["
                + map.keys.sorted().map { key in
                    "\(formatArgument(.string(key), verb: verb, spec: spec)):\(formatArgument(map[key]!, verb: verb, spec: spec))"
                }.joined(separator: " ") + "]"
        }
    }

    private static func formatInteger(_ value: Int64, verb: Character, spec: Spec) -> String? {
        let magnitude = value.magnitude
        var digits: String
        switch verb {
        case "v", "d": digits = String(magnitude)
        case "b": digits = String(magnitude, radix: 2)
        case "o", "O": digits = String(magnitude, radix: 8)
        case "x": digits = String(magnitude, radix: 16)
        case "X": digits = String(magnitude, radix: 16, uppercase: true)
        case "c":
            return pad(
                Unicode.Scalar(UInt32(clamping: value)).map { String(Character($0)) } ?? "\u{FFFD}", spec,
                numeric: false)
        case "q":
            let character =
                Unicode.Scalar(UInt32(clamping: value)).map { String(Character($0)) } ?? "\u{FFFD}"
            let quoted = quote(character)
            return pad(
                "'"
                    + quoted.dropFirst().dropLast().replacingOccurrences(of: "\\\"", with: "\"")
                    .replacingOccurrences(of: "'", with: "\\'") + "'", spec, numeric: false)
        case "U":
            return pad("U+" + hex(UInt32(clamping: value), width: 4).uppercased(), spec, numeric: false)
        default: return nil
        }
        if let precision = spec.precision, digits.count < precision {
            digits = String(repeating: "0", count: precision - digits.count) + digits
        }
        if spec.sharp {
            switch verb {
            case "x": digits = "0x" + digits
            case "X": digits = "0X" + digits
            case "o": digits = "0" + digits
            case "b": digits = "0b" + digits
            default: break
            }
        }
        if verb == "O" { digits = "0o" + digits }
        return signed((value < 0 ? "-" : "") + digits, spec, allowZero: spec.precision == nil)
    }

    /// Adds `+` or a space for non-negative numbers, then pads (with zeros after the sign for `0`).
    private static func signed(_ text: String, _ spec: Spec, allowZero: Bool = true) -> String {
        var body = text
        var sign = ""
        if body.hasPrefix("-") || body.hasPrefix("+") {
            sign = String(body.removeFirst())
        } else if spec.plus {
            sign = "+"
        } else if spec.space {
            sign = " "
        }
        if sign == "+" && !spec.plus && text.hasPrefix("+") && body == "Inf" { sign = "+" }
        guard let width = spec.width, body.count + sign.count < width else { return sign + body }
        let fill = width - body.count - sign.count
        if spec.minus { return sign + body + String(repeating: " ", count: fill) }
        if spec.zero && allowZero && body.first?.isNumber == true {
            return sign + String(repeating: "0", count: fill) + body
        }
        return String(repeating: " ", count: fill) + sign + body
    }

    private static func pad(_ text: String, _ spec: Spec, numeric: Bool) -> String {
        let count = text.unicodeScalars.count
        guard let width = spec.width, count < width else { return text }
        let fill = String(repeating: spec.zero && !spec.minus ? "0" : " ", count: width - count)
        return spec.minus ? text + String(repeating: " ", count: width - count) : fill + text
    }
}
