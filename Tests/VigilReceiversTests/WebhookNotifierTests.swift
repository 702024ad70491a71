import Foundation
import Testing
import VigilAlerting
import VigilConfig
import VigilModel
import VigilTestSupport

@testable import VigilReceivers

@Suite struct WebhookPayloadTests {
    @Test func matchesAlertmanagerSampleByteForByte() throws {
        guard let directory = alertmanagerConformanceDirectory() else { return }
        let expected = try samplePayloadBytes(directory)
        let encoded = WebhookPayload.encode(sampleNotification(startsAt: sampleStart))
        #expect(String(decoding: encoded, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
    }

    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00Z"),
        (1.5, "1970-01-01T00:00:01.5Z"),
        (1_795_965_037.341706, "2026-11-29T15:10:37.341706Z"),
        (951_782_400.000_001, "2000-02-29T00:00:00.000001Z"),
        (-1.25, "1969-12-31T23:59:58.75Z"),
    ])
    func goTimeFormat(seconds: Double, expected: String) {
        #expect(GoTime.rfc3339Nano(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test func noEndIsGoZeroTime() {
        #expect(GoTime.rfc3339Nano(nil) == "0001-01-01T00:00:00Z")
    }

    @Test func stringsAreEscapedAsGoDoes() {
        var json = GoJSONWriter()
        json.string("a\"b\\c\n\r\t<>&\u{01}\u{08}\u{2028}é")
        #expect(
            String(decoding: json.bytes, as: UTF8.self)
                == #""a\"b\\c\n\r\t\u003c\u003e\u0026\u0001\u0008\u2028é""#)
    }

    @Test func maxAlertsTruncatesAndCounts() throws {
        var data = sampleNotification(startsAt: sampleStart)
        let alert = data.alerts[0]
        data.alerts = (0..<5).map { index in
            var copy = alert
            copy.labels = copy.labels.setting("instance", to: "n\(index)")
            return copy
        }
        let payload = try JSONSerialization.jsonObject(with: Data(WebhookPayload.encode(data, maxAlerts: 2)))
        let object = try #require(payload as? [String: Any])
        #expect((object["alerts"] as? [Any])?.count == 2)
        #expect(object["truncatedAlerts"] as? Int == 3)
        let all = try #require(
            try JSONSerialization.jsonObject(with: Data(WebhookPayload.encode(data))) as? [String: Any])
        #expect((all["alerts"] as? [Any])?.count == 5)
        #expect(all["truncatedAlerts"] as? Int == 0)
    }
}

/// A webhook receiver that answers every POST with one status (Python's standard library).
private let statusServerScript = """
    import http.server, sys
    status = int(sys.argv[2])
    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a): pass
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(status); self.end_headers(); self.wfile.write(b"told to answer %d" % status)
        def do_GET(self):
            self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    print("listening", flush=True)
    http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
    """

/// Serialized: each test runs a child process, and the blocking process calls share two cooperative threads.
@Suite(.serialized) struct WebhookNotifierTests {
    @Test func deliversAlertmanagerBytesToTheReferenceReceiver() async throws {
        guard let directory = alertmanagerConformanceDirectory(), requireTool("python3"),
            let python = ExternalTools.path(of: "python3")
        else { return }
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let port = ExternalTools.freePort()
        let out = scratch.path + "/received.jsonl"
        let receiver = try ChildProcess(
            python,
            [
                directory.appendingPathComponent("webhook_receiver.py").path, "--port", "\(port)", "--out", out,
                "--raw",
                "--tag", "vigil",
            ])
        defer { kill(receiver) }
        try await receiver.waitForHTTP("http://127.0.0.1:\(port)/")

        let notifier = try WebhookNotifier(
            config: WebhookReceiverConfig(
                url: "http://127.0.0.1:\(port)/hook",
                httpConfig: HTTPClientConfig(authorization: Authorization(credentials: "s3cret"))))
        try await notifier.notify(sampleNotification(startsAt: sampleStart))

        let line = try #require(
            try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").first.map(String.init))
        let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(record["path"] as? String == "/hook")
        #expect(record["raw"] as? String == String(decoding: try samplePayloadBytes(directory), as: UTF8.self))
        let headers = try #require(record["headers"] as? [String: String])
        #expect(headers["Content-Type"] == "application/json")
        #expect(headers["User-Agent"] == "Alertmanager/0.25.0")
        #expect(headers["Authorization"] == "Bearer s3cret")
    }

    @Test(arguments: [(500, true), (503, true), (400, false), (404, false)])
    func statusDecidesWhetherToRetry(status: Int, retryable: Bool) async throws {
        guard requireTool("python3"), let python = ExternalTools.path(of: "python3") else { return }
        let port = ExternalTools.freePort()
        let server = try ChildProcess(python, ["-c", statusServerScript, "\(port)", "\(status)"])
        defer { kill(server) }
        try await server.waitForHTTP("http://127.0.0.1:\(port)/")
        let notifier = try WebhookNotifier(config: WebhookReceiverConfig(url: "http://127.0.0.1:\(port)/"))
        do {
            try await notifier.notify(sampleNotification(startsAt: sampleStart))
            Issue.record("expected HTTP \(status) to fail")
        } catch {
            #expect(error.retryable == retryable)
            #expect(error.statusCode == status)
            #expect(error.message.contains("HTTP \(status)"))
            #expect(error.message.contains("told to answer \(status)"))
        }
    }

    @Test func refusedConnectionIsRetryable() async throws {
        let port = ExternalTools.freePort()
        let notifier = try WebhookNotifier(config: WebhookReceiverConfig(url: "http://127.0.0.1:\(port)/"))
        do {
            try await notifier.notify(sampleNotification(startsAt: sampleStart))
            Issue.record("expected a refused connection")
        } catch {
            #expect(error.retryable)
            #expect(error.statusCode == nil)
        }
    }

    @Test(arguments: ["", "not a url", "ftp://host/x", "/relative"])
    func badURLIsRefusedAtConstruction(url: String) {
        #expect(throws: NotifyError.self) { try WebhookNotifier(config: WebhookReceiverConfig(url: url)) }
    }

    @Test func unreadableCredentialsFileFailsWithoutRetry() async throws {
        let notifier = try WebhookNotifier(
            config: WebhookReceiverConfig(
                url: "http://127.0.0.1:1/",
                httpConfig: HTTPClientConfig(basicAuth: BasicAuth(username: "u", passwordFile: "/nonexistent/pw"))))
        do {
            try await notifier.notify(sampleNotification(startsAt: sampleStart))
            Issue.record("expected an error")
        } catch {
            #expect(!error.retryable)
            #expect(error.message.contains("/nonexistent/pw"))
        }
    }

    @Test func missingTLSFilesAreRefusedAtConstruction() {
        #expect(throws: NotifyError.self) {
            try WebhookNotifier(
                config: WebhookReceiverConfig(
                    url: "https://127.0.0.1:1/",
                    httpConfig: HTTPClientConfig(tlsConfig: TLSConfig(caFile: "/nonexistent/ca.pem"))))
        }
    }
}
