import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport

/// Seek semantics as Prometheus's iterators: first sample at or after the target, never backwards,
/// exhausted for good once past the end.
@Suite struct SampleIteratorTests {
    /// The iterators under test, each over samples at 10, 20, 30, 40.
    static func iterators() throws -> [(String, any SampleIterator)] {
        let storage = MemoryStorage()
        try storage.load(series: [(Labels.metric("m"), samples(0, 10, 20, 30, 40, 50))])
        var set = try storage.querier(mint: 10, maxt: 40).select(matcher(.equal, "__name__", "m"))
        let stored = try #require(try set.next())
        let chained = ChainSampleIterator([
            SampleArrayIterator(samples(10, 30)), SampleArrayIterator(samples(20, 30, 40)), SampleArrayIterator([]),
        ])
        return [
            ("array", SampleArrayIterator(samples(10, 20, 30, 40))),
            ("memory storage, trimmed to the querier's range", stored.makeSampleIterator()),
            ("chain of overlapping iterators", chained),
        ]
    }

    enum Step: Equatable {
        case next
        case seek(Int64)
    }

    /// Performs the steps; after each, the current timestamp, or nil when the step returned false.
    static func run(_ iterator: inout some SampleIterator, _ steps: [Step]) -> [Int64?] {
        steps.map { step in
            let found: Bool
            switch step {
            case .next: found = iterator.next()
            case .seek(let timestamp): found = iterator.seek(to: timestamp)
            }
            return found ? iterator.at().timestamp : nil
        }
    }

    static func run(_ iterator: any SampleIterator, _ steps: [Step]) -> [Int64?] {
        var iterator = iterator
        return run(&iterator, steps)
    }

    @Test func nextWalksInOrder() throws {
        for (name, iterator) in try Self.iterators() {
            #expect(
                Self.run(iterator, [.next, .next, .next, .next, .next, .next]) == [10, 20, 30, 40, nil, nil], "\(name)")
        }
    }

    @Test func seekFindsFirstAtOrAfterAndNeverGoesBack() throws {
        for (name, iterator) in try Self.iterators() {
            let steps: [Step] = [.seek(15), .seek(20), .seek(5), .next, .seek(40), .seek(41), .next, .seek(0)]
            #expect(Self.run(iterator, steps) == [20, 20, 20, 30, 40, nil, nil, nil], "\(name)")
        }
    }

    @Test func seekBeforeTheFirstSampleLandsOnIt() throws {
        for (name, iterator) in try Self.iterators() {
            #expect(Self.run(iterator, [.seek(.min), .next, .seek(30), .next]) == [10, 20, 30, 40], "\(name)")
        }
    }

    @Test func seekPastTheEndOnAFreshIterator() throws {
        for (name, iterator) in try Self.iterators() {
            #expect(Self.run(iterator, [.seek(1000), .next, .seek(10)]) == [nil, nil, nil], "\(name)")
        }
    }

    @Test func emptyIterators() {
        #expect(Self.run(SampleArrayIterator([]), [.next, .seek(0)]) == [nil, nil])
        #expect(Self.run(ChainSampleIterator([]), [.seek(0), .next]) == [nil, nil])
    }

    @Test func eachIteratorStartsFromTheBeginning() throws {
        let series = ListSeries(labels: Labels.metric("m"), samples: samples(1, 2, 3))
        #expect(Self.run(series.makeSampleIterator(), [.seek(3)]) == [3])
        #expect(Self.run(series.makeSampleIterator(), [.next]) == [1])
        #expect(try series.samples() == samples(1, 2, 3))
    }

    @Test func chainKeepsTheEarliestInputsSampleOnEqualTimestamps() throws {
        let chain = ChainSampleIterator([
            SampleArrayIterator([Sample(10, 1), Sample(20, 1)]),
            SampleArrayIterator([Sample(10, 2), Sample(15, 2), Sample(20, 2), Sample(25, 2)]),
            SampleArrayIterator([Sample(5, 3), Sample(20, 3)]),
        ])
        #expect(
            try ChainedSeriesFixture(chain).samples()
                == [Sample(5, 3), Sample(10, 1), Sample(15, 2), Sample(20, 1), Sample(25, 2)])
    }

    @Test func chainSeekDropsDuplicatesToo() {
        var chain = ChainSampleIterator([
            SampleArrayIterator([Sample(10, 1), Sample(30, 1)]),
            SampleArrayIterator([Sample(20, 2), Sample(30, 2), Sample(40, 2)]),
        ])
        #expect(Self.run(&chain, [.seek(25)]) == [30])
        #expect(chain.at() == Sample(30, 1))
        #expect(Self.run(&chain, [.next, .next]) == [40, nil])
    }

    @Test func chainStopsAtAFailingInput() {
        let failure = StorageError(.init("corruption"), "chunk 3 of series 7 does not decode")
        var chain = ChainSampleIterator([
            SampleArrayIterator(samples(10, 20, 30)), FailingIterator(samples: samples(15), failure: failure),
        ])
        #expect(Self.run(&chain, [.next, .next, .next, .next]) == [10, 15, nil, nil])
        #expect(chain.error?.message == failure.message)
    }
}

/// A series over a prepared iterator, to read it with ``Series/samples()``. Read on one thread only (the
/// iterator it hands out is not a snapshot), hence unchecked.
struct ChainedSeriesFixture: Series, @unchecked Sendable {
    let iterator: ChainSampleIterator
    init(_ iterator: ChainSampleIterator) { self.iterator = iterator }
    var labels: Labels { Labels() }
    func makeSampleIterator() -> any SampleIterator { iterator }
}

/// Yields its samples, then fails.
struct FailingIterator: SampleIterator {
    var base: SampleArrayIterator
    let failure: StorageError
    var error: StorageError?

    init(samples: [Sample], failure: StorageError) {
        base = SampleArrayIterator(samples)
        self.failure = failure
    }

    mutating func next() -> Bool {
        if error != nil { return false }
        if base.next() { return true }
        error = failure
        return false
    }

    mutating func seek(to timestamp: Int64) -> Bool {
        if error != nil { return false }
        if base.seek(to: timestamp) { return true }
        error = failure
        return false
    }

    func at() -> Sample { base.at() }
}
