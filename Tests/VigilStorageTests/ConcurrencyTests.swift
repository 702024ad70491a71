import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@Suite struct ConcurrencyTests {
    /// Writers commit one timestamp across all their series per transaction while readers query: every
    /// reader sees whole transactions (all of a writer's series with the same sample count), and in the
    /// end nothing is lost.
    @Test func appendersAndQueriersInParallel() async throws {
        let storage = MemoryStorage()
        let writers = 4
        let seriesPerWriter = 10
        let commits = 200
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var refs: [SeriesRef] = []
                    for commit in 0..<commits {
                        let appender = storage.appender()
                        let timestamp = Int64(commit) * 1000
                        if refs.isEmpty {
                            for series in 0..<seriesPerWriter {
                                let labels = Labels.metric("load", ["writer": "\(writer)", "series": "\(series)"])
                                refs.append(try appender.append(labels, timestamp: timestamp, value: Double(commit)))
                            }
                        } else {
                            for ref in refs { try appender.append(ref, timestamp: timestamp, value: Double(commit)) }
                        }
                        try appender.commit()
                    }
                }
            }
            for reader in 0..<writers {
                group.addTask {
                    let writer = matcher(.equal, "writer", "\(reader)")
                    for _ in 0..<50 {
                        let querier = storage.querier(mint: .min, maxt: .max)
                        let found = try querier.series([writer])
                        let counts = Set(found.map(\.samples.count))
                        #expect(found.isEmpty || found.count == seriesPerWriter)
                        #expect(counts.count <= 1, "a transaction was visible in part: \(counts)")
                        _ = try querier.labelValues(name: "series", matchers: [writer])
                    }
                }
            }
            try await group.waitForAll()
        }
        let all = try storage.series(matcher(.equal, "__name__", "load"))
        #expect(all.count == writers * seriesPerWriter)
        #expect(all.allSatisfy { $0.samples.count == commits })
        #expect(storage.statistics.sampleCount == writers * seriesPerWriter * commits)
        #expect(storage.statistics.rejectedSamples.isEmpty)
    }
}
