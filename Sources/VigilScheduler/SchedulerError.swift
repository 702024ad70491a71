/// What went wrong reading a scheduler's output: a code, a message a person can act on, and where.
///
/// JSON errors carry the key path of the offending value (`jobs[3].job_state[0]`) or, for a document that
/// does not parse, the line and column where it broke; text errors (`sdiag`) carry the line.
public struct SchedulerError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The bytes are not JSON (truncated, stray character, bad escape).
        case malformedJSON = "malformed_json"
        /// A required key is absent.
        case missingKey = "missing_key"
        /// A value has the wrong JSON type for its key.
        case wrongType = "wrong_type"
        /// A job or node state string that neither dialect defines.
        case unknownState = "unknown_state"
        /// A text document (`sdiag`) whose structure is not what Slurm prints.
        case malformedText = "malformed_text"
        /// A JSON document of a kind this decoder does not read (wrong command).
        case unsupportedDocument = "unsupported_document"
        /// A Slurm command is not installed (not on `PATH`).
        case commandNotFound = "command_not_found"
        /// A Slurm command could not start or exited with a non-zero status.
        case commandFailed = "command_failed"
        /// A Slurm command ran past its timeout and was killed.
        case commandTimedOut = "command_timeout"
        /// A value of the right JSON type that is not valid for its key (a Kubernetes quantity `"4 GB"`).
        case invalidValue = "invalid_value"
        /// An API server request failed: connection refused or lost, TLS, or an HTTP error status.
        case requestFailed = "request_failed"
        /// A watch's resourceVersion is too old for the API server (HTTP 410 Gone): list again.
        case expired = "expired"
        /// The API server refused the credentials (HTTP 401 or 403).
        case unauthorized = "unauthorized"
        /// The connection settings (kubeconfig, service account files) are missing or unusable.
        case badConfiguration = "bad_configuration"
    }

    public var code: Code
    public var message: String
    /// The JSON key path of the value at fault (empty for the document itself or for text input).
    public var keyPath: String
    /// 1-based line of the fault in the input, when it is known.
    public var line: Int?
    /// 1-based column of the fault in the input, when it is known.
    public var column: Int?

    public init(_ code: Code, _ message: String, keyPath: String = "", line: Int? = nil, column: Int? = nil) {
        self.code = code
        self.message = message
        self.keyPath = keyPath
        self.line = line
        self.column = column
    }

    public var description: String {
        var text = ""
        if let line {
            text += "line \(line)"
            if let column { text += ", column \(column)" }
            text += ": "
        }
        if !keyPath.isEmpty { text += "at \(keyPath): " }
        return text + message
    }
}
