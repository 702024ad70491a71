import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport

/// Prometheus's head semantics for late and repeated samples.
@Suite struct OutOfOrderTests {
    let up = Labels.metric("up", ["job": "node"])

    func stored(_ storage: MemoryStorage) throws -> [Sample] {
        try storage.series(matcher(.equal, "job", "node")).first?.samples ?? []
    }

    @Test(arguments: [
        (Double.nan, staleNaN), (staleNaN, Double.nan), (0.0, -0.0), (1.0, 1.0000000000000002),
    ])
    func sameTimestampOtherBitsIsADuplicate(first: Double, second: Double) throws {
        let storage = MemoryStorage()
        try storage.load(series: [(up, [Sample(1000, first)])])
        let error = try #require(throws: StorageError.self) {
            try storage.appender().append(up, timestamp: 1000, value: second)
        }
        #expect(error.code == .duplicateSampleForTimestamp)
        // Within one transaction too.
        let appender = MemoryStorage().appender()
        try appender.append(up, timestamp: 1000, value: first)
        #expect(throws: StorageError.self) { try appender.append(up, timestamp: 1000, value: second) }
    }

    @Test func olderThanTheNewestIsOutOfOrderEvenAcrossSeriesGaps() throws {
        let storage = MemoryStorage()
        try storage.load(series: [(up, samples(1000, 3000))])
        let appender = storage.appender()
        let error = try #require(throws: StorageError.self) { try appender.append(up, timestamp: 2000, value: 2) }
        #expect(error.code == .outOfOrderSample)
        // Other series are independent: an older timestamp is fine there.
        try appender.append(Labels.metric("up", ["job": "gpu"]), timestamp: 10, value: 1)
        try appender.commit()
        #expect(try stored(storage) == samples(1000, 3000))
    }

    @Test func duplicateConflictAtCommitIsCounted() throws {
        let storage = MemoryStorage()
        let first = storage.appender()
        let second = storage.appender()
        try first.append(up, timestamp: 1000, value: 1)
        try second.append(up, timestamp: 1000, value: 2)
        try first.commit()
        try second.commit()
        #expect(try stored(storage) == [Sample(1000, 1)])
        #expect(storage.statistics.rejectedSamples == [.duplicateSampleForTimestamp: 1])
    }

    @Test func outOfOrderWindowTakesLateSamplesInOrder() throws {
        let storage = MemoryStorage(options: .init(outOfOrderTimeWindow: 10_000))
        try storage.load(series: [(up, samples(10_000, 20_000))])
        let appender = storage.appender()
        try appender.append(up, timestamp: 15_000, value: 15)
        try appender.append(up, timestamp: 12_000, value: 12)
        try appender.append(up, timestamp: 12_000, value: 12)  // repeated: dropped silently
        try appender.append(up, timestamp: 10_000, value: 10)  // already stored with this value
        #expect(throws: StorageError.self) { try appender.append(up, timestamp: 12_000, value: 99) }
        #expect(throws: StorageError.self) { try appender.append(up, timestamp: 20_000, value: 99) }
        let error = try #require(throws: StorageError.self) { try appender.append(up, timestamp: 9_999, value: 1) }
        #expect(error.code == .tooOldSample)
        try appender.commit()
        #expect(
            try stored(storage) == [Sample(10_000, 10), Sample(12_000, 12), Sample(15_000, 15), Sample(20_000, 20)])
    }

    /// The window is measured from the newest sample of the whole storage, not of the series.
    @Test func outOfOrderWindowFollowsTheStorageNewestTime() throws {
        let storage = MemoryStorage(options: .init(outOfOrderTimeWindow: 1_000))
        try storage.load(series: [(up, samples(5_000)), (Labels.metric("other"), samples(50_000))])
        let error = try #require(throws: StorageError.self) {
            try storage.appender().append(up, timestamp: 4_000, value: 4)
        }
        #expect(error.code == .tooOldSample)
        // In order for the series is always fine, however old.
        try storage.load(series: [(up, samples(6_000))])
        #expect(try stored(storage) == samples(5_000, 6_000))
    }

    @Test func minValidTimeAppliesToEverySeries() throws {
        let storage = MemoryStorage(options: .init(minValidTime: 1_000))
        try storage.load(series: [(up, samples(1_000))])
        #expect(throws: StorageError.self) { try storage.load(series: [(Labels.metric("new"), samples(999))]) }
    }
}
