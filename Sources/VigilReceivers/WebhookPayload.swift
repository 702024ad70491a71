import Foundation
import VigilAlerting
import VigilModel

/// Alertmanager's webhook payload, version 4, encoded exactly as Alertmanager 0.25 does: the keys in its
/// order, label maps sorted, Go's string escaping and time format, and the trailing newline of Go's
/// `json.Encoder`.
public enum WebhookPayload {
    /// The payload of `notification`, its alerts cut to `maxAlerts` (0 = all) and the rest counted in
    /// `truncatedAlerts`.
    public static func encode(_ notification: NotificationData, maxAlerts: Int = 0) -> [UInt8] {
        var alerts = notification.alerts
        var truncated = notification.truncatedAlerts
        if maxAlerts > 0, alerts.count > maxAlerts {
            truncated += alerts.count - maxAlerts
            alerts.removeLast(alerts.count - maxAlerts)
        }
        var json = GoJSONWriter()
        json.raw("{")
        json.key("receiver")
        json.string(notification.receiver)
        json.raw(",")
        json.key("status")
        json.string(notification.status.rawValue)
        json.raw(",")
        json.key("alerts")
        json.raw("[")
        for (position, alert) in alerts.enumerated() {
            if position > 0 { json.raw(",") }
            json.raw("{")
            json.key("status")
            json.string(alert.status.rawValue)
            json.raw(",")
            json.key("labels")
            json.map(alert.labels)
            json.raw(",")
            json.key("annotations")
            json.map(alert.annotations)
            json.raw(",")
            json.key("startsAt")
            json.time(alert.startsAt)
            json.raw(",")
            json.key("endsAt")
            json.time(alert.endsAt)
            json.raw(",")
            json.key("generatorURL")
            json.string(alert.generatorURL)
            json.raw(",")
            json.key("fingerprint")
            json.string(alert.fingerprint)
            json.raw("}")
        }
        json.raw("],")
        json.key("groupLabels")
        json.map(notification.groupLabels)
        json.raw(",")
        json.key("commonLabels")
        json.map(notification.commonLabels)
        json.raw(",")
        json.key("commonAnnotations")
        json.map(notification.commonAnnotations)
        json.raw(",")
        json.key("externalURL")
        json.string(notification.externalURL)
        json.raw(",")
        json.key("version")
        json.string("4")
        json.raw(",")
        json.key("groupKey")
        json.string(notification.groupKey)
        json.raw(",")
        json.key("truncatedAlerts")
        json.raw(String(truncated))
        json.raw("}\n")
        return json.bytes
    }
}
