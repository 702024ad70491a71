import Hummingbird
import VigilModel
import VigilPromQL
import VigilStorage

/// The one error type of VigilServer: an error of the Prometheus HTTP API, with the `errorType` Prometheus
/// writes into its envelope, the HTTP status that goes with it, and a message a person can act on.
///
/// Every handler throws or returns these; ``init(_:)`` is the single place where errors of the modules below
/// (PromQL, storage) become API errors, so merging VigilPromQL's error types changes only that function.
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Prometheus's `errorType` values.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// Bad input: a parameter that does not parse, a query with a syntax error (HTTP 400).
        case badData = "bad_data"
        /// The query failed while running (HTTP 422).
        case execution
        /// The query ran out of time (HTTP 503).
        case timeout
        /// The client went away or the query was cancelled (HTTP 499, nginx's "client closed request").
        case canceled
        /// The server failed, a storage error say (HTTP 500).
        case `internal`
        /// Nothing there (HTTP 404).
        case notFound = "not_found"
        /// Not available yet, e.g. while the storage starts (HTTP 503).
        case unavailable
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The HTTP status Prometheus answers with for this error type.
    public var status: HTTPResponse.Status {
        switch code {
        case .badData: .badRequest
        case .execution: .unprocessableContent
        case .timeout, .unavailable: .serviceUnavailable
        case .canceled: HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")
        case .internal: .internalServerError
        case .notFound: .notFound
        }
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// `invalid parameter "name": reason`, Prometheus's wording for a parameter that does not parse.
    static func invalidParameter(_ name: String, _ reason: String) -> APIError {
        APIError(.badData, "invalid parameter \(GoQuote.quote(name)): \(reason)")
    }

    /// Maps an error from the layers below to the API error Prometheus reports for it
    /// (`returnAPIError` in Prometheus's `web/api/v1`): parse errors are bad data with their `line:col`
    /// position, a timeout is `timeout`, a cancelled query `canceled`, a storage failure `internal`, and any
    /// other evaluation failure `execution`.
    public init(_ error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as PromQLError:
            switch error.code {
            case .parse: self.init(.badData, error.description)
            case .timeout: self.init(.timeout, error.message)
            case .canceled: self.init(.canceled, error.message)
            case .execution, .tooManySamples: self.init(.execution, error.message)
            }
        case let error as StorageError:
            self.init(.internal, error.description)
        case is CancellationError:
            self.init(.canceled, "query was canceled in query execution")
        default:
            self.init(.execution, "\(error)")
        }
    }
}
