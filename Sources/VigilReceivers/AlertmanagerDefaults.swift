import VigilAlerting
import VigilModel

/// Alertmanager's default templates (`template/default.tmpl`) that a receiver falls back to when a
/// field is empty, computed directly rather than through the template engine.
enum AlertmanagerDefaults {
    /// `__subject`: `[FIRING:2] GPUHot c1 (gpu-01 warning)`: the status (with the firing count), the group
    /// labels' values, then in brackets the values of the common labels that are not group labels.
    static func subject(_ data: NotificationData) -> String {
        var text = "[" + data.status.rawValue.uppercased()
        if data.status == .firing { text += ":\(data.alerts.filter { $0.status == .firing }.count)" }
        text += "] " + sortedValues(data.groupLabels).joined(separator: " ") + " "
        if data.commonLabels.count > data.groupLabels.count {
            let groupNames = Set(data.groupLabels.map(\.name))
            let rest = Labels(data.commonLabels.filter { !groupNames.contains($0.name) })
            text += "(" + sortedValues(rest).joined(separator: " ") + ")"
        }
        return text
    }

    /// `__alertmanagerURL`.
    static func alertmanagerURL(_ data: NotificationData) -> String { data.externalURL + "/#/alerts" }

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

    /// A compact HTML rendering with the content of Alertmanager's `email.default.html` (the heading,
    /// the link, firing then resolved alerts with labels, annotations and source) but not its
    /// kilobytes of inline styles.
    static func html(_ data: NotificationData) -> String {
        var html =
            "<!DOCTYPE html>\n<html><head><meta charset=\"UTF-8\"><title>\(escape(subject(data)))</title></head>\n"
        html += "<body style=\"font-family: Helvetica, Arial, sans-serif; font-size: 14px;\">\n"
        let count = data.alerts.count
        let groups = sorted(data.groupLabels).map { "\(escape($0.name))=\(escape($0.value))" }.joined(separator: " ")
        html +=
            "<h2 style=\"background: #E6522C; color: #fff; padding: 12px;\">\(count) alert\(count == 1 ? "" : "s") for \(groups)</h2>\n"
        html += "<p><a href=\"\(escape(alertmanagerURL(data)))\">View in Alertmanager</a></p>\n"
        for (title, status) in [("Firing", AlertStatus.firing), ("Resolved", .resolved)] {
            let alerts = data.alerts.filter { $0.status == status }
            guard !alerts.isEmpty else { continue }
            html +=
                "<h3>[\(alerts.count)] \(title)</h3>\n<table cellpadding=\"4\" style=\"border-collapse: collapse;\">\n"
            for alert in alerts {
                html += "<tr><td style=\"border-top: 1px solid #e9e9e9;\"><strong>Labels</strong><br>"
                html += sorted(alert.labels).map { "\(escape($0.name)) = \(escape($0.value))" }.joined(
                    separator: "<br>")
                if !alert.annotations.isEmpty {
                    html += "<br><strong>Annotations</strong><br>"
                    html += sorted(alert.annotations).map { "\(escape($0.name)) = \(escape($0.value))" }
                        .joined(separator: "<br>")
                }
                html += "<br><a href=\"\(escape(alert.generatorURL))\">Source</a></td></tr>\n"
            }
            html += "</table>\n"
        }
        html +=
            "<p style=\"color: #999; font-size: 12px;\"><a href=\"\(escape(data.externalURL))\">Sent by Alertmanager</a></p>\n"
        html += "</body></html>\n"
        return html
    }

    static func sorted(_ labels: Labels) -> [Label] {
        labels.pairs.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    static func sortedValues(_ labels: Labels) -> [String] { sorted(labels).map(\.value) }

    /// Go's `html/template` escaping of text and attribute values.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&#34;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
