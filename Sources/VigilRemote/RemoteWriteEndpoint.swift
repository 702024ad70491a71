import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import VigilConfig
import VigilModel

/// The HTTP side of one `remote_write` entry: URL, headers, credentials, TLS, timeout; one POST and how its
/// answer is classified.
struct RemoteWriteEndpoint: Sendable {
    /// What became of one POST.
    enum Outcome: Sendable {
        case success
        /// Try again after a backoff: 5xx, 429, or no answer (connection refused, timeout).
        case retryable(FailureReason)
        /// Drop the batch: any other non-2xx answer.
        case permanent(FailureReason)
    }

    struct FailureReason: Sendable, CustomStringConvertible {
        var status: Int?
        var detail: String

        var isRateLimit: Bool { status == 429 }

        var description: String {
            guard let status else { return detail }
            return detail.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(detail)"
        }
    }

    let config: RemoteWriteConfig

    init(_ config: RemoteWriteConfig) throws(RemoteWriteError) {
        guard config.url.hasPrefix("http://") || config.url.hasPrefix("https://"), config.url.count > 8 else {
            throw RemoteWriteError(
                .configuration, "remote_write url \"\(config.url)\" must start with http:// or https://")
        }
        self.config = config
        _ = try makeTLSConfiguration()
    }

    /// A client for this endpoint; the caller shuts it down.
    func makeClient() throws(RemoteWriteError) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = try makeTLSConfiguration()
        configuration.redirectConfiguration =
            config.httpClient.followRedirects ? .follow(max: 10, allowCycles: false) : .disallow
        configuration.httpVersion = config.httpClient.enableHTTP2 ? .automatic : .http1Only
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(30))
        // A refused connection fails the request at once: the sender's own backoff retries it.
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    private func makeTLSConfiguration() throws(RemoteWriteError) -> TLSConfiguration {
        let tls = config.httpClient.tlsConfig
        var configuration = TLSConfiguration.makeClientConfiguration()
        if tls.insecureSkipVerify { configuration.certificateVerification = .none }
        if let caFile = tls.caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw RemoteWriteError(.configuration, "tls_config ca_file \"\(caFile)\" cannot be read")
            }
            configuration.trustRoots = .file(caFile)
        }
        if let certFile = tls.certFile, let keyFile = tls.keyFile {
            do {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certFile).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            } catch {
                throw RemoteWriteError(
                    .configuration, "tls_config cert_file \"\(certFile)\" / key_file \"\(keyFile)\": \(error)")
            }
        }
        return configuration
    }

    /// The headers of every request: remote_write 1.0's, then the configured ones, then credentials (read
    /// from their files on each request, so rotated secrets are picked up).
    func headers() throws(RemoteWriteError) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Encoding", value: "snappy")
        headers.add(name: "Content-Type", value: "application/x-protobuf")
        headers.add(name: "User-Agent", value: "Vigil/\(VigilVersion.current)")
        headers.add(name: "X-Prometheus-Remote-Write-Version", value: "0.1.0")
        for (name, value) in config.headers.sorted(by: { $0.key < $1.key }) {
            headers.replaceOrAdd(name: name, value: value)
        }
        if let basic = config.httpClient.basicAuth {
            var password = basic.password ?? ""
            if basic.password == nil, let file = basic.passwordFile {
                password = try Self.readSecret(file, "basic_auth password_file")
            }
            let token = Data("\(basic.username):\(password)".utf8).base64EncodedString()
            headers.replaceOrAdd(name: "Authorization", value: "Basic \(token)")
        } else if let authorization = config.httpClient.authorization {
            var credentials = authorization.credentials ?? ""
            if authorization.credentials == nil, let file = authorization.credentialsFile {
                credentials = try Self.readSecret(file, "authorization credentials_file")
            }
            headers.replaceOrAdd(name: "Authorization", value: "\(authorization.type) \(credentials)")
        }
        return headers
    }

    static func readSecret(_ path: String, _ key: String) throws(RemoteWriteError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RemoteWriteError(.configuration, "\(key) \"\(path)\" cannot be read")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// POSTs one compressed `WriteRequest` and classifies the answer.
    func post(_ body: [UInt8], client: HTTPClient) async -> Outcome {
        var request = HTTPClientRequest(url: config.url)
        request.method = .POST
        do throws(RemoteWriteError) {
            request.headers = try headers()
        } catch {
            return .retryable(FailureReason(status: nil, detail: error.message))
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let timeout = TimeAmount.nanoseconds(
            Int64(config.remoteTimeout.components.seconds) * 1_000_000_000
                + config.remoteTimeout.components.attoseconds / 1_000_000_000)
        do {
            let response = try await client.execute(request, timeout: timeout)
            let status = Int(response.status.code)
            let text = (try? await response.body.collect(upTo: 1024)).map { String(buffer: $0) } ?? ""
            let detail = text.trimmingCharacters(in: .whitespacesAndNewlines)
            switch status {
            case 200..<300: return .success
            case 429, 500..<600: return .retryable(FailureReason(status: status, detail: detail))
            default: return .permanent(FailureReason(status: status, detail: detail))
            }
        } catch {
            return .retryable(FailureReason(status: nil, detail: "\(error)"))
        }
    }
}
