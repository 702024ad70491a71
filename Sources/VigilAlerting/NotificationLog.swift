import Foundation

/// The notification log (`nflog`): the last notification per group, receiver and integration, and
/// Alertmanager's rule for whether a group needs another one (`DedupStage.needsUpdate`).
public struct NotificationLog: Sendable {
    public private(set) var entries: [NotificationLogReceiver: NotificationLogEntry] = [:]

    public init(_ entries: [NotificationLogEntry] = []) {
        for entry in entries { self.entries[entry.receiver] = entry }
    }

    public subscript(receiver: NotificationLogReceiver) -> NotificationLogEntry? { entries[receiver] }

    public mutating func log(_ entry: NotificationLogEntry) { entries[entry.receiver] = entry }

    /// Drops expired entries; returns how many.
    @discardableResult
    public mutating func collect(now: Date) -> Int {
        let before = entries.count
        entries = entries.filter { $0.value.expiresAt > now }
        return before - entries.count
    }

    /// Whether to notify: never notified and something fires; the firing set is not a subset of the last
    /// one; everything resolved that was firing; newly resolved alerts for an integration that sends them;
    /// or the repeat interval has passed.
    public static func needsUpdate(
        entry: NotificationLogEntry?, firing: Set<UInt64>, resolved: Set<UInt64>, sendResolved: Bool,
        repeatInterval: Duration, now: Date
    ) -> Bool {
        guard let entry else { return !firing.isEmpty }
        if !firing.isSubset(of: entry.firingAlerts) { return true }
        if firing.isEmpty { return !entry.firingAlerts.isEmpty }
        if sendResolved && !resolved.isSubset(of: entry.resolvedAlerts) { return true }
        return entry.timestamp < now - repeatInterval.timeInterval
    }
}
