/// Why a template did not parse or execute, worded as Go's text/template words it:
/// `template: NAME:LINE:COL: executing "NAME" at <.Foo>: ...` or `template: NAME:LINE:COL: ...` for parse
/// errors. Columns are byte offsets within the line, counted from 0, as Go counts them.
public struct TemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The text is not a valid template.
        case parse
        /// The template failed while executing (a missing function argument, a field of a non-map, ...).
        case execution
        /// Raised by a template function; the executor turns it into an ``execution`` error with a position.
        case function
    }

    public var code: Code
    /// What went wrong, without the position (`function "foo" not defined`).
    public var message: String
    /// The name of the template being parsed (Go's ParseName); "" for a bare function error.
    public var templateName: String
    /// 1-based line of the offending node; 0 when unknown.
    public var line: Int
    /// 0-based byte column of the offending node within its line (Go's convention).
    public var column: Int
    /// For execution errors: the name of the (possibly `define`d) template executing, and the node.
    public var executing: String?
    public var context: String?

    /// An error for a template function to throw; the executor adds `error calling NAME:` and the position.
    public init(_ message: String) {
        self.code = .function
        self.message = message
        self.templateName = ""
        self.line = 0
        self.column = 0
    }

    init(
        code: Code, message: String, templateName: String, line: Int, column: Int,
        executing: String? = nil,
        context: String? = nil
    ) {
        self.code = code
        self.message = message
        self.templateName = templateName
        self.line = line
        self.column = column
        self.executing = executing
        self.context = context
    }

    public var description: String {
        switch code {
        case .function:
            return message
        case .parse:
            return "template: \(templateName):\(line):\(column): \(message)"
        case .execution:
            let name = executing ?? templateName
            return
                "template: \(templateName):\(line):\(column): executing \"\(name)\" at <\(context ?? "")>: \(message)"
        }
    }
}
