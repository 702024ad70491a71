import Foundation
import VigilModel

/// One alert handed to the Alertmanagers of `alerting.alertmanagers`: Prometheus's `notifier.Alert`.
public struct ForwardedAlert: Sendable, Hashable {
    public var labels: Labels
    public var annotations: Labels
    public var startsAt: Date
    /// `nil`: still firing with no known end (the field is left out; Alertmanager applies its
    /// `resolve_timeout`).
    public var endsAt: Date?
    public var generatorURL: String

    public init(
        labels: Labels, annotations: Labels = Labels(), startsAt: Date, endsAt: Date? = nil, generatorURL: String = ""
    ) {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
    }

    /// A batch as Alertmanager's API v2 `POST /api/v2/alerts` takes it (`PostableAlerts`).
    static func encode(_ alerts: some Collection<ForwardedAlert>) -> [UInt8] {
        var json = GoJSONWriter()
        json.raw("[")
        for (position, alert) in alerts.enumerated() {
            if position > 0 { json.raw(",") }
            json.raw("{")
            json.key("labels")
            json.map(alert.labels)
            json.raw(",")
            json.key("annotations")
            json.map(alert.annotations)
            json.raw(",")
            json.key("startsAt")
            json.time(alert.startsAt)
            if let endsAt = alert.endsAt {
                json.raw(",")
                json.key("endsAt")
                json.time(endsAt)
            }
            if !alert.generatorURL.isEmpty {
                json.raw(",")
                json.key("generatorURL")
                json.string(alert.generatorURL)
            }
            json.raw("}")
        }
        json.raw("]")
        return json.bytes
    }
}
