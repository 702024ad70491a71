import Foundation
import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@testable import VigilTSDB

private let hour: Int64 = 3_600_000
private let everything = [matcher(.regexMatch, "__name__", ".+")]

/// `TSDB.snapshot(into:withHead:)`: hard links of the blocks plus the head as a block, openable as a data
/// directory and independent of what the database does afterwards.
@Suite struct SnapshotTests {
    static func inode(_ path: String) -> UInt64? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.systemFileNumber] as? UInt64
    }

    @Test func snapshotOpensAsADataDirectoryWithWhatWasThere() throws {
        let directory = TemporaryDirectory()
        let target = directory.path + "/snapshots/first"
        let db = try TSDB.open(directory: directory.path, options: .init(retention: nil))
        defer { try? db.close() }
        try db.load(TSDBTests.minuteSeries(count: 3, from: 0, to: 10 * hour))
        try db.compact()  // [0,6) and [6,8) in blocks, the head from 8 h
        try db.delete(matchers: [matcher(.equal, "instance", "host-1")], mint: hour, maxt: 9 * hour)
        let expected = try db.querier(mint: .min, maxt: .max).series(everything)
        let blocks = db.blocks

        let written = try db.snapshot(into: target)
        #expect(written.count == 3)
        #expect(Array(written.prefix(2)) == blocks)
        #expect(written[2].minTime == 8 * hour && written[2].maxTime == 10 * hour - 60_000 + 1)
        // Blocks are hard links, not copies; tombstones come along.
        for block in blocks {
            let chunks = "/\(block.ulid)/chunks/000001"
            #expect(Self.inode(directory.path + chunks) == Self.inode(target + chunks))
            #expect(TestFile.exists(target + "/" + block.ulid + "/tombstones"))
        }

        // The database moves on: new data, a merge that deletes the linked blocks, tombstones cleaned.
        try db.load(TSDBTests.minuteSeries(count: 3, from: 10 * hour, to: 30 * hour))
        try db.compact()
        try db.cleanTombstones()
        for block in blocks { #expect(!TestFile.exists(directory.path + "/" + block.ulid)) }
        // The data directory ignores the snapshot folder.
        #expect(db.quarantined.isEmpty)

        let copy = try TSDB.open(directory: target, options: .init(retention: nil))
        defer { try? copy.close() }
        #expect(copy.quarantined.isEmpty)
        #expect(copy.blocks == written)
        #expect(copy.head.statistics.seriesCount == 0)
        #expect(try copy.querier(mint: .min, maxt: .max).series(everything) == expected)
    }

    @Test func withoutTheHeadOnlyBlocksAreLinked() throws {
        let directory = TemporaryDirectory()
        let target = directory.path + "/snapshot"
        let db = try TSDB.open(directory: directory.path, options: .init(retention: nil))
        defer { try? db.close() }
        try db.load(TSDBTests.minuteSeries(count: 2, from: 0, to: 10 * hour))
        try db.compact()
        #expect(try db.snapshot(into: target, withHead: false) == db.blocks)
        let copy = try TSDB.open(directory: target)
        defer { try? copy.close() }
        let samples = try copy.series(matcher(.equal, "__name__", "up")).map { $0.samples.map(\.timestamp) }
        #expect(samples == Array(repeating: Array(stride(from: 0, to: 8 * hour, by: 60_000)), count: 2))
    }

    @Test func anEmptyDatabaseSnapshotsToAnEmptyDirectory() throws {
        let directory = TemporaryDirectory()
        let db = try TSDB.open(directory: directory.path)
        defer { try? db.close() }
        #expect(try db.snapshot(into: directory.path + "/empty").isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/empty").isEmpty)
    }

    @Test func aTargetThatIsAFileIsAnError() throws {
        let directory = TemporaryDirectory()
        TestFile.write(directory.path + "/file", [1])
        let db = try TSDB.open(directory: directory.path)
        defer { try? db.close() }
        try db.load(TSDBTests.minuteSeries(count: 1, from: 0, to: hour))
        let error = #expect(throws: StorageError.self) { try db.snapshot(into: directory.path + "/file") }
        #expect(error?.code == .io)
    }
}
