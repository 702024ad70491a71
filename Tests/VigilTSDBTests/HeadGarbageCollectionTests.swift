import Foundation
import Synchronization
import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@testable import VigilTSDB

private let hour: Int64 = 3_600_000

/// Series whose data all went to blocks leave the head (index, postings, WAL checkpoint), as after
/// Prometheus's head garbage collection; series an open appender holds stay.
@Suite struct HeadGarbageCollectionTests {
    /// 2,000 series (pods of one phase) with a sample every 10 minutes over `[2h·phase, 2h·phase + 2h)`.
    static func churn(phase: Int) -> [(Labels, [Sample])] {
        (0..<2000).map { pod in
            let start = Int64(phase) * 2 * hour
            let samples = stride(from: start, to: start + 2 * hour, by: 600_000).map { Sample($0, Double(pod)) }
            return (Labels.metric("pod_up", ["pod": "p\(phase)-\(pod)"]), samples)
        }
    }

    /// A series that never stops, so that the head moves on.
    static func steady(from: Int64, to: Int64) -> [(Labels, [Sample])] {
        [(Labels.metric("steady"), stride(from: from, to: to, by: 600_000).map { Sample($0, 1) })]
    }

    @Test func churnedSeriesLeaveTheHeadAndTheCheckpoint() throws {
        let directory = TemporaryDirectory()
        let options = TSDB.Options(retention: nil, head: .init(wal: .init(syncOnCommit: false)))
        var counts: [Int] = []
        do {
            let db = try TSDB.open(directory: directory.path, options: options)
            for phase in 0..<5 {
                try db.load(
                    Self.churn(phase: phase)
                        + Self.steady(from: Int64(phase) * 2 * hour, to: Int64(phase + 1) * 2 * hour))
                try db.compact()
                counts.append(db.head.statistics.seriesCount)
            }
            // Move the head on so that the last phase is cut as well.
            try db.load(Self.steady(from: 10 * hour, to: 14 * hour))
            try db.compact()
            counts.append(db.head.statistics.seriesCount)
            // At most the phase not yet cut and the steady series are left; once all are cut, only the steady one.
            #expect(counts.allSatisfy { $0 <= 2 * 2000 + 1 }, "\(counts)")
            #expect(counts.last == 1, "\(counts)")
            // What the head counts is the steady series' open chunk (84 samples over 14 h), nothing churned.
            #expect(db.head.statistics.sampleCount == 84)
            // The postings forgot them too: a selector over the label finds them in blocks only.
            #expect(db.head.index.withLock { $0.postings["pod"] } == nil)
            let pods = try db.series(matcher(.equal, "__name__", "pod_up"))
            #expect(pods.count == 10_000)
            #expect(pods.allSatisfy { $0.samples.count == 12 })
            try db.close()
        }
        let reopened = try TSDB.open(directory: directory.path, options: options)
        defer { try? reopened.close() }
        // The checkpoint left them out: the replayed head has the steady series only.
        #expect(reopened.head.statistics.seriesCount == 1)
        #expect(try reopened.series(matcher(.equal, "__name__", "pod_up")).count == 10_000)
        // A churned series that comes back is a new head series, appended after the blocks.
        try reopened.load([(Labels.metric("pod_up", ["pod": "p0-0"]), [Sample(14 * hour, 7)])])
        let back = try reopened.series(matcher(.equal, "pod", "p0-0"))
        #expect(back.first?.samples.count == 13)
        #expect(back.first?.samples.last == Sample(14 * hour, 7))
    }

    @Test func aSeriesAnAppenderHoldsIsNotCollected() throws {
        let directory = TemporaryDirectory()
        let held = Labels.metric("held")
        let gone = Labels.metric("gone")
        let db = try TSDB.open(directory: directory.path, options: .init(retention: nil))
        try db.load([(held, [Sample(0, 1)]), (gone, [Sample(0, 1)])] + Self.steady(from: 0, to: 10 * hour))
        let appender = db.appender()
        let goneRef = try db.head.appender().append(gone, timestamp: 0, value: 1)  // a duplicate, never committed
        try appender.append(held, timestamp: 9 * hour, value: 2)
        try db.compact()
        #expect(db.head.statistics.seriesCount == 2)  // steady and held
        try appender.commit()
        #expect(
            try db.series(matcher(.equal, "__name__", "held")) == [
                SeriesData(held, [Sample(0, 1), Sample(9 * hour, 2)])
            ])
        // A reference to a collected series is unknown now; appending by labels creates the series again.
        let late = db.appender()
        let error = #expect(throws: StorageError.self) { try late.append(goneRef, timestamp: 9 * hour, value: 3) }
        #expect(error?.code == .unknownSeriesReference)
        try late.append(gone, timestamp: 9 * hour, value: 3)
        try late.commit()
        try db.close()
        let reopened = try TSDB.open(directory: directory.path, options: .init(retention: nil))
        defer { try? reopened.close() }
        #expect(
            try reopened.series(matcher(.regexMatch, "__name__", "held|gone")) == [
                SeriesData(gone, [Sample(0, 1), Sample(9 * hour, 3)]),
                SeriesData(held, [Sample(0, 1), Sample(9 * hour, 2)]),
            ])
    }

    @Test func rolledBackSeriesWithoutSamplesAreCollected() throws {
        let directory = TemporaryDirectory()
        let db = try TSDB.open(directory: directory.path, options: .init(retention: nil))
        defer { try? db.close() }
        let appender = db.appender()
        try appender.append(Labels.metric("never"), timestamp: 5 * hour, value: 1)
        try appender.rollback()
        try db.load(Self.steady(from: 0, to: 10 * hour))
        #expect(db.head.statistics.seriesCount == 2)
        try db.compact()
        #expect(db.head.statistics.seriesCount == 1)
    }
}
