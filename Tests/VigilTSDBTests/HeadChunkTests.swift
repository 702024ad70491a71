import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@testable import VigilTSDB

/// Chunks: cut every `samplesPerChunk` samples, read back across chunk boundaries, seek.
@Suite struct HeadChunkTests {
    let labels = Labels.metric("gpu_util", ["gpu": "0"])

    func loaded(_ count: Int) throws -> Head {
        let head = Head()
        let appender = head.appender()
        for index in 0..<count {
            try appender.append(labels, timestamp: Int64(index) * 15_000, value: Double(index % 17) * 1.5)
        }
        try appender.commit()
        return head
    }

    func expected(_ range: Range<Int>) -> [Sample] {
        range.map { Sample(Int64($0) * 15_000, Double($0 % 17) * 1.5) }
    }

    @Test func chunksAreCutAt120Samples() throws {
        let head = try loaded(1000)
        let series = try #require(head.series(ref: 1))
        let chunks = series.snapshot()
        #expect(chunks.count == 9)
        #expect(chunks.dropLast().allSatisfy { $0.sampleCount == 120 })
        #expect(chunks.last!.sampleCount == 40)
        #expect(chunks[1].minTime == 120 * 15_000)
        #expect(chunks[0].maxTime == 119 * 15_000)
        // Full chunks are sealed packed (decimals: smaller than their XOR); the open one stays XOR.
        #expect(chunks.dropLast().allSatisfy { $0.encoding == .packed })
        #expect(chunks.last!.encoding == .xor && XORChunkCount(chunks.last!.bytes) == 40)
        #expect(chunks[0].bytes.count < 120)
    }

    @Test(arguments: [(0, 999), (119, 121), (120, 120), (100, 700), (960, 999), (999, 999)])
    func queriesAcrossChunks(first: Int, last: Int) throws {
        let head = try loaded(1000)
        let result = try head.querier(mint: Int64(first) * 15_000, maxt: Int64(last) * 15_000)
            .series([matcher(.equal, "gpu", "0")])
        #expect(result == [SeriesData(labels, expected(first..<last + 1))])
    }

    @Test func seekAcrossChunksNeverMovesBackwards() throws {
        let head = try loaded(1000)
        var set = try head.querier(mint: 30_000, maxt: .max).select(matcher(.equal, "gpu", "0"))
        let series = try #require(try set.next())
        var iterator = series.makeSampleIterator()
        do { let moved = iterator.seek(to: 0); #expect(moved) }
        #expect(iterator.at() == Sample(30_000, 3))
        do { let moved = iterator.seek(to: 500 * 15_000 + 1); #expect(moved) }
        #expect(iterator.at().timestamp == 501 * 15_000)
        do { let moved = iterator.seek(to: 10); #expect(moved) }
        #expect(iterator.at().timestamp == 501 * 15_000)
        do { let moved = iterator.next(); #expect(moved) }
        #expect(iterator.at().timestamp == 502 * 15_000)
        do { let moved = iterator.seek(to: 1000 * 15_000); #expect(!moved) }
        do { let moved = iterator.next(); #expect(!moved) }
        #expect(iterator.error == nil)
        // A fresh iterator per call.
        var again = series.makeSampleIterator()
        do { let moved = again.next(); #expect(moved) }
        #expect(again.at().timestamp == 30_000)
    }

    @Test func openChunkSnapshotIsStableWhileAppendsContinue() throws {
        let head = try loaded(130)
        var set = try head.querier(mint: .min, maxt: .max).select(matcher(.equal, "gpu", "0"))
        let series = try #require(try set.next())
        let appender = head.appender()
        for index in 130..<300 { try appender.append(labels, timestamp: Int64(index) * 15_000, value: 1) }
        try appender.commit()
        #expect(try series.samples() == expected(0..<130))
    }

    func XORChunkCount(_ bytes: [UInt8]) -> Int { Int(bytes[0]) << 8 | Int(bytes[1]) }
}
