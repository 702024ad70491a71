import Foundation
import HummingbirdTLS
import NIOSSL
import Testing
import VigilConfig
import VigilModel
import VigilScrape

/// A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl for the test.
private struct TestCertificates {
    let directory: URL
    var ca: String { directory.appendingPathComponent("ca.crt").path }
    var serverCert: String { directory.appendingPathComponent("server.crt").path }
    var serverKey: String { directory.appendingPathComponent("server.key").path }
    var clientCert: String { directory.appendingPathComponent("client.crt").path }
    var clientKey: String { directory.appendingPathComponent("client.key").path }

    static let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "subjectAltName=IP:127.0.0.1\n".write(
            to: directory.appendingPathComponent("server.ext"), atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(
            to: directory.appendingPathComponent("client.ext"), atomically: true, encoding: .utf8)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try run(
            ["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=Vigil Test CA"])
        for name in ["server", "client"] {
            try run(["req"] + ec + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(name)"])
            try run([
                "x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "\(name).crt", "-days", "1", "-extfile", "\(name).ext",
            ])
        }
    }

    private func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.openssl ?? "openssl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "openssl \(arguments) failed"])
        }
    }

    func serverConfiguration(requireClientCertificate: Bool) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(serverCert).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: serverKey, format: .pem)))
        if requireClientCertificate {
            tls.certificateVerification = .noHostnameVerification
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
        }
        return tls
    }
}

private let needsOpenSSL = TestCertificates.openssl != nil || ProcessInfo.processInfo.environment["CI"] == "true"

@Suite(
    "tls_config", .enabled(if: needsOpenSSL, "needs openssl (Debian package openssl) to make the test certificates"))
struct TLSScrapeTests {
    private func health(
        _ certificates: TestCertificates, server: TLSConfiguration, client: TLSConfig
    ) async throws -> ActiveTargetStatus {
        try await withExporters([TestExporter(body: "tls_ok 1\n")], tls: server) { ports async throws in
            try await ScrapeHarness.run { harness async throws in
                await harness.manager.apply(
                    configuration(
                        job("tls", ports: ports) {
                            $0.scheme = .https
                            $0.httpClient.tlsConfig = client
                        }))
                await harness.step(sleepers: 1)
                return try #require(await harness.manager.activeTargets().first)
            }
        }
    }

    @Test("ca_file verifies the server; without it the scrape fails; insecure_skip_verify accepts any server")
    func serverVerification() async throws {
        let certificates = try TestCertificates()
        defer { try? FileManager.default.removeItem(at: certificates.directory) }
        let server = try certificates.serverConfiguration(requireClientCertificate: false)
        let verified = try await health(certificates, server: server, client: TLSConfig(caFile: certificates.ca))
        #expect(verified.health == .up, "\(verified.lastError)")
        #expect(verified.scrapeURL.hasPrefix("https://127.0.0.1:"))
        let unverified = try await health(certificates, server: server, client: TLSConfig())
        #expect(unverified.health == .down)
        #expect(!unverified.lastError.isEmpty && !unverified.lastError.contains("timed out"))
        let skipped = try await health(certificates, server: server, client: TLSConfig(insecureSkipVerify: true))
        #expect(skipped.health == .up, "\(skipped.lastError)")
    }

    @Test("cert_file and key_file present a client certificate to a server that requires one")
    func clientCertificate() async throws {
        let certificates = try TestCertificates()
        defer { try? FileManager.default.removeItem(at: certificates.directory) }
        let server = try certificates.serverConfiguration(requireClientCertificate: true)
        let withCertificate = try await health(
            certificates, server: server,
            client: TLSConfig(
                caFile: certificates.ca, certFile: certificates.clientCert, keyFile: certificates.clientKey))
        #expect(withCertificate.health == .up, "\(withCertificate.lastError)")
        let without = try await health(certificates, server: server, client: TLSConfig(caFile: certificates.ca))
        #expect(without.health == .down)
    }

    @Test("an unreadable ca_file is reported as the target's error")
    func missingCAFile() async throws {
        let certificates = try TestCertificates()
        defer { try? FileManager.default.removeItem(at: certificates.directory) }
        let server = try certificates.serverConfiguration(requireClientCertificate: false)
        let target = try await health(certificates, server: server, client: TLSConfig(caFile: "/nonexistent/ca.pem"))
        #expect(target.health == .down)
        #expect(target.lastError.contains("tls_config"))
    }
}
