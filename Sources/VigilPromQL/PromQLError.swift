/// The error of the PromQL module: what went wrong, where in the query, and why — a query that does not parse,
/// or one that fails while it is evaluated (Prometheus's `bad_data`, `execution`, `timeout` and `canceled`).
///
/// A parse error prints as Prometheus prints it, `1:14: parse error: unexpected "}" in label matching, expected
/// string`: 1-based line, then the 1-based byte column within that line. An evaluation error prints its
/// message alone.
public struct PromQLError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The query is not valid PromQL (Prometheus's `bad_data`).
        case parse
        /// Evaluation failed: many-to-many matching, duplicate series in a result, a wrong argument
        /// (Prometheus's `execution`).
        case execution
        /// The query ran longer than its timeout.
        case timeout
        /// The query's task was cancelled.
        case canceled
        /// The query needed more samples in memory than the limit allows.
        case tooManySamples
    }

    // One reference: errors travel through deeply recursive code, where every byte of a frame counts.
    private final class Storage: Sendable {
        let code: Code
        let message: String
        let position: PositionRange?
        let location: String
        let cause: (any Error & Sendable)?

        init(code: Code, message: String, position: PositionRange?, location: String, cause: (any Error & Sendable)?) {
            self.code = code
            self.message = message
            self.position = position
            self.location = location
            self.cause = cause
        }
    }

    private let storage: Storage

    public init(
        code: Code, message: String, position: PositionRange?, location: String, cause: (any Error & Sendable)? = nil
    ) {
        storage = Storage(code: code, message: message, position: position, location: location, cause: cause)
    }

    public var code: Code { storage.code }
    /// The message without position, e.g. `unexpected end of input`.
    public var message: String { storage.message }
    /// The byte range the error is about, when it has one.
    public var position: PositionRange? { storage.position }
    /// `line:column` of the range's start (1-based), or Prometheus's `unknown position` for an empty query.
    public var location: String { storage.location }
    /// What caused it, when another error did (an invalid regular expression, say).
    public var cause: (any Error & Sendable)? { storage.cause }

    /// A parse error at `position` in `query` (UTF-8 bytes).
    static func parse(
        _ message: String, at position: PositionRange, in query: [UInt8], cause: (any Error & Sendable)? = nil
    ) -> PromQLError {
        PromQLError(
            code: .parse, message: message, position: position,
            location: Self.location(of: position.start, in: query), cause: cause)
    }

    /// Prometheus's `PositionRange.StartPosInput`.
    static func location(of offset: Int, in query: [UInt8]) -> String {
        if query.isEmpty { return "unknown position" }
        guard offset >= 0 && offset <= query.count else { return "invalid position" }
        var line = 1
        var lastLineBreak = -1
        for index in 0..<offset where query[index] == UInt8(ascii: "\n") {
            line += 1
            lastLineBreak = index
        }
        return "\(line):\(offset - lastLineBreak)"
    }

    /// An evaluation error (any code but ``Code/parse``), without a position.
    public init(_ code: Code, _ message: String) {
        self.init(code: code, message: message, position: nil, location: "")
    }

    static func execution(_ message: String) -> PromQLError { PromQLError(.execution, message) }

    public var description: String {
        switch code {
        case .parse: "\(location): parse error: \(message)"
        case .execution, .timeout, .canceled, .tooManySamples: message
        }
    }

    public static func == (lhs: PromQLError, rhs: PromQLError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.position == rhs.position
            && lhs.location == rhs.location
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(position)
    }
}
