import AsyncHTTPClient
import VigilAlerting
import VigilConfig

/// `webhook_configs`: POSTs Alertmanager's JSON payload (version 4) to the configured URL, one attempt
/// per call.
public struct WebhookNotifier: Notifier {
    /// Alertmanager's own User-Agent, not Vigil's: receivers written for Alertmanager key off it.
    public static let userAgent = "Alertmanager/0.25.0"

    public let config: WebhookReceiverConfig
    let endpoint: HTTPEndpoint

    /// Fails (not retryable) when the URL or the TLS files are unusable.
    public init(config: WebhookReceiverConfig, client: HTTPClient = ReceiverHTTPClient.shared) throws(NotifyError) {
        self.config = config
        self.endpoint = try HTTPEndpoint(
            url: config.url, httpConfig: config.httpConfig, timeout: config.timeout, client: client)
    }

    public func notify(_ notification: NotificationData) async throws(NotifyError) {
        let body = WebhookPayload.encode(notification, maxAlerts: config.maxAlerts)
        try await endpoint.post(body, contentType: "application/json", userAgent: Self.userAgent, what: "webhook")
    }
}
