import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@testable import VigilPromQL

/// A series that fails to read, as a damaged chunk does.
private struct FailingSeries: Series {
    let labels: Labels
    let message: String
    func makeSampleIterator() -> any SampleIterator { SampleArrayIterator([]) }
    func appendSamples(into samples: inout [Sample], from mint: Int64, through maxt: Int64) throws(StorageError) {
        throw StorageError(.init("corruption"), message)
    }
}

/// The engine decodes a large selection on several threads; what it returns must not depend on that.
@Suite struct ParallelReadTests {
    static func series(_ count: Int) -> [any Series] {
        (0..<count).map { index in
            let samples = (0..<(50 + index * 7 % 31)).map { Sample(Int64($0) * 15_000, Double(index * 1000 + $0)) }
            return ListSeries(labels: Labels.metric("m", ["i": "\(index)"]), samples: samples)
        }
    }

    @Test("a parallel read returns the sequential read's series, in order", arguments: [1, 2, 3, 8])
    func sameResult(concurrency: Int) throws {
        for count in [0, 7, 16, 17, 100] {
            let selected = Self.series(count)
            let sequential = try Evaluator.read(selected, concurrency: 1)
            let parallel = try Evaluator.read(selected, concurrency: concurrency)
            #expect(parallel.map(\.labels) == sequential.map(\.labels))
            #expect(parallel.map(\.samples) == sequential.map(\.samples))
            #expect(parallel.map(\.labels) == selected.map(\.labels))
        }
    }

    @Test("of several failing series, the first in order is the error thrown, whichever thread read it")
    func firstFailureWins() {
        var selected = Self.series(64)
        selected[41] = FailingSeries(labels: Labels.metric("m", ["i": "41"]), message: "chunk 3 of series 41")
        selected[9] = FailingSeries(labels: Labels.metric("m", ["i": "9"]), message: "chunk 1 of series 9")
        for concurrency in [1, 2, 4] {
            #expect {
                try Evaluator.read(selected, concurrency: concurrency)
            } throws: { error in
                (error as? StorageError)?.message == "chunk 1 of series 9"
            }
        }
    }

    @Test(
        "queries agree with readConcurrency 1 and 4, and with the reference path, over 200 series (streamed in batches)"
    )
    func engineAgrees() throws {
        let storage = MemoryStorage()
        try storage.load(
            (0..<200).map { index in
                (
                    Labels.metric("gpu_util", ["node": "n\(index / 8)", "gpu": "\(index % 8)"]),
                    (0..<240).map { Sample(Int64($0) * 15_000, Double(($0 * 7 + index) % 101)) }
                )
            })
        let queries = [
            "avg by (node) (gpu_util)", "max_over_time(gpu_util[30m])", "rate(gpu_util[5m]) > 1",
            "gpu_util / on (node, gpu) gpu_util", "sum(quantile_over_time(0.9, gpu_util[10m]))",
        ]
        for query in queries {
            let one = Engine(options: Engine.Options(readConcurrency: 1))
            let four = Engine(options: Engine.Options(readConcurrency: 4))
            let reference = Engine(options: Engine.Options(wholeRangeEvaluation: false))
            let a = try one.rangeQuery(query, start: 0, end: 3_600_000, step: 60_000, on: storage)
            let b = try four.rangeQuery(query, start: 0, end: 3_600_000, step: 60_000, on: storage)
            let c = try reference.rangeQuery(query, start: 0, end: 3_600_000, step: 60_000, on: storage)
            #expect(a.value == b.value, "\(query)")
            #expect(a.value == c.value, "\(query)")
        }
    }
}
