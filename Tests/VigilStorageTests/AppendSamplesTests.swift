import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport

/// `Series.appendSamples(into:from:through:)` reads what the series' iterator yields in the window: for
/// in-memory series, and for chained series whether their parts follow each other (read one after the
/// other) or overlap (merged, the earlier part winning on equal timestamps).
@Suite struct AppendSamplesTests {
    static let labels = Labels.metric("m")

    /// A part of a chained series: timestamps, with values telling the parts apart.
    static func part(_ timestamps: [Int64], tag: Double) -> any Series {
        ListSeries(labels: labels, samples: timestamps.map { Sample($0, Double($0) + tag) })
    }

    static let chains: [(String, [[Int64]])] = [
        ("one after the other", [[1, 2, 3], [4, 5], [9]]),
        ("with empty parts", [[], [1, 2], [], [3], []]),
        ("touching but not overlapping", [[1, 2], [3, 4], [5, 6]]),
        ("out of order", [[5, 6], [1, 2]]),
        ("overlapping", [[1, 3, 5, 7], [2, 3, 4, 8]]),
        ("equal timestamps at the seam", [[1, 2, 3], [3, 4]]),
        ("a part inside another", [[1, 10], [4, 5, 6]]),
    ]

    static let windows: [(Int64, Int64)] = [(.min, .max), (2, 5), (3, 3), (0, 0), (11, .max), (6, 2), (4, 9)]

    static func iterated(_ series: any Series, from mint: Int64, through maxt: Int64) -> [Sample] {
        var iterator = series.makeSampleIterator()
        var result: [Sample] = []
        while iterator.next() { result.append(iterator.at()) }
        return result.filter { $0.timestamp >= mint && $0.timestamp <= maxt }
    }

    @Test(arguments: chains)
    func chainedSeriesReadAsTheirIterator(_ name: String, _ parts: [[Int64]]) throws {
        let series = ChainedSeries(
            labels: Self.labels, series: parts.enumerated().map { Self.part($1, tag: Double($0) / 10) })
        for (mint, maxt) in Self.windows {
            var result = [Sample(-1, 0)]
            try series.appendSamples(into: &result, from: mint, through: maxt)
            #expect(
                result == [Sample(-1, 0)] + Self.iterated(series, from: mint, through: maxt), "\(name) \(mint)…\(maxt)")
        }
        #expect(try series.samples() == Self.iterated(series, from: .min, through: .max), "\(name)")
    }

    @Test func listSeriesReadsItsRangeOnly() throws {
        let all = ContiguousArray((0..<10).map { Sample(Int64($0) * 10, Double($0)) })
        let series = ListSeries(labels: Self.labels, samples: all, range: 2..<7)
        for (mint, maxt) in Self.windows + [(25, 65), (20, 60), (0, 100)] {
            var result: [Sample] = []
            try series.appendSamples(into: &result, from: mint, through: maxt)
            #expect(result == Self.iterated(series, from: mint, through: maxt), "\(mint)…\(maxt)")
        }
    }
}
