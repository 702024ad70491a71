import AsyncHTTPClient
import VigilAlerting

/// Builds the integrations of a receiver (VigilAlerting's ``IntegrationFactory``): one per
/// `webhook_configs`, `slack_configs` and `email_configs` entry, indexed per kind in configuration
/// order, as Alertmanager names them in its notification log and metrics.
public enum ReceiverIntegrations {
    /// The integrations of `receiver`. An entry that cannot be built (a bad URL, unreadable TLS files)
    /// becomes an integration whose every attempt fails with that non-retryable error, so the problem
    /// shows in the notification counters and logs instead of silently losing the receiver.
    public static func make(
        _ receiver: ReceiverConfig, templates: NotificationTemplates = .defaults,
        client: HTTPClient = ReceiverHTTPClient.shared
    ) -> [Integration] {
        var integrations: [Integration] = []
        for (index, config) in receiver.webhookConfigs.enumerated() {
            integrations.append(
                Integration(
                    name: "webhook", index: index, sendResolved: config.sendResolved, maxAlerts: config.maxAlerts,
                    notifier: build { () throws(NotifyError) in try WebhookNotifier(config: config, client: client) }))
        }
        for (index, config) in receiver.slackConfigs.enumerated() {
            integrations.append(
                Integration(
                    name: "slack", index: index, sendResolved: config.sendResolved,
                    notifier: build { () throws(NotifyError) in
                        try SlackNotifier(config: config, templates: templates, client: client)
                    }))
        }
        for (index, config) in receiver.emailConfigs.enumerated() {
            integrations.append(
                Integration(
                    name: "email", index: index, sendResolved: config.sendResolved,
                    notifier: build { () throws(NotifyError) in try EmailNotifier(config: config, templates: templates)
                    }))
        }
        return integrations
    }

    /// ``make(_:templates:client:)`` as VigilAlerting's factory type.
    public static func factory(
        templates: NotificationTemplates = .defaults, client: HTTPClient = ReceiverHTTPClient.shared
    ) -> IntegrationFactory {
        { receiver in make(receiver, templates: templates, client: client) }
    }

    private static func build(_ body: () throws(NotifyError) -> any Notifier) -> any Notifier {
        do {
            return try body()
        } catch {
            return FailingNotifier(error: error)
        }
    }
}

/// An integration whose configuration could not be used: every attempt fails with the same error.
struct FailingNotifier: Notifier {
    let error: NotifyError

    func notify(_ notification: NotificationData) async throws(NotifyError) { throw error }
}
