import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@Suite struct LabelQueryTests {
    static func storage() throws -> MemoryStorage {
        let storage = MemoryStorage()
        try storage.load(series: [
            (Labels.metric("up", ["job": "node", "instance": "a"]), samples(1000, 2000)),
            (Labels.metric("up", ["job": "gpu", "gpu": "0"]), samples(5000)),
            (Labels.metric("temp", ["job": "gpu", "gpu": "1", "zone": "z"]), samples(9000)),
        ])
        return storage
    }

    @Test func namesAndValuesOverAllTime() throws {
        let querier = try Self.storage().querier(mint: .min, maxt: .max)
        #expect(try querier.labelNames().values == ["__name__", "gpu", "instance", "job", "zone"])
        #expect(try querier.labelValues(name: "job").values == ["gpu", "node"])
        #expect(try querier.labelValues(name: "__name__").values == ["temp", "up"])
        #expect(try querier.labelValues(name: "missing").values == [])
    }

    @Test func matchersRestrictToMatchingSeries() throws {
        let querier = try Self.storage().querier(mint: .min, maxt: .max)
        let up = [matcher(.equal, "__name__", "up")]
        #expect(try querier.labelNames(matchers: up).values == ["__name__", "gpu", "instance", "job"])
        #expect(try querier.labelValues(name: "gpu", matchers: up).values == ["0"])
        #expect(try querier.labelValues(name: "gpu", matchers: [matcher(.equal, "job", "gpu")]).values == ["0", "1"])
        // Series without the label contribute no (empty) value.
        #expect(try querier.labelValues(name: "zone", matchers: [matcher(.regexMatch, "job", ".+")]).values == ["z"])
        #expect(try querier.labelNames(matchers: [matcher(.equal, "job", "nope")]).values == [])
    }

    @Test func timeRangeRestrictsToSeriesWithSamplesInIt() throws {
        let storage = try Self.storage()
        let early = storage.querier(mint: 0, maxt: 2000)
        #expect(try early.labelNames().values == ["__name__", "instance", "job"])
        #expect(try early.labelValues(name: "job").values == ["node"])
        let middle = storage.querier(mint: 2001, maxt: 5000)
        #expect(try middle.labelValues(name: "job").values == ["gpu"])
        #expect(try middle.labelValues(name: "gpu", matchers: [matcher(.equal, "job", "gpu")]).values == ["0"])
        #expect(try storage.querier(mint: 10_000, maxt: 20_000).labelNames().values == [])
    }

    @Test func limitKeepsTheFirstInOrder() throws {
        let querier = try Self.storage().querier(mint: .min, maxt: .max)
        #expect(try querier.labelNames(matchers: [], hints: LabelHints(limit: 2)).values == ["__name__", "gpu"])
        #expect(try querier.labelValues(name: "job", matchers: [], hints: LabelHints(limit: 1)).values == ["gpu"])
    }
}
