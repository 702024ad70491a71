import VigilModel

/// The error of the rules module: a rule file that does not read or validate, a rule that fails to
/// evaluate, or a unit-test file that is wrong — with the file, the position (line:column), the group and
/// the rule it is about, printed in promtool's wording.
public struct RulesError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The file could not be read.
        case io
        /// The file is not valid YAML, or a key is unknown or of the wrong type.
        case syntax
        /// A rule or group breaks a rule of the format (Prometheus's `rulefmt` validation).
        case invalidRule
        /// A rule's evaluation failed (the query, duplicate label sets, a limit).
        case evaluation
        /// A unit-test file is wrong (not a test failure: the file itself).
        case invalidTest
        /// A lint finding (duplicate rules) that is not an error unless lints are fatal.
        case lint
    }

    public var code: Code
    /// What is wrong, e.g. `could not parse expression: 1:7: parse error: unexpected end of input`.
    public var message: String
    /// The file the error is in, when it came from one.
    public var file: String?
    /// 1-based line and column of the YAML node the error is about, when known.
    public var line: Int?
    public var column: Int?
    /// The group's name, the rule's 1-based index in its group and the rule's name (`alert` or `record`).
    public var group: String?
    public var ruleIndex: Int?
    public var ruleName: String?
    /// A second position, printed after the first (the `alert` key when `record` and `alert` clash).
    var alternateLine: Int?
    var alternateColumn: Int?

    public init(
        _ code: Code, _ message: String, file: String? = nil, line: Int? = nil, column: Int? = nil,
        group: String? = nil, ruleIndex: Int? = nil, ruleName: String? = nil
    ) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.group = group
        self.ruleIndex = ruleIndex
        self.ruleName = ruleName
    }

    /// As promtool prints it: `rules.yml: 7:15: group "g", rule 1, "x": could not parse expression: ...`.
    public var description: String {
        var text = ""
        if let file, !file.isEmpty { text += file + ": " }
        if let line, let column { text += "\(line):\(column): " }
        if let alternateLine, let alternateColumn { text += "\(alternateLine):\(alternateColumn): " }
        if let group, let ruleIndex {
            text += "group \(GoQuote.quote(group)), rule \(ruleIndex), \(GoQuote.quote(ruleName ?? "")): "
        }
        return text + message
    }
}
