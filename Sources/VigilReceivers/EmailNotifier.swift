import Foundation
import NIOCore
import VigilAlerting
import VigilConfig

/// `email_configs`: one message per notification over SMTP (``SMTPSession``), one attempt per call.
///
/// The subject defaults to Alertmanager's `email.default.subject`; the body is multipart/alternative
/// with a readable text part and a compact HTML part (Alertmanager's full `email.default.html`, kilobytes
/// of inline CSS, is not reproduced) unless `text`/`html` are configured.
public struct EmailNotifier: Notifier {
    public let config: EmailReceiverConfig
    /// What `{{ template "name" . }}` in a field reaches.
    public let templates: NotificationTemplates
    let host: String
    let port: Int
    let timeout: TimeAmount
    let now: @Sendable () -> Date

    /// Fails (not retryable) when `smarthost` is not `host:port`. `now` dates the messages.
    public init(
        config: EmailReceiverConfig, templates: NotificationTemplates = .defaults, timeout: Duration = .seconds(30),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws(NotifyError) {
        guard let (host, port) = Self.hostAndPort(config.smarthost) else {
            throw NotifyError(
                retryable: false, "smarthost \"\(config.smarthost)\" is not host:port (e.g. smtp.example.org:587)")
        }
        self.config = config
        self.templates = templates
        self.host = host
        self.port = port
        self.timeout = .nanoseconds(
            timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        self.now = now
    }

    static func hostAndPort(_ smarthost: String) -> (String, Int)? {
        guard let colon = smarthost.lastIndex(of: ":") else { return nil }
        var host = String(smarthost[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(smarthost[smarthost.index(after: colon)...]), (1...65535).contains(port)
        else { return nil }
        return (host, port)
    }

    public func notify(_ notification: NotificationData) async throws(NotifyError) {
        let (envelope, _) = try makeEnvelope(notification)
        let tls = try HTTPEndpoint.tlsConfiguration(config.tlsConfig)
        let settings = SMTPSettings(
            host: host, port: port, hello: config.hello.isEmpty ? "localhost" : config.hello,
            requireTLS: config.requireTLS, implicitTLS: port == 465, tls: tls, serverName: config.tlsConfig.serverName,
            username: config.authUsername, password: config.authPassword, identity: config.authIdentity,
            timeout: timeout)
        try await SMTPSession.send(envelope, settings: settings)
    }

    /// The envelope and message for `notification`.
    func makeEnvelope(_ notification: NotificationData) throws(NotifyError) -> (SMTPEnvelope, EmailMessage) {
        let to = try NotificationText.render(config.to, field: "to", data: notification, templates: templates)
        let fromText = try NotificationText.render(config.from, field: "from", data: notification, templates: templates)
        guard let from = EmailMessage.address(fromText) else {
            throw NotifyError(retryable: false, "from \"\(fromText)\" is not an e-mail address")
        }
        var recipients: [String] = []
        for part in to.split(separator: ",") {
            guard let address = EmailMessage.address(String(part)) else {
                throw NotifyError(retryable: false, "to \"\(part)\" is not an e-mail address")
            }
            recipients.append(address)
        }
        guard !recipients.isEmpty else { throw NotifyError(retryable: false, "to holds no address") }

        var configured: [String: String] = [:]
        for (name, value) in config.headers { configured[Self.canonical(name)] = value }
        var headers: [(name: String, value: String)] = []
        let subject = try configured["Subject"].map { value throws(NotifyError) in
            try NotificationText.render(value, field: "headers.Subject", data: notification, templates: templates)
        }
        headers.append(("Subject", subject ?? AlertmanagerDefaults.subject(notification)))
        headers.append(("From", configured["From"] ?? fromText))
        headers.append(("To", configured["To"] ?? to))
        for (name, value) in configured.sorted(by: { $0.key < $1.key })
        where !["Subject", "From", "To"].contains(name) {
            headers.append(
                (
                    name,
                    try NotificationText.render(
                        value, field: "headers.\(name)", data: notification, templates: templates)
                ))
        }
        let date = now()
        if configured["Message-Id"] == nil {
            let nanoseconds = Int64(date.timeIntervalSince1970 * 1e9)
            let hostname = ProcessInfo.processInfo.hostName
            headers.append(("Message-Id", "<\(UInt64.random(in: 0...UInt64.max)).\(nanoseconds)@\(hostname)>"))
        }
        headers.append(("Date", EmailMessage.date(date)))
        let text =
            config.text.isEmpty
            ? AlertmanagerDefaults.text(notification)
            : try NotificationText.render(config.text, field: "text", data: notification, templates: templates)
        let html =
            config.html.isEmpty
            ? AlertmanagerDefaults.html(notification)
            : try NotificationText.render(config.html, field: "html", data: notification, templates: templates)
        let boundary = (0..<30).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
        let message = EmailMessage(headers: headers, text: text, html: html, boundary: boundary)
        return (SMTPEnvelope(from: from, recipients: recipients, message: message.rendered), message)
    }

    /// Go's `textproto.CanonicalMIMEHeaderKey`: `message-id` → `Message-Id`.
    static func canonical(_ name: String) -> String {
        name.split(separator: "-", omittingEmptySubsequences: false).map { part in
            part.prefix(1).uppercased() + part.dropFirst().lowercased()
        }.joined(separator: "-")
    }
}
