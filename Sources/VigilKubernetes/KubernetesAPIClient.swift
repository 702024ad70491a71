import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOSSL
import VigilScheduler

/// GET and watch requests to a Kubernetes API server over AsyncHTTPClient, with the connection's TLS
/// settings and bearer token. Failures are ``SchedulerError``s: `requestFailed` (connection, TLS, HTTP
/// status), `unauthorized` (401/403) or `expired` (410 Gone: a watch from a resourceVersion the server
/// no longer has).
public final class KubernetesAPIClient: Sendable {
    public let connection: KubernetesConnection
    let http: HTTPClient
    /// The most bytes a list response may have.
    public let maxListBytes: Int

    /// - Parameter connectTimeout: how long a connection may take to establish (AsyncHTTPClient retries a
    ///   refused connection within it).
    public init(
        connection: KubernetesConnection, maxListBytes: Int = 256 << 20, connectTimeout: Duration = .seconds(10)
    ) throws(SchedulerError) {
        self.connection = connection
        self.maxListBytes = maxListBytes
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = connection.certificateAuthorityPEM {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            }
            if let certificate = connection.clientCertificatePEM, let key = connection.clientKeyPEM {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
            }
        } catch {
            throw SchedulerError(.badConfiguration, "unusable TLS certificate or key: \(error)")
        }
        if connection.insecureSkipTLSVerify { tls.certificateVerification = .none }
        // No read timeout: a watch is quiet for as long as nothing changes; the request deadline bounds it.
        http = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: HTTPClient.Configuration(
                tlsConfiguration: tls,
                timeout: HTTPClient.Configuration.Timeout(
                    connect: .nanoseconds(Int64(connectTimeout.nanoseconds)))))
    }

    /// Closes the client's connections.
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// The whole body of `GET path` (`/api/v1/pods?limit=500`).
    public func get(_ path: String, timeout: Duration = .seconds(60)) async throws(SchedulerError) -> [UInt8] {
        let response = try await start(path, timeout: timeout)
        return try await collect(response, path: path, limit: maxListBytes)
    }

    /// `GET path` as a watch: the stream's lines (one JSON event each) as they arrive. The sequence ends
    /// when the server closes the watch (`timeoutSeconds`) and throws when the connection drops.
    public func watch(_ path: String, timeout: Duration) async throws(SchedulerError) -> KubernetesWatchLines {
        let response = try await start(path, timeout: timeout)
        if response.status != .ok {
            _ = try await collect(response, path: path, limit: 1 << 20)
        }
        return KubernetesWatchLines(body: response.body, path: path)
    }

    private func start(_ path: String, timeout: Duration) async throws(SchedulerError) -> HTTPClientResponse {
        var request = HTTPClientRequest(url: connection.server + path)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "vigil")
        if let token = try connection.currentToken(), !token.isEmpty {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        do {
            return try await http.execute(request, timeout: .nanoseconds(Int64(timeout.nanoseconds)))
        } catch {
            throw SchedulerError(.requestFailed, "GET \(connection.server)\(path): \(error)")
        }
    }

    /// The body of a response, or the error its status stands for.
    private func collect(_ response: HTTPClientResponse, path: String, limit: Int) async throws(SchedulerError)
        -> [UInt8]
    {
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: limit)
        } catch {
            throw SchedulerError(.requestFailed, "GET \(path): reading the response: \(error)")
        }
        let bytes = Array(buffer.readableBytesView)
        guard response.status == .ok else { throw Self.statusError(response.status, body: bytes, path: path) }
        return bytes
    }

    static func statusError(_ status: HTTPResponseStatus, body: [UInt8], path: String) -> SchedulerError {
        let detail = KubernetesDecoder.status(from: body).map { " (\($0.reason): \($0.message))" } ?? ""
        switch status.code {
        case 410:
            return SchedulerError(.expired, "GET \(path): 410 Gone\(detail); listing again")
        case 401, 403:
            return SchedulerError(
                .unauthorized,
                "GET \(path): \(status.code) \(status.reasonPhrase)\(detail); the token or certificate lacks "
                    + "list/watch on this resource (see docs/kubernetes.md for the ClusterRole)")
        default:
            return SchedulerError(.requestFailed, "GET \(path): \(status.code) \(status.reasonPhrase)\(detail)")
        }
    }
}

/// A watch response body split into lines, read with ``next()``.
public struct KubernetesWatchLines: Sendable {
    let body: HTTPClientResponse.Body
    let path: String
    /// The longest line accepted (a pod with a huge status still fits).
    static let maxLine = 16 << 20

    public func makeIterator() -> Iterator { Iterator(chunks: body.makeAsyncIterator(), path: path) }

    public struct Iterator {
        var chunks: HTTPClientResponse.Body.AsyncIterator
        let path: String
        var pending: [UInt8] = []
        var finished = false

        /// The next non-empty line; nil when the server ended the watch; throws when the connection dropped.
        public mutating func next() async throws(SchedulerError) -> [UInt8]? {
            while true {
                if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(pending[..<newline])
                    pending.removeSubrange(...newline)
                    if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
                    return line
                }
                if finished {
                    if pending.isEmpty { return nil }
                    defer { pending = [] }
                    return pending
                }
                let chunk: ByteBuffer?
                do {
                    chunk = try await chunks.next()
                } catch {
                    throw SchedulerError(.requestFailed, "watch \(path): the connection dropped: \(error)")
                }
                guard let chunk else {
                    finished = true
                    continue
                }
                pending.append(contentsOf: chunk.readableBytesView)
                if pending.count > KubernetesWatchLines.maxLine {
                    throw SchedulerError(
                        .requestFailed, "watch \(path): an event longer than \(KubernetesWatchLines.maxLine) bytes")
                }
            }
        }
    }
}

extension Duration {
    fileprivate var nanoseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1e9 + Double(attoseconds) / 1e9
    }
}
