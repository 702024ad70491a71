import AsyncHTTPClient
import VigilAlerting
import VigilConfig

/// `slack_configs`: one Slack incoming-webhook message with one attachment, one attempt per call. Empty
/// fields take Alertmanager's `slack.default.*` values (title: the subject, title link: the
/// Alertmanager URL, fallback: `title | link`, username `AlertManager`); color defaults to `danger` while
/// firing and `good` once resolved, as Alertmanager's configuration default does.
public struct SlackNotifier: Notifier {
    public let config: SlackReceiverConfig
    /// What `{{ template "name" . }}` in a field reaches.
    public let templates: NotificationTemplates
    let endpoint: HTTPEndpoint

    /// Fails (not retryable) when `api_url` or the TLS files are unusable.
    public init(
        config: SlackReceiverConfig, templates: NotificationTemplates = .defaults,
        client: HTTPClient = ReceiverHTTPClient.shared
    ) throws(NotifyError) {
        self.config = config
        self.templates = templates
        self.endpoint = try HTTPEndpoint(
            url: config.apiURL, httpConfig: config.httpConfig, timeout: .zero, client: client)
    }

    public func notify(_ notification: NotificationData) async throws(NotifyError) {
        let body = try payload(notification)
        try await endpoint.post(
            body, contentType: "application/json", userAgent: WebhookNotifier.userAgent, what: "slack")
    }

    /// The JSON message, keys in the order of Alertmanager's `slack.request`.
    func payload(_ data: NotificationData) throws(NotifyError) -> [UInt8] {
        func field(_ value: String, _ name: String, default fallback: @autoclosure () -> String) throws(NotifyError)
            -> String
        {
            value.isEmpty
                ? fallback() : try NotificationText.render(value, field: name, data: data, templates: templates)
        }
        let title = try field(config.title, "title", default: AlertmanagerDefaults.subject(data))
        let titleLink = try field(config.titleLink, "title_link", default: AlertmanagerDefaults.alertmanagerURL(data))
        let fallback = try field(config.fallback, "fallback", default: "\(title) | \(titleLink)")
        let color = try field(config.color, "color", default: data.status == .firing ? "danger" : "good")
        let username = try field(config.username, "username", default: "AlertManager")
        var json = GoJSONWriter()
        json.raw("{")
        var first = true
        func member(_ name: String, _ value: String, omitEmpty: Bool = true) {
            if omitEmpty && value.isEmpty { return }
            if !first { json.raw(",") }
            first = false
            json.key(name)
            json.string(value)
        }
        member(
            "channel", try NotificationText.render(config.channel, field: "channel", data: data, templates: templates))
        member("username", username)
        member(
            "icon_emoji",
            try NotificationText.render(config.iconEmoji, field: "icon_emoji", data: data, templates: templates))
        member(
            "icon_url", try NotificationText.render(config.iconURL, field: "icon_url", data: data, templates: templates)
        )
        if config.linkNames {
            json.raw(first ? "" : ",")
            first = false
            json.key("link_names")
            json.raw("true")
        }
        if !first { json.raw(",") }
        json.key("attachments")
        json.raw("[{")
        first = true
        member("title", title)
        member("title_link", titleLink)
        member(
            "pretext", try NotificationText.render(config.pretext, field: "pretext", data: data, templates: templates))
        member("text", try NotificationText.render(config.text, field: "text", data: data, templates: templates))
        member("fallback", fallback)
        member("color", color)
        member("footer", try NotificationText.render(config.footer, field: "footer", data: data, templates: templates))
        json.raw(",")
        json.key("mrkdwn_in")
        json.raw("[\"fallback\",\"pretext\",\"text\"]")
        json.raw("}]}\n")
        return json.bytes
    }
}
