import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport
import VigilTSDB

/// The head's transactions behave as MemoryStorage's (the assertions of VigilStorage's tests, run on a head).
@Suite struct HeadAppenderTests {
    let up = Labels.metric("up", ["job": "node"])

    func stored(_ head: Head) throws -> [Sample] {
        try head.series(matcher(.equal, "job", "node")).first?.samples ?? []
    }

    @Test func emptyLabelValuesAreDroppedAndLabelsValidated() throws {
        let head = Head()
        let appender = head.appender()
        let ref = try appender.append(Labels.metric("up", ["job": "node", "zone": ""]), timestamp: 1, value: 1)
        #expect(try appender.append(up, timestamp: 2, value: 2) == ref)
        try appender.commit()
        #expect(try head.series(matcher(.equal, "job", "node")).map(\.labels) == [up])
        let error = try #require(throws: StorageError.self) {
            try head.appender().append(["job": "x"], timestamp: 1, value: 1)
        }
        #expect(error.code == .invalidLabels)
        #expect(head.statistics.rejectedSamples[.invalidLabels] == 1)
    }

    @Test(arguments: [(Double.nan, staleNaN), (staleNaN, Double.nan), (0.0, -0.0), (1.0, 1.0000000000000002)])
    func sameTimestampOtherBitsIsADuplicate(first: Double, second: Double) throws {
        let head = Head()
        try head.load([(up, [Sample(1000, first)])])
        let error = try #require(throws: StorageError.self) {
            try head.appender().append(up, timestamp: 1000, value: second)
        }
        #expect(error.code == .duplicateSampleForTimestamp)
        let appender = Head().appender()
        try appender.append(up, timestamp: 1000, value: first)
        #expect(throws: StorageError.self) { try appender.append(up, timestamp: 1000, value: second) }
    }

    @Test func outOfOrderIsRejectedAndCountedByReason() throws {
        let head = Head(options: .init(minValidTime: 100))
        try head.load([(up, samples(1000, 3000))])
        let appender = head.appender()
        let error = try #require(throws: StorageError.self) { try appender.append(up, timestamp: 2000, value: 2) }
        #expect(error.code == .outOfOrderSample)
        #expect(throws: StorageError.self) { try appender.append(up, timestamp: 3000, value: 7) }
        let bounds = try #require(throws: StorageError.self) {
            try appender.append(Labels.metric("new"), timestamp: 99, value: 1)
        }
        #expect(bounds.code == .outOfBounds)
        // Other series are independent: an older timestamp is fine there.
        try appender.append(Labels.metric("up", ["job": "gpu"]), timestamp: 200, value: 1)
        try appender.commit()
        #expect(try stored(head) == samples(1000, 3000))
        #expect(
            head.statistics.rejectedSamples == [.outOfOrderSample: 1, .duplicateSampleForTimestamp: 1, .outOfBounds: 1])
    }

    @Test func seriesLimit() throws {
        let head = Head(options: .init(maxSeries: 2))
        try head.load([(Labels.metric("a"), samples(1)), (Labels.metric("b"), samples(1))])
        let error = try #require(throws: StorageError.self) { try head.load([(Labels.metric("c"), samples(1))]) }
        #expect(error.code == .limitExceeded)
        try head.load([(Labels.metric("a"), samples(2))])
    }

    @Test func concurrentAppendersAndQueries() async throws {
        let head = Head()
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for step in 0..<200 {
                        let appender = head.appender()
                        for series in 0..<10 {
                            _ = try? appender.append(
                                Labels.metric("m", ["w": "\(worker)", "s": "\(series)"]), timestamp: Int64(step),
                                value: Double(step))
                        }
                        try? appender.commit()
                        if step % 20 == 0 {
                            _ = try? head.querier(mint: .min, maxt: .max).series([matcher(.equal, "w", "\(worker)")])
                        }
                    }
                }
            }
        }
        let all = try head.series(matcher(.equal, metricNameLabel, "m"))
        #expect(all.count == 40)
        #expect(all.allSatisfy { $0.samples.count == 200 })
        #expect(head.statistics.sampleCount == 8000)
    }
}
