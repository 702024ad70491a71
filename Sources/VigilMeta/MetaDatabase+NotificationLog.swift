import Foundation
import GRDB

extension MetaDatabase {
    /// Every stored entry, ordered by group key, receiver, integration and index.
    public func notificationLog() throws(MetaError) -> [NotificationLogRecord] {
        let path = path
        return try read("reading the notification log") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM notification_log
                    ORDER BY group_key, receiver_name, integration, integration_index
                    """
            ).map { row throws(MetaError) in
                NotificationLogRecord(
                    groupKey: row["group_key"], receiverName: row["receiver_name"], integration: row["integration"],
                    index: row["integration_index"],
                    firingAlerts: try StoredColumn.fingerprints(
                        row["firing_alerts"], column: "firing_alerts", path: path),
                    resolvedAlerts: try StoredColumn.fingerprints(
                        row["resolved_alerts"], column: "resolved_alerts", path: path),
                    timestamp: StoredColumn.date(microseconds: row["timestamp"]),
                    expiresAt: StoredColumn.date(microseconds: row["expires_at"]))
            }
        }
    }

    /// Inserts the entry, or replaces the one with the same group key, receiver, integration and index.
    public func saveNotificationLogEntry(_ entry: NotificationLogRecord) throws(MetaError) {
        let timestamp = try StoredColumn.microseconds(entry.timestamp, field: "notification log timestamp", path: path)
        let expiresAt = try StoredColumn.microseconds(entry.expiresAt, field: "notification log expiresAt", path: path)
        try write("saving a notification log entry for \(entry.receiverName)") { db in
            try db.execute(
                sql: """
                    INSERT INTO notification_log (group_key, receiver_name, integration, integration_index,
                        firing_alerts, resolved_alerts, timestamp, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(group_key, receiver_name, integration, integration_index) DO UPDATE SET
                        firing_alerts = excluded.firing_alerts, resolved_alerts = excluded.resolved_alerts,
                        timestamp = excluded.timestamp, expires_at = excluded.expires_at
                    """,
                arguments: [
                    entry.groupKey, entry.receiverName, entry.integration, entry.index,
                    StoredColumn.fingerprints(entry.firingAlerts), StoredColumn.fingerprints(entry.resolvedAlerts),
                    timestamp, expiresAt,
                ])
        }
    }

    /// Deletes the entries whose `expiresAt` lies before `date`; returns how many.
    public func deleteNotificationLogEntries(expiredBefore date: Date) throws(MetaError) -> Int {
        let limit = try StoredColumn.microseconds(date, field: "expiredBefore", path: path)
        return try write("deleting expired notification log entries") { db in
            try db.execute(sql: "DELETE FROM notification_log WHERE expires_at < ?", arguments: [limit])
            return db.changesCount
        }
    }
}
