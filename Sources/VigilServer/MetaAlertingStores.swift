import Foundation
import VigilAlerting
import VigilMeta
import VigilModel

/// The notifier's silences in the server's metadata database, so that a restart keeps them.
public struct MetaSilenceStore: SilenceStore {
    public let database: MetaDatabase

    public init(database: MetaDatabase) { self.database = database }

    public func loadAll() async throws -> [Silence] {
        try database.silences().map { record in
            Silence(
                id: record.id, matchers: try record.matchers.map(Self.matcher), startsAt: record.startsAt,
                endsAt: record.endsAt, updatedAt: record.updatedAt, createdBy: record.createdBy,
                comment: record.comment)
        }
    }

    public func upsert(_ silence: Silence) async throws {
        try database.saveSilence(
            SilenceRecord(
                id: silence.id,
                matchers: silence.matchers.map { matcher in
                    SilenceMatcherRecord(
                        name: matcher.name, value: matcher.value,
                        isRegex: matcher.kind == .regexMatch || matcher.kind == .regexNoMatch,
                        isEqual: matcher.kind == .equal || matcher.kind == .regexMatch)
                }, startsAt: silence.startsAt, endsAt: silence.endsAt, updatedAt: silence.updatedAt,
                createdBy: silence.createdBy, comment: silence.comment))
    }

    public func deleteExpired(before cutoff: Date) async throws {
        _ = try database.deleteSilences(endedBefore: cutoff)
    }

    static func matcher(_ record: SilenceMatcherRecord) throws -> LabelMatcher {
        let kind: LabelMatcher.Kind =
            switch (record.isRegex, record.isEqual) {
            case (false, true): .equal
            case (false, false): .notEqual
            case (true, true): .regexMatch
            case (true, false): .regexNoMatch
            }
        return try LabelMatcher(kind, record.name, record.value)
    }
}

/// The notifier's notification log in the metadata database, so that a restart neither pages twice
/// nor forgets when to repeat.
public struct MetaNotificationLogStore: NotificationLogStore {
    public let database: MetaDatabase

    public init(database: MetaDatabase) { self.database = database }

    public func loadAll() async throws -> [NotificationLogEntry] {
        try database.notificationLog().map { record in
            NotificationLogEntry(
                receiver: NotificationLogReceiver(
                    groupKey: record.groupKey, receiverName: record.receiverName, integration: record.integration,
                    index: record.index),
                firingAlerts: Set(record.firingAlerts), resolvedAlerts: Set(record.resolvedAlerts),
                timestamp: record.timestamp, expiresAt: record.expiresAt)
        }
    }

    public func upsert(_ entry: NotificationLogEntry) async throws {
        try database.saveNotificationLogEntry(
            NotificationLogRecord(
                groupKey: entry.receiver.groupKey, receiverName: entry.receiver.receiverName,
                integration: entry.receiver.integration, index: entry.receiver.index,
                firingAlerts: entry.firingAlerts.sorted(), resolvedAlerts: entry.resolvedAlerts.sorted(),
                timestamp: entry.timestamp, expiresAt: entry.expiresAt))
    }

    public func deleteExpired(now: Date) async throws {
        _ = try database.deleteNotificationLogEntries(expiredBefore: now)
    }
}
