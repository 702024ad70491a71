import Foundation
import Testing
import VigilEncoding
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@testable import VigilTSDB

/// `Series.summarize`: count, minimum and maximum of a window from packed chunks' headers where a chunk lies
/// wholly inside it, equal to folding the window's samples one by one (what the engine did before).
@Suite struct SummaryTests {
    static let step: Int64 = 15_000
    static let stale = Double(bitPattern: 0x7ff0_0000_0000_0002)

    /// 6 h of one series: decimals (packed), a run with NaN, ±0 and infinities (XOR), staleness markers.
    static let samples: [Sample] = (0..<1440).map { index in
        let time = Int64(index) * step
        switch index {
        case 300: return Sample(time, .nan)
        case 301: return Sample(time, -0.0)
        case 302: return Sample(time, 0)
        case 700, 701: return Sample(time, stale)
        case 900: return Sample(time, .infinity)
        case 1200: return Sample(time, -.infinity)
        default: return Sample(time, Double((index * 37) % 1000 - 200) / 10)
        }
    }

    /// The summary of the window, folded sample by sample from what the series reads.
    static func folded(_ series: any Series, _ mint: Int64, _ maxt: Int64) throws -> SampleSummary {
        var samples: [Sample] = []
        try series.appendSamples(into: &samples, from: mint, through: maxt)
        return SampleSummary(folding: samples)
    }

    static func same(_ a: SampleSummary, _ b: SampleSummary) -> Bool {
        a.count == b.count && a.span == b.span && a.minimum.bitPattern == b.minimum.bitPattern
            && a.maximum.bitPattern == b.maximum.bitPattern
    }

    @Test("blocks, the head and deleted intervals: header summaries equal folding every sample")
    func equalsFolding() throws {
        let directory = TemporaryDirectory()
        let db = try TSDB.open(directory: directory.path, options: .init(compactionRanges: [], retention: nil))
        try db.load([(Labels.metric("m"), Self.samples)])
        try db.cutHead()  // blocks [0, 2 h), [2 h, 4 h); the head keeps the rest, its full chunks sealed packed
        #expect(db.blocks.count == 2)
        try db.delete(matchers: [matcher(.equal, "__name__", "m")], mint: 1000 * Self.step, maxt: 1010 * Self.step)
        var set = try db.querier(mint: .min, maxt: .max).select(matcher(.equal, "__name__", "m"))
        let series = try #require(try set.next())
        var generator = SeededGenerator(seed: 11)
        var windows: [(Int64, Int64)] = [
            (.min, .max), (0, 1439 * Self.step), (-5, -1), (299 * Self.step, 303 * Self.step),
        ]
        for _ in 0..<300 {
            let low = Int64.random(in: -Self.step..<(1440 * Self.step), using: &generator)
            windows.append((low, low + Int64.random(in: 0..<(1440 * Self.step), using: &generator)))
        }
        for (mint, maxt) in windows {
            let fast = try series.summarize(from: mint, through: maxt)
            let slow = try Self.folded(series, mint, maxt)
            #expect(Self.same(fast, slow), "[\(mint), \(maxt)]: \(fast) vs \(slow)")
        }
        // The whole range reads headers for most chunks: check that some did (the blocks' chunks are packed).
        let blockSeries = try #require((series as? ChainedSeries)?.series.first as? HeadQuerySeries)
        #expect(blockSeries.chunks.contains { $0.encoding == .packed })
        let whole = try series.summarize(from: .min, through: .max)
        #expect(whole.count == 1440 - 2 - 11)  // less the staleness markers and the deleted samples
        #expect(whole.maximum == .infinity && whole.minimum == -.infinity)
    }

    @Test("folding follows max_over_time: NaN only while nothing else came, ties keep the earlier value")
    func foldingSemantics() {
        var summary = SampleSummary()
        summary.add(Sample(1, .nan))
        #expect(summary.maximum.isNaN && summary.count == 1)
        summary.add(Sample(2, -0.0))
        summary.add(Sample(3, 0.0))
        #expect(summary.maximum.bitPattern == (-0.0).bitPattern)
        summary.add(Sample(4, Self.stale))
        #expect(summary.count == 3 && summary.span == 1...4)
        summary.add(SampleSummary(count: 5, minimum: -3, maximum: 7, span: 5...9))
        #expect(summary.count == 8 && summary.minimum == -3 && summary.maximum == 7 && summary.span == 1...9)
    }
}
