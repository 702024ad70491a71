/// A parsed Go text/template: parse once, execute many times.
///
/// Supports what rule annotations and Alertmanager notification templates use: `{{ }}` actions with
/// trim markers and comments, pipelines, variables, field chains on maps, `if`/`else if`/`else`, `range`
/// (with `break`, `continue`, `else`), `with`, `define`, `template` and `block`, and the functions of a
/// ``TemplateFunctions`` set. Missing map keys follow Go's `missingkey=zero` option, which both Prometheus
/// and Alertmanager set: "" for a map of strings (labels), `<no value>` for other maps.
///
/// ```swift
/// let template = try Template(name: "summary", text: "{{ .Labels.instance }} is down")
/// let text = try template.execute(["Labels": ["instance": "node1"]])
/// ```
public struct Template: Sendable {
    /// The template's name, used in error messages.
    public let name: String
    let trees: [String: [TemplateNode]]
    let functions: TemplateFunctions
    let source: String

    /// Parses `text`; throws a ``TemplateError`` with the line and column of the first problem. Every
    /// function the text calls must be in `functions`.
    public init(name: String, text: String, functions: TemplateFunctions = .builtins)
        throws(TemplateError)
    {
        var parser = TemplateParser(name: name, text: text, hasFunction: { functions.contains($0) })
        try parser.parse()
        self.name = name
        self.trees = parser.trees
        self.functions = functions
        self.source = text
    }

    /// Parses `text` with the templates `library` defines available to `{{ template "name" . }}`, as
    /// Alertmanager parses a receiver's field after its template files and default templates. A
    /// definition in `text` wins over the library's of the same name. (An error inside a library
    /// template names the library template; its line and column are counted in the library's text.)
    public init(name: String, text: String, functions: TemplateFunctions, library: Template)
        throws(TemplateError)
    {
        let own = try Template(name: name, text: text, functions: functions)
        var trees = library.trees
        trees[library.name] = nil
        for (key, tree) in own.trees { trees[key] = tree }
        self.name = name
        self.trees = trees
        self.functions = functions
        self.source = text
    }

    /// The names of the templates the text defines (its own name included), sorted.
    public var definedTemplates: [String] { trees.keys.sorted() }

    /// Executes the template with `data` as dot (and `$`).
    public func execute(_ data: TemplateValue) throws(TemplateError) -> String {
        try execute(data, template: nil, overriding: [:])
    }

    /// Executes the template named `templateName` (the text's own, or one it `define`s), as Go's
    /// `ExecuteTemplate` does.
    public func execute(template templateName: String, _ data: TemplateValue) throws(TemplateError)
        -> String
    {
        try execute(data, template: templateName, overriding: [:])
    }

    /// Executes with some functions replaced for this run (a rule's `query`, bound to its evaluation time).
    func execute(
        _ data: TemplateValue, template templateName: String?,
        overriding overrides: [String: TemplateFunctions.Entry]
    ) throws(TemplateError) -> String {
        let executor = TemplateExecutor(template: self, overrides: overrides)
        try executor.run(template: templateName ?? name, data: data)
        return executor.output
    }

    /// Go's line (from 1) and column (bytes from the line start, from 0) of a byte offset.
    static func lineAndColumn(of position: Int, in source: String) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        var offset = 0
        for byte in source.utf8 {
            if offset >= position { break }
            if byte == UInt8(ascii: "\n") {
                line += 1
                lineStart = offset + 1
            }
            offset += 1
        }
        return (line, position - lineStart)
    }
}
