import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@Suite struct MemoryAppenderTests {
    let up = Labels.metric("up", ["job": "node"])

    @Test func nothingIsVisibleBeforeCommit() throws {
        let storage = MemoryStorage()
        let appender = storage.appender()
        try appender.append(up, timestamp: 1000, value: 1)
        #expect(try storage.series(matcher(.equal, "job", "node")).isEmpty)
        #expect(try storage.querier(mint: .min, maxt: .max).labelNames().values.isEmpty)
        #expect(try storage.querier(mint: .min, maxt: .max).labelValues(name: "job").values.isEmpty)
        try appender.commit()
        #expect(try storage.series(matcher(.equal, "job", "node")) == [SeriesData(up, [Sample(1000, 1)])])
    }

    @Test func rollbackDropsEverything() throws {
        let storage = MemoryStorage()
        let appender = storage.appender()
        try appender.append(up, timestamp: 1000, value: 1)
        try appender.append(Labels.metric("other"), timestamp: 1000, value: 2)
        try appender.rollback()
        #expect(try storage.series(matcher(.regexMatch, metricNameLabel, ".+")).isEmpty)
        #expect(storage.statistics.sampleCount == 0)
        // The series the rolled-back appends created stay invisible; a later transaction can use them.
        let next = storage.appender()
        try next.append(up, timestamp: 500, value: 3)
        try next.commit()
        #expect(try storage.series(matcher(.equal, "job", "node")) == [SeriesData(up, [Sample(500, 3)])])
    }

    @Test func commitMakesAllSeriesVisibleAtOnce() throws {
        let storage = MemoryStorage()
        let appender = storage.appender()
        for index in 0..<50 {
            try appender.append(Labels.metric("m", ["i": "\(index)"]), timestamp: 10, value: Double(index))
        }
        #expect(try storage.series(matcher(.equal, metricNameLabel, "m")).isEmpty)
        try appender.commit()
        #expect(try storage.series(matcher(.equal, metricNameLabel, "m")).count == 50)
    }

    @Test func referencesAppendWithoutLabels() throws {
        let storage = MemoryStorage()
        let first = storage.appender()
        let ref = try first.append(up, timestamp: 1000, value: 1)
        try first.append(ref, timestamp: 2000, value: 2)
        try first.commit()
        // A reference outlives its appender.
        let second = storage.appender()
        try second.append(ref, timestamp: 3000, value: 3)
        #expect(try second.append(up, timestamp: 4000, value: 4) == ref)
        try second.commit()
        #expect(
            try storage.series(matcher(.equal, "job", "node"))
                == [SeriesData(up, [Sample(1000, 1), Sample(2000, 2), Sample(3000, 3), Sample(4000, 4)])])
    }

    @Test func emptyLabelValuesAreDropped() throws {
        let storage = MemoryStorage()
        let appender = storage.appender()
        let ref = try appender.append(Labels.metric("up", ["job": "node", "zone": ""]), timestamp: 1, value: 1)
        #expect(try appender.append(up, timestamp: 2, value: 2) == ref)
        try appender.commit()
        #expect(try storage.series(matcher(.equal, "job", "node")).map(\.labels) == [up])
    }

    @Test func staleMarkersAndNaNsAreStoredBitForBit() throws {
        let storage = MemoryStorage()
        let otherNaN = Double(bitPattern: 0x7ff8_0000_0000_0001)
        try storage.load(series: [(up, [Sample(1, .nan), Sample(2, staleNaN), Sample(3, otherNaN), Sample(4, -0.0)])])
        let stored = try #require(try storage.series(matcher(.equal, "job", "node")).first).samples
        #expect(
            stored.map(\.value.bitPattern) == [
                Double.nan.bitPattern, staleNaN.bitPattern, otherNaN.bitPattern, (-0.0).bitPattern,
            ])
        #expect(stored[1].isStaleMarker)
        #expect(!stored[0].isStaleMarker)
    }

    @Test func loadCommitsEverythingOrNothing() throws {
        let storage = MemoryStorage()
        try storage.load(series: [up: samples(1000, 2000)])
        #expect(try storage.series(matcher(.equal, "job", "node")).first?.samples == samples(1000, 2000))
        let bad = Labels.metric("bad")
        #expect(throws: StorageError.self) {
            try storage.load(series: [(bad, samples(1000)), (up, samples(3000, 2500))])
        }
        #expect(try storage.series(matcher(.equal, metricNameLabel, "bad")).isEmpty)
        #expect(try storage.series(matcher(.equal, "job", "node")).first?.samples == samples(1000, 2000))
    }

    @Test func failedAppendLeavesTheRestOfTheTransaction() throws {
        let storage = MemoryStorage()
        let appender = storage.appender()
        try appender.append(up, timestamp: 2000, value: 1)
        #expect(throws: StorageError.self) { try appender.append(up, timestamp: 1000, value: 1) }
        try appender.append(up, timestamp: 3000, value: 3)
        try appender.commit()
        #expect(
            try storage.series(matcher(.equal, "job", "node")).first?.samples == [Sample(2000, 1), Sample(3000, 3)])
    }
}
