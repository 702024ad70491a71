import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@Suite struct MemoryAppenderTests {
    let up = Labels.metric("up", ["job": "node"])

    @Test func emptyLabelValuesAreDropped() throws {
        let storage = MemoryStorage()
        let appender = storage.appender()
        let ref = try appender.append(Labels.metric("up", ["job": "node", "zone": ""]), timestamp: 1, value: 1)
        #expect(try appender.append(up, timestamp: 2, value: 2) == ref)
        try appender.commit()
        #expect(try storage.series(matcher(.equal, "job", "node")).map(\.labels) == [up])
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

}
