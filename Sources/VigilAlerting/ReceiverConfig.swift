import Foundation
import VigilConfig
import VigilModel

/// One `receivers` entry of an Alertmanager configuration. The configuration parser applies the
/// `global` defaults (smtp_*, slack_api_url, http_config) before these values are built; template
/// fields hold the template text, rendered per notification by the receiver.
public struct ReceiverConfig: Sendable, Hashable {
    public var name: String
    public var webhookConfigs: [WebhookReceiverConfig]
    public var slackConfigs: [SlackReceiverConfig]
    public var emailConfigs: [EmailReceiverConfig]

    public init(
        name: String, webhookConfigs: [WebhookReceiverConfig] = [], slackConfigs: [SlackReceiverConfig] = [],
        emailConfigs: [EmailReceiverConfig] = []
    ) {
        self.name = name
        self.webhookConfigs = webhookConfigs
        self.slackConfigs = slackConfigs
        self.emailConfigs = emailConfigs
    }
}

/// `webhook_configs`: POSTs Alertmanager's JSON payload, version 4.
public struct WebhookReceiverConfig: Sendable, Hashable {
    /// Default true.
    public var sendResolved: Bool
    public var url: String
    /// 0 = all alerts; otherwise the payload holds the first `maxAlerts` and counts the rest in `truncatedAlerts`.
    public var maxAlerts: Int
    /// 0 = none beyond the pipeline's own.
    public var timeout: Duration
    public var httpConfig: HTTPClientConfig

    public init(
        sendResolved: Bool = true, url: String, maxAlerts: Int = 0, timeout: Duration = .zero,
        httpConfig: HTTPClientConfig = HTTPClientConfig()
    ) {
        self.sendResolved = sendResolved
        self.url = url
        self.maxAlerts = maxAlerts
        self.timeout = timeout
        self.httpConfig = httpConfig
    }
}

/// `slack_configs`: a Slack incoming-webhook message (Mattermost and Rocket.Chat accept the same).
/// Empty template fields mean Alertmanager's default templates (`slack.default.*`).
public struct SlackReceiverConfig: Sendable, Hashable {
    /// Default false.
    public var sendResolved: Bool
    public var apiURL: String
    public var channel: String
    public var username: String
    public var color: String
    public var title: String
    public var titleLink: String
    public var pretext: String
    public var text: String
    public var footer: String
    public var fallback: String
    public var iconEmoji: String
    public var iconURL: String
    public var linkNames: Bool
    public var httpConfig: HTTPClientConfig

    public init(
        sendResolved: Bool = false, apiURL: String, channel: String = "", username: String = "", color: String = "",
        title: String = "", titleLink: String = "", pretext: String = "", text: String = "", footer: String = "",
        fallback: String = "", iconEmoji: String = "", iconURL: String = "", linkNames: Bool = false,
        httpConfig: HTTPClientConfig = HTTPClientConfig()
    ) {
        self.sendResolved = sendResolved
        self.apiURL = apiURL
        self.channel = channel
        self.username = username
        self.color = color
        self.title = title
        self.titleLink = titleLink
        self.pretext = pretext
        self.text = text
        self.footer = footer
        self.fallback = fallback
        self.iconEmoji = iconEmoji
        self.iconURL = iconURL
        self.linkNames = linkNames
        self.httpConfig = httpConfig
    }
}

/// `email_configs`: a message over SMTP. Empty `html`/`text` mean Alertmanager's default templates.
public struct EmailReceiverConfig: Sendable, Hashable {
    /// Default false.
    public var sendResolved: Bool
    /// Comma-separated addresses (a template).
    public var to: String
    public var from: String
    /// `host:port`.
    public var smarthost: String
    /// EHLO name; default `localhost`.
    public var hello: String
    public var authUsername: String
    public var authPassword: String
    public var authIdentity: String
    public var authSecret: String
    /// STARTTLS required (default true); port 465 means implicit TLS.
    public var requireTLS: Bool
    public var tlsConfig: TLSConfig
    /// Header name → template (Subject, To, From are defaulted when absent).
    public var headers: [String: String]
    public var html: String
    public var text: String

    public init(
        sendResolved: Bool = false, to: String, from: String, smarthost: String, hello: String = "localhost",
        authUsername: String = "", authPassword: String = "", authIdentity: String = "", authSecret: String = "",
        requireTLS: Bool = true, tlsConfig: TLSConfig = TLSConfig(), headers: [String: String] = [:],
        html: String = "", text: String = ""
    ) {
        self.sendResolved = sendResolved
        self.to = to
        self.from = from
        self.smarthost = smarthost
        self.hello = hello
        self.authUsername = authUsername
        self.authPassword = authPassword
        self.authIdentity = authIdentity
        self.authSecret = authSecret
        self.requireTLS = requireTLS
        self.tlsConfig = tlsConfig
        self.headers = headers
        self.html = html
        self.text = text
    }
}
