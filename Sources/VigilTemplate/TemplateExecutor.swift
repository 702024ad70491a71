/// Runs a parsed ``Template`` (Go's `text/template/exec.go`): walks the tree, evaluates pipelines and
/// writes the output. One executor per execution.
final class TemplateExecutor {
    private let template: Template
    private let overrides: [String: TemplateFunctions.Entry]
    private(set) var output = ""
    private var variables: [(name: String, value: TemplateValue)] = []
    private var executing: String
    private var depth = 0

    static let maxTemplateDepth = 100

    private enum Flow { case normal, breakLoop, continueLoop }

    init(template: Template, overrides: [String: TemplateFunctions.Entry]) {
        self.template = template
        self.overrides = overrides
        self.executing = template.name
        output.reserveCapacity(template.source.utf8.count + 64)
    }

    func run(template name: String, data: TemplateValue) throws(TemplateError) {
        guard let tree = template.trees[name] else {
            throw TemplateError(
                code: .execution,
                message: "no template \"\(name)\" associated with template \"\(template.name)\"",
                templateName: template.name, line: 0, column: 0, executing: name, context: "")
        }
        executing = name
        variables = [("$", data)]
        _ = try walk(data, tree)
    }

    // MARK: Errors

    private func failure(_ message: String, at position: Int, _ context: String) -> TemplateError {
        let (line, column) = Template.lineAndColumn(of: position, in: template.source)
        var shown = context
        if shown.unicodeScalars.count > 20 {
            shown = String(String.UnicodeScalarView(shown.unicodeScalars.prefix(20))) + "..."
        }
        return TemplateError(
            code: .execution, message: message, templateName: template.name, line: line, column: column,
            executing: executing, context: shown)
    }

    // MARK: Walking

    private func walk(_ dot: TemplateValue, _ nodes: [TemplateNode]) throws(TemplateError) -> Flow {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .action(let pipeline):
                let value = try evalPipeline(dot, pipeline)
                if pipeline.declarations.isEmpty { print(value) }
            case .ifBlock(let branch):
                let flow = try walkIfOrWith(dot, branch, isWith: false)
                if flow != .normal { return flow }
            case .withBlock(let branch):
                let flow = try walkIfOrWith(dot, branch, isWith: true)
                if flow != .normal { return flow }
            case .rangeBlock(let branch):
                let flow = try walkRange(dot, branch)
                if flow != .normal { return flow }
            case .templateCall(let name, let pipeline, let position):
                try walkTemplate(dot, name: name, pipeline: pipeline, position: position)
            case .breakLoop:
                return .breakLoop
            case .continueLoop:
                return .continueLoop
            }
        }
        return .normal
    }

    private func print(_ value: TemplateValue) {
        switch value {
        case .string(let text): output += text
        case .null: output += "<no value>"
        case .float(let number): output += GoFormatter.formatFloat(number, verb: "g", precision: nil)
        default: output += GoFormatter.format(value)
        }
    }

    private func walkIfOrWith(_ dot: TemplateValue, _ branch: TemplateBranch, isWith: Bool)
        throws(TemplateError)
        -> Flow
    {
        let mark = variables.count
        defer { variables.removeLast(variables.count - mark) }
        let value = try evalPipeline(dot, branch.pipeline)
        if value.isTrue {
            return try walk(isWith ? value : dot, branch.list)
        } else if let elseList = branch.elseList {
            return try walk(dot, elseList)
        }
        return .normal
    }

    private func walkRange(_ dot: TemplateValue, _ branch: TemplateBranch) throws(TemplateError)
        -> Flow
    {
        let outer = variables.count
        defer { variables.removeLast(variables.count - outer) }
        let value = try evalPipeline(dot, branch.pipeline)
        let mark = variables.count
        let declarations = branch.pipeline.declarations
        let isAssign = branch.pipeline.isAssign
        var iterated = false

        func iterate(_ index: TemplateValue, _ element: TemplateValue) throws(TemplateError) -> Bool {
            iterated = true
            if !declarations.isEmpty {
                if isAssign {
                    try setVariable(
                        declarations[0], declarations.count > 1 ? index : element, branch.position)
                } else {
                    variables[mark - 1].value = element
                }
            }
            if declarations.count > 1 {
                if isAssign {
                    try setVariable(declarations[1], element, branch.position)
                } else {
                    variables[mark - 2].value = index
                }
            }
            defer { variables.removeLast(variables.count - mark) }
            return try walk(element, branch.list) == .breakLoop
        }

        switch value {
        case .list(let elements):
            for (offset, element) in elements.enumerated() where try iterate(.int(Int64(offset)), element) { break }
        case .map(let map):
            for key in map.keys.sorted() where try iterate(.string(key), map[key]!) { break }
        case .int(let count):
            if declarations.count > 1 {
                throw failure(
                    "can't use \(count) to iterate over more than one variable", at: branch.position,
                    branch.pipeline.description)
            }
            var number: Int64 = 0
            while number < count {
                if try iterate(.int(number), .int(number)) { break }
                number += 1
            }
        case .null:
            break
        default:
            throw failure(
                "range can't iterate over \(GoFormatter.format(value))", at: branch.position,
                branch.pipeline.description)
        }
        if !iterated, let elseList = branch.elseList {
            return try walk(dot, elseList)
        }
        return .normal
    }

    private func walkTemplate(
        _ dot: TemplateValue, name: String, pipeline: TemplatePipeline?, position: Int
    )
        throws(TemplateError)
    {
        guard let tree = template.trees[name] else {
            throw failure(
                "template \(GoFormatter.quote(name)) not defined", at: position,
                "template \(GoFormatter.quote(name))")
        }
        if depth >= Self.maxTemplateDepth {
            throw failure(
                "exceeded maximum template depth (\(Self.maxTemplateDepth))", at: position,
                "template \(GoFormatter.quote(name))")
        }
        let newDot =
            try pipeline.map { pipeline throws(TemplateError) in try evalPipeline(dot, pipeline) }
            ?? .null
        let savedVariables = variables
        let savedExecuting = executing
        variables = [("$", newDot)]
        executing = name
        depth += 1
        defer {
            depth -= 1
            variables = savedVariables
            executing = savedExecuting
        }
        _ = try walk(newDot, tree)
    }

    // MARK: Variables

    private func variable(_ name: String, _ position: Int) throws(TemplateError) -> TemplateValue {
        for index in variables.indices.reversed() where variables[index].name == name {
            return variables[index].value
        }
        throw failure("undefined variable: \(name)", at: position, name)
    }

    private func setVariable(_ name: String, _ value: TemplateValue, _ position: Int)
        throws(TemplateError)
    {
        for index in variables.indices.reversed() where variables[index].name == name {
            variables[index].value = value
            return
        }
        throw failure("undefined variable: \(name)", at: position, name)
    }

    // MARK: Pipelines

    private func evalPipeline(_ dot: TemplateValue, _ pipeline: TemplatePipeline)
        throws(TemplateError)
        -> TemplateValue
    {
        var value: TemplateValue?
        for command in pipeline.commands {
            value = try evalCommand(dot, command, final: value)
        }
        let result = value ?? .null
        for name in pipeline.declarations {
            if pipeline.isAssign {
                try setVariable(name, result, pipeline.position)
            } else {
                variables.append((name, result))
            }
        }
        return result
    }

    private func evalCommand(_ dot: TemplateValue, _ command: TemplateCommand, final: TemplateValue?)
        throws(TemplateError) -> TemplateValue
    {
        let first = command.arguments[0]
        let hasArguments = command.arguments.count > 1 || final != nil
        switch first {
        case .function(let name, _):
            return try evalFunction(dot, name: name, command: command, final: final)
        case .field(let fields, let position):
            if hasArguments {
                return try callMethod(dot, dot, fields, position, first, command, final: final)
            }
            return try evalFields(dot, fields, position: position, operand: first)
        case .variable(let name, let fields, let position):
            if hasArguments {
                if fields.isEmpty { throw notAFunction(first, command) }
                return try callMethod(dot, try variable(name, position), fields, position, first, command, final: final)
            }
            return try evalFields(
                try variable(name, position), fields, position: position, operand: first)
        case .chain(let operand, let fields, let position):
            let receiver = try evalArgument(dot, operand)
            if hasArguments {
                return try callMethod(dot, receiver, fields, position, first, command, final: final)
            }
            return try evalFields(receiver, fields, position: position, operand: first)
        case .pipeline(let pipeline, _):
            if hasArguments { throw notAFunction(first, command) }
            return try evalPipeline(dot, pipeline)
        case .constant(let value, _, _):
            if hasArguments { throw notAFunction(first, command) }
            return value
        case .dot:
            if hasArguments { throw notAFunction(first, command) }
            return dot
        case .nilValue(let position):
            throw failure("nil is not a command", at: position, command.description)
        }
    }

    /// `.A.B.Method ARG...`: the fields but the last lead to a map; the last names one of its methods
    /// with arguments. Anything else is Go's "not a method but has arguments".
    private func callMethod(
        _ dot: TemplateValue, _ receiver: TemplateValue, _ fields: [String], _ position: Int,
        _ operand: TemplateOperand, _ command: TemplateCommand, final: TemplateValue?
    ) throws(TemplateError) -> TemplateValue {
        let method = fields.last!
        let target = try evalFields(receiver, Array(fields.dropLast()), position: position, operand: operand)
        guard case .map(let map) = target, map[method] == nil,
            let body = template.functions.mapMethodsWithArguments[method]
        else { throw notAMethod(method, position, operand) }
        var arguments: [TemplateValue] = []
        for argument in command.arguments.dropFirst() { arguments.append(try evalArgument(dot, argument)) }
        if let final { arguments.append(final) }
        do {
            return try body(map, arguments)
        } catch {
            throw failure("error calling \(method): \(error.message)", at: position, operand.description)
        }
    }

    private func notAFunction(_ operand: TemplateOperand, _ command: TemplateCommand) -> TemplateError {
        failure(
            "can't give argument to non-function \(operand)", at: operand.position, command.description)
    }

    private func notAMethod(_ field: String, _ position: Int, _ operand: TemplateOperand)
        -> TemplateError
    {
        failure("\(field) is not a method but has arguments", at: position, operand.description)
    }

    private func evalArgument(_ dot: TemplateValue, _ operand: TemplateOperand) throws(TemplateError)
        -> TemplateValue
    {
        switch operand {
        case .dot: return dot
        case .nilValue: return .null
        case .constant(let value, _, _): return value
        case .field(let fields, let position):
            return try evalFields(dot, fields, position: position, operand: operand)
        case .variable(let name, let fields, let position):
            return try evalFields(
                try variable(name, position), fields, position: position, operand: operand)
        case .pipeline(let pipeline, _):
            return try evalPipeline(dot, pipeline)
        case .function(let name, let position):
            return try evalFunction(
                dot, name: name, command: TemplateCommand(position: position, arguments: [operand]),
                final: nil)
        case .chain(let inner, let fields, let position):
            return try evalFields(
                try evalArgument(dot, inner), fields, position: position, operand: operand)
        }
    }

    private func evalFields(
        _ receiver: TemplateValue, _ fields: [String], position: Int, operand: TemplateOperand
    )
        throws(TemplateError) -> TemplateValue
    {
        var value = receiver
        for field in fields {
            switch value {
            case .map(let map):
                if let found = map[field] {
                    value = found
                } else if let method = template.functions.mapMethods[field] {
                    value = method(map)
                } else {
                    value = TemplateValue.isStringMap(map) ? .string("") : .null
                }
            case .list(let list) where template.functions.listMethods[field] != nil:
                value = template.functions.listMethods[field]!(list)
            case .null:
                // Go gives the zero value for a field of nil data (printed `<no value>`).
                return .null
            default:
                throw failure(
                    "can't evaluate field \(field) in type \(value.goTypeName)", at: position,
                    operand.description)
            }
        }
        return value
    }

    private func evalFunction(
        _ dot: TemplateValue, name: String, command: TemplateCommand, final: TemplateValue?
    )
        throws(TemplateError) -> TemplateValue
    {
        guard let entry = overrides[name] ?? template.functions.entries[name] else {
            throw failure("\"\(name)\" is not a defined function", at: command.position, name)
        }
        let argumentCount = command.arguments.count - 1 + (final == nil ? 0 : 1)
        if let arity = entry.arity {
            switch arity {
            case .exactly(let count) where argumentCount != count:
                throw failure(
                    "wrong number of args for \(name): want \(count) got \(argumentCount)",
                    at: command.position,
                    command.description)
            case .atLeast(let count) where argumentCount < count:
                throw failure(
                    "wrong number of args for \(name): want at least \(count) got \(argumentCount)",
                    at: command.position, command.description)
            default: break
            }
        }
        if let shortCircuit = entry.shortCircuit {
            var value = TemplateValue.null
            for operand in command.arguments.dropFirst() {
                value = try evalArgument(dot, operand)
                if value.isTrue == (shortCircuit == .or) { return value }
            }
            if let final { value = final }
            return value
        }
        var arguments: [TemplateValue] = []
        arguments.reserveCapacity(argumentCount)
        for operand in command.arguments.dropFirst() {
            arguments.append(try evalArgument(dot, operand))
        }
        if let final { arguments.append(final) }
        do {
            return try entry.body(arguments)
        } catch {
            let message = error.code == .function ? error.message : error.description
            throw failure("error calling \(name): \(message)", at: command.position, command.description)
        }
    }
}
