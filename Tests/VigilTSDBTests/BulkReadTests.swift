import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@testable import VigilTSDB

/// `Series.appendSamples(into:from:through:)` on head and block series reads exactly what the sample
/// iterator reads: at the window's edges inside a chunk, across chunks, across blocks and the head, and
/// over windows that hold nothing.
@Suite struct BulkReadTests {
    /// One sample every 15 s from t = 0; with 120 samples per chunk, a chunk spans 1785 s.
    static let step: Int64 = 15_000
    static let samples: [Sample] = (0..<1_300).map { (index: Int) -> Sample in
        let value = Double(index % 37) * 0.5 + (index % 5 == 0 ? 1e6 : 0)
        return Sample(Int64(index) * step, value)
    }
    static let last = samples[samples.count - 1].timestamp
    static let chunkSpan = 120 * step

    /// (what it shows, mint, maxt), inclusive bounds.
    static let windows: [(String, Int64, Int64)] = [
        ("everything", .min, .max),
        ("inside one chunk", 10 * step, 50 * step),
        ("inside one chunk, between samples", 10 * step + 1, 50 * step - 1),
        ("one sample", 77 * step, 77 * step),
        ("exactly one chunk", 0, chunkSpan - step),
        ("one chunk's last sample and the next one's first", chunkSpan - step, chunkSpan),
        ("spanning chunks", 100 * step + 7, 650 * step - 7),
        ("the open chunk's tail", last - 10 * step, .max),
        ("before every sample", .min, -1),
        ("after every sample", last + 1, .max),
        ("between two samples", 3 * step + 1, 4 * step - 1),
        ("reversed", 500 * step, 400 * step),
    ]

    static func expected(from mint: Int64, through maxt: Int64) -> [Sample] {
        samples.filter { $0.timestamp >= mint && $0.timestamp <= maxt }
    }

    /// What the series' iterator yields over `[mint, maxt]`: the reference.
    static func iterated(_ series: any Series, from mint: Int64, through maxt: Int64) throws -> [Sample] {
        var iterator = series.makeSampleIterator()
        var result: [Sample] = []
        while iterator.next() { result.append(iterator.at()) }
        if let error = iterator.error { throw error }
        return result.filter { $0.timestamp >= mint && $0.timestamp <= maxt }
    }

    static func bulk(_ series: any Series, from mint: Int64, through maxt: Int64) throws -> [Sample] {
        var result: [Sample] = []
        try series.appendSamples(into: &result, from: mint, through: maxt)
        return result
    }

    static func onlySeries(_ querier: any Querier) throws -> any Series {
        var set = try querier.select(sorted: true, hints: nil, matchers: [matcher(.equal, "__name__", "m")])
        let series = try #require(try set.next())
        #expect(try set.next() == nil)
        return series
    }

    @Test(arguments: windows)
    func headWindowAsQuerierRange(_ name: String, _ mint: Int64, _ maxt: Int64) throws {
        let head = Head()
        try head.load([(Labels.metric("m"), Self.samples)])
        var set = try head.querier(mint: mint, maxt: maxt).select(matcher(.equal, "__name__", "m"))
        let want = Self.expected(from: mint, through: maxt)
        guard let series = try set.next() else {
            #expect(want.isEmpty, "\(name)")
            return
        }
        #expect(try series.samples() == want, "\(name)")
        #expect(try Self.iterated(series, from: .min, through: .max) == want, "\(name)")
    }

    @Test(arguments: windows)
    func headWindowAsArguments(_ name: String, _ mint: Int64, _ maxt: Int64) throws {
        let head = Head()
        try head.load([(Labels.metric("m"), Self.samples)])
        let series = try Self.onlySeries(head.querier(mint: .min, maxt: .max))
        #expect(try Self.bulk(series, from: mint, through: maxt) == Self.expected(from: mint, through: maxt), "\(name)")
    }

    @Test func appendsAfterWhatTheArrayHolds() throws {
        let head = Head()
        try head.load([(Labels.metric("m"), Self.samples)])
        let series = try Self.onlySeries(head.querier(mint: .min, maxt: .max))
        var result = [Sample(-5, 1), Sample(-4, 2)]
        try series.appendSamples(into: &result, from: 0, through: 2 * Self.chunkSpan)
        #expect(result == [Sample(-5, 1), Sample(-4, 2)] + Self.expected(from: 0, through: 2 * Self.chunkSpan))
    }

    /// Blocks of 2 h cut from 5 h 25 min of samples, the rest in the head: the series comes as one
    /// chained series of three parts, read one after the other.
    @Test(arguments: windows)
    func seriesInSeveralBlocksAndTheHead(_ name: String, _ mint: Int64, _ maxt: Int64) throws {
        let directory = TemporaryDirectory()
        let db = try TSDB.open(directory: directory.path, options: .init(compactionRanges: [], retention: nil))
        try db.load([(Labels.metric("m"), Self.samples)])
        try db.cutHead()
        #expect(db.blocks.count == 2)
        let series = try Self.onlySeries(db.querier(mint: .min, maxt: .max))
        #expect((series as? ChainedSeries)?.series.count == 3)
        let want = Self.expected(from: mint, through: maxt)
        #expect(try Self.bulk(series, from: mint, through: maxt) == want, "\(name)")
        #expect(try Self.iterated(series, from: mint, through: maxt) == want, "\(name)")
        var set = try db.querier(mint: mint, maxt: maxt).select(matcher(.equal, "__name__", "m"))
        #expect(try set.next()?.samples() ?? [] == want, "\(name)")
    }

    @Test func deletedIntervalsAreSkippedAcrossBlocksAndTheHead() throws {
        let directory = TemporaryDirectory()
        let db = try TSDB.open(directory: directory.path, options: .init(compactionRanges: [], retention: nil))
        try db.load([(Labels.metric("m"), Self.samples)])
        try db.cutHead()
        let deleted: [ClosedRange<Int64>] = [
            (50 * Self.step)...(70 * Self.step), (470 * Self.step)...(500 * Self.step + 1),
        ]
        for range in deleted {
            try db.delete(matchers: [matcher(.equal, "__name__", "m")], mint: range.lowerBound, maxt: range.upperBound)
        }
        let want = Self.samples.filter { sample in !deleted.contains { $0.contains(sample.timestamp) } }
        let series = try Self.onlySeries(db.querier(mint: .min, maxt: .max))
        #expect(try series.samples() == want)
        #expect(try Self.iterated(series, from: .min, through: .max) == want)
        let window = (60 * Self.step)...(480 * Self.step)
        #expect(
            try Self.bulk(series, from: window.lowerBound, through: window.upperBound)
                == want.filter { window.contains($0.timestamp) })
    }

    @Test func aChunkThatDoesNotDecodeFailsAsTheIteratorDoes() throws {
        let good = Self.samples
        let head = Head()
        try head.load([(Labels.metric("m"), Array(good.prefix(240)))])
        let (_, chunks, _) = try #require(head.seriesSnapshots().first)
        // The second chunk loses its last bytes: the first still reads, the second fails.
        let broken = [
            chunks[0],
            HeadChunk(
                bytes: Array(chunks[1].bytes.dropLast(3)), minTime: chunks[1].minTime, maxTime: chunks[1].maxTime),
        ]
        let series = HeadQuerySeries(labels: Labels.metric("m"), chunks: broken, mint: .min, maxt: .max)
        var result: [Sample] = []
        let error = #expect(throws: StorageError.self) {
            try series.appendSamples(into: &result, from: .min, through: .max)
        }
        #expect(error?.code == .corruption)
        #expect(result.prefix(120) == good.prefix(120))
        var iterator = series.makeSampleIterator()
        while iterator.next() {}
        #expect(iterator.error?.message == error?.message)
        // A window that ends inside the first chunk never reaches the damage, with either reader.
        #expect(try Self.bulk(series, from: .min, through: 50 * Self.step) == Array(good.prefix(51)))
    }
}
