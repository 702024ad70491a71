import Foundation
import Synchronization

/// Where silences survive a restart. Loaded once at start; every create, update and expiry is
/// upserted; silences past their retention are deleted. VigilMeta implements it on SQLite.
public protocol SilenceStore: Sendable {
    /// Every stored silence.
    func loadAll() async throws -> [Silence]
    /// Inserts the silence or replaces the one with its id.
    func upsert(_ silence: Silence) async throws
    /// Deletes silences whose `endsAt` is before `cutoff` (expired longer than the retention).
    func deleteExpired(before cutoff: Date) async throws
}

/// Where the notification log survives a restart, so that a restart neither re-sends nor forgets
/// to repeat. Keyed by ``NotificationLogEntry/receiver``. VigilMeta implements it on SQLite.
public protocol NotificationLogStore: Sendable {
    /// Every stored entry.
    func loadAll() async throws -> [NotificationLogEntry]
    /// Inserts the entry or replaces the one with its receiver.
    func upsert(_ entry: NotificationLogEntry) async throws
    /// Deletes entries whose `expiresAt` is not after `now`.
    func deleteExpired(now: Date) async throws
}

/// A ``SilenceStore`` in memory, for tests and for running without a data directory.
public final class InMemorySilenceStore: SilenceStore {
    private let silences = Mutex<[String: Silence]>([:])

    public init(_ initial: [Silence] = []) {
        silences.withLock { stored in for silence in initial { stored[silence.id] = silence } }
    }

    public func loadAll() async throws -> [Silence] {
        silences.withLock { Array($0.values) }.sorted { $0.id < $1.id }
    }

    public func upsert(_ silence: Silence) async throws {
        silences.withLock { $0[silence.id] = silence }
    }

    public func deleteExpired(before cutoff: Date) async throws {
        silences.withLock { stored in stored = stored.filter { $0.value.endsAt >= cutoff } }
    }
}

/// A ``NotificationLogStore`` in memory, for tests and for running without a data directory.
public final class InMemoryNotificationLogStore: NotificationLogStore {
    private let entries = Mutex<[NotificationLogReceiver: NotificationLogEntry]>([:])

    public init(_ initial: [NotificationLogEntry] = []) {
        entries.withLock { stored in for entry in initial { stored[entry.receiver] = entry } }
    }

    public func loadAll() async throws -> [NotificationLogEntry] {
        entries.withLock { Array($0.values) }
    }

    public func upsert(_ entry: NotificationLogEntry) async throws {
        entries.withLock { $0[entry.receiver] = entry }
    }

    public func deleteExpired(now: Date) async throws {
        entries.withLock { stored in stored = stored.filter { $0.value.expiresAt > now } }
    }
}
