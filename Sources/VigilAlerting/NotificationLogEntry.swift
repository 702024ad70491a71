import Foundation

/// Who was notified: one integration of one receiver for one aggregation group
/// (Alertmanager's `nflogpb.Receiver` plus the group key).
public struct NotificationLogReceiver: Sendable, Hashable {
    /// The aggregation group's key, e.g. `{}/{severity="critical"}:{cluster="c1"}`.
    public var groupKey: String
    /// The receiver's name.
    public var receiverName: String
    /// The integration's name: "webhook", "slack", "email".
    public var integration: String
    /// The integration's position among the receiver's integrations of that name.
    public var index: Int

    public init(groupKey: String, receiverName: String, integration: String, index: Int) {
        self.groupKey = groupKey
        self.receiverName = receiverName
        self.integration = integration
        self.index = index
    }
}

/// The last successful notification of one ``NotificationLogReceiver``: which alerts it reported
/// as firing and as resolved (by fingerprint), and when. Used to de-duplicate and to repeat.
public struct NotificationLogEntry: Sendable, Hashable {
    public var receiver: NotificationLogReceiver
    public var firingAlerts: Set<UInt64>
    public var resolvedAlerts: Set<UInt64>
    public var timestamp: Date
    /// When the entry may be dropped (Alertmanager keeps entries for its `--data.retention`, 120 h).
    public var expiresAt: Date

    public init(
        receiver: NotificationLogReceiver, firingAlerts: Set<UInt64>, resolvedAlerts: Set<UInt64>, timestamp: Date,
        expiresAt: Date
    ) {
        self.receiver = receiver
        self.firingAlerts = firingAlerts
        self.resolvedAlerts = resolvedAlerts
        self.timestamp = timestamp
        self.expiresAt = expiresAt
    }
}
