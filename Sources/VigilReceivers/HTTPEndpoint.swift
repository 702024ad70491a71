import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import VigilAlerting
import VigilConfig

/// The HTTP side an integration shares with the others: `http_config` (basic auth, authorization, TLS)
/// applied to one POST, and the answer classified the way Alertmanager's notifiers do — 2xx delivered,
/// 5xx and no answer (refused, reset, timed out) retryable, anything else final.
struct HTTPEndpoint: Sendable {
    let url: String
    let httpConfig: HTTPClientConfig
    let timeout: TimeAmount
    let tls: TLSConfiguration?
    let client: HTTPClient

    /// What every integration sends when no timeout is configured: the pipeline's own deadline (task
    /// cancellation) usually ends an attempt first.
    static let defaultTimeout = TimeAmount.seconds(30)

    init(url: String, httpConfig: HTTPClientConfig, timeout: Duration, client: HTTPClient) throws(NotifyError) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            scheme == "http" || scheme == "https",
            parsed.host != nil
        else {
            throw NotifyError(retryable: false, "the URL \"\(url)\" is not an absolute http:// or https:// URL")
        }
        self.url = url
        self.httpConfig = httpConfig
        self.client = client
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        self.timeout = nanoseconds > 0 ? .nanoseconds(nanoseconds) : Self.defaultTimeout
        self.tls = scheme == "https" ? try Self.tlsConfiguration(httpConfig.tlsConfig) : nil
    }

    /// `tls_config` as NIOSSL's client configuration.
    static func tlsConfiguration(_ config: TLSConfig) throws(NotifyError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if let caFile = config.caFile {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            }
            if let certFile = config.certFile, let keyFile = config.keyFile {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certFile).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            }
        } catch {
            throw NotifyError(retryable: false, "tls_config: cannot load the CA, certificate or key files: \(error)")
        }
        if config.insecureSkipVerify { tls.certificateVerification = .none }
        return tls
    }

    /// `basic_auth` or `authorization`; files are read at each request so that rotated secrets apply.
    func authorizationHeader() throws(NotifyError) -> String? {
        if let basic = httpConfig.basicAuth {
            var password = basic.password ?? ""
            if basic.password == nil, let file = basic.passwordFile {
                password = try Self.readSecret(file, key: "basic_auth.password_file")
            }
            return "Basic " + Data("\(basic.username):\(password)".utf8).base64EncodedString()
        }
        if let authorization = httpConfig.authorization {
            var credentials = authorization.credentials ?? ""
            if authorization.credentials == nil, let file = authorization.credentialsFile {
                credentials = try Self.readSecret(file, key: "authorization.credentials_file")
            }
            return "\(authorization.type) \(credentials)"
        }
        return nil
    }

    private static func readSecret(_ path: String, key: String) throws(NotifyError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NotifyError(retryable: false, "\(key): cannot read \(path)")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// POSTs `body` once. `what` names the integration in errors (`webhook`, `slack`).
    func post(_ body: [UInt8], contentType: String, userAgent: String, what: String) async throws(NotifyError) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.tlsConfiguration = tls
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(name: "User-Agent", value: userAgent)
        if let authorization = try authorizationHeader() {
            request.headers.add(name: "Authorization", value: authorization)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: timeout)
        } catch {
            throw NotifyError(retryable: true, "\(what) POST to \(Self.redacted(url)) failed: \(error)")
        }
        let status = Int(response.status.code)
        let text = (try? await response.body.collect(upTo: 4096)).map { String(buffer: $0) } ?? ""
        guard !(200..<300).contains(status) else { return }
        var message = "\(what) POST to \(Self.redacted(url)) answered HTTP \(status)"
        let detail = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !detail.isEmpty { message += ": \(detail.prefix(512))" }
        throw NotifyError(retryable: (500..<600).contains(status), message, statusCode: status)
    }

    /// The URL without user information or query (webhook and Slack URLs carry secrets in their path
    /// only when the user chose so; the query often holds tokens).
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.user = nil
        components.password = nil
        if components.query != nil { components.query = "<redacted>" }
        return components.string ?? url
    }
}
