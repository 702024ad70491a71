/// The error of the configuration module: which file, which key (as a path such as
/// `scrape_configs[0].relabel_configs[2].action`), where in the file, and what is wrong with it.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The file is not valid YAML.
        case syntax
        /// A key the schema does not know (a typo, or a feature Vigil does not have).
        case unknownKey
        /// A value of the wrong type or out of range.
        case invalidValue
        /// A required key is absent.
        case missingKey
        /// Two entries that must be unique are not (two scrape jobs with one name, say).
        case duplicate
        /// The file (or a file it names) could not be read.
        case io
    }

    public var code: Code
    /// Dotted key path from the document root; empty for the document itself.
    public var keyPath: String
    public var message: String
    /// 1-based line and column in the file, when known.
    public var line: Int?
    public var column: Int?
    /// The file the error is in, when it came from one.
    public var file: String?

    public init(
        _ code: Code, keyPath: String, _ message: String, line: Int? = nil, column: Int? = nil, file: String? = nil
    ) {
        self.code = code
        self.keyPath = keyPath
        self.message = message
        self.line = line
        self.column = column
        self.file = file
    }

    /// `vigil.yml:12:5: scrape_configs[0].scrape_interval: not a valid duration "15x"`.
    public var description: String {
        var text = ""
        if let file { text += file + ":" }
        if let line {
            text += "\(line):"
            if let column { text += "\(column):" }
        }
        if !text.isEmpty { text += " " }
        if !keyPath.isEmpty { text += keyPath + ": " }
        return text + message
    }
}
