/// Go's predefined template functions (`text/template/funcs.go`).
extension TemplateFunctions {
    /// `and or not eq ne lt le gt ge len index slice print printf println html js urlquery`, with Go's
    /// comparison rules (an int and a float64 do not compare: `incompatible types for comparison`).
    public static var builtins: TemplateFunctions { builtinSet }

    private static let builtinSet: TemplateFunctions = {
        var entries: [String: Entry] = [:]
        func add(_ name: String, _ arity: Arity?, _ body: @escaping Function) {
            entries[name] = Entry(arity: arity, body: body, shortCircuit: nil)
        }
        entries["and"] = Entry(
            arity: .atLeast(1), body: { $0.first { !$0.isTrue } ?? $0.last! }, shortCircuit: .and)
        entries["or"] = Entry(
            arity: .atLeast(1), body: { $0.first { $0.isTrue } ?? $0.last! }, shortCircuit: .or)
        add("not", .exactly(1)) { .bool(!$0[0].isTrue) }
        add("eq", .atLeast(1)) { arguments throws(TemplateError) in
            guard arguments.count > 1 else { throw TemplateError("missing argument for comparison") }
            for other in arguments.dropFirst() {
                if try equal(arguments[0], other) { return .bool(true) }
            }
            return .bool(false)
        }
        add("ne", .exactly(2)) { arguments throws(TemplateError) in
            .bool(!(try equal(arguments[0], arguments[1])))
        }
        add("lt", .exactly(2)) { arguments throws(TemplateError) in
            .bool(try less(arguments[0], arguments[1]))
        }
        add("le", .exactly(2)) { arguments throws(TemplateError) in
            let isLess = try less(arguments[0], arguments[1])
            if isLess { return .bool(true) }
            return .bool(try equal(arguments[0], arguments[1]))
        }
        add("gt", .exactly(2)) { arguments throws(TemplateError) in
            let isLess = try less(arguments[0], arguments[1])
            let isEqual = try equal(arguments[0], arguments[1])
            return .bool(!(isLess || isEqual))
        }
        add("ge", .exactly(2)) { arguments throws(TemplateError) in
            .bool(!(try less(arguments[0], arguments[1])))
        }
        add("len", .exactly(1)) { arguments throws(TemplateError) in
            switch arguments[0] {
            case .string(let text): return .int(Int64(text.utf8.count))
            case .list(let list): return .int(Int64(list.count))
            case .map(let map): return .int(Int64(map.count))
            case .null: throw TemplateError("len of nil pointer")
            default: throw TemplateError("len of type \(arguments[0].goTypeName)")
            }
        }
        add("index", .atLeast(1)) { arguments throws(TemplateError) in
            try index(arguments[0], Array(arguments.dropFirst()))
        }
        add("slice", .atLeast(1)) { arguments throws(TemplateError) in
            try slice(arguments[0], Array(arguments.dropFirst()))
        }
        add("print", nil) { .string(GoFormatter.sprint($0)) }
        add("println", nil) { .string(GoFormatter.sprintln($0)) }
        add("printf", .atLeast(1)) { arguments throws(TemplateError) in
            .string(GoFormatter.sprintf(try string(arguments[0]), Array(arguments.dropFirst())))
        }
        add("html", nil) { .string(htmlEscape(evalArgs($0))) }
        add("js", nil) { .string(jsEscape(evalArgs($0))) }
        add("urlquery", nil) { .string(queryEscape(evalArgs($0))) }
        return TemplateFunctions(entries: entries)
    }()

    // MARK: Argument helpers

    /// The string argument of a function that takes one (Go's reflection check).
    static func string(_ value: TemplateValue) throws(TemplateError) -> String {
        guard case .string(let text) = value else {
            throw TemplateError("wrong type for value; expected string; got \(value.goTypeName)")
        }
        return text
    }

    /// Go's `evalArgs` for `html`, `js`, `urlquery`: a lone string as is, anything else through Sprint.
    static func evalArgs(_ arguments: [TemplateValue]) -> String {
        if arguments.count == 1, case .string(let text) = arguments[0] { return text }
        return GoFormatter.sprint(arguments)
    }

    // MARK: Comparison

    private enum Kind { case bool, int, float, string, other, null }

    private static func kind(_ value: TemplateValue) -> Kind {
        switch value {
        case .bool: .bool
        case .int: .int
        case .float: .float
        case .string: .string
        case .null: .null
        case .list, .map: .other
        }
    }

    static func equal(_ left: TemplateValue, _ right: TemplateValue) throws(TemplateError) -> Bool {
        let leftKind = kind(left)
        let rightKind = kind(right)
        if leftKind != rightKind {
            if leftKind == .null || rightKind == .null { return false }
            throw TemplateError("incompatible types for comparison")
        }
        switch (left, right) {
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.float(let a), .float(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.null, .null): return true
        default:
            throw TemplateError("non-comparable type \(GoFormatter.format(left)): \(left.goTypeName)")
        }
    }

    static func less(_ left: TemplateValue, _ right: TemplateValue) throws(TemplateError) -> Bool {
        let leftKind = kind(left)
        let rightKind = kind(right)
        if leftKind != rightKind {
            if leftKind == .null || rightKind == .null || leftKind == .other || rightKind == .other {
                throw TemplateError("invalid type for comparison")
            }
            throw TemplateError("incompatible types for comparison")
        }
        switch (left, right) {
        case (.int(let a), .int(let b)): return a < b
        case (.float(let a), .float(let b)): return a < b
        case (.string(let a), .string(let b)):
            return Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
        default: throw TemplateError("invalid type for comparison")
        }
    }

    // MARK: index, slice

    private static func integerIndex(_ value: TemplateValue, count: Int, inclusive: Bool = false)
        throws(TemplateError)
        -> Int
    {
        guard case .int(let index) = value else {
            if case .null = value { throw TemplateError("cannot index slice/array with nil") }
            throw TemplateError("cannot index slice/array with type \(value.goTypeName)")
        }
        if index < 0 || index > Int64(count) || (!inclusive && index == Int64(count)) {
            throw TemplateError("index out of range: \(index)")
        }
        return Int(index)
    }

    static func index(_ item: TemplateValue, _ indexes: [TemplateValue]) throws(TemplateError)
        -> TemplateValue
    {
        var current = item
        for index in indexes {
            switch current {
            case .list(let list):
                current = list[try integerIndex(index, count: list.count)]
            case .string(let text):
                let bytes = Array(text.utf8)
                current = .int(Int64(bytes[try integerIndex(index, count: bytes.count)]))
            case .map(let map):
                guard case .string(let key) = index else {
                    throw TemplateError("value has type \(index.goTypeName); should be string")
                }
                current = map[key] ?? (TemplateValue.isStringMap(map) ? .string("") : .null)
            case .null:
                throw TemplateError("index of untyped nil")
            default:
                throw TemplateError("can't index item of type \(current.goTypeName)")
            }
        }
        return current
    }

    static func slice(_ item: TemplateValue, _ indexes: [TemplateValue]) throws(TemplateError)
        -> TemplateValue
    {
        guard indexes.count <= 3 else {
            throw TemplateError("too many slice indexes: \(indexes.count)")
        }
        let count: Int
        switch item {
        case .string(let text):
            if indexes.count == 3 { throw TemplateError("cannot 3-index slice a string") }
            count = text.utf8.count
        case .list(let list): count = list.count
        case .null: throw TemplateError("slice of untyped nil")
        default: throw TemplateError("can't slice item of type \(item.goTypeName)")
        }
        var bounds = [0, count]
        for (offset, index) in indexes.prefix(2).enumerated() {
            bounds[offset] = try integerIndex(index, count: count, inclusive: true)
        }
        if indexes.count == 3 { _ = try integerIndex(indexes[2], count: count, inclusive: true) }
        if bounds[0] > bounds[1] {
            throw TemplateError("invalid slice index: \(bounds[0]) > \(bounds[1])")
        }
        switch item {
        case .string(let text):
            let bytes = Array(text.utf8)[bounds[0]..<bounds[1]]
            return .string(String(decoding: bytes, as: UTF8.self))
        case .list(let list):
            return .list(Array(list[bounds[0]..<bounds[1]]))
        default:
            return .null
        }
    }

    // MARK: Escapers

    /// Go's `template.HTMLEscapeString`.
    static func htmlEscape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "'": out += "&#39;"
            case "\"": out += "&#34;"
            case "\0": out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Go's `template.JSEscapeString`.
    static func jsEscape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "<": out += "\\u003C"
            case ">": out += "\\u003E"
            case "&": out += "\\u0026"
            case "=": out += "\\u003D"
            case "`": out += "\\u0060"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F
                    || (scalar.value >= 0x80 && !GoFormatter.isPrintable(scalar))
                {
                    out += "\\u" + GoFormatter.hex(scalar.value, width: 4).uppercased()
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// Go's `url.QueryEscape`.
    static func queryEscape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                out += "%" + GoFormatter.hex(UInt32(byte), width: 2).uppercased()
            }
        }
        return out
    }
}
