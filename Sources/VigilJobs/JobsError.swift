/// The error of job efficiency: what went wrong, which job or parameter it concerns, and what to do.
public struct JobsError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// No job with this id holds (or held) a GPU in the range searched.
        case notFound
        /// A time range, step or grouping that cannot be used (end before start, empty job id).
        case badRequest
        /// A PromQL query behind the report failed (storage error, sample limit, timeout).
        case query
    }

    public var code: Code
    /// What happened and what to do about it.
    public var message: String
    /// The job id or parameter concerned (e.g. `"job 4187235"`, `"start"`), when there is one.
    public var key: String?

    public init(_ code: Code, _ message: String, key: String? = nil) {
        self.code = code
        self.message = message
        self.key = key
    }

    public var description: String { key.map { "\($0): \(message)" } ?? message }
}
