import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@Suite struct DeletionTests {
    let node = Labels.metric("up", ["job": "node"])
    let gpu = Labels.metric("up", ["job": "gpu"])

    func storage() throws -> MemoryStorage {
        let storage = MemoryStorage()
        try storage.load(series: [(node, samples(1000, 2000, 3000, 4000)), (gpu, samples(1000, 2000, 3000, 4000))])
        return storage
    }

    @Test func samplesInTheRangeOfMatchingSeriesDisappear() throws {
        let storage = try storage()
        storage.delete(mint: 2000, maxt: 3000, matchers: [matcher(.equal, "job", "node")])
        #expect(
            try storage.series(matcher(.equal, "__name__", "up")) == [
                SeriesData(gpu, samples(1000, 2000, 3000, 4000)), SeriesData(node, samples(1000, 4000)),
            ])
        #expect(storage.statistics.sampleCount == 6)
    }

    @Test func deletingEverythingRemovesTheSeriesFromResultsAndLabels() throws {
        let storage = try storage()
        storage.delete(mint: .min, maxt: .max, matchers: [matcher(.equal, "job", "gpu")])
        #expect(try storage.series(matcher(.equal, "__name__", "up")).map(\.labels) == [node])
        #expect(try storage.querier(mint: .min, maxt: .max).labelValues(name: "job").values == ["node"])
    }

    @Test func deletionKeepsTheOutOfOrderBoundary() throws {
        let storage = try storage()
        storage.delete(mint: 3000, maxt: .max, matchers: [matcher(.equal, "job", "node")])
        let error = try #require(throws: StorageError.self) {
            try storage.appender().append(node, timestamp: 3500, value: 1)
        }
        #expect(error.code == .outOfOrderSample)
        // Newer samples are visible, even if a later delete range would have covered them.
        try storage.load(series: [(node, samples(5000))])
        #expect(try storage.series(matcher(.equal, "job", "node")).first?.samples == samples(1000, 2000, 5000))
    }

    @Test func noMatchersOrAnEmptyRangeDeleteNothing() throws {
        let storage = try storage()
        storage.delete(mint: .min, maxt: .max, matchers: [])
        storage.delete(mint: 3000, maxt: 2000, matchers: [matcher(.regexMatch, "job", ".*")])
        #expect(storage.statistics.sampleCount == 8)
    }

    @Test func aQueryInFlightKeepsItsSnapshot() throws {
        let storage = try storage()
        var set = try storage.querier(mint: .min, maxt: .max).select(matcher(.equal, "job", "node"))
        storage.delete(mint: .min, maxt: .max, matchers: [matcher(.equal, "job", "node")])
        let series = try #require(try set.next())
        #expect(try series.samples() == samples(1000, 2000, 3000, 4000))
    }
}
