/// The error of the remote_write module: what was wrong with a request received or sent, and why.
public struct RemoteWriteError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The `Content-Type` or `Content-Encoding` is not remote_write 1.0's (Prometheus answers 415).
        case unsupportedMediaType
        /// The body is not a valid snappy block (Prometheus answers 400).
        case badCompression
        /// The decompressed body is not a valid `WriteRequest` protobuf (400).
        case badProtobuf
        /// The body is larger than the configured limit (413).
        case tooLarge
        /// The storage refused samples (out of order, out of bounds, duplicate: 400).
        case rejected
        /// The storage failed (500); the sender should retry.
        case storage
        /// A `remote_write` entry cannot be used as configured (a bad URL, an unreadable credentials or
        /// certificate file).
        case configuration
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The HTTP status a receiver answers with for this error, as Prometheus's write handler does.
    public var httpStatus: Int {
        switch code {
        case .unsupportedMediaType: 415
        case .badCompression, .badProtobuf, .rejected: 400
        case .tooLarge: 413
        case .storage, .configuration: 500
        }
    }
}
