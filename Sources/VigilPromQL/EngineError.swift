/// An error raised while evaluating a query (Prometheus's `execution`, `timeout` and `canceled` errors).
public struct EngineError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case execution
        case timeout
        case canceled
        case tooManySamples
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    static func execution(_ message: String) -> EngineError { EngineError(.execution, message) }

    public var description: String { message }
}
