import Testing
import VigilModel
import VigilStorage

/// A storage whose behaviour ``StorageConformance`` checks: any ``Storage`` that also says how many samples
/// it holds and how many it refused, by reason.
public protocol StorageUnderTest: Storage {
    var storedSampleCount: Int { get }
    var rejectedSampleCounts: [StorageError.Code: Int] { get }
}

/// The transaction and selection semantics every storage must have (the in-memory storage, the TSDB head):
/// each check takes a fresh, empty storage and records its expectations with Swift Testing, so that every
/// implementation's test target runs the same checks instead of a copy of them.
public enum StorageConformance {
    static let up = Labels.metric("up", ["job": "node"])

    /// Every sample of `up`, in order.
    static func stored(_ storage: some StorageUnderTest) throws -> [Sample] {
        try storage.series(matcher(.equal, "job", "node")).first?.samples ?? []
    }

    public static func nothingIsVisibleBeforeCommit(_ storage: some StorageUnderTest) throws {
        let appender = storage.appender()
        try appender.append(up, timestamp: 1000, value: 1)
        #expect(try storage.series(matcher(.equal, "job", "node")).isEmpty)
        #expect(try storage.querier(mint: .min, maxt: .max).labelNames().values.isEmpty)
        #expect(try storage.querier(mint: .min, maxt: .max).labelValues(name: "job").values.isEmpty)
        try appender.commit()
        #expect(try storage.series(matcher(.equal, "job", "node")) == [SeriesData(up, [Sample(1000, 1)])])
        // A finished appender takes nothing more.
        #expect(throws: StorageError.self) { try appender.commit() }
        #expect(throws: StorageError.self) { try appender.append(up, timestamp: 2000, value: 1) }
    }

    public static func rollbackDropsEverything(_ storage: some StorageUnderTest) throws {
        let appender = storage.appender()
        try appender.append(up, timestamp: 1000, value: 1)
        try appender.append(Labels.metric("other"), timestamp: 1000, value: 2)
        try appender.rollback()
        #expect(try storage.series(matcher(.regexMatch, metricNameLabel, ".+")).isEmpty)
        #expect(storage.storedSampleCount == 0)
        // The series the rolled-back appends created stay invisible; a later transaction can use them.
        let next = storage.appender()
        try next.append(up, timestamp: 500, value: 3)
        try next.commit()
        #expect(try stored(storage) == [Sample(500, 3)])
    }

    public static func commitMakesAllSeriesVisibleAtOnce(_ storage: some StorageUnderTest) throws {
        let appender = storage.appender()
        for index in 0..<50 {
            try appender.append(Labels.metric("m", ["i": "\(index)"]), timestamp: 10, value: Double(index))
        }
        #expect(try storage.series(matcher(.equal, metricNameLabel, "m")).isEmpty)
        try appender.commit()
        #expect(try storage.series(matcher(.equal, metricNameLabel, "m")).count == 50)
        #expect(storage.storedSampleCount == 50)
    }

    public static func referencesAppendWithoutLabels(_ storage: some StorageUnderTest) throws {
        let first = storage.appender()
        let ref = try first.append(up, timestamp: 1000, value: 1)
        try first.append(ref, timestamp: 2000, value: 2)
        try first.commit()
        // A reference outlives its appender.
        let second = storage.appender()
        try second.append(ref, timestamp: 3000, value: 3)
        #expect(try second.append(up, timestamp: 4000, value: 4) == ref)
        try second.commit()
        #expect(try stored(storage) == [Sample(1000, 1), Sample(2000, 2), Sample(3000, 3), Sample(4000, 4)])
    }

    public static func failedAppendLeavesTheRestOfTheTransaction(_ storage: some StorageUnderTest) throws {
        let appender = storage.appender()
        try appender.append(up, timestamp: 2000, value: 1)
        #expect(throws: StorageError.self) { try appender.append(up, timestamp: 1000, value: 1) }
        try appender.append(up, timestamp: 3000, value: 3)
        try appender.commit()
        #expect(try stored(storage) == [Sample(2000, 1), Sample(3000, 3)])
    }

    /// Staleness markers, other NaNs and -0 are stored and returned bit for bit.
    public static func staleMarkersAndNaNsAreStoredBitForBit(_ storage: some StorageUnderTest) throws {
        let otherNaN = Double(bitPattern: 0x7ff8_0000_0000_0001)
        try storage.load([(up, [Sample(1, .nan), Sample(2, staleNaN), Sample(3, otherNaN), Sample(4, -0.0)])])
        let stored = try stored(storage)
        #expect(
            stored.map(\.value.bitPattern) == [
                Double.nan.bitPattern, staleNaN.bitPattern, otherNaN.bitPattern, (-0.0).bitPattern,
            ])
        #expect(stored[1].isStaleMarker)
        #expect(!stored[0].isStaleMarker)
    }

    /// Two transactions that each are in order but interleave: the later commit's older sample is dropped
    /// silently, and the drop is counted (Prometheus's head does the same).
    public static func conflictsBetweenTransactionsAreDroppedAtCommit(_ storage: some StorageUnderTest) throws {
        let early = storage.appender()
        let late = storage.appender()
        try early.append(up, timestamp: 1000, value: 1)
        try early.append(up, timestamp: 5000, value: 5)
        try late.append(up, timestamp: 2000, value: 2)
        try late.append(up, timestamp: 6000, value: 6)
        try early.commit()
        try late.commit()
        #expect(try stored(storage) == [Sample(1000, 1), Sample(5000, 5), Sample(6000, 6)])
        #expect(storage.rejectedSampleCounts == [.outOfOrderSample: 1])
    }

    public static func sameTimestampSameValueIsAcceptedSilently(_ storage: some StorageUnderTest) throws {
        try storage.load([(up, [Sample(1000, 1), Sample(2000, .nan)])])
        let appender = storage.appender()
        try appender.append(up, timestamp: 2000, value: .nan)  // same NaN bits
        try appender.append(up, timestamp: 3000, value: 3)
        try appender.append(up, timestamp: 3000, value: 3)  // repeated within the transaction
        try appender.commit()
        #expect(try stored(storage).map(\.timestamp) == [1000, 2000, 3000])
        #expect(storage.rejectedSampleCounts.isEmpty)
    }

    /// With `exactLabelLookups` false (blocks), label lookups without matchers may answer at block
    /// granularity, from the index, as Prometheus's block querier does.
    public static func rangeAndHintsTrimSamplesAndDropEmptySeries(
        _ storage: some StorageUnderTest, exactLabelLookups: Bool = true
    ) throws {
        try storage.load([
            (Labels.metric("m", ["s": "early"]), samples(1000, 2000)),
            (Labels.metric("m", ["s": "late"]), samples(5000, 6000, 7000)),
            (Labels.metric("m", ["s": "gap"]), samples(1000, 9000)),
        ])
        let all = [matcher(.equal, "__name__", "m")]
        let querier = try storage.querier(mint: 2000, maxt: 6000)
        #expect(
            try querier.series(all) == [
                SeriesData(Labels.metric("m", ["s": "early"]), samples(2000)),
                SeriesData(Labels.metric("m", ["s": "late"]), samples(5000, 6000)),
            ])
        // Hints narrow the querier's range further, never widen it.
        #expect(
            try querier.series(all, hints: SelectHints(start: 3000, end: 10_000))
                == [SeriesData(Labels.metric("m", ["s": "late"]), samples(5000, 6000))])
        #expect(try querier.series(all, hints: SelectHints(start: 3000, end: 4000)).isEmpty)
        #expect(try storage.querier(mint: 3000, maxt: 2000).series(all).isEmpty)
        // The limit hint caps the series count.
        #expect(try querier.series(all, hints: SelectHints(start: .min, end: .max, limit: 1)).count == 1)
        // A series whose samples straddle the range without one inside it is left out, labels too.
        if exactLabelLookups {
            #expect(try storage.querier(mint: 3000, maxt: 4000).labelValues(name: "s").values == [])
        }
        #expect(
            try storage.querier(mint: 3000, maxt: 4000).labelValues(name: "s", matchers: all).values == [])
    }

    /// The label sets the matcher table selects from (each loaded with two samples).
    public static let matcherDataset: [Labels] = [
        Labels.metric("up", ["job": "node", "instance": "a"]),
        Labels.metric("up", ["job": "node", "instance": "b"]),
        Labels.metric("up", ["job": "gpu", "instance": "a", "zone": "z1"]),
        Labels.metric("http_requests_total", ["job": "api", "code": "200"]),
        Labels.metric("http_requests_total", ["job": "api", "code": "500"]),
        Labels.metric("http_requests_total", ["code": "200"]),
    ]

    /// Prometheus's selection rules as a table: a name, the matchers, and the indices into
    /// ``matcherDataset`` they select.
    public static let matcherCases: [(String, [LabelMatcher], [Int])] = [
        ("name", [matcher(.equal, "__name__", "up")], [0, 1, 2]),
        ("name and label", [matcher(.equal, "__name__", "up"), matcher(.equal, "job", "node")], [0, 1]),
        ("not equal keeps absent", [matcher(.notEqual, "job", "node")], [2, 3, 4, 5]),
        ("equal empty is absent", [matcher(.equal, "job", "")], [5]),
        ("not equal empty is present", [matcher(.notEqual, "job", "")], [0, 1, 2, 3, 4]),
        ("absent zone", [matcher(.equal, "zone", "")], [0, 1, 3, 4, 5]),
        ("regex prefix", [matcher(.regexMatch, "job", "no.*")], [0, 1]),
        ("regex prefix with optional", [matcher(.regexMatch, "job", "nodx?e")], [0, 1]),
        ("regex alternation", [matcher(.regexMatch, "job", "node|gpu")], [0, 1, 2]),
        ("regex is anchored", [matcher(.regexMatch, "job", "od")], []),
        ("regex matching empty keeps absent", [matcher(.regexMatch, "job", "|api")], [3, 4, 5]),
        ("negative regex keeps absent", [matcher(.regexNoMatch, "job", "node|gpu")], [3, 4, 5]),
        ("dot star is everything", [matcher(.regexMatch, "job", ".*")], [0, 1, 2, 3, 4, 5]),
        ("dot plus is present", [matcher(.regexMatch, "job", ".+")], [0, 1, 2, 3, 4]),
        ("not dot plus is absent", [matcher(.regexNoMatch, "job", ".+")], [5]),
        (
            "negative regex with name", [matcher(.equal, "__name__", "up"), matcher(.regexNoMatch, "instance", "a")],
            [1]
        ),
        ("unknown label value", [matcher(.equal, "missing", "x")], []),
        ("unknown label negated", [matcher(.notEqual, "missing", "x")], [0, 1, 2, 3, 4, 5]),
        ("contradiction", [matcher(.equal, "__name__", "up"), matcher(.equal, "job", "api")], []),
        (
            "two matchers on one label", [matcher(.regexMatch, "job", ".+"), matcher(.notEqual, "job", "api")],
            [0, 1, 2]
        ),
        ("no matchers select nothing", [], []),
    ]

    /// Loads ``matcherDataset`` into `storage` and checks one row of ``matcherCases``.
    public static func matcherSemantics(
        _ storage: some StorageUnderTest, _ name: String, _ matchers: [LabelMatcher], _ expected: [Int]
    ) throws {
        try storage.load(matcherDataset.map { ($0, samples(1000, 2000)) })
        let result = try storage.querier(mint: .min, maxt: .max).series(matchers, sorted: true)
        let want = expected.map { matcherDataset[$0] }.sorted { Labels.compare($0, $1) < 0 }
        #expect(result.map(\.labels) == want, "\(name)")
        #expect(result.allSatisfy { $0.samples == samples(1000, 2000) }, "\(name)")
    }
}
