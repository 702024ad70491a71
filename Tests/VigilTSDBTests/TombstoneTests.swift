import Foundation
import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@testable import VigilTSDB

private let hour: Int64 = 3_600_000
private let everything = [matcher(.regexMatch, "__name__", ".+")]

/// `TSDB.delete(matchers:mint:maxt:)`: tombstones in the head (WAL) and in blocks, honoured by every query,
/// applied by cuts, compaction and `cleanTombstones()`, kept across restarts.
@Suite struct TombstoneTests {
    static let data = TSDBTests.minuteSeries(count: 3, from: 0, to: 10 * hour)
    static let host1 = [matcher(.equal, "instance", "host-1")]

    /// The expected query result once `mint...maxt` of `instance` is deleted.
    static func expected(deleting instance: String, _ range: ClosedRange<Int64>) -> [SeriesData] {
        data.compactMap { labels, samples in
            let kept = labels["instance"] == instance ? samples.filter { !range.contains($0.timestamp) } : samples
            return kept.isEmpty ? nil : SeriesData(labels, kept)
        }.sorted { Labels.compare($0.labels, $1.labels) < 0 }
    }

    @Test(
        arguments: [
            ([1...2], 4...5, [1...2, 4...5]),
            ([1...2], 3...5, [1...5]),  // adjacent intervals merge
            ([1...2, 6...7], 2...6, [1...7]),
            ([4...5], 1...2, [1...2, 4...5]),
            ([1...9], 3...4, [1...9]),
            ([Int64.min...0], 1...Int64.max, [Int64.min...Int64.max]),
        ] as [([ClosedRange<Int64>], ClosedRange<Int64>, [ClosedRange<Int64>])])
    func intervalsMerge(existing: [ClosedRange<Int64>], added: ClosedRange<Int64>, expected: [ClosedRange<Int64>]) {
        var list = existing
        Tombstones.add(added, to: &list)
        #expect(list == expected)
    }

    @Test func deletionHidesSamplesInBlocksAndHeadAndSurvivesARestart() throws {
        let directory = TemporaryDirectory()
        let options = TSDB.Options(compactionRanges: [], retention: nil)
        let expected = Self.expected(deleting: "host-1", hour...(9 * hour))
        do {
            let db = try TSDB.open(directory: directory.path, options: options)
            try db.load(Self.data)
            try db.cutHead()  // blocks [0,2) … [6,8); the head keeps 8 h onwards (and its open chunks)
            try db.delete(matchers: Self.host1, mint: hour, maxt: 9 * hour)
            #expect(try db.querier(mint: .min, maxt: .max).series(everything) == expected)
            // Every block in the range has a tombstones file; the head logged a tombstones record.
            for block in db.blocks { #expect(TestFile.exists(directory.path + "/" + block.ulid + "/tombstones")) }
            // Inspect reports them: one series with one deleted interval in each block.
            let inspected = try TSDB.inspect(directory: directory.path).blocks
            #expect(inspected.count == 4)
            #expect(inspected.allSatisfy { $0.seriesWithTombstones == 1 && $0.tombstoneIntervals == 1 })
            #expect(inspected.allSatisfy { $0.packedChunks == $0.chunks })
            // Label queries see only what is left: in [2 h, 7 h] host-1 has nothing.
            #expect(
                try db.querier(mint: 2 * hour, maxt: 7 * hour).labelValues(name: "instance").values == [
                    "host-0", "host-2",
                ])
            try db.close()
        }
        let reopened = try TSDB.open(directory: directory.path, options: options)
        defer { try? reopened.close() }
        #expect(try reopened.querier(mint: .min, maxt: .max).series(everything) == expected)
        // A range query inside the deleted interval finds no host-1 at all.
        #expect(try reopened.querier(mint: 3 * hour, maxt: 4 * hour).series(Self.host1).isEmpty)
    }

    @Test func aDeletedWholeSeriesDisappears() throws {
        let directory = TemporaryDirectory()
        let db = try TSDB.open(directory: directory.path, options: .init(compactionRanges: [], retention: nil))
        defer { try? db.close() }
        try db.load(Self.data)
        try db.cutHead()
        try db.delete(matchers: Self.host1, mint: .min, maxt: .max)
        #expect(try db.series(matcher(.equal, "instance", "host-1")).isEmpty)
        #expect(try db.querier(mint: .min, maxt: .max).labelValues(name: "instance").values == ["host-0", "host-2"])
        #expect(try db.series(matcher(.equal, "__name__", "up")).count == 2)
    }

    @Test func cutsAndCompactionLeaveDeletedSamplesOut() throws {
        let directory = TemporaryDirectory()
        let db = try TSDB.open(directory: directory.path, options: .init(retention: nil))
        defer { try? db.close() }
        try db.load(Self.data)
        // Deleted while everything is in the head: the cut writes blocks without those samples.
        try db.delete(matchers: Self.host1, mint: 30 * 60_000, maxt: 90 * 60_000 - 1)
        try db.compact()  // [0,6) merged from three cuts, [6,8) on its own
        #expect(db.blocks.map(\.compaction.level) == [2, 1])
        #expect(db.blocks[0].stats.numSamples == 3 * 360 - 60)
        // Deleted from a block: the tombstone is honoured, and the next merge drops the samples for good.
        try db.delete(matchers: Self.host1, mint: 6 * hour, maxt: 7 * hour - 1)
        let expected = Self.data.map { labels, samples in
            SeriesData(
                labels,
                labels["instance"] == "host-1"
                    ? samples.filter {
                        !(30 * 60_000..<90 * 60_000).contains($0.timestamp)
                            && !(6 * hour..<7 * hour).contains($0.timestamp)
                    }
                    : samples)
        }.sorted { Labels.compare($0.labels, $1.labels) < 0 }
        #expect(try db.querier(mint: .min, maxt: .max).series(everything) == expected)
        try db.load(TSDBTests.minuteSeries(count: 3, from: 10 * hour, to: 16 * hour))
        try db.compact()  // [6,8) [8,10) [10,12) merge into [6,12)
        let merged = try #require(db.blocks.first { $0.minTime == 6 * hour })
        #expect(merged.maxTime == 12 * hour && merged.stats.numSamples == 3 * 360 - 60)
        #expect(!TestFile.exists(directory.path + "/" + merged.ulid + "/tombstones"))
        let all = try db.querier(mint: .min, maxt: 10 * hour - 1).series(everything)
        #expect(all == expected)
    }

    @Test func cleanTombstonesRewritesTheBlocksThatHaveThem() throws {
        let directory = TemporaryDirectory()
        let options = TSDB.Options(compactionRanges: [], retention: nil)
        let expected = Self.expected(deleting: "host-1", hour...(5 * hour))
        do {
            let db = try TSDB.open(directory: directory.path, options: options)
            try db.load(Self.data)
            try db.cutHead()
            let before = db.blocks
            try db.delete(matchers: Self.host1, mint: hour, maxt: 5 * hour)
            // Everything of the [2,4) block for one more series: a block may also lose all its samples.
            try db.delete(matchers: [matcher(.equal, "__name__", "up")], mint: 2 * hour, maxt: 4 * hour - 1)
            let written = try db.cleanTombstones()
            // [0,2) and [4,6) rewritten, [2,4) emptied and removed, [6,8) untouched.
            #expect(written.map(\.minTime) == [0, 4 * hour])
            #expect(written.map(\.compaction.parents) == [[before[0].ulid], [before[2].ulid]])
            #expect(written.map(\.compaction.sources) == [before[0].compaction.sources, before[2].compaction.sources])
            #expect(db.blocks.map(\.ulid) == [written[0].ulid, written[1].ulid, before[3].ulid])
            #expect(written[0].stats.numSamples == 3 * 120 - 60)
            for old in before.prefix(3) { #expect(!TestFile.exists(directory.path + "/" + old.ulid)) }
            for block in db.blocks { #expect(!TestFile.exists(directory.path + "/" + block.ulid + "/tombstones")) }
            #expect(try db.cleanTombstones().isEmpty)
            try db.close()
        }
        let reopened = try TSDB.open(directory: directory.path, options: options)
        defer { try? reopened.close() }
        let result = try reopened.querier(mint: .min, maxt: .max).series(everything)
        #expect(
            result
                == expected.map {
                    SeriesData($0.labels, $0.samples.filter { !(2 * hour..<4 * hour).contains($0.timestamp) })
                })
    }

    @Test func headTombstonesSurviveACheckpoint() throws {
        let directory = TemporaryDirectory()
        let options = TSDB.Options(compactionRanges: [], retention: nil)
        do {
            let db = try TSDB.open(directory: directory.path, options: options)
            try db.load(Self.data)
            try db.delete(matchers: Self.host1, mint: 9 * hour, maxt: .max)
            try db.cutHead()  // checkpoints the WAL: the tombstone must be in the checkpoint
            #expect(directory.segments.count == 1)
            try db.close()
        }
        let reopened = try TSDB.open(directory: directory.path, options: options)
        defer { try? reopened.close() }
        #expect(
            try reopened.querier(mint: .min, maxt: .max).series(everything)
                == Self.expected(deleting: "host-1", (9 * hour)...Int64.max))
    }

    @Test(arguments: [
        ([] as [LabelMatcher], Int64(0), Int64(10), "at least one matcher"),
        ([matcher(.equal, "instance", "host-1")], 10, 0, "ends (0) before it starts (10)"),
    ])
    func badDeletionsAreRefused(matchers: [LabelMatcher], mint: Int64, maxt: Int64, message: String) throws {
        let directory = TemporaryDirectory()
        let db = try TSDB.open(directory: directory.path)
        defer { try? db.close() }
        try db.load(Self.data)
        let error = #expect(throws: StorageError.self) { try db.delete(matchers: matchers, mint: mint, maxt: maxt) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
        #expect(try db.series(matcher(.equal, "__name__", "up")).count == 3)
    }

    @Test func aDamagedTombstonesFileQuarantinesTheBlock() throws {
        let directory = TemporaryDirectory()
        let ulid: String
        do {
            let db = try TSDB.open(directory: directory.path, options: .init(compactionRanges: [], retention: nil))
            try db.load(Self.data)
            try db.cutHead()
            try db.delete(matchers: Self.host1, mint: 0, maxt: hour)
            ulid = db.blocks[0].ulid
            try db.close()
        }
        let path = directory.path + "/" + ulid + "/tombstones"
        var bytes = TestFile.read(path)
        bytes[bytes.count - 5] ^= 0xFF
        TestFile.write(path, bytes)
        let db = try TSDB.open(directory: directory.path)
        defer { try? db.close() }
        #expect(db.quarantined.count == 1)
        #expect(db.quarantined.first?.error.message.contains("tombstones file fails its CRC") == true)
        #expect(!db.blocks.contains { $0.ulid == ulid })
    }

    @Test func tombstoneRecordsRoundTripAndBadOnesAreRefused() throws {
        let record = WALRecord.tombstones([
            .init(ref: 1, mint: .min, maxt: 0), .init(ref: 7, mint: 5, maxt: .max),
        ])
        var payload: [UInt8] = []
        record.encode(into: &payload)
        #expect(try WALRecord.decode(type: .tombstones, payload: payload, range: 0..<payload.count) == record)
        var backwards: [UInt8] = []
        WALRecord.tombstones([.init(ref: 1, mint: 5, maxt: 4)]).encode(into: &backwards)
        #expect(throws: (any Error).self) {
            try WALRecord.decode(type: .tombstones, payload: backwards, range: 0..<backwards.count)
        }
        #expect(throws: (any Error).self) {
            try WALRecord.decode(type: .tombstones, payload: payload, range: 0..<(payload.count - 1))
        }
    }
}
