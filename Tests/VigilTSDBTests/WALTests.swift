import Foundation
import Testing
import VigilEncoding
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@testable import VigilTSDB

/// The WAL: records round-trip, commits survive a restart, damage is repaired and reported.
@Suite struct WALTests {
    let up = Labels.metric("up", ["job": "node"])

    @Test func recordsRoundTrip() throws {
        let records: [WALRecord] = [
            .series([
                WALRecord.WALSeries(ref: 1, labels: up),
                WALRecord.WALSeries(ref: 300, labels: Labels.metric("é", ["a": "\"x\"\n"])),
            ]),
            .samples([
                WALRecord.WALSample(ref: 300, timestamp: 1_700_000_000_000, value: staleNaN),
                WALRecord.WALSample(ref: 1, timestamp: -5, value: -0.0),
                WALRecord.WALSample(ref: .max, timestamp: .max, value: .infinity),
                WALRecord.WALSample(ref: 0, timestamp: .min, value: 1.5),
            ]),
            .samples([]),
            .series([]),
        ]
        for record in records {
            var payload: [UInt8] = []
            record.encode(into: &payload)
            let decoded = try WALRecord.decode(type: record.type, payload: payload, range: 0..<payload.count)
            #expect(decoded == record)
        }
    }

    @Test func committedSamplesSurviveARestart() throws {
        let directory = TemporaryDirectory()
        let otherNaN = Double(bitPattern: 0x7ff8_0000_0000_0001)
        do {
            let head = try Head(directory: directory.path)
            #expect(head.recovery == WALRecoveryReport())
            let appender = head.appender()
            let ref = try appender.append(up, timestamp: 1000, value: 1)
            try appender.append(ref, timestamp: 2000, value: staleNaN)
            try appender.append(Labels.metric("gpu", ["gpu": "0"]), timestamp: 1000, value: otherNaN)
            try appender.commit()
            let second = head.appender()
            for index in 0..<300 { try second.append(up, timestamp: 3000 + Int64(index), value: Double(index)) }
            try second.commit()
            try head.close()
            #expect(throws: StorageError.self) { try head.load([(up, samples(10_000))]) }
        }
        let head = try Head(directory: directory.path)
        let report = try #require(head.recovery)
        #expect(report.damage == nil)
        #expect(report.series == 2)
        #expect(report.samples == 303)
        #expect(report.droppedSamples == 0)
        let stored = try head.series(matcher(.equal, "job", "node")).first?.samples ?? []
        #expect(stored.count == 302)
        #expect(stored[1].isStaleMarker)
        #expect(stored.last == Sample(3299, 299))
        let gpu = try head.series(matcher(.equal, "gpu", "0")).first?.samples ?? []
        #expect(gpu.map(\.value.bitPattern) == [otherNaN.bitPattern])
        // The restored head goes on: same series, checks against restored samples, new refs above old ones.
        let appender = head.appender()
        #expect(throws: StorageError.self) { try appender.append(up, timestamp: 3299, value: 1) }
        try appender.append(up, timestamp: 4000, value: 4)
        let fresh = try appender.append(Labels.metric("fresh"), timestamp: 1, value: 1)
        #expect(fresh.rawValue == 3)
        try appender.commit()
        try head.close()
        let again = try Head(directory: directory.path)
        #expect(again.statistics.sampleCount == 305)
        #expect(again.statistics.seriesCount == 3)
        try again.close()
    }

    @Test func rolledBackAndRefusedSamplesAreAbsentAfterRestart() throws {
        let directory = TemporaryDirectory()
        do {
            let head = try Head(directory: directory.path, options: .init(wal: .init(syncOnCommit: false)))
            try head.load([(up, samples(1000))])
            let appender = head.appender()
            try appender.append(up, timestamp: 2000, value: 2)
            try appender.append(Labels.metric("never"), timestamp: 2000, value: 2)
            try appender.rollback()
            // Two transactions racing: the loser's stale sample is dropped at commit and at replay alike.
            let early = head.appender()
            let late = head.appender()
            try early.append(up, timestamp: 5000, value: 5)
            try late.append(up, timestamp: 4000, value: 4)
            try late.append(up, timestamp: 6000, value: 6)
            try early.commit()
            try late.commit()
            // The series the rolled-back transaction created is logged once it commits a sample.
            try head.load([(Labels.metric("never"), samples(9000))])
            try head.close()
        }
        let head = try Head(directory: directory.path)
        #expect(try head.series(matcher(.equal, "job", "node")).first?.samples == samples(1000, 5000, 6000))
        #expect(try head.series(matcher(.equal, metricNameLabel, "never")).first?.samples == samples(9000))
        #expect(head.recovery?.droppedSamples == 1)
        try head.close()
    }

    /// Builds a WAL of several commits and returns (segment path, offset where the last record starts).
    func writeHistory(_ directory: TemporaryDirectory) throws -> (String, Int) {
        let head = try Head(directory: directory.path)
        for batch in 0..<5 {
            let appender = head.appender()
            for series in 0..<3 {
                try appender.append(
                    Labels.metric("m", ["s": "\(series)"]), timestamp: Int64(batch * 1000), value: Double(batch))
            }
            try appender.commit()
        }
        let segment = try #require(directory.segments.last)
        let before = TestFile.read(segment).count
        try head.load([(Labels.metric("last"), samples(99_000))])
        try head.close()
        return (segment, before)
    }

    /// Cutting the last segment at every byte inside its last commit: the head opens, reports a torn tail
    /// at that commit's first record, and everything committed earlier is there.
    @Test func tornTailAtEveryOffsetIsTruncated() throws {
        let template = TemporaryDirectory()
        let (segment, lastStart) = try writeHistory(template)
        let bytes = TestFile.read(segment)
        #expect(bytes.count > lastStart)
        // The last commit is a series record then a samples record; a cut between them loses nothing torn.
        #expect(bytes[lastStart] == WALRecordType.series.rawValue)
        let seriesEnd = lastStart + 9 + bytes[lastStart + 1..<lastStart + 5].reduce(0) { $0 << 8 | Int($1) }
        for cut in lastStart..<bytes.count {
            let directory = TemporaryDirectory()
            try FileManager.default.createDirectory(atPath: directory.path + "/wal", withIntermediateDirectories: true)
            let copy = directory.path + "/wal/" + (segment as NSString).lastPathComponent
            TestFile.write(copy, Array(bytes[0..<cut]))
            let head = try Head(directory: directory.path)
            let report = try #require(head.recovery)
            let goodEnd = cut < seriesEnd ? lastStart : seriesEnd
            if cut == lastStart || cut == seriesEnd {
                #expect(report.damage == nil)
            } else {
                let damage = try #require(report.damage, "cut at \(cut)")
                #expect(damage.kind == .tornTail)
                #expect(damage.offset == goodEnd)
                #expect(damage.segment == Int((segment as NSString).lastPathComponent))
            }
            #expect(TestFile.read(copy).count == goodEnd)
            let all = try head.series(matcher(.equal, metricNameLabel, "m"))
            #expect(all.count == 3)
            #expect(all.allSatisfy { $0.samples.map(\.timestamp) == [0, 1000, 2000, 3000, 4000] })
            #expect(try head.series(matcher(.equal, metricNameLabel, "last")).isEmpty)
            // The repaired WAL takes new commits, and they survive the next restart.
            try head.load([(Labels.metric("after"), samples(1))])
            try head.close()
            let reopened = try Head(directory: directory.path)
            #expect(reopened.recovery?.damage == nil)
            #expect(try reopened.series(matcher(.equal, metricNameLabel, "after")).count == 1)
            #expect(reopened.statistics.sampleCount == 16)
            try reopened.close()
        }
    }

    /// A flipped byte in the middle of an older segment: replay stops there and says where, the later
    /// segments are moved aside, the head opens with what came before.
    @Test func corruptionInTheMiddleIsReportedNotFatal() throws {
        let directory = TemporaryDirectory()
        do {
            let head = try Head(directory: directory.path, options: .init(wal: .init(segmentSize: 60)))
            for batch in 0..<20 {
                try head.load([(up, samples(Int64(batch) * 1000))])
            }
            try head.close()
        }
        let segments = directory.segments
        try #require(segments.count > 4)
        let damaged = segments[2]
        var bytes = TestFile.read(damaged)
        bytes[bytes.count - 2] ^= 0xff
        TestFile.write(damaged, bytes)
        let head = try Head(directory: directory.path)
        let damage = try #require(head.recovery?.damage)
        #expect(damage.kind == .corruption)
        #expect(damage.segment == 2)
        #expect(damage.reason.contains("CRC"))
        #expect(damage.discardedSegments == Array(3..<segments.count))
        #expect(TestFile.exists(segments[3] + ".discarded"))
        let stored = try head.series(matcher(.equal, "job", "node")).first?.samples ?? []
        #expect(!stored.isEmpty && stored.count < 20)
        #expect(stored == (0..<stored.count).map { Sample(Int64($0) * 1000, Double($0)) })
        try head.load([(up, samples(100_000))])
        try head.close()
        let reopened = try Head(directory: directory.path)
        #expect(reopened.recovery?.damage == nil)
        #expect(try reopened.series(matcher(.equal, "job", "node")).first?.samples.last == Sample(100_000, 100))
        try reopened.close()
    }

    @Test func garbageSegmentsNeverCrash() throws {
        var random = SeededGenerator(seed: 7)
        for length in [0, 1, 8, 9, 10, 100, 5000] {
            let directory = TemporaryDirectory()
            try FileManager.default.createDirectory(atPath: directory.path + "/wal", withIntermediateDirectories: true)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            TestFile.write(directory.path + "/wal/00000000", bytes)
            let head = try Head(directory: directory.path)
            #expect(head.recovery?.damage != nil || length == 0)
            try head.close()
        }
    }

    @Test func segmentsRotateAtTheSizeLimit() throws {
        let directory = TemporaryDirectory()
        let head = try Head(directory: directory.path, options: .init(wal: .init(segmentSize: 1000)))
        for batch in 0..<50 {
            try head.load([(up, samples(Int64(batch) * 1000)), (Labels.metric("m", ["b": "\(batch)"]), samples(1))])
        }
        try head.close()
        let segments = directory.segments
        #expect(segments.count > 3)
        #expect(segments.dropLast().allSatisfy { TestFile.read($0).count <= 1000 })
        #expect(segments.first.map { ($0 as NSString).lastPathComponent } == "00000000")
        let reopened = try Head(directory: directory.path)
        #expect(reopened.statistics.sampleCount == 100)
        #expect(reopened.recovery?.segments == Array(0..<segments.count))
        try reopened.close()
    }

    @Test func zeroFilledTailIsATornTail() throws {
        let directory = TemporaryDirectory()
        let (segment, _) = try writeHistory(directory)
        let clean = TestFile.read(segment)
        TestFile.write(segment, clean + [UInt8](repeating: 0, count: 4096))
        let head = try Head(directory: directory.path)
        let damage = try #require(head.recovery?.damage)
        #expect(damage.kind == .tornTail)
        #expect(damage.offset == clean.count)
        #expect(head.statistics.sampleCount == 16)
        #expect(TestFile.read(segment) == clean)
        try head.close()
    }

    @Test func hashCollisionsSurviveReplay() throws {
        let directory = TemporaryDirectory()
        do {
            let head = try Head(directory: directory.path, options: .init(), hash: { _ in 7 })
            try head.load([(Labels.metric("a"), samples(1)), (Labels.metric("b"), samples(2))])
            try head.close()
        }
        let head = try Head(directory: directory.path, options: .init(), hash: { _ in 7 })
        #expect(try head.series(matcher(.equal, metricNameLabel, "a")) == [SeriesData(Labels.metric("a"), samples(1))])
        #expect(try head.series(matcher(.equal, metricNameLabel, "b")) == [SeriesData(Labels.metric("b"), samples(2))])
        try head.close()
    }

    /// Random transactions, some rolled back, some racing: after a restart the head holds exactly what it
    /// held before, chunk for chunk.
    @Test(arguments: [11, 12] as [UInt64])
    func replayReproducesTheHead(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let directory = TemporaryDirectory()
        let options = Head.Options(samplesPerChunk: 32, wal: .init(segmentSize: 4096, syncOnCommit: false))
        let before: [SeriesData]
        let statistics: Head.Statistics
        do {
            let head = try Head(directory: directory.path, options: options)
            for round in 0..<60 {
                let appenders = (0..<Int.random(in: 1...3, using: &random)).map { _ in head.appender() }
                for appender in appenders {
                    for _ in 0..<Int.random(in: 1...40, using: &random) {
                        let labels = Labels.metric("m", ["s": "\(Int.random(in: 0..<25, using: &random))"])
                        let timestamp = Int64(round * 1000 + Int.random(in: 0..<1500, using: &random))
                        let value = Int.random(in: 0..<10, using: &random) == 0 ? staleNaN : Double(timestamp % 97)
                        _ = try? appender.append(labels, timestamp: timestamp, value: value)
                    }
                }
                for appender in appenders.shuffled(using: &random) {
                    if Int.random(in: 0..<4, using: &random) == 0 {
                        try appender.rollback()
                    } else {
                        try appender.commit()
                    }
                }
            }
            before = try head.series(matcher(.equal, metricNameLabel, "m"))
            statistics = head.statistics
            #expect(statistics.sampleCount > 200)
            #expect(statistics.rejectedSamples[.outOfOrderSample, default: 0] > 0)
            try head.close()
        }
        let head = try Head(directory: directory.path, options: options)
        #expect(head.recovery?.damage == nil)
        let after = try head.series(matcher(.equal, metricNameLabel, "m"))
        #expect(after.count == before.count)
        for (lhs, rhs) in zip(before, after) {
            #expect(lhs.labels == rhs.labels)
            #expect(lhs.samples.map(\.timestamp) == rhs.samples.map(\.timestamp))
            #expect(lhs.samples.map(\.value.bitPattern) == rhs.samples.map(\.value.bitPattern))
        }
        #expect(head.statistics.sampleCount == statistics.sampleCount)
        #expect(head.statistics.maxTime == statistics.maxTime)
        try head.close()
    }

    /// Concurrent transactions racing on a shared series: the WAL order is the commit order, so the restarted
    /// head holds exactly the samples the live one did, conflicts dropped the same way.
    @Test func concurrentCommitsReplayExactly() async throws {
        let directory = TemporaryDirectory()
        let options = Head.Options(wal: .init(syncOnCommit: false))
        let head = try Head(directory: directory.path, options: options)
        let shared = Labels.metric("shared")
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for step in 0..<100 {
                        let appender = head.appender()
                        let timestamp = Int64(step * 10 + worker)
                        _ = try? appender.append(
                            Labels.metric("m", ["w": "\(worker)"]), timestamp: timestamp, value: Double(step))
                        _ = try? appender.append(shared, timestamp: timestamp, value: Double(worker))
                        try? appender.commit()
                    }
                }
            }
        }
        let before = try head.series(matcher(.regexMatch, metricNameLabel, ".+"))
        let statistics = head.statistics
        try head.close()
        let reopened = try Head(directory: directory.path, options: options)
        #expect(try reopened.series(matcher(.regexMatch, metricNameLabel, ".+")) == before)
        #expect(reopened.statistics.sampleCount == statistics.sampleCount)
        #expect(before.count == 5)
        #expect(statistics.sampleCount == 400 + (before.first { $0.labels == shared }?.samples.count ?? 0))
        try reopened.close()
    }
}
