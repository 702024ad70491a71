import Foundation
import Testing
import VigilMeta

/// A directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-meta-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        try? FileManager.default.removeItem(atPath: path)
    }
}

let t0 = Date(timeIntervalSince1970: 1_700_000_000.123)

func silence(_ id: String, endsAt: Date, comment: String = "maintenance") -> SilenceRecord {
    SilenceRecord(
        id: id,
        matchers: [
            SilenceMatcherRecord(name: "alertname", value: "GPUHot"),
            SilenceMatcherRecord(name: "node", value: "gpu-0[1-4]", isRegex: true),
            SilenceMatcherRecord(name: "severity", value: "info", isRegex: false, isEqual: false),
        ],
        startsAt: t0, endsAt: endsAt, updatedAt: t0.addingTimeInterval(1), createdBy: "ops@example.com",
        comment: comment)
}

func entry(_ groupKey: String, index: Int = 0, expiresAt: Date, firing: [UInt64] = [0xaa55_7822_6070_5ed9])
    -> NotificationLogRecord
{
    NotificationLogRecord(
        groupKey: groupKey, receiverName: "pager", integration: "webhook", index: index, firingAlerts: firing,
        resolvedAlerts: [1, UInt64.max], timestamp: t0, expiresAt: expiresAt)
}

@Suite struct SilenceStorageTests {
    @Test func roundTrip() throws {
        let database = try MetaDatabase.inMemory()
        let stored = [
            silence("b", endsAt: t0.addingTimeInterval(3600)), silence("a", endsAt: t0.addingTimeInterval(60)),
        ]
        for record in stored { try database.saveSilence(record) }
        #expect(try database.silences() == stored.sorted { $0.id < $1.id })
    }

    @Test func saveReplacesBySilenceIDIncludingMatchers() throws {
        let database = try MetaDatabase.inMemory()
        try database.saveSilence(silence("a", endsAt: t0.addingTimeInterval(60)))
        var updated = silence("a", endsAt: t0.addingTimeInterval(7200), comment: "extended")
        updated.matchers = [SilenceMatcherRecord(name: "cluster", value: "c1")]
        try database.saveSilence(updated)
        #expect(try database.silences() == [updated])
    }

    @Test func silenceWithoutMatchersRoundTrips() throws {
        let database = try MetaDatabase.inMemory()
        var record = silence("empty", endsAt: t0)
        record.matchers = []
        try database.saveSilence(record)
        #expect(try database.silences() == [record])
    }

    @Test func garbageCollectionDeletesEndedSilencesAndTheirMatchers() throws {
        let database = try MetaDatabase.inMemory()
        try database.saveSilence(silence("old", endsAt: t0.addingTimeInterval(10)))
        try database.saveSilence(silence("edge", endsAt: t0.addingTimeInterval(20)))
        try database.saveSilence(silence("new", endsAt: t0.addingTimeInterval(30)))
        #expect(try database.deleteSilences(endedBefore: t0.addingTimeInterval(20)) == 1)
        #expect(try database.silences().map(\.id) == ["edge", "new"])
        // The matchers of a deleted silence go with it: a silence saved again under that id has only its own.
        var again = silence("old", endsAt: t0.addingTimeInterval(99))
        again.matchers = [SilenceMatcherRecord(name: "x", value: "y")]
        try database.saveSilence(again)
        #expect(try database.silences().first { $0.id == "old" } == again)
        #expect(try database.deleteSilences(endedBefore: t0) == 0)
    }

    @Test func emptyIDIsRefused() throws {
        let database = try MetaDatabase.inMemory()
        #expect(throws: MetaError.self) { try database.saveSilence(silence("", endsAt: t0)) }
        do {
            try database.saveSilence(silence("", endsAt: t0))
        } catch {
            #expect(error.code == .invalidRecord)
            #expect(error.message.contains("non-empty id"))
            #expect(error.path == ":memory:")
        }
    }

    @Test func unrepresentableDateIsRefused() throws {
        let database = try MetaDatabase.inMemory()
        do {
            try database.saveSilence(silence("far", endsAt: Date(timeIntervalSince1970: 1e300)))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidRecord)
            #expect(error.message.contains("endsAt"))
        }
    }
}

@Suite struct NotificationLogStorageTests {
    @Test func roundTripAndOrder() throws {
        let database = try MetaDatabase.inMemory()
        let entries = [
            entry("{}:{cluster=\"c2\"}", expiresAt: t0.addingTimeInterval(100)),
            entry("{}:{cluster=\"c1\"}", index: 1, expiresAt: t0.addingTimeInterval(100), firing: []),
            entry("{}:{cluster=\"c1\"}", index: 0, expiresAt: t0.addingTimeInterval(100)),
        ]
        for record in entries { try database.saveNotificationLogEntry(record) }
        #expect(try database.notificationLog() == [entries[2], entries[1], entries[0]])
    }

    @Test func upsertByGroupReceiverIntegrationAndIndex() throws {
        let database = try MetaDatabase.inMemory()
        try database.saveNotificationLogEntry(entry("g", expiresAt: t0.addingTimeInterval(100)))
        var newer = entry("g", expiresAt: t0.addingTimeInterval(200), firing: [7, 8])
        newer.timestamp = t0.addingTimeInterval(5)
        try database.saveNotificationLogEntry(newer)
        var otherIntegration = newer
        otherIntegration.integration = "email"
        try database.saveNotificationLogEntry(otherIntegration)
        #expect(try database.notificationLog() == [otherIntegration, newer])
    }

    @Test func garbageCollection() throws {
        let database = try MetaDatabase.inMemory()
        try database.saveNotificationLogEntry(entry("a", expiresAt: t0.addingTimeInterval(10)))
        try database.saveNotificationLogEntry(entry("b", expiresAt: t0.addingTimeInterval(20)))
        #expect(try database.deleteNotificationLogEntries(expiredBefore: t0.addingTimeInterval(15)) == 1)
        #expect(try database.notificationLog().map(\.groupKey) == ["b"])
    }
}

@Suite struct MetaDatabaseFileTests {
    @Test func reopenedFileKeepsEverything() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/meta.sqlite"
        let record = silence("restart", endsAt: t0.addingTimeInterval(60))
        let logEntry = entry("g", expiresAt: t0.addingTimeInterval(60))
        do {
            let database = try MetaDatabase(path: path)
            try database.saveSilence(record)
            try database.saveNotificationLogEntry(logEntry)
        }
        let reopened = try MetaDatabase(path: path)
        #expect(try reopened.silences() == [record])
        #expect(try reopened.notificationLog() == [logEntry])
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func notADatabaseFileGivesAPreciseError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/meta.sqlite"
        try Data(String(repeating: "this is not an SQLite database\n", count: 200).utf8).write(
            to: URL(fileURLWithPath: path))
        do {
            _ = try MetaDatabase(path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .corrupt)
            #expect(error.path == path)
            #expect(error.sqliteCode == 26)  // SQLITE_NOTADB
            #expect(error.message.contains("file is not a database"))
            #expect(error.description.hasPrefix(path + ": "))
        }
    }

    @Test func readOnlyDirectoryGivesAPreciseError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: directory.path)
        // root ignores permission bits; sysfs refuses new files even to root.
        let readOnlyDirectory = getuid() == 0 ? "/sys" : directory.path
        let path = readOnlyDirectory + "/vigil-meta.sqlite"
        do {
            _ = try MetaDatabase(path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .cannotOpen || error.code == .readOnly)
            #expect(error.path == path)
            #expect(error.sqliteCode != nil)
            #expect(error.message.contains("unable to open database file") || error.message.contains("readonly"))
        }
    }

    @Test func missingDirectoryGivesAPreciseError() throws {
        let path = "/nonexistent-vigil-\(UUID().uuidString)/meta.sqlite"
        do {
            _ = try MetaDatabase(path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .cannotOpen)
            #expect(error.path == path)
            #expect(error.sqliteCode == 14)  // SQLITE_CANTOPEN
            #expect(error.message.contains("unable to open database file"))
        }
    }
}
