import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import VigilAlerting

/// What one SMTP transaction delivers: the envelope and the message text (CRLF lines, not yet
/// dot-stuffed).
struct SMTPEnvelope: Sendable, Hashable {
    var from: String
    var recipients: [String]
    var message: String
}

/// How to reach and talk to the smarthost.
struct SMTPSettings: Sendable {
    var host: String
    var port: Int
    /// EHLO/HELO name.
    var hello: String
    /// STARTTLS must be offered and used (Alertmanager's `require_tls`).
    var requireTLS: Bool
    /// TLS from the first byte (port 465, "SMTPS").
    var implicitTLS: Bool
    var tls: TLSConfiguration
    /// TLS server name; the host when nil.
    var serverName: String?
    var username: String
    var password: String
    var identity: String
    var timeout: TimeAmount
}

/// One SMTP conversation over SwiftNIO (RFC 5321): greeting, EHLO (HELO when refused), STARTTLS,
/// AUTH PLAIN or LOGIN, MAIL FROM, RCPT TO per recipient, DATA with dot-stuffing, QUIT.
/// A 4xx reply is a retryable ``NotifyError``, a 5xx one is not; both carry the server's text.
enum SMTPSession {
    static func send(_ envelope: SMTPEnvelope, settings: SMTPSettings) async throws(NotifyError) {
        let target = "\(settings.host):\(settings.port)"
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await converse(envelope, settings: settings) }
                group.addTask {
                    try await Task.sleep(for: .nanoseconds(settings.timeout.nanoseconds))
                    throw NotifyError(
                        retryable: true,
                        "SMTP to \(target) timed out after \(settings.timeout.nanoseconds / 1_000_000_000) s")
                }
                try await group.next()
                group.cancelAll()
            }
        } catch let error as NotifyError {
            throw error
        } catch let error as SMTPMalformedReply {
            throw NotifyError(retryable: true, "SMTP to \(target): \(error)")
        } catch let error as NIOSSLError {
            throw NotifyError(retryable: true, "SMTP to \(target): TLS failed: \(error)")
        } catch {
            throw NotifyError(retryable: true, "SMTP to \(target) failed: \(error)")
        }
    }

    private static func converse(_ envelope: SMTPEnvelope, settings: SMTPSettings) async throws {
        let sslHandler: @Sendable () throws -> NIOSSLClientHandler = {
            let context = try NIOSSLContext(configuration: settings.tls)
            let name = settings.serverName ?? settings.host
            // SNI must not carry an IP address.
            let isAddress = (try? SocketAddress(ipAddress: name, port: 0)) != nil
            return try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : name)
        }
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(settings.timeout)
            .connect(host: settings.host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if settings.implicitTLS { try channel.pipeline.syncOperations.addHandler(try sslHandler()) }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                    return try NIOAsyncChannel<SMTPReply, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var conversation = Conversation(
                replies: inbound.makeAsyncIterator(), outbound: outbound, target: "\(settings.host):\(settings.port)")
            try await conversation.expect("greeting", 220)
            var tlsActive = settings.implicitTLS
            var extensions = try await conversation.hello(settings.hello)
            if !tlsActive {
                if extensions.keys.contains("STARTTLS") {
                    try await conversation.command("STARTTLS", expecting: 220)
                    let underlying = channel.channel
                    try await underlying.eventLoop.submit {
                        try underlying.pipeline.syncOperations.addHandler(try sslHandler(), position: .first)
                    }.get()
                    tlsActive = true
                    extensions = try await conversation.hello(settings.hello)
                } else if settings.requireTLS {
                    // Alertmanager retries this too: the server may be mid-reconfiguration.
                    throw NotifyError(
                        retryable: true,
                        "require_tls is true (the default) but \(settings.host):\(settings.port) does not offer "
                            + "STARTTLS; set require_tls: false to send in clear text, or use port 465 for TLS")
                }
            }
            if !settings.username.isEmpty, let mechanisms = extensions["AUTH"] {
                try await conversation.authenticate(settings, mechanisms: mechanisms, tlsActive: tlsActive)
            }
            try await conversation.command("MAIL FROM:<\(envelope.from)>", expecting: 250)
            for recipient in envelope.recipients {
                try await conversation.command("RCPT TO:<\(recipient)>", expecting: 250, 251)
            }
            try await conversation.command("DATA", expecting: 354)
            try await conversation.sendData(envelope.message)
            try await conversation.expect("the message", 250)
            // The message is accepted; a failing QUIT changes nothing.
            try? await conversation.command("QUIT", expecting: 221)
        }
    }

    /// The client's side of the dialogue: one command, one reply.
    private struct Conversation {
        var replies: NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        let target: String

        mutating func next(_ what: String) async throws -> SMTPReply {
            guard let reply = try await replies.next() else {
                throw NotifyError(retryable: true, "SMTP server \(target) closed the connection (waiting for \(what))")
            }
            return reply
        }

        mutating func expect(_ what: String, _ codes: Int...) async throws {
            let reply = try await next(what)
            try check(reply, what: what, codes: codes)
        }

        func check(_ reply: SMTPReply, what: String, codes: [Int]) throws {
            guard !codes.contains(reply.code) else { return }
            let text = reply.text.isEmpty ? "" : " \(reply.text)"
            throw NotifyError(
                retryable: reply.code < 500, "SMTP server \(target) answered \(what) with \(reply.code)\(text)",
                statusCode: reply.code)
        }

        /// Sends `line`; `shownAs` replaces it in errors when it carries credentials.
        mutating func command(_ line: String, shownAs: String? = nil, expecting codes: Int...) async throws {
            try await outbound.write(ByteBuffer(string: line + "\r\n"))
            let what = shownAs ?? line
            let reply = try await next(what)
            try check(reply, what: what, codes: codes)
        }

        /// EHLO, falling back to HELO when the server refuses it; returns the EHLO extensions (keyword →
        /// parameters), empty after HELO.
        mutating func hello(_ name: String) async throws -> [String: String] {
            try await outbound.write(ByteBuffer(string: "EHLO \(name)\r\n"))
            let reply = try await next("EHLO")
            if reply.code == 250 {
                var extensions: [String: String] = [:]
                for line in reply.lines.dropFirst() {
                    let parts = line.split(separator: " ", maxSplits: 1)
                    guard let keyword = parts.first else { continue }
                    extensions[keyword.uppercased()] = parts.count > 1 ? String(parts[1]) : ""
                }
                return extensions
            }
            guard reply.code >= 500 else { try check(reply, what: "EHLO", codes: [250]); return [:] }
            try await command("HELO \(name)", expecting: 250)
            return [:]
        }

        /// AUTH PLAIN when offered, else LOGIN; never in clear text to another host (as Go's
        /// `smtp.PlainAuth`, which Alertmanager uses).
        mutating func authenticate(_ settings: SMTPSettings, mechanisms: String, tlsActive: Bool) async throws {
            let offered = Set(mechanisms.uppercased().split(separator: " ").map(String.init))
            let local = ["localhost", "127.0.0.1", "::1"].contains(settings.host)
            guard tlsActive || local else {
                throw NotifyError(
                    retryable: false,
                    "refusing to send auth_username/auth_password to \(target) over an unencrypted connection")
            }
            if offered.contains("PLAIN") {
                let token = Data("\(settings.identity)\u{0}\(settings.username)\u{0}\(settings.password)".utf8)
                try await command(
                    "AUTH PLAIN \(token.base64EncodedString())", shownAs: "AUTH PLAIN", expecting: 235)
            } else if offered.contains("LOGIN") {
                try await command("AUTH LOGIN", expecting: 334)
                try await command(
                    Data(settings.username.utf8).base64EncodedString(), shownAs: "AUTH LOGIN user name", expecting: 334)
                try await command(
                    Data(settings.password.utf8).base64EncodedString(), shownAs: "AUTH LOGIN password", expecting: 235)
            } else {
                throw NotifyError(
                    retryable: false,
                    "SMTP server \(target) offers AUTH \(mechanisms), none of which Vigil speaks (PLAIN, LOGIN)")
            }
        }

        /// The message with every line that starts with "." doubled (RFC 5321 §4.5.2), CRLF line ends,
        /// then the terminating ".".
        mutating func sendData(_ message: String) async throws {
            var text = ""
            text.reserveCapacity(message.utf8.count + 64)
            // Split on the scalar: in Swift "\r\n" is one Character, which Character-based splitting keeps whole.
            var lines = message.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map {
                String(String.UnicodeScalarView($0))
            }
            if lines.last == "" { lines.removeLast() }
            for var line in lines {
                if line.unicodeScalars.last == "\r" { line.unicodeScalars.removeLast() }
                if line.hasPrefix(".") { text += "." }
                text += line
                text += "\r\n"
            }
            text += ".\r\n"
            try await outbound.write(ByteBuffer(string: text))
        }
    }
}
