import Foundation
import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@testable import VigilTSDB

private let hour: Int64 = 3_600_000
private let everything = [matcher(.regexMatch, "__name__", ".+")]

/// What `TSDB.open` makes of the states a crash in the middle of maintenance leaves, each built by hand.
@Suite struct InterruptedCompactionTests {
    @Test func inputsOfAFinishedMergeAreDeletedAtOpen() throws {
        let directory = TemporaryDirectory()
        let aside = TemporaryDirectory()
        let data = TSDBTests.minuteSeries(count: 4, from: 0, to: 10 * hour)
        let expected = data.map { SeriesData($0.0, $0.1) }.sorted { Labels.compare($0.labels, $1.labels) < 0 }
        let inputs: [String]
        do {
            let db = try TSDB.open(directory: directory.path, options: .init(compactionRanges: [], retention: nil))
            try db.load(data)
            try db.cutHead()
            inputs = db.blocks.prefix(3).map(\.ulid)
            try db.close()
        }
        for ulid in inputs {
            try FileManager.default.copyItem(atPath: directory.path + "/" + ulid, toPath: aside.path + "/" + ulid)
        }
        do {
            let db = try TSDB.open(directory: directory.path, options: .init(retention: nil))
            try db.compact()
            #expect(db.blocks.map(\.compaction.level) == [2, 1])
            #expect(Set(db.blocks[0].compaction.parents) == Set(inputs))
            try db.close()
        }
        // The crash: the merged block is complete, its inputs are still there.
        for ulid in inputs {
            try FileManager.default.copyItem(atPath: aside.path + "/" + ulid, toPath: directory.path + "/" + ulid)
        }
        let db = try TSDB.open(directory: directory.path, options: .init(retention: nil))
        defer { try? db.close() }
        #expect(db.blocks.map { [$0.minTime, $0.maxTime] } == [[0, 6 * hour], [6 * hour, 8 * hour]])
        #expect(db.quarantined.isEmpty)
        for ulid in inputs { #expect(!TestFile.exists(directory.path + "/" + ulid)) }
        #expect(try db.querier(mint: .min, maxt: .max).series(everything) == expected)
    }

    @Test func halfDeletedBlocksAreRemovedNotQuarantined() throws {
        let directory = TemporaryDirectory()
        let leftover = directory.path + "/" + BlockID.make() + TSDB.deletionSuffix
        try FileManager.default.createDirectory(atPath: leftover + "/chunks", withIntermediateDirectories: true)
        TestFile.write(leftover + "/index", [1, 2, 3])
        let db = try TSDB.open(directory: directory.path)
        defer { try? db.close() }
        #expect(!TestFile.exists(leftover))
        #expect(db.blocks.isEmpty && db.quarantined.isEmpty)
    }

    static func meta(_ ulid: String, sources: [String], parents: [String] = []) -> BlockMeta {
        BlockMeta(
            ulid: ulid, minTime: 0, maxTime: 1, stats: .init(numSeries: 1, numSamples: 1, numChunks: 1),
            compaction: .init(level: parents.isEmpty && sources == [ulid] ? 1 : 2, sources: sources, parents: parents),
            version: 1)
    }

    @Test(
        arguments: [
            // Level 1 blocks alone: nothing superseded.
            ([meta("A", sources: ["A"]), meta("B", sources: ["B"])], []),
            // A merge that finished before its inputs were deleted.
            (
                [
                    meta("A", sources: ["A"]), meta("B", sources: ["B"]),
                    meta("M", sources: ["A", "B"], parents: ["A", "B"]),
                ],
                ["A", "B"]
            ),
            // A level-3 merge whose level-2 input survived (sources without a parents field, as old meta.json).
            ([meta("M", sources: ["A", "B"]), meta("N", sources: ["A", "B", "C", "D"])], ["M"]),
            // A block rewritten without deleted data: same sources, told apart by the parent link.
            ([meta("M", sources: ["A", "B"]), meta("R", sources: ["A", "B"], parents: ["M"])], ["M"]),
            // Partly overlapping sources: neither holds all of the other.
            ([meta("M", sources: ["A", "B"]), meta("N", sources: ["B", "C"])], []),
        ] as [([BlockMeta], Set<String>)])
    func supersededBlocks(metas: [BlockMeta], expected: Set<String>) {
        #expect(BlockMeta.superseded(metas) == expected)
    }

    @Test func metaWithoutParentsDecodesAndParentsRoundTrip() throws {
        let old =
            #"{"compaction":{"level":1,"sources":["A"]},"maxTime":2,"minTime":1,"#
            + #""stats":{"numChunks":1,"numSamples":1,"numSeries":1},"ulid":"A","version":1}"#
        let decoded = try JSONDecoder().decode(BlockMeta.self, from: Data(old.utf8))
        #expect(decoded.compaction.parents.isEmpty)
        let merged = Self.meta("M", sources: ["A", "B"], parents: ["A", "B"])
        #expect(try JSONDecoder().decode(BlockMeta.self, from: JSONEncoder().encode(merged)) == merged)
        #expect(!String(decoding: try JSONEncoder().encode(decoded), as: UTF8.self).contains("parents"))
    }
}
