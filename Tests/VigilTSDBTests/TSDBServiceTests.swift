import Logging
import ServiceLifecycle
import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport
import VigilTSDB

private let hour: Int64 = 3_600_000

@Suite struct TSDBServiceTests {
    @Test func cutsBlocksInTheBackgroundAndClosesTheWALOnShutdown() async throws {
        let directory = TemporaryDirectory()
        let db = try TSDB.open(directory: directory.path)
        try db.load(TSDBTests.minuteSeries(count: 3, from: 0, to: 5 * hour))
        let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let service = TSDBService(tsdb: db, interval: .milliseconds(5), logger: quiet)
        let group = ServiceGroup(
            configuration: .init(services: [service], gracefulShutdownSignals: [], logger: quiet))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // Wait (no time limit of our own) for the first pass that cut the head.
            while db.blocks.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(db.blocks.map { [$0.minTime, $0.maxTime] } == [[0, 2 * hour]])
        let families = db.metricFamilies()
        let passes = families.first { $0.name == "vigil_tsdb_compactions_total" }?.samples.first?.value ?? 0
        #expect(passes >= 1)
        #expect(families.first { $0.name == "vigil_tsdb_blocks_written_total" }?.samples.first?.value == 1)
        #expect(families.first { $0.name == "vigil_tsdb_blocks_loaded" }?.samples.first?.value == 1)
        // Closed: a commit now fails, and reopening finds every sample.
        let appender = db.appender()
        try appender.append(Labels.metric("up", ["instance": "late"]), timestamp: 5 * hour, value: 1)
        #expect(throws: StorageError.self) { try appender.commit() }
        let reopened = try TSDB.open(directory: directory.path)
        #expect(try reopened.series(matcher(.equal, "__name__", "up")).reduce(0) { $0 + $1.samples.count } == 3 * 300)
    }

    @Test func headStatusCountsSeriesLabelsAndChunks() throws {
        let db = try TSDB.open(directory: TemporaryDirectory().path)
        let appender = db.appender()
        for gpu in 0..<4 {
            for name in ["DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_GPU_TEMP"] {
                try appender.append(
                    Labels.metric(name, ["gpu": "\(gpu)", "Hostname": "node-1"]), timestamp: 1000, value: 1)
            }
        }
        try appender.append(Labels.metric("up", ["job": "vigil"]), timestamp: 2000, value: 1)
        try appender.commit()
        let status = db.headStatus(limit: 2)
        #expect(status.numSeries == 9)
        #expect(status.chunkCount == 9)
        #expect(status.minTime == 1000)
        #expect(status.maxTime == 2000)
        #expect(status.seriesCountByMetricName.map(\.name) == ["DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_GPU_UTIL"])
        #expect(status.seriesCountByMetricName.map(\.value) == [4, 4])
        // __name__ has 3 values, gpu 4, Hostname 1, job 1: 9 pairs.
        #expect(status.numLabelPairs == 9)
        #expect(status.labelValueCountByLabelName.map(\.name) == ["gpu", "__name__"])
        #expect(status.seriesCountByLabelValuePair.first?.name == "Hostname=node-1")
        #expect(status.seriesCountByLabelValuePair.first?.value == 8)
    }
}
