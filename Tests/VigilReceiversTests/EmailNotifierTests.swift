import Foundation
import Testing
import VigilAlerting
import VigilConfig
import VigilModel
import VigilTestSupport

@testable import VigilReceivers

/// A scripted SMTP server (Python's standard library) that records the transaction as JSON: the
/// commands, and the DATA as received (still dot-stuffed). `mode` picks a failure to answer with.
private let smtpServerScript = """
    import base64, json, socketserver, sys
    port, mode, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    class H(socketserver.StreamRequestHandler):
        def send(self, text): self.wfile.write(text.encode() + b"\\r\\n"); self.wfile.flush()
        def handle(self):
            log = {"commands": [], "data": None}
            self.send("220 test.example ESMTP ready")
            while True:
                line = self.rfile.readline()
                if not line: break
                cmd = line.decode().rstrip("\\r\\n"); log["commands"].append(cmd); verb = cmd.split(" ")[0].upper()
                if verb == "EHLO":
                    if mode == "noehlo": self.send("502 5.5.2 EHLO not implemented")
                    else: self.send("250-test.example\\r\\n250-AUTH LOGIN PLAIN\\r\\n250 8BITMIME")
                elif verb == "HELO": self.send("250 test.example")
                elif verb == "AUTH":
                    token = base64.b64decode(cmd.split(" ")[2]).decode()
                    if token == "\\0vigil\\0s3cret": self.send("235 2.7.0 Authentication successful")
                    else: self.send("535 5.7.8 Authentication credentials invalid")
                elif verb == "MAIL": self.send("250 2.1.0 Ok")
                elif verb == "RCPT":
                    if mode == "rcpt451": self.send("451 4.3.0 Mailbox busy, try later")
                    elif mode == "rcpt550": self.send("550 5.1.1 No such user here")
                    else: self.send("250 2.1.5 Ok")
                elif verb == "DATA":
                    self.send("354 End data with <CR><LF>.<CR><LF>")
                    data = b""
                    while True:
                        chunk = self.rfile.readline()
                        if chunk in (b".\\r\\n", b""): break
                        data += chunk
                    log["data"] = data.decode()
                    self.send("250 2.0.0 Ok: queued as 12345")
                elif verb == "QUIT": self.send("221 2.0.0 Bye"); break
                else: self.send("500 5.5.2 unknown command")
            with open(out, "a") as f: f.write(json.dumps(log) + "\\n")
    socketserver.TCPServer.allow_reuse_address = True
    server = socketserver.ThreadingTCPServer(("127.0.0.1", port), H)
    print("listening", flush=True)
    server.serve_forever()
    """

private struct Transaction: Decodable {
    var commands: [String]
    var data: String?
}

private func notification() -> NotificationData {
    var data = sampleNotification(startsAt: sampleStart)
    data.alerts[0].annotations = [
        "summary": ".leading dot\nand a line that is long enough to need a soft line break in quoted-printable, surely"
    ]
    data.commonAnnotations = data.alerts[0].annotations
    return data
}

/// Runs `body` with a scripted SMTP server; returns the recorded transactions.
private func withSMTPServer(
    mode: String, _ body: (Int) async throws -> Void
) async throws -> [Transaction]? {
    guard requireTool("python3"), let python = ExternalTools.path(of: "python3") else { return nil }
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    let out = scratch.path + "/smtp.jsonl"
    let port = ExternalTools.freePort()
    let server = try ChildProcess(python, ["-c", smtpServerScript, "\(port)", mode, out])
    defer { kill(server) }
    _ = try await server.waitForLog(containing: "listening")
    try await body(port)
    _ = try await waitUntil { FileManager.default.fileExists(atPath: out) }
    let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
    return try text.split(separator: "\n").map { try JSONDecoder().decode(Transaction.self, from: Data($0.utf8)) }
}

private func config(port: Int, auth: Bool = false, requireTLS: Bool = false) -> EmailReceiverConfig {
    EmailReceiverConfig(
        to: "oncall@example.org, Second <second@example.org>", from: "Vigil <vigil@example.org>",
        smarthost: "127.0.0.1:\(port)", hello: "vigil.test", authUsername: auth ? "vigil" : "",
        authPassword: auth ? "s3cret" : "", requireTLS: requireTLS, headers: ["x-team": "gpu-infra"])
}

@Suite(.serialized) struct EmailNotifierTests {
    @Test func fullTransactionWithAuthPlain() async throws {
        guard
            let transactions = try await withSMTPServer(
                mode: "ok",
                { port in
                    var settings = config(port: port, auth: true)
                    settings.text = "first\n.leading dot\n..two dots\n"
                    try await EmailNotifier(
                        config: settings, now: { Date(timeIntervalSince1970: 1_700_000_000) }
                    ).notify(notification())
                })
        else { return }
        let transaction = try #require(transactions.first)
        #expect(transaction.commands.count == 7)
        #expect(transaction.commands.first == "EHLO vigil.test")
        #expect(transaction.commands[1].hasPrefix("AUTH PLAIN "))
        #expect(
            Array(transaction.commands.dropFirst(2))
                == [
                    "MAIL FROM:<vigil@example.org>", "RCPT TO:<oncall@example.org>", "RCPT TO:<second@example.org>",
                    "DATA", "QUIT",
                ])
        let data = try #require(transaction.data)
        #expect(data.contains("Subject: [FIRING:1] Raw c9 (info)\r\n"))
        #expect(data.contains("From: Vigil <vigil@example.org>\r\n"))
        #expect(data.contains("To: oncall@example.org, Second <second@example.org>\r\n"))
        #expect(data.contains("X-Team: gpu-infra\r\n"))
        #expect(data.contains("Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"))
        #expect(data.contains("Message-Id: <"))
        #expect(data.contains("Content-Type: multipart/alternative;  boundary="))
        #expect(data.contains("Content-Type: text/plain; charset=UTF-8"))
        #expect(data.contains("Content-Type: text/html; charset=UTF-8"))
        // Dot-stuffing: the annotation's line that starts with "." arrives doubled.
        #expect(data.contains("\r\n..leading dot\r\n...two dots\r\n"))
        #expect(data.contains("=\r\n"))
        let longest = data.components(separatedBy: "\r\n").map(\.utf8.count).max() ?? 0
        #expect(longest <= 77, "quoted-printable's 76 characters, plus one for dot-stuffing")
    }

    @Test func heloFallbackWhenEHLOIsRefused() async throws {
        guard
            let transactions = try await withSMTPServer(
                mode: "noehlo", { port in try await EmailNotifier(config: config(port: port)).notify(notification()) })
        else { return }
        #expect(
            transactions.first?.commands.prefix(3) == [
                "EHLO vigil.test", "HELO vigil.test", "MAIL FROM:<vigil@example.org>",
            ])
    }

    @Test(arguments: [("rcpt451", true, 451, "Mailbox busy"), ("rcpt550", false, 550, "No such user")])
    func replyCodesDecideRetry(mode: String, retryable: Bool, code: Int, text: String) async throws {
        _ = try await withSMTPServer(mode: mode) { port in
            do {
                try await EmailNotifier(config: config(port: port)).notify(notification())
                Issue.record("expected \(code)")
            } catch let error as NotifyError {
                #expect(error.retryable == retryable)
                #expect(error.statusCode == code)
                #expect(error.message.contains(text))
                #expect(error.message.contains("RCPT TO:<oncall@example.org>"))
            } catch {
                Issue.record("unexpected error: \(error)")
            }
        }
    }

    @Test func wrongCredentialsAreFinal() async throws {
        _ = try await withSMTPServer(mode: "ok") { port in
            var settings = config(port: port, auth: true)
            settings.authPassword = "wrong"
            do {
                try await EmailNotifier(config: settings).notify(notification())
                Issue.record("expected 535")
            } catch let error as NotifyError {
                #expect(!error.retryable)
                #expect(error.statusCode == 535)
                #expect(error.message.contains("AUTH PLAIN with 535"))
                #expect(!error.message.contains(Data("\u{0}vigil\u{0}wrong".utf8).base64EncodedString()))
            } catch {
                Issue.record("unexpected error: \(error)")
            }
        }
    }

    @Test func requireTLSWithoutSTARTTLSFails() async throws {
        _ = try await withSMTPServer(mode: "ok") { port in
            do {
                try await EmailNotifier(config: config(port: port, requireTLS: true)).notify(notification())
                Issue.record("expected require_tls to refuse")
            } catch let error as NotifyError {
                #expect(error.message.contains("require_tls"))
                #expect(error.message.contains("STARTTLS"))
            } catch {
                Issue.record("unexpected error: \(error)")
            }
        }
    }

    @Test func refusedConnectionIsRetryable() async throws {
        let notifier = try EmailNotifier(config: config(port: ExternalTools.freePort()))
        do {
            try await notifier.notify(notification())
            Issue.record("expected a refused connection")
        } catch let error as NotifyError {
            #expect(error.retryable)
        } catch {
            Issue.record("unexpected error: \(error)")
        }
    }

    @Test(arguments: ["smtp.example.org", "host:0", ":25", "host:port"])
    func badSmarthostIsRefused(smarthost: String) {
        #expect(throws: NotifyError.self) {
            try EmailNotifier(config: EmailReceiverConfig(to: "a@b.c", from: "d@e.f", smarthost: smarthost))
        }
    }

    @Test(arguments: ["", "not an address", "a@b.c, nobody"])
    func badRecipientIsRefused(to: String) {
        let notifier = try? EmailNotifier(config: EmailReceiverConfig(to: to, from: "d@e.f", smarthost: "h:25"))
        #expect(throws: NotifyError.self) { try notifier?.makeEnvelope(notification()) }
    }

    /// Fields are Go templates over Alertmanager's data, methods of its types included.
    @Test func templatedFieldsRender() throws {
        let notifier = try EmailNotifier(
            config: EmailReceiverConfig(
                to: "a@b.c", from: "d@e.f", smarthost: "h:25",
                headers: [
                    "Subject":
                        "[{{ .Status | toUpper }}:{{ len .Alerts.Firing }}] {{ .GroupLabels.SortedPairs.Values | join \" \" }}"
                ]))
        let (_, message) = try notifier.makeEnvelope(notification())
        #expect(
            message.headers.contains { $0.name == "Subject" && $0.value == "[FIRING:1] Raw c9" }, "\(message.headers)")
    }

    @Test func aBrokenTemplateFailsClearlyAndIsNotRetried() throws {
        let notifier = try EmailNotifier(
            config: EmailReceiverConfig(
                to: "a@b.c", from: "d@e.f", smarthost: "h:25", headers: ["Subject": "{{ .Status"]))
        do {
            _ = try notifier.makeEnvelope(notification())
            Issue.record("expected an error")
        } catch {
            #expect(!error.retryable)
            #expect(error.message.contains("headers.Subject"))
        }
    }
}

@Suite struct EmailFormatTests {
    @Test func defaultSubjectIsAlertmanagers() {
        var data = notification()
        #expect(AlertmanagerDefaults.subject(data) == "[FIRING:1] Raw c9 (info)")
        data.status = .resolved
        data.alerts[0].status = .resolved
        data.commonLabels = data.groupLabels
        #expect(AlertmanagerDefaults.subject(data) == "[RESOLVED] Raw c9 ")
    }

    @Test(arguments: [
        ("plain", "plain"), ("Grüße aus Köln", "=?utf-8?q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?="),
    ])
    func headerEncoding(value: String, expected: String) {
        #expect(EmailMessage.encodeHeader(value) == expected)
    }

    @Test func quotedPrintable() {
        #expect(EmailMessage.quotedPrintable("a=b \nü") == "a=3Db=20\r\n=C3=BC")
        let long = EmailMessage.quotedPrintable(String(repeating: "x", count: 100))
        #expect(long.components(separatedBy: "=\r\n").map(\.count) == [75, 25])
    }

    @Test(arguments: [("a@b.c", "a@b.c"), ("Name <a@b.c>", "a@b.c"), (" a@b.c ", "a@b.c")])
    func addresses(text: String, expected: String) {
        #expect(EmailMessage.address(text) == expected)
    }
}
