import Foundation

/// One entry of the notification log (Alertmanager's `nflog`): what one integration of one receiver
/// last sent for one aggregation group, so that a restart neither repeats nor forgets notifications.
public struct NotificationLogRecord: Sendable, Hashable {
    /// The aggregation group's key.
    public var groupKey: String
    public var receiverName: String
    /// The integration's kind: `webhook`, `slack`, `email`.
    public var integration: String
    /// The integration's position among the receiver's integrations of that kind.
    public var index: Int
    /// Fingerprints of the alerts that were firing in the last notification.
    public var firingAlerts: [UInt64]
    /// Fingerprints of the alerts that were resolved in the last notification.
    public var resolvedAlerts: [UInt64]
    /// When the notification was sent.
    public var timestamp: Date
    /// When the entry may be forgotten (timestamp plus the log's retention).
    public var expiresAt: Date

    public init(
        groupKey: String, receiverName: String, integration: String, index: Int, firingAlerts: [UInt64],
        resolvedAlerts: [UInt64], timestamp: Date, expiresAt: Date
    ) {
        self.groupKey = groupKey
        self.receiverName = receiverName
        self.integration = integration
        self.index = index
        self.firingAlerts = firingAlerts
        self.resolvedAlerts = resolvedAlerts
        self.timestamp = timestamp
        self.expiresAt = expiresAt
    }
}
