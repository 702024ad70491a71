import Foundation
import Testing
import VigilAlerting
import VigilModel

@testable import VigilReceivers

/// Receiver fields call Alertmanager's default templates and the configuration's template files.
@Suite struct NotificationTemplatesTests {
    @Test func theDefaultNamesRenderAsAlertmanagers() throws {
        let data = sampleNotification(startsAt: sampleStart)
        #expect(NotificationTemplates.defaults.names.contains("slack.default.title"))
        #expect(
            try NotificationText.render("{{ template \"slack.default.title\" . }}", field: "title", data: data)
                == "[FIRING:1] Raw c9 (info)")
        #expect(
            try NotificationText.render("{{ template \"__alertmanagerURL\" . }}", field: "t", data: data)
                == "http://vm:9093/#/alerts?receiver=default")
        let list = try NotificationText.render(
            "{{ template \"__text_alert_list\" .Alerts.Firing }}", field: "text", data: data)
        #expect(list.contains(" - alertname = Raw\n"))
        #expect(list.contains("Source: http://x/y"))
        let html = AlertmanagerDefaults.html(data)
        #expect(html.contains("<h3>[1] Firing</h3>"))
        #expect(html.contains("alertname = Raw"))
        #expect(!html.contains("Resolved"))
    }

    @Test func templateFilesDefineMoreAndOverrideTheDefaults() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-tmpl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("gpu.tmpl")
        try """
        {{ define "gpu.title" }}{{ .CommonLabels.alertname }} on {{ len .Alerts }} GPU(s){{ end }}
        {{ define "__alertmanager" }}Vigil{{ end }}
        """.write(to: file, atomically: true, encoding: .utf8)
        let templates = try NotificationTemplates(files: [file.path])
        let data = sampleNotification(startsAt: sampleStart)
        #expect(
            try NotificationText.render(
                "{{ template \"gpu.title\" . }}", field: "title", data: data, templates: templates)
                == "Raw on 1 GPU(s)")
        #expect(
            try NotificationText.render(
                "{{ template \"slack.default.username\" . }}", field: "username", data: data, templates: templates)
                == "Vigil")

        let slack = try SlackNotifier(
            config: SlackReceiverConfig(apiURL: "http://127.0.0.1:1/hook", title: "{{ template \"gpu.title\" . }}"),
            templates: templates)
        let payload = try #require(
            try JSONSerialization.jsonObject(with: Data(slack.payload(data))) as? [String: Any])
        let attachment = try #require((payload["attachments"] as? [[String: Any]])?.first)
        #expect(attachment["title"] as? String == "Raw on 1 GPU(s)")
    }

    @Test func aBadTemplateFileIsNamedWithItsPosition() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-tmpl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.tmpl")
        try "{{ define \"x\" }}\n{{ .Status\n{{ end }}".write(to: file, atomically: true, encoding: .utf8)
        do {
            _ = try NotificationTemplates(files: [file.path])
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("bad.tmpl"), "\(error.message)")
            #expect(!error.retryable)
        }
        #expect(throws: NotifyError.self) { try NotificationTemplates(files: [directory.path + "/missing.tmpl"]) }
    }
}
