/// The parse tree of a template (Go's `text/template/parse` nodes). Positions are byte offsets in the
/// source text.
indirect enum TemplateNode: Sendable {
    case text(String)
    /// `{{pipeline}}`: prints the pipeline's value unless it declares or assigns variables.
    case action(TemplatePipeline)
    case ifBlock(TemplateBranch)
    case rangeBlock(TemplateBranch)
    case withBlock(TemplateBranch)
    /// `{{template "name" pipeline}}`.
    case templateCall(name: String, pipeline: TemplatePipeline?, position: Int)
    case breakLoop(position: Int)
    case continueLoop(position: Int)
}

/// `if`, `range` and `with`: the pipeline, the list it runs, and the `else` list (which holds a single
/// nested block for `else if` / `else with`).
struct TemplateBranch: Sendable {
    var pipeline: TemplatePipeline
    var list: [TemplateNode]
    var elseList: [TemplateNode]?
    var position: Int
}

/// `$x := cmd | cmd`: optional variable declarations (or an assignment) and the commands.
struct TemplatePipeline: Sendable, CustomStringConvertible {
    var position: Int
    var isAssign: Bool
    var declarations: [String]
    var commands: [TemplateCommand]

    var description: String {
        var text = ""
        if !declarations.isEmpty {
            text = declarations.joined(separator: ", ") + (isAssign ? " = " : " := ")
        }
        return text + commands.map(\.description).joined(separator: " | ")
    }
}

/// One command of a pipeline: a function or a value, and its arguments.
struct TemplateCommand: Sendable, CustomStringConvertible {
    var position: Int
    var arguments: [TemplateOperand]

    var description: String {
        arguments.map { argument in
            if case .pipeline(let pipeline, _) = argument {
                "(\(pipeline))"
            } else {
                argument.description
            }
        }.joined(separator: " ")
    }
}

/// An argument of a command.
indirect enum TemplateOperand: Sendable, CustomStringConvertible {
    case function(String, position: Int)
    case dot(position: Int)
    case nilValue(position: Int)
    /// `.A.B`.
    case field([String], position: Int)
    /// `$x.A.B`: the variable name, then the fields.
    case variable(String, fields: [String], position: Int)
    /// `(pipeline).A.B` or `func.A`.
    case chain(TemplateOperand, fields: [String], position: Int)
    case constant(TemplateValue, text: String, position: Int)
    case pipeline(TemplatePipeline, position: Int)

    var position: Int {
        switch self {
        case .function(_, let position), .dot(let position), .nilValue(let position),
            .field(_, let position),
            .variable(_, _, let position), .chain(_, _, let position), .constant(_, _, let position),
            .pipeline(_, let position):
            position
        }
    }

    var description: String {
        switch self {
        case .function(let name, _): name
        case .dot: "."
        case .nilValue: "nil"
        case .field(let fields, _): fields.map { "." + $0 }.joined()
        case .variable(let name, let fields, _): name + fields.map { "." + $0 }.joined()
        case .chain(let operand, let fields, _):
            (operand.isPipeline ? "(\(operand))" : operand.description) + fields.map { "." + $0 }.joined()
        case .constant(_, let text, _): text
        case .pipeline(let pipeline, _): pipeline.description
        }
    }

    var isPipeline: Bool {
        if case .pipeline = self { true } else { false }
    }
}
