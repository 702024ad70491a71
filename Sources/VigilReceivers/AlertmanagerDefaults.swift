import VigilAlerting
import VigilModel

/// What a receiver falls back to when a field is empty: Alertmanager's default templates, rendered
/// from ``NotificationTemplates`` (defined once, there), plus a plain-text e-mail part of Vigil's own.
enum AlertmanagerDefaults {
    /// `{{ template "name" . }}` of the default library; its templates are fixed and tested, so a
    /// failure is a programmer error.
    static func render(_ name: String, _ data: NotificationData) -> String {
        // The calling template gets a name no definition has, or it would call itself.
        (try? NotificationText.render("{{ template \"\(name)\" . }}", field: "default \(name)", data: data)) ?? ""
    }

    /// `__subject`: `[FIRING:2] GPUHot c1 (gpu-01 warning)`: the status (with the firing count), the group
    /// labels' values, then in brackets the values of the common labels that are not group labels.
    static func subject(_ data: NotificationData) -> String { render("__subject", data) }

    /// `__alertmanagerURL`: the alerts view of the receiver.
    static func alertmanagerURL(_ data: NotificationData) -> String { render("__alertmanagerURL", data) }

    /// `email.default.html`.
    static func html(_ data: NotificationData) -> String { render("email.default.html", data) }

    /// `__text_alert_list` for the firing, then the resolved alerts, under headings: the plain-text
    /// part of the default e-mail (Alertmanager's default e-mail has only an HTML part).
    static func text(_ data: NotificationData) -> String {
        var text = subject(data) + "\n\n"
        for (title, status) in [("Firing", AlertStatus.firing), ("Resolved", .resolved)] {
            let alerts = data.alerts.filter { $0.status == status }
            guard !alerts.isEmpty else { continue }
            text += "[\(alerts.count)] \(title)\n\n"
            for alert in alerts {
                text += "Labels:\n"
                for label in sorted(alert.labels) { text += " - \(label.name) = \(label.value)\n" }
                text += "Annotations:\n"
                for label in sorted(alert.annotations) { text += " - \(label.name) = \(label.value)\n" }
                text += "Source: \(alert.generatorURL)\n\n"
            }
        }
        text += "View in Alertmanager: \(alertmanagerURL(data))\n"
        return text
    }

    static func sorted(_ labels: Labels) -> [Label] {
        labels.pairs.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

}
