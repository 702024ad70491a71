import Foundation
import VigilAlerting
import VigilModel
import VigilTemplate

/// A configured text field (a template in Alertmanager's configuration) rendered for one notification
/// with Go's text/template semantics, Alertmanager's functions and its template data: `.Receiver`,
/// `.Status`, `.Alerts` (with `.Firing` and `.Resolved`), `.GroupLabels`, `.CommonLabels`,
/// `.CommonAnnotations` (with `.SortedPairs`, `.Names`, `.Values`), `.ExternalURL`; each alert has
/// `.Status`, `.Labels`, `.Annotations`, `.StartsAt`, `.EndsAt`, `.GeneratorURL`, `.Fingerprint`.
///
/// `{{ template "name" . }}` reaches the ``NotificationTemplates`` (Alertmanager's default names and
/// the configuration's `templates:` files).
enum NotificationText {
    static func render(
        _ text: String, field: String, data: NotificationData, templates: NotificationTemplates = .defaults
    ) throws(NotifyError) -> String {
        guard text.contains("{{") else { return text }
        do {
            let template = try Template(name: field, text: text, functions: .alertmanager, library: templates.library)
            return try template.execute(templateData(data))
        } catch {
            // A template that does not parse or run fails the same way every time: not retryable.
            throw NotifyError(retryable: false, "\(field): \(error)")
        }
    }

    /// Alertmanager's `template.Data` for a notification.
    static func templateData(_ data: NotificationData) -> TemplateValue {
        .map([
            "Receiver": .string(data.receiver),
            "Status": .string(data.status.rawValue),
            "Alerts": .list(
                data.alerts.map { alert in
                    .map([
                        "Status": .string(alert.status.rawValue),
                        "Labels": TemplateValue(alert.labels),
                        "Annotations": TemplateValue(alert.annotations),
                        "StartsAt": .string(GoTime.rfc3339Nano(alert.startsAt)),
                        "EndsAt": .string(GoTime.rfc3339Nano(alert.endsAt)),
                        "GeneratorURL": .string(alert.generatorURL),
                        "Fingerprint": .string(alert.fingerprint),
                    ])
                }),
            "GroupLabels": TemplateValue(data.groupLabels),
            "CommonLabels": TemplateValue(data.commonLabels),
            "CommonAnnotations": TemplateValue(data.commonAnnotations),
            "ExternalURL": .string(data.externalURL),
        ])
    }
}
