import Foundation
import VigilModel

/// Whether an alert (or a notification as a whole) is firing or resolved.
public enum AlertStatus: String, Sendable, Hashable, CaseIterable {
    case firing
    case resolved
}

/// One alert as a notification shows it: Alertmanager's `template.Alert`.
public struct NotificationAlert: Sendable, Hashable {
    public var status: AlertStatus
    public var labels: Labels
    public var annotations: Labels
    public var startsAt: Date
    /// `nil` is Go's zero time (`0001-01-01T00:00:00Z` in the webhook payload): the alert has no end yet.
    public var endsAt: Date?
    public var generatorURL: String
    /// Alertmanager's fingerprint of the label set, 16 lower-case hex digits.
    public var fingerprint: String

    public init(
        status: AlertStatus, labels: Labels, annotations: Labels, startsAt: Date, endsAt: Date?,
        generatorURL: String, fingerprint: String
    ) {
        self.status = status
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
        self.fingerprint = fingerprint
    }
}

/// What one notification carries: Alertmanager's template data (`template.Data`) plus the group key
/// and the number of alerts a receiver's `max_alerts` cut off. Receivers render it (webhook payload
/// version 4, Slack message, e-mail) and templates read it.
public struct NotificationData: Sendable, Hashable {
    /// The receiver's name.
    public var receiver: String
    /// `.firing` when any alert of the notification fires.
    public var status: AlertStatus
    public var alerts: [NotificationAlert]
    public var groupLabels: Labels
    public var commonLabels: Labels
    public var commonAnnotations: Labels
    public var externalURL: String
    /// The aggregation group's key, e.g. `{}/{severity="critical"}:{cluster="c1"}`.
    public var groupKey: String
    public var truncatedAlerts: Int

    public init(
        receiver: String, status: AlertStatus, alerts: [NotificationAlert], groupLabels: Labels,
        commonLabels: Labels, commonAnnotations: Labels, externalURL: String, groupKey: String,
        truncatedAlerts: Int = 0
    ) {
        self.receiver = receiver
        self.status = status
        self.alerts = alerts
        self.groupLabels = groupLabels
        self.commonLabels = commonLabels
        self.commonAnnotations = commonAnnotations
        self.externalURL = externalURL
        self.groupKey = groupKey
        self.truncatedAlerts = truncatedAlerts
    }
}

/// Why a notification was not delivered, and whether trying again may help (a 5xx, a timeout, a
/// refused connection) or not (a 4xx, a template error).
public struct NotifyError: Error, Sendable, Hashable, CustomStringConvertible {
    public var retryable: Bool
    public var message: String
    /// The HTTP status or SMTP reply code, when the peer answered.
    public var statusCode: Int?

    public init(retryable: Bool, _ message: String, statusCode: Int? = nil) {
        self.retryable = retryable
        self.message = message
        self.statusCode = statusCode
    }

    public var description: String { message }
}

/// One integration of a receiver (one `webhook_configs` entry, one `slack_configs` entry, ...).
/// The notification pipeline owns retries and backoff; `notify` makes a single attempt.
public protocol Notifier: Sendable {
    func notify(_ notification: NotificationData) async throws(NotifyError)
}
