import Foundation
import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@testable import VigilTSDB

private let hour: Int64 = 3_600_000
private let everything = [matcher(.regexMatch, "__name__", ".+")]

@Suite struct TSDBTests {
    /// `count` series with a sample every minute over `[from, to)`.
    static func minuteSeries(count: Int, from: Int64, to: Int64) -> [(Labels, [Sample])] {
        (0..<count).map { index in
            let labels = Labels.metric("up", ["instance": "host-\(index)"])
            let samples = stride(from: from, to: to, by: 60_000).map { Sample($0, Double($0 / 60_000 + Int64(index))) }
            return (labels, samples)
        }
    }

    @Test func headIsCutIntoBlocksCompactedAndSurvivesARestart() throws {
        let directory = TemporaryDirectory()
        let data = Self.minuteSeries(count: 5, from: 0, to: 10 * hour)
        let expected = data.map { SeriesData($0.0, $0.1) }.sorted { Labels.compare($0.labels, $1.labels) < 0 }
        do {
            let db = try TSDB.open(directory: directory.path)
            try db.load(data)
            let written = try db.compact()
            // [0,2) [2,4) [4,6) [6,8) are cut (the head keeps 1.5 blocks), then the first three become one.
            #expect(written.map(\.minTime) == [0, 2 * hour, 4 * hour, 6 * hour, 0])
            #expect(db.blocks.map { [$0.minTime, $0.maxTime] } == [[0, 6 * hour], [6 * hour, 8 * hour]])
            #expect(db.blocks.map(\.compaction.level) == [2, 1])
            #expect(db.blocks[0].compaction.sources.count == 3)
            #expect(db.blocks[0].stats.numSamples == 5 * 360)
            #expect(try db.querier(mint: .min, maxt: .max).series(everything) == expected)
            #expect(db.head.statistics.sampleCount < 5 * 600)
            // The WAL was replaced by a checkpoint of what the head still holds.
            #expect(directory.segments.count == 1)
            // The head no longer takes samples for the time blocks cover.
            let appender = db.appender()
            #expect(throws: StorageError.self) {
                try appender.append(Labels.metric("up", ["instance": "late"]), timestamp: hour, value: 1)
            }
            try appender.rollback()
            try db.close()
        }
        let reopened = try TSDB.open(directory: directory.path)
        defer { try? reopened.close() }
        #expect(reopened.blocks.count == 2)
        #expect(reopened.quarantined.isEmpty)
        #expect(try reopened.querier(mint: .min, maxt: .max).series(everything) == expected)
        #expect(
            try reopened.querier(mint: 5 * hour, maxt: 7 * hour).series(everything)
                == expected.map {
                    SeriesData($0.labels, $0.samples.filter { $0.timestamp >= 5 * hour && $0.timestamp <= 7 * hour })
                })
        // Appends go on where they stopped, and a second compaction cuts nothing twice.
        try reopened.load(Self.minuteSeries(count: 5, from: 10 * hour, to: 11 * hour))
        try reopened.compact()
        let all = try reopened.querier(mint: .min, maxt: .max).series(everything)
        #expect(all.map(\.samples.count) == Array(repeating: 660, count: 5))
        #expect(reopened.blocks.allSatisfy { $0.stats.numSamples > 0 })
        #expect(reopened.blocks.reduce(0) { $0 + $1.stats.numSamples } == 5 * 480)
    }

    @Test(arguments: [11, 12] as [UInt64])
    func compactionPreservesEverySample(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        let data = randomSeries(seed: seed, count: 30, span: 30 * hour)
        let head = Head()
        try head.load(data)
        let db = try TSDB.open(directory: directory.path, options: .init(retention: nil))
        defer { try? db.close() }
        try db.load(data)
        try db.compact()
        #expect(db.blocks.contains { $0.compaction.level == 3 })  // 24 h out of 6 h out of 2 h
        for matchers in queryMatchers {
            #expect(
                try db.querier(mint: .min, maxt: .max).series(matchers)
                    == head.querier(mint: .min, maxt: .max).series(matchers))
        }
        let inBlocks = db.blocks.reduce(0) { $0 + $1.stats.numSamples }
        #expect(inBlocks > 0)
        // No two blocks overlap.
        for (first, second) in zip(db.blocks, db.blocks.dropFirst()) { #expect(first.maxTime <= second.minTime) }
    }

    @Test func retentionByTimeAndSizeDropsTheOldestBlocks() throws {
        let directory = TemporaryDirectory()
        let db = try TSDB.open(
            directory: directory.path, options: .init(compactionRanges: [], retention: 4 * hour))
        defer { try? db.close() }
        try db.load(Self.minuteSeries(count: 3, from: 0, to: 10 * hour))
        try db.cutHead()
        #expect(db.blocks.map(\.minTime) == [0, 2 * hour, 4 * hour, 6 * hour])
        let ulids = db.blocks.map(\.ulid)
        // now − retention = 5 h: [0,2) and [2,4) are wholly older; [4,6) is not.
        #expect(try db.applyRetention(now: 9 * hour) == Array(ulids[0..<2]))
        #expect(db.blocks.map(\.ulid) == Array(ulids[2...]))
        #expect(!TestFile.exists(directory.path + "/" + ulids[0]))
        #expect(try db.querier(mint: 0, maxt: 4 * hour - 1).series(everything).isEmpty)
    }

    @Test func retentionBySizeDropsOldestUntilUnderTheLimit() throws {
        let directory = TemporaryDirectory()
        do {
            let db = try TSDB.open(directory: directory.path, options: .init(compactionRanges: [], retention: nil))
            try db.load(Self.minuteSeries(count: 3, from: 0, to: 10 * hour))
            try db.cutHead()
            try db.close()
        }
        let sizes = try TSDB.inspect(directory: directory.path).blocks.map(\.bytes)
        #expect(sizes.count == 4)
        let db = try TSDB.open(
            directory: directory.path,
            options: .init(compactionRanges: [], retention: nil, maxBytes: sizes[2] + sizes[3]))
        defer { try? db.close() }
        let before = db.blocks.map(\.ulid)
        #expect(try db.applyRetention() == Array(before[0..<2]))
        #expect(db.blocks.map(\.ulid) == Array(before[2...]))
    }

    /// OpenMetrics text as the bench harness writes it, with its expected series.
    static func openMetrics(series: Int, samplesPerSeries: Int) -> (String, [SeriesData]) {
        var text = "# HELP gpu_temp GPU temperature.\n# TYPE gpu_temp gauge\n"
        var expected: [SeriesData] = []
        for index in 0..<series {
            let name = index % 3 == 0 ? "gpu_power" : "gpu_temp"
            let labels = Labels.metric(name, ["gpu": "\(index % 4)", "host": "node \"\(index)\"\\x"])
            var samples: [Sample] = []
            for step in 0..<samplesPerSeries {
                let seconds = 1_700_000_000 + 15 * step
                let value = Double(index * 10 + step % 7) + 0.25
                text += "\(name){gpu=\"\(index % 4)\",host=\"node \\\"\(index)\\\"\\\\x\"} \(value) \(seconds)\n"
                samples.append(Sample(Int64(seconds) * 1000, value))
            }
            expected.append(SeriesData(labels, samples))
        }
        text += "# EOF\n"
        return (text, expected.sorted { Labels.compare($0.labels, $1.labels) < 0 })
    }

    @Test func importedFileAnswersQueriesAndInspectCountsIt() throws {
        let directory = TemporaryDirectory()
        let (text, expected) = Self.openMetrics(series: 12, samplesPerSeries: 1440)  // 6 h at 15 s
        let file = directory.path + "/input.om"
        TestFile.write(file, Array(text.utf8))
        let data = directory.path + "/data"
        let report = try TSDB.importOpenMetrics(file: file, into: data)
        #expect(report.series == 12)
        #expect(report.samples == 12 * 1440)
        #expect(report.blocks.count == 4)  // 6 h starting mid-range touches four 2 h ranges
        #expect(report.blocks.allSatisfy { $0.maxTime - $0.minTime == 2 * hour && $0.minTime % (2 * hour) == 0 })

        let db = try TSDB.open(directory: data)
        #expect(try db.querier(mint: .min, maxt: .max).series(everything) == expected)
        #expect(
            try db.querier(mint: .min, maxt: .max).series([matcher(.equal, "gpu", "1")])
                == expected.filter { $0.labels["gpu"] == "1" })
        try db.close()

        let inspect = try TSDB.inspect(directory: data)
        #expect(inspect.blocks.count == 4)
        #expect(inspect.samples == 12 * 1440)
        #expect(inspect.blocks.reduce(0) { $0 + $1.series } == 12 * 4)
        #expect(inspect.topMetricsBySeries == [.init(name: "gpu_temp", count: 8), .init(name: "gpu_power", count: 4)])
        #expect(
            inspect.topLabelsByValues == [
                .init(name: "host", count: 12), .init(name: "gpu", count: 4), .init(name: "__name__", count: 2),
            ])
        #expect(inspect.bytesPerSample > 0 && inspect.bytesPerSample < 4)
        #expect(inspect.directoryBytes >= inspect.blocks.reduce(0) { $0 + $1.bytes })
        #expect(inspect.damaged.isEmpty)
    }

    @Test func importFromBytesMatchesImportFromFile() throws {
        let directory = TemporaryDirectory()
        let (text, expected) = Self.openMetrics(series: 3, samplesPerSeries: 5000)
        let report = try TSDB.importOpenMetrics(Array(text.utf8), into: directory.path)
        #expect(report.samples == 15000)
        let db = try TSDB.open(directory: directory.path)
        defer { try? db.close() }
        #expect(try db.querier(mint: .min, maxt: .max).series(everything) == expected)
    }

    @Test(arguments: [
        ("up 1 10\n", "without \"# EOF\""),
        ("up 1 10\nup 2 5\n# EOF\n", "not after"),
        ("up{a=\"x} 1 10\n# EOF\n", "line 1"),
        ("up one 10\n# EOF\n", "bad value"),
        ("up 1 10\n# EOF\nup 2 20\n", "after"),
        ("up 1 10\ndown 1 10\nup 2 20\n# EOF\n", "added twice"),
    ])
    func badImportInputIsAPreciseError(input: String, message: String) throws {
        let directory = TemporaryDirectory()
        let error = #expect(throws: StorageError.self) {
            try TSDB.importOpenMetrics(Array(input.utf8), into: directory.path)
        }
        #expect(error?.code == .invalidImport)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }
}

@Suite struct WALCheckpointTests {
    @Test func checkpointKeepsTheHeadAndDropsOldSegments() throws {
        let directory = TemporaryDirectory()
        let data = randomSeries(seed: 5, count: 20, span: 3 * hour)
        let expected: [SeriesData]
        do {
            let head = try Head(directory: directory.path, options: .init(wal: .init(segmentSize: 4096)))
            for (labels, samples) in data { try head.load([(labels, samples)]) }
            #expect(directory.segments.count > 3)
            head.dropChunks(before: hour)
            expected = try head.series(matcher(.regexMatch, "__name__", ".+"))
            #expect(try head.checkpointWAL() > 3)
            #expect(directory.segments.count >= 1)
            // Commits after the checkpoint replay after it.
            try head.load([(Labels.metric("after"), samples(4 * hour))])
            try head.close()
        }
        let reopened = try Head(directory: directory.path)
        defer { try? reopened.close() }
        #expect(reopened.recovery?.damage == nil)
        #expect(
            try reopened.series(matcher(.regexMatch, "__name__", ".+"))
                == (expected + [SeriesData(Labels.metric("after"), samples(4 * hour))]).sorted {
                    Labels.compare($0.labels, $1.labels) < 0
                })
    }
}

@Suite struct TSDBRobustnessTests {
    @Test func unfinishedBlocksAreRemovedAtOpen() throws {
        let directory = TemporaryDirectory()
        let leftover = directory.path + "/" + BlockID.make() + ".tmp"
        try FileManager.default.createDirectory(atPath: leftover + "/chunks", withIntermediateDirectories: true)
        let db = try TSDB.open(directory: directory.path)
        defer { try? db.close() }
        #expect(!TestFile.exists(leftover))
        #expect(db.blocks.isEmpty && db.quarantined.isEmpty)
    }

    @Test func extremeTimestampsNeverTrap() throws {
        let directory = TemporaryDirectory()
        let db = try TSDB.open(directory: directory.path)
        defer { try? db.close() }
        try db.load([
            (Labels.metric("edge"), [Sample(.min, 1), Sample(.min + 1, 2), Sample(.max - 1, 3), Sample(.max, 4)])
        ])
        try db.compact()
        #expect(try db.series(matcher(.equal, "__name__", "edge")).first?.samples.count == 4)
        let error = #expect(throws: StorageError.self) {
            try TSDB.importOpenMetrics(Array("up 1 1e300\n# EOF\n".utf8), into: directory.path + "/import")
        }
        #expect(error?.code == .invalidImport)
    }

    @Test func aCommitAfterACutRefusesSamplesTheBlocksCover() throws {
        let directory = TemporaryDirectory()
        let late = Labels.metric("late")
        do {
            let db = try TSDB.open(directory: directory.path)
            try db.load(TSDBTests.minuteSeries(count: 2, from: 0, to: 10 * hour))
            let appender = db.appender()
            try appender.append(late, timestamp: hour, value: 1)  // accepted: nothing is cut yet
            try appender.append(late, timestamp: 9 * hour, value: 2)
            try db.cutHead()
            try appender.commit()
            #expect(db.head.statistics.rejectedSamples[.outOfBounds] == 1)
            #expect(try db.series(matcher(.equal, "__name__", "late")) == [SeriesData(late, [Sample(9 * hour, 2)])])
            try db.close()
        }
        let reopened = try TSDB.open(directory: directory.path)
        defer { try? reopened.close() }
        #expect(try reopened.series(matcher(.equal, "__name__", "late")) == [SeriesData(late, [Sample(9 * hour, 2)])])
    }

    @Test func appendsAndQueriesDuringCompactionLoseNothing() async throws {
        let directory = TemporaryDirectory()
        let db = try TSDB.open(directory: directory.path, options: .init(head: .init(wal: .init(syncOnCommit: false))))
        defer { try? db.close() }
        let writers = 4
        let steps = 600  // 10 h at one minute per writer series
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for step in 0..<steps {
                        let appender = db.appender()
                        _ = try? appender.append(
                            Labels.metric("load", ["writer": "\(writer)"]), timestamp: Int64(step) * 60_000,
                            value: Double(step))
                        try? appender.commit()
                    }
                }
            }
            group.addTask {
                for _ in 0..<20 {
                    _ = try? db.compact()
                    _ = try? db.series(matcher(.equal, "__name__", "load"))
                }
            }
        }
        try db.compact()
        let result = try db.series(matcher(.equal, "__name__", "load"))
        // A writer may fall behind the others' cut boundary: its late samples are refused as out of bounds,
        // and every sample that was committed is there exactly once.
        let refused = db.head.statistics.rejectedSamples[.outOfBounds] ?? 0
        #expect(result.reduce(0) { $0 + $1.samples.count } + refused == writers * steps)
        for series in result {
            #expect(series.samples == series.samples.sorted { $0.timestamp < $1.timestamp })
            #expect(Set(series.samples.map(\.timestamp)).count == series.samples.count)
        }
    }
}

@Suite struct ImportNumberTests {
    @Test(arguments: [
        "0", "-0", "1", "-1", "0.1", "20.25", "123456789012345678", "9007199254740993", "1.7976931348623157e308",
        "3.14159265358979323846", "-0.000001", "1e-7", "+5", "12345678.87654321", "0.3", "2.675",
    ])
    func fastValuesMatchTheFullParser(text: String) throws {
        let parsed = try #require(OpenMetricsImporter.parseValue(Array(text.utf8)[...]))
        let reference = try #require(Double(text))
        #expect(parsed.bitPattern == reference.bitPattern, "\(text)")
    }

    @Test(
        arguments: [
            ("1700000000", 1_700_000_000_000), ("1700000000.5", 1_700_000_000_500), ("1.5", 1500), ("-2", -2000),
            ("1700000000.1234", 1_700_000_000_123), ("1.7e9", 1_700_000_000_000), ("0.0005", 1),
        ] as [(String, Int64)])
    func timestampsBecomeMilliseconds(text: String, milliseconds: Int64) {
        #expect(OpenMetricsImporter.parseMilliseconds(Array(text.utf8)[...]) == milliseconds)
    }

    @Test(arguments: ["", "-", ".", "1.2.3", "x", "1,5", "NaNx"])
    func badNumbersAreRefused(text: String) {
        #expect(OpenMetricsImporter.parseMilliseconds(Array(text.utf8)[...]) == nil)
    }
}
