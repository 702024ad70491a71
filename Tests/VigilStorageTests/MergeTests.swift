import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@Suite struct MergeTests {
    static let a = Labels.metric("m", ["s": "a"])
    static let b = Labels.metric("m", ["s": "b"])
    static let c = Labels.metric("m", ["s": "c"])

    static func set(_ series: [(Labels, [Sample])], warnings: [StorageError] = []) -> any SeriesSet {
        ListSeriesSet(series.map { ListSeries(labels: $0.0, samples: $0.1) }, warnings: warnings)
    }

    static func read(_ set: any SeriesSet) throws -> [SeriesData] {
        var set = set
        var result: [SeriesData] = []
        while let series = try set.next() { result.append(SeriesData(series.labels, try series.samples())) }
        return result
    }

    @Test func overlappingSetsMergeByLabelsAndTimestamps() throws {
        let merged = mergeSeriesSets([
            Self.set([(Self.a, samples(1, 2)), (Self.c, samples(10, 30))]),
            Self.set([(Self.b, samples(5)), (Self.c, samples(20, 30, 40))]),
            Self.set([(Self.c, samples(5, 40))]),
        ])
        #expect(
            try Self.read(merged) == [
                SeriesData(Self.a, samples(1, 2)), SeriesData(Self.b, samples(5)),
                SeriesData(Self.c, samples(5, 10, 20, 30, 40)),
            ])
    }

    @Test func identicalSeriesComeOnce() throws {
        let data = [(Self.a, samples(1, 2, 3)), (Self.b, samples(1))]
        let merged = mergeSeriesSets([Self.set(data), Self.set(data), Self.set(data)])
        #expect(try Self.read(merged) == data.map { SeriesData($0.0, $0.1) })
    }

    @Test func onEqualTimestampsTheEarlierSetWins() throws {
        let merged = mergeSeriesSets([
            Self.set([(Self.a, [Sample(1, 100), Sample(3, 100)])]),
            Self.set([(Self.a, [Sample(1, 200), Sample(2, 200), Sample(3, 200)])]),
        ])
        #expect(try Self.read(merged) == [SeriesData(Self.a, [Sample(1, 100), Sample(2, 200), Sample(3, 100)])])
    }

    @Test func emptySetsAndLimits() throws {
        #expect(try Self.read(mergeSeriesSets([])).isEmpty)
        #expect(try Self.read(mergeSeriesSets([EmptySeriesSet(), EmptySeriesSet()])).isEmpty)
        let limited = mergeSeriesSets(
            [Self.set([(Self.a, samples(1)), (Self.c, samples(1))]), Self.set([(Self.b, samples(1))])], limit: 2)
        #expect(try Self.read(limited).map(\.labels) == [Self.a, Self.b])
    }

    @Test func warningsOfEveryInputAreKept() throws {
        let first = StorageError(.init("remote"), "remote read from replica-1 timed out")
        let second = StorageError(.init("remote"), "remote read from replica-2 timed out")
        var merged = mergeSeriesSets([
            Self.set([(Self.a, samples(1))], warnings: [first]), Self.set([], warnings: [second]),
        ])
        _ = try merged.collect()
        #expect(merged.warnings.map(\.message) == [first.message, second.message])
    }

    @Test func aFailingInputFailsTheMerge() throws {
        let failure = StorageError(.init("corruption"), "block 01H… index is truncated")
        var merged = mergeSeriesSets([Self.set([(Self.a, samples(1))]), FailingSeriesSet(failure: failure)])
        let error = try #require(throws: StorageError.self) { _ = try merged.collect() }
        #expect(error.message == failure.message)
    }

    // MARK: MergeQuerier

    static func storages() throws -> (MemoryStorage, MemoryStorage) {
        let head = MemoryStorage()
        try head.load(series: [(Self.a, samples(3000, 4000)), (Self.c, samples(4000))])
        let block = MemoryStorage()
        try block.load(series: [
            (Self.a, samples(1000, 2000, 3000)), (Self.b, samples(1000)),
            (Labels.metric("other", ["zone": "z"]), samples(1000)),
        ])
        return (head, block)
    }

    @Test func mergeQuerierMergesSeriesAndLabels() throws {
        let (head, block) = try Self.storages()
        let querier = MergeQuerier(primaries: [
            head.querier(mint: .min, maxt: .max), block.querier(mint: .min, maxt: .max),
        ])
        // Sorted or not, a merge of several is sorted.
        #expect(
            try querier.series([matcher(.equal, "__name__", "m")], sorted: false) == [
                SeriesData(Self.a, samples(1000, 2000, 3000, 4000)), SeriesData(Self.b, samples(1000)),
                SeriesData(Self.c, samples(4000)),
            ])
        #expect(try querier.labelNames().values == ["__name__", "s", "zone"])
        #expect(try querier.labelValues(name: "s").values == ["a", "b", "c"])
        #expect(try querier.labelValues(name: "s", matchers: [], hints: LabelHints(limit: 2)).values == ["a", "b"])
        #expect(
            try querier.series([matcher(.equal, "__name__", "m")], hints: SelectHints(start: 0, end: 9999, limit: 2))
                .map(\.labels) == [Self.a, Self.b])
    }

    @Test func secondaryFailuresBecomeWarnings() throws {
        let (head, _) = try Self.storages()
        let failure = StorageError(.init("remote"), "remote read failed: connection refused")
        let querier = MergeQuerier(
            primaries: [head.querier(mint: .min, maxt: .max)], secondaries: [FailingQuerier(failure: failure)])
        var set = try querier.select(matcher(.equal, "__name__", "m"))
        #expect(try set.collect().map(\.labels) == [Self.a, Self.c])
        #expect(set.warnings.map(\.message) == [failure.message])
        let names = try querier.labelNames()
        #expect(names.values == ["__name__", "s"])
        #expect(names.warnings.map(\.message) == [failure.message])
        #expect(try querier.labelValues(name: "s").warnings.count == 1)
    }

    @Test func secondaryFailingMidwayKeepsWhatItReturned() throws {
        let failure = StorageError(.init("remote"), "stream reset")
        let secondary = FailingQuerier(failure: failure, before: [(Self.b, samples(1))])
        let (head, _) = try Self.storages()
        let querier = MergeQuerier(primaries: [head.querier(mint: .min, maxt: .max)], secondaries: [secondary])
        var set = try querier.select(matcher(.equal, "__name__", "m"))
        #expect(try set.collect().map(\.labels) == [Self.a, Self.b, Self.c])
        #expect(set.warnings.map(\.message) == [failure.message])
    }

    @Test func primaryFailuresFailTheQuery() throws {
        let (head, _) = try Self.storages()
        let failure = StorageError(.init("corruption"), "head chunk 12 is corrupt")
        let querier = MergeQuerier(primaries: [head.querier(mint: .min, maxt: .max), FailingQuerier(failure: failure)])
        #expect(throws: StorageError.self) { _ = try querier.select(matcher(.equal, "__name__", "m")) }
        #expect(throws: StorageError.self) { _ = try querier.labelNames() }
        #expect(throws: StorageError.self) { _ = try querier.labelValues(name: "s") }
    }

    @Test func noQueriersFindNothing() throws {
        let querier = MergeQuerier(primaries: [])
        #expect(try querier.series([matcher(.equal, "__name__", "m")]).isEmpty)
        #expect(try querier.labelNames().values.isEmpty)
    }

    // MARK: FanoutStorage

    @Test func fanoutAppendsEverywhereAndQueriesMerged() throws {
        let primary = MemoryStorage()
        let secondary = MemoryStorage()
        try secondary.load(series: [(Self.b, samples(500))])
        let fanout = FanoutStorage(primary: primary, secondaries: [secondary])
        let appender = fanout.appender()
        let ref = try appender.append(Self.a, timestamp: 1000, value: 1)
        try appender.append(ref, timestamp: 2000, value: 2)
        try appender.commit()
        #expect(
            try primary.series(matcher(.equal, "s", "a")) == [SeriesData(Self.a, [Sample(1000, 1), Sample(2000, 2)])])
        #expect(
            try secondary.series(matcher(.equal, "s", "a")) == [SeriesData(Self.a, [Sample(1000, 1), Sample(2000, 2)])])
        #expect(
            try fanout.series(matcher(.equal, "__name__", "m")) == [
                SeriesData(Self.a, [Sample(1000, 1), Sample(2000, 2)]), SeriesData(Self.b, samples(500)),
            ])
        // References outlive the appender, as with any storage.
        let next = fanout.appender()
        try next.append(ref, timestamp: 3000, value: 3)
        try next.commit()
        #expect(try secondary.series(matcher(.equal, "s", "a")).first?.samples.count == 3)
    }

    @Test func fanoutRollbackAndErrors() throws {
        let primary = MemoryStorage()
        let secondary = MemoryStorage()
        let fanout = FanoutStorage(primary: primary, secondaries: [secondary])
        let appender = fanout.appender()
        try appender.append(Self.a, timestamp: 1000, value: 1)
        try appender.rollback()
        #expect(try fanout.series(matcher(.equal, "__name__", "m")).isEmpty)
        let error = try #require(throws: StorageError.self) {
            try fanout.appender().append(SeriesRef(rawValue: 7), timestamp: 1, value: 1)
        }
        #expect(error.code == .unknownSeriesReference)
        #expect(throws: StorageError.self) { try fanout.appender().append(["job": "x"], timestamp: 1, value: 1) }
    }
}

/// A querier whose every call fails; its selects may first return some series.
struct FailingQuerier: Querier {
    let failure: StorageError
    var before: [(Labels, [Sample])] = []

    func select(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) throws(StorageError) -> any SeriesSet {
        if before.isEmpty { throw failure }
        return FailingSeriesSet(failure: failure, before: before.map { ListSeries(labels: $0.0, samples: $0.1) })
    }

    func labelNames(matchers: [LabelMatcher], hints: LabelHints?) throws(StorageError) -> LabelQueryResult {
        throw failure
    }

    func labelValues(name: String, matchers: [LabelMatcher], hints: LabelHints?) throws(StorageError)
        -> LabelQueryResult
    {
        throw failure
    }
}

/// Returns its series, then fails.
struct FailingSeriesSet: SeriesSet {
    let failure: StorageError
    var before: [ListSeries] = []
    var warnings: [StorageError] { [] }

    mutating func next() throws(StorageError) -> (any Series)? {
        if before.isEmpty { throw failure }
        return before.removeFirst()
    }
}
