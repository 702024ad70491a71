import Foundation

/// Go's text/template parser (`text/template/parse/parse.go`): builds the trees of a template text, one
/// for the text itself and one per `define` / `block`, checking functions and variables as it goes.
struct TemplateParser {
    /// The parsed trees by template name; the text's own tree is under its name.
    private(set) var trees: [String: [TemplateNode]] = [:]

    private let name: String
    private let hasFunction: (String) -> Bool
    private var tokens: [TemplateToken] = []
    private var index = 0
    private var variables: [String] = ["$"]
    private var rangeDepth = 0
    private var depth = 0
    private let source: String

    static let maxDepth = 200

    init(name: String, text: String, hasFunction: @escaping (String) -> Bool) {
        self.name = name
        self.source = text
        self.hasFunction = hasFunction
    }

    mutating func parse() throws(TemplateError) {
        do {
            tokens = try TemplateLexer.tokenize(source)
        } catch {
            throw failure(error.message, at: error.position)
        }
        var root: [TemplateNode] = []
        while peek().kind != .eof {
            if peek().kind == .leftDelim {
                let delimiter = index
                index += 1
                let next = nextNonSpace()
                if next.kind == .keyword && next.text == "define" {
                    try parseDefinition()
                    continue
                }
                index = delimiter
            }
            switch try textOrAction() {
            case .node(let node): root.append(node)
            case .end(let position): throw failure("unexpected {{end}}", at: position)
            case .else(let position, _): throw failure("unexpected {{else}}", at: position)
            }
        }
        try add(name: name, root)
    }

    // MARK: Tokens

    private func peek() -> TemplateToken { tokens[index] }

    private mutating func next() -> TemplateToken {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private mutating func peekNonSpace() -> TemplateToken {
        while tokens[index].kind == .space { index += 1 }
        return tokens[index]
    }

    private mutating func nextNonSpace() -> TemplateToken {
        _ = peekNonSpace()
        return next()
    }

    private func failure(_ message: String, at position: Int) -> TemplateError {
        let (line, column) = Template.lineAndColumn(of: position, in: source)
        return TemplateError(
            code: .parse, message: message, templateName: name, line: line, column: column)
    }

    private func unexpected(_ token: TemplateToken, _ context: String) -> TemplateError {
        failure("unexpected \(Self.describe(token)) in \(context)", at: token.position)
    }

    /// Go's `item.String()`.
    static func describe(_ token: TemplateToken) -> String {
        switch token.kind {
        case .eof: return "EOF"
        case .keyword: return "<\(token.text)>"
        default:
            let quoted = GoFormatter.quote(token.text)
            if token.text.unicodeScalars.count > 10 {
                return GoFormatter.quote(
                    String(String.UnicodeScalarView(token.text.unicodeScalars.prefix(10)))) + "..."
            }
            return quoted
        }
    }

    // MARK: Structure

    private enum Parsed {
        case node(TemplateNode)
        case end(position: Int)
        /// `{{else}}`, or `{{else if` / `{{else with` (the keyword not consumed yet).
        case `else`(position: Int, chained: String?)
    }

    private mutating func add(name: String, _ tree: [TemplateNode]) throws(TemplateError) {
        if let existing = trees[name], !Self.isEmpty(existing), !Self.isEmpty(tree) {
            throw failure("template: multiple definition of template \"\(name)\"", at: 0)
        }
        if let existing = trees[name], Self.isEmpty(tree), !Self.isEmpty(existing) { return }
        trees[name] = tree
    }

    private static func isEmpty(_ list: [TemplateNode]) -> Bool {
        list.allSatisfy { node in
            if case .text(let text) = node { text.allSatisfy(\.isWhitespace) } else { false }
        }
    }

    private mutating func parseDefinition() throws(TemplateError) {
        let context = "define clause"
        let nameToken = nextNonSpace()
        let definedName = try templateName(nameToken, context)
        let close = nextNonSpace()
        guard close.kind == .rightDelim else { throw unexpected(close, context) }
        let savedVariables = variables
        let savedRange = rangeDepth
        variables = ["$"]
        rangeDepth = 0
        let (list, end) = try itemList()
        guard case .end = end else {
            if case .else(let position, _) = end {
                throw failure("unexpected {{else}} in \(context)", at: position)
            }
            throw failure("unexpected end in \(context)", at: nameToken.position)
        }
        variables = savedVariables
        rangeDepth = savedRange
        try add(name: definedName, list)
    }

    private mutating func templateName(_ token: TemplateToken, _ context: String)
        throws(TemplateError) -> String
    {
        switch token.kind {
        case .string, .rawString:
            guard let value = Self.unquote(token.text) else {
                throw failure("invalid syntax in string \(token.text)", at: token.position)
            }
            return value
        default:
            throw unexpected(token, context)
        }
    }

    /// Nodes up to `{{end}}` or `{{else}}`.
    private mutating func itemList() throws(TemplateError) -> ([TemplateNode], Parsed) {
        var list: [TemplateNode] = []
        while peekNonSpace().kind != .eof {
            let parsed = try textOrAction()
            switch parsed {
            case .node(let node): list.append(node)
            case .end, .else: return (list, parsed)
            }
        }
        throw failure("unexpected EOF", at: peek().position)
    }

    private mutating func textOrAction() throws(TemplateError) -> Parsed {
        let token = nextNonSpace()
        switch token.kind {
        case .text: return .node(.text(token.text))
        case .leftDelim: return try action()
        default: throw unexpected(token, "input")
        }
    }

    private mutating func action() throws(TemplateError) -> Parsed {
        let token = nextNonSpace()
        if token.kind == .keyword {
            switch token.text {
            case "if": return .node(.ifBlock(try control("if")))
            case "range": return .node(.rangeBlock(try control("range")))
            case "with": return .node(.withBlock(try control("with")))
            case "end":
                try expectRightDelim("end")
                return .end(position: token.position)
            case "else":
                let following = peekNonSpace()
                if following.kind == .keyword && (following.text == "if" || following.text == "with") {
                    return .else(position: token.position, chained: following.text)
                }
                try expectRightDelim("else")
                return .else(position: token.position, chained: nil)
            case "template": return .node(try templateControl())
            case "block": return .node(try blockControl())
            case "break", "continue":
                let close = nextNonSpace()
                guard close.kind == .rightDelim else { throw unexpected(close, "{{\(token.text)}}") }
                guard rangeDepth > 0 else {
                    throw failure("{{\(token.text)}} outside {{range}}", at: token.position)
                }
                return .node(
                    token.text == "break"
                        ? .breakLoop(position: token.position) : .continueLoop(position: token.position))
            default:
                throw unexpected(token, "command")
            }
        }
        index -= 1
        let pipeline = try pipeline("command", end: .rightDelim)
        return .node(.action(pipeline))
    }

    private mutating func expectRightDelim(_ context: String) throws(TemplateError) {
        let token = nextNonSpace()
        guard token.kind == .rightDelim else { throw unexpected(token, context) }
    }

    private mutating func control(_ context: String) throws(TemplateError) -> TemplateBranch {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maxDepth { throw failure("max expression depth exceeded", at: peek().position) }
        let savedVariables = variables.count
        defer { variables.removeLast(variables.count - savedVariables) }
        let position = peekNonSpace().position
        let pipeline = try pipeline(context, end: .rightDelim)
        if context == "range" { rangeDepth += 1 }
        let (list, next) = try itemList()
        if context == "range" { rangeDepth -= 1 }
        var elseList: [TemplateNode]?
        switch next {
        case .end: break
        case .node: break
        case .else(_, let chained):
            if let chained, chained == context {
                _ = nextNonSpace()  // the "if" / "with" keyword
                let nested = try control(chained)
                elseList = [chained == "if" ? .ifBlock(nested) : .withBlock(nested)]
            } else if let chained {
                throw failure("unexpected <\(chained)> in \(context)", at: peek().position)
            } else {
                let (otherwise, end) = try itemList()
                guard case .end = end else {
                    throw failure("expected end; found {{else}}", at: peek().position)
                }
                elseList = otherwise
            }
        }
        return TemplateBranch(pipeline: pipeline, list: list, elseList: elseList, position: position)
    }

    private mutating func templateControl() throws(TemplateError) -> TemplateNode {
        let context = "template clause"
        let token = nextNonSpace()
        let calledName = try templateName(token, context)
        var pipeline: TemplatePipeline?
        if nextNonSpace().kind != .rightDelim {
            index -= 1
            pipeline = try self.pipeline(context, end: .rightDelim)
        }
        return .templateCall(name: calledName, pipeline: pipeline, position: token.position)
    }

    private mutating func blockControl() throws(TemplateError) -> TemplateNode {
        let context = "block clause"
        let token = nextNonSpace()
        let blockName = try templateName(token, context)
        let pipeline = try self.pipeline(context, end: .rightDelim)
        let savedVariables = variables
        let savedRange = rangeDepth
        variables = ["$"]
        rangeDepth = 0
        let (list, end) = try itemList()
        guard case .end = end else {
            throw failure("unexpected {{else}} in \(context)", at: token.position)
        }
        variables = savedVariables
        rangeDepth = savedRange
        try add(name: blockName, list)
        return .templateCall(name: blockName, pipeline: pipeline, position: token.position)
    }

    // MARK: Pipelines

    private mutating func pipeline(_ context: String, end: TemplateToken.Kind) throws(TemplateError)
        -> TemplatePipeline
    {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maxDepth { throw failure("max expression depth exceeded", at: peek().position) }
        var pipeline = TemplatePipeline(
            position: peekNonSpace().position, isAssign: false, declarations: [], commands: [])
        // Declarations: `$x :=`, `$x =`, `$i, $v :=` (range only).
        declarations: while peekNonSpace().kind == .variable {
            let variableIndex = index
            let variable = next()
            let next = peekNonSpace()
            if next.kind == .declare || next.kind == .assign {
                pipeline.isAssign = next.kind == .assign
                _ = nextNonSpace()
                pipeline.declarations.append(variable.text)
                variables.append(variable.text)
                break declarations
            } else if next.kind == .comma {
                _ = nextNonSpace()
                pipeline.declarations.append(variable.text)
                variables.append(variable.text)
                if context == "range" && pipeline.declarations.count < 2 {
                    switch peekNonSpace().kind {
                    case .variable, .rightDelim, .rightParen: continue declarations
                    default: throw failure("range can only initialize variables", at: peek().position)
                    }
                }
                throw failure("too many declarations in \(context)", at: variable.position)
            } else {
                index = variableIndex
                break declarations
            }
        }
        while true {
            let token = nextNonSpace()
            if token.kind == end {
                try checkPipeline(pipeline, context, at: token.position)
                return pipeline
            }
            switch token.kind {
            case .bool, .charConstant, .dot, .field, .identifier, .number, .nilKeyword, .rawString,
                .string,
                .variable, .leftParen:
                index -= 1
                pipeline.commands.append(try command())
            default:
                throw unexpected(token, context)
            }
        }
    }

    private func checkPipeline(_ pipeline: TemplatePipeline, _ context: String, at position: Int)
        throws(TemplateError)
    {
        if pipeline.commands.isEmpty { throw failure("missing value for \(context)", at: position) }
        for (offset, command) in pipeline.commands.enumerated().dropFirst() {
            switch command.arguments[0] {
            case .constant, .dot, .nilValue:
                throw failure(
                    "non executable command in pipeline stage \(offset + 1)", at: command.position)
            default: continue
            }
        }
    }

    private mutating func command() throws(TemplateError) -> TemplateCommand {
        var command = TemplateCommand(position: peekNonSpace().position, arguments: [])
        loop: while true {
            _ = peekNonSpace()
            if let operand = try operand() { command.arguments.append(operand) }
            let token = next()
            switch token.kind {
            case .space: continue loop
            case .rightDelim, .rightParen: index -= 1
            case .pipe: break
            default: throw unexpected(token, "operand")
            }
            break loop
        }
        if command.arguments.isEmpty { throw failure("empty command", at: command.position) }
        return command
    }

    private mutating func operand() throws(TemplateError) -> TemplateOperand? {
        guard let term = try term() else { return nil }
        guard peek().kind == .field else { return term }
        var fields: [String] = []
        while peek().kind == .field { fields.append(String(next().text.dropFirst())) }
        switch term {
        case .field(let head, let position): return .field(head + fields, position: position)
        case .variable(let name, let head, let position):
            return .variable(name, fields: head + fields, position: position)
        case .constant, .nilValue, .dot:
            throw failure(
                "unexpected . after term \(GoFormatter.quote(term.description))", at: term.position)
        default: return .chain(term, fields: fields, position: term.position)
        }
    }

    private mutating func term() throws(TemplateError) -> TemplateOperand? {
        let token = nextNonSpace()
        switch token.kind {
        case .identifier:
            guard hasFunction(token.text) else {
                throw failure("function \"\(token.text)\" not defined", at: token.position)
            }
            return .function(token.text, position: token.position)
        case .dot: return .dot(position: token.position)
        case .nilKeyword: return .nilValue(position: token.position)
        case .variable:
            let name = token.text
            guard variables.contains(name) else {
                throw failure("undefined variable \"\(name)\"", at: token.position)
            }
            return .variable(name, fields: [], position: token.position)
        case .field: return .field([String(token.text.dropFirst())], position: token.position)
        case .bool:
            return .constant(.bool(token.text == "true"), text: token.text, position: token.position)
        case .number, .charConstant:
            guard let value = Self.number(token.text, isChar: token.kind == .charConstant) else {
                throw failure("illegal number syntax: \(GoFormatter.quote(token.text))", at: token.position)
            }
            return .constant(value, text: token.text, position: token.position)
        case .leftParen:
            let pipeline = try pipeline("parenthesized pipeline", end: .rightParen)
            return .pipeline(pipeline, position: token.position)
        case .string, .rawString:
            guard let value = Self.unquote(token.text) else {
                throw failure("invalid syntax in string \(token.text)", at: token.position)
            }
            return .constant(.string(value), text: token.text, position: token.position)
        default:
            index -= 1
            return nil
        }
    }

    // MARK: Literals

    /// A number literal as Go's `idealConstant` sees it: an int unless it is written as a float.
    static func number(_ text: String, isChar: Bool) -> TemplateValue? {
        if isChar {
            guard let unquoted = unquote(text), unquoted.unicodeScalars.count == 1 else { return nil }
            return .int(Int64(unquoted.unicodeScalars.first!.value))
        }
        if text.hasSuffix("i") { return nil }  // complex numbers are not supported
        let lower = text.lowercased()
        var body = Substring(lower)
        var negative = false
        if body.first == "+" || body.first == "-" {
            negative = body.first == "-"
            body = body.dropFirst()
        }
        let isHex = body.hasPrefix("0x")
        let looksFloat = isHex ? body.contains("p") : body.contains { ".ep".contains($0) }
        if looksFloat {
            let cleaned = text.replacingOccurrences(of: "_", with: "")
            guard let value = Double(cleaned) else { return nil }
            return .float(value)
        }
        guard !body.hasPrefix("_"), !body.hasSuffix("_"), !body.contains("__") else { return nil }
        var digits = body.replacingOccurrences(of: "_", with: "")
        var radix = 10
        if digits.hasPrefix("0x") {
            radix = 16
            digits.removeFirst(2)
        } else if digits.hasPrefix("0o") {
            radix = 8
            digits.removeFirst(2)
        } else if digits.hasPrefix("0b") {
            radix = 2
            digits.removeFirst(2)
        } else if digits.count > 1 && digits.hasPrefix("0") {
            radix = 8
            digits.removeFirst()
        }
        guard !digits.isEmpty, let magnitude = UInt64(digits, radix: radix) else { return nil }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return .int(magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude))
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return .int(Int64(magnitude))
    }

    /// Go's `strconv.Unquote` for "interpreted", `raw` and 'c' literals; nil when invalid.
    static func unquote(_ text: String) -> String? {
        guard let first = text.first, text.count >= 2, text.last == first else { return nil }
        if first == "`" {
            return String(text.dropFirst().dropLast()).replacingOccurrences(of: "\r", with: "")
        }
        guard first == "\"" || first == "'" else { return nil }
        var bytes: [UInt8] = []
        var scalars = Array(text.unicodeScalars.dropFirst().dropLast())
        var index = 0
        func appendScalar(_ scalar: Unicode.Scalar) {
            bytes.append(contentsOf: Array(String(scalar).utf8))
        }
        func hexValue(_ count: Int) -> UInt32? {
            guard index + count <= scalars.count else { return nil }
            let digits = String(String.UnicodeScalarView(scalars[index..<index + count]))
            index += count
            return UInt32(digits, radix: 16)
        }
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if Character(scalar) == first { return nil }
            guard scalar == "\\" else {
                appendScalar(scalar)
                continue
            }
            guard index < scalars.count else { return nil }
            let escape = scalars[index]
            index += 1
            switch escape {
            case "a": bytes.append(7)
            case "b": bytes.append(8)
            case "f": bytes.append(12)
            case "n": bytes.append(10)
            case "r": bytes.append(13)
            case "t": bytes.append(9)
            case "v": bytes.append(11)
            case "\\": bytes.append(UInt8(ascii: "\\"))
            case "\"" where first == "\"", "'" where first == "'":
                appendScalar(escape)
            case "x":
                guard let value = hexValue(2) else { return nil }
                bytes.append(UInt8(value))
            case "u", "U":
                guard let value = hexValue(escape == "u" ? 4 : 8), let decoded = Unicode.Scalar(value)
                else { return nil }
                appendScalar(decoded)
            case "0"..."7":
                index -= 1
                guard index + 3 <= scalars.count else { return nil }
                let digits = String(String.UnicodeScalarView(scalars[index..<index + 3]))
                index += 3
                guard let value = UInt32(digits, radix: 8), value <= 255 else { return nil }
                bytes.append(UInt8(value))
            default:
                return nil
            }
        }
        scalars.removeAll()
        return String(decoding: bytes, as: UTF8.self)
    }
}
