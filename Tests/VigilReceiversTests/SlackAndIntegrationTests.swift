import Foundation
import Testing
import VigilAlerting
import VigilConfig
import VigilModel

@testable import VigilReceivers

@Suite struct SlackNotifierTests {
    @Test func defaultsFollowAlertmanagersTemplates() throws {
        let notifier = try SlackNotifier(
            config: SlackReceiverConfig(apiURL: "https://hooks.slack.test/services/x", channel: "#gpu", linkNames: true)
        )
        let bytes = try notifier.payload(sampleNotification(startsAt: sampleStart))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["channel"] as? String == "#gpu")
        #expect(object["username"] as? String == "AlertManager")
        #expect(object["link_names"] as? Bool == true)
        let attachment = try #require((object["attachments"] as? [[String: Any]])?.first)
        #expect(attachment["title"] as? String == "[FIRING:1] Raw c9 (info)")
        #expect(attachment["title_link"] as? String == "http://vm:9093/#/alerts?receiver=default")
        #expect(attachment["fallback"] as? String == "[FIRING:1] Raw c9 (info) | http://vm:9093/#/alerts?receiver=default")
        #expect(attachment["color"] as? String == "danger")
        #expect(attachment["mrkdwn_in"] as? [String] == ["fallback", "pretext", "text"])
        #expect(attachment["text"] == nil)
    }

    @Test func configuredPlainFieldsAreUsed() throws {
        let notifier = try SlackNotifier(
            config: SlackReceiverConfig(
                apiURL: "https://hooks.slack.test/x", color: "warning", title: "GPU trouble", text: "see runbook",
                footer: "vigil", iconEmoji: ":fire:"))
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(notifier.payload(sampleNotification(startsAt: sampleStart))))
                as? [String: Any])
        #expect(object["icon_emoji"] as? String == ":fire:")
        let attachment = try #require((object["attachments"] as? [[String: Any]])?.first)
        #expect(attachment["title"] as? String == "GPU trouble")
        #expect(attachment["text"] as? String == "see runbook")
        #expect(attachment["footer"] as? String == "vigil")
        #expect(attachment["color"] as? String == "warning")
    }

    @Test func badAPIURLIsRefused() {
        #expect(throws: NotifyError.self) { try SlackNotifier(config: SlackReceiverConfig(apiURL: "")) }
    }
}

@Suite struct ReceiverIntegrationsTests {
    @Test func oneIntegrationPerEntryIndexedPerKind() {
        let receiver = ReceiverConfig(
            name: "team",
            webhookConfigs: [
                WebhookReceiverConfig(url: "http://a/", maxAlerts: 2),
                WebhookReceiverConfig(sendResolved: false, url: "http://b/"),
            ],
            slackConfigs: [SlackReceiverConfig(apiURL: "https://hooks.slack.test/x")],
            emailConfigs: [EmailReceiverConfig(to: "a@b.c", from: "d@e.f", smarthost: "mail:25")])
        let integrations = ReceiverIntegrations.make(receiver)
        #expect(integrations.map(\.name) == ["webhook", "webhook", "slack", "email"])
        #expect(integrations.map(\.index) == [0, 1, 0, 0])
        #expect(integrations.map(\.sendResolved) == [true, false, false, false])
        #expect(integrations.map(\.maxAlerts) == [2, 0, 0, 0])
        #expect(integrations[0].notifier is WebhookNotifier)
        #expect(integrations[2].notifier is SlackNotifier)
        #expect(integrations[3].notifier is EmailNotifier)
    }

    @Test func unusableEntryFailsEveryAttemptWithItsError() async {
        let integrations = ReceiverIntegrations.make(
            ReceiverConfig(name: "broken", webhookConfigs: [WebhookReceiverConfig(url: "not a url")]))
        #expect(integrations.count == 1)
        do {
            try await integrations[0].notifier.notify(sampleNotification(startsAt: sampleStart))
            Issue.record("expected an error")
        } catch {
            #expect(!error.retryable)
            #expect(error.message.contains("not a url"))
        }
    }
}
