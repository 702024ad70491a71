import AsyncHTTPClient
import CompressNIO
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import VigilConfig
import VigilExposition
import VigilModel

/// What one scrape brought back.
enum ScrapePayload {
    /// A body in `buffer`, in this format.
    case body(ExpositionFormat)
    /// An in-process source's families.
    case families([MetricFamily])
}

/// Fetches one target's metrics.
protocol TargetScraper: Sendable {
    /// Performs one scrape, a body going into `buffer` (emptied first, its capacity kept).
    func scrape(into buffer: inout [UInt8]) async throws(ScrapeError) -> ScrapePayload
}

/// A target whose scraper could not be built: every scrape fails with that error.
struct FailingScraper: TargetScraper {
    let error: ScrapeError

    func scrape(into buffer: inout [UInt8]) async throws(ScrapeError) -> ScrapePayload { throw error }
}

/// Scrapes an in-process ``MetricsSource``.
struct SourceScraper: TargetScraper {
    let source: any MetricsSource

    func scrape(into buffer: inout [UInt8]) async throws(ScrapeError) -> ScrapePayload {
        do {
            return .families(try await source.collect())
        } catch let error as CancellationError {
            throw ScrapeError(.source, "collection cancelled", cause: error)
        } catch {
            throw ScrapeError(.source, "the in-process source failed: \(error)")
        }
    }
}

/// Scrapes a target over HTTP(S) with the manager's shared client (keep-alive connections).
struct HTTPTargetScraper: TargetScraper {
    /// Prometheus 3.5's default `Accept`: OpenMetrics first, text 0.0.4 last.
    static let acceptHeader =
        "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
        + "application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,"
        + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2"
    static let userAgent = "Vigil/\(VigilVersion.current)"

    let client: HTTPClient
    let url: String
    let timeoutMilliseconds: Int64
    let bodySizeLimit: Int64
    let enableCompression: Bool
    let http: HTTPClientConfig
    let tls: TLSConfiguration?

    init(client: HTTPClient, target: ScrapeTarget, config: ScrapeConfig) throws(ScrapeError) {
        self.client = client
        self.url = target.scrapeURL
        self.timeoutMilliseconds = target.timeoutMilliseconds
        self.bodySizeLimit = config.limits.bodySizeLimit
        self.enableCompression = config.enableCompression
        self.http = config.httpClient
        self.tls = target.scrapeURL.hasPrefix("https:") ? try Self.tlsConfiguration(config.httpClient.tlsConfig) : nil
    }

    /// `tls_config` as NIOSSL's client configuration.
    static func tlsConfiguration(_ config: TLSConfig) throws(ScrapeError) -> TLSConfiguration {
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
            throw ScrapeError(.http, "tls_config: cannot load the CA, certificate or key files: \(error)")
        }
        if config.insecureSkipVerify { tls.certificateVerification = .none }
        return tls
    }

    func scrape(into buffer: inout [UInt8]) async throws(ScrapeError) -> ScrapePayload {
        buffer.removeAll(keepingCapacity: true)
        var request = HTTPClientRequest(url: url)
        request.tlsConfiguration = tls
        request.headers.add(name: "Accept", value: Self.acceptHeader)
        if enableCompression { request.headers.add(name: "Accept-Encoding", value: "gzip") }
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        request.headers.add(
            name: "X-Prometheus-Scrape-Timeout-Seconds", value: Self.formatSeconds(milliseconds: timeoutMilliseconds))
        if let authorization = try authorizationHeader() {
            request.headers.add(name: "Authorization", value: authorization)
        }
        do {
            let deadline = NIODeadline.now() + .milliseconds(timeoutMilliseconds)
            let response = try await client.execute(request, deadline: deadline)
            guard response.status == .ok else {
                throw ScrapeError(
                    .http, "server returned HTTP status \(response.status.code) \(response.status.reasonPhrase)")
            }
            let gzipped = response.headers.first(name: "Content-Encoding")?.lowercased() == "gzip"
            let body = BodyReader(limit: bodySizeLimit, gzip: gzipped)
            try body.start()
            for try await var chunk in response.body {
                try body.append(&chunk, into: &buffer)
                if NIODeadline.now() > deadline { throw HTTPClientError.deadlineExceeded }
            }
            try body.finish()
            return .body(ExpositionFormat(contentType: response.headers.first(name: "Content-Type")))
        } catch let error as ScrapeError {
            throw error
        } catch let error as CompressNIOError {
            throw ScrapeError(.http, "the gzip body of \(url) cannot be decompressed: \(error)")
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw ScrapeError(
                .timeout,
                "scrape timed out after \(PrometheusDuration.format(milliseconds: timeoutMilliseconds)) (scrape_timeout)"
            )
        } catch {
            throw ScrapeError(.http, "scraping \(url) failed: \(error)")
        }
    }

    /// `basic_auth` or `authorization`; files are read at each scrape so that rotated secrets apply.
    private func authorizationHeader() throws(ScrapeError) -> String? {
        if let basic = http.basicAuth {
            var password = basic.password ?? ""
            if let file = basic.passwordFile { password = try Self.readSecret(file, key: "basic_auth.password_file") }
            return "Basic " + Data("\(basic.username):\(password)".utf8).base64EncodedString()
        }
        if let authorization = http.authorization {
            var credentials = authorization.credentials ?? ""
            if let file = authorization.credentialsFile {
                credentials = try Self.readSecret(file, key: "authorization.credentials_file")
            }
            return "\(authorization.type) \(credentials)"
        }
        return nil
    }

    private static func readSecret(_ path: String, key: String) throws(ScrapeError) -> String {
        do {
            var text = try String(contentsOfFile: path, encoding: .utf8)
            while text.last == "\n" || text.last == "\r" { text.removeLast() }
            return text
        } catch {
            throw ScrapeError(.http, "\(key): cannot read \(path): \(error.localizedDescription)")
        }
    }

    /// Seconds as Go's `strconv.FormatFloat(s, 'f', -1, 64)` writes them: `10`, `0.5`.
    static func formatSeconds(milliseconds: Int64) -> String {
        if milliseconds % 1000 == 0 { return String(milliseconds / 1000) }
        var text = String(Double(milliseconds) / 1000)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}

/// Copies a response body into the scrape buffer, gunzipping it on the way when it is gzip, and stops
/// at `body_size_limit` (counted in uncompressed bytes, as Prometheus does).
private struct BodyReader {
    let limit: Int64
    let decompressor: (any NIODecompressor)?

    init(limit: Int64, gzip: Bool) {
        self.limit = limit
        decompressor = gzip ? CompressionAlgorithm.gzip().decompressor : nil
    }

    func start() throws {
        guard let decompressor else { return }
        try decompressor.startStream()
        decompressor.window = ByteBufferAllocator().buffer(capacity: 64 * 1024)
    }

    func append(_ chunk: inout ByteBuffer, into buffer: inout [UInt8]) throws {
        guard let decompressor else { return try copy(chunk, into: &buffer) }
        var failure: (any Error)?
        try chunk.decompressStream(with: decompressor) { window in
            guard failure == nil else { return }
            do { try copy(window, into: &buffer) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    func finish() throws {
        try decompressor?.finishStream()
    }

    private func copy(_ bytes: ByteBuffer, into buffer: inout [UInt8]) throws(ScrapeError) {
        if limit > 0 && Int64(buffer.count + bytes.readableBytes) > limit {
            throw ScrapeError.limit(
                "body_size_limit exceeded: the response is larger than \(limit) bytes "
                    + "(body_size_limit: \(limit)); reading stopped there")
        }
        bytes.withUnsafeReadableBytes { buffer.append(contentsOf: $0) }
    }
}
