import VigilConfig

/// The error of the alerting module: what is wrong, where (a configuration key path with line and
/// column, or the index of a posted alert or matcher), and a message a person can act on.
public struct AlertingError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The Alertmanager configuration is not valid YAML or not a valid configuration.
        case config
        /// A label matcher (`severity="critical"`) does not parse.
        case matcher
        /// A posted alert is invalid (no labels, bad label name, ends before it starts).
        case invalidAlert
        /// A silence is invalid or cannot be changed that way.
        case invalidSilence
        /// No silence with that id.
        case notFound
        /// A request body or parameter is malformed.
        case badRequest
    }

    public var code: Code
    public var message: String
    /// A configuration key path (`route.routes[0].matchers[1]`) or an element path (`alerts[3]`); empty when
    /// the error concerns the whole input.
    public var keyPath: String
    /// 1-based line and column in the configuration file, when known.
    public var line: Int?
    public var column: Int?
    public var file: String?

    public init(
        _ code: Code, _ message: String, keyPath: String = "", line: Int? = nil, column: Int? = nil,
        file: String? = nil
    ) {
        self.code = code
        self.message = message
        self.keyPath = keyPath
        self.line = line
        self.column = column
        self.file = file
    }

    /// A configuration error from the YAML layer, with its location kept.
    public init(_ error: ConfigError) {
        self.init(
            .config, error.message, keyPath: error.keyPath, line: error.line, column: error.column, file: error.file)
    }

    /// `alertmanager.yml:12:5: route.receiver: undefined receiver "x" used in route`.
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
