import VigilModel

/// One series of a query result: its labels and a way to iterate its samples.
///
/// A series stays usable after its ``SeriesSet`` has moved on, and each ``makeSampleIterator()``
/// starts again from the first sample. A series is a snapshot: reading it from several threads at once is
/// safe (the PromQL engine decodes the series of a large selection in parallel). (Chunk-level access — encoded chunks handed through without
/// decoding, for remote read and compaction — will come as a separate `ChunkSeries` protocol beside
/// this one, as Prometheus's `ChunkSeries` beside `Series`, so sample readers are not affected.)
public protocol Series: Sendable {
    var labels: Labels { get }
    func makeSampleIterator() -> any SampleIterator

    /// Appends the samples with `mint ≤ timestamp ≤ maxt` (within the querier's range) to `samples`, in
    /// ascending timestamp order: what ``makeSampleIterator()`` yields there, read in bulk.
    ///
    /// The default walks the iterator; storages implement it to decode straight into the caller's array
    /// (no call through an existential per sample) and to skip chunks outside the window by their time
    /// range. Throws what stopped reading; `samples` then holds what was read before.
    func appendSamples(into samples: inout [Sample], from mint: Int64, through maxt: Int64) throws(StorageError)

    /// The count, minimum and maximum of the samples with `mint ≤ timestamp ≤ maxt` other than staleness
    /// markers (``SampleSummary``): what `count_over_time`, `min_over_time` and `max_over_time` make of that
    /// window. The default reads the samples; storages answer from chunk headers where they can.
    func summarize(from mint: Int64, through maxt: Int64) throws(StorageError) -> SampleSummary
}

/// The result of ``Querier/select(sorted:hints:matchers:)``: series, each once, read one at a time.
///
/// Implementations produce series lazily where that is cheap. `next()` throws when reading fails;
/// ``warnings`` holds problems that did not stop the query (a secondary storage that failed), complete
/// once `next()` has returned nil.
public protocol SeriesSet {
    mutating func next() throws(StorageError) -> (any Series)?
    var warnings: [StorageError] { get }
}

extension SeriesSet {
    /// Reads every remaining series (for tests and small results; queries should stream).
    public mutating func collect() throws(StorageError) -> [any Series] {
        var result: [any Series] = []
        while let series = try next() { result.append(series) }
        return result
    }
}

/// A series set with no series, optionally carrying warnings.
public struct EmptySeriesSet: SeriesSet, Sendable {
    public let warnings: [StorageError]

    public init(warnings: [StorageError] = []) { self.warnings = warnings }

    public func next() -> (any Series)? { nil }
}

/// A series set over series already in memory, in the order given.
public struct ListSeriesSet: SeriesSet {
    private let series: [any Series]
    private var index = 0
    public let warnings: [StorageError]

    public init(_ series: [any Series], warnings: [StorageError] = []) {
        self.series = series
        self.warnings = warnings
    }

    public mutating func next() -> (any Series)? {
        guard index < series.count else { return nil }
        defer { index += 1 }
        return series[index]
    }
}

/// A series whose samples are in memory, ascending by timestamp.
public struct ListSeries: Series, Sendable {
    public let labels: Labels
    private let samples: ContiguousArray<Sample>
    private let range: Range<Int>

    public init(labels: Labels, samples: [Sample]) {
        self.labels = labels
        self.samples = ContiguousArray(samples)
        range = 0..<samples.count
    }

    /// The series `labels` with the samples `samples[range]`, sharing the array's storage.
    public init(labels: Labels, samples: ContiguousArray<Sample>, range: Range<Int>) {
        self.labels = labels
        self.samples = samples
        self.range = range
    }

    public func makeSampleIterator() -> any SampleIterator { SampleArrayIterator(samples, range: range) }

    public func appendSamples(into output: inout [Sample], from mint: Int64, through maxt: Int64) {
        output.append(contentsOf: samples[samples.indices(from: mint, through: maxt, in: range)])
    }
}

extension Series {
    /// Every sample of the series (for tests and small results); throws what stopped the iterator.
    public func samples() throws(StorageError) -> [Sample] {
        var result: [Sample] = []
        try appendSamples(into: &result, from: .min, through: .max)
        return result
    }

    public func appendSamples(into samples: inout [Sample], from mint: Int64, through maxt: Int64) throws(StorageError)
    {
        try Self.append(makeSampleIterator(), into: &samples, from: mint, through: maxt)
    }

    public func summarize(from mint: Int64, through maxt: Int64) throws(StorageError) -> SampleSummary {
        var samples: [Sample] = []
        try appendSamples(into: &samples, from: mint, through: maxt)
        return SampleSummary(folding: samples)
    }

    /// Reads the iterator with its type opened once, not through the existential at every sample (which
    /// copies the boxed iterator to advance it: a third of a large query's time).
    static func append(
        _ iterator: some SampleIterator, into samples: inout [Sample], from mint: Int64, through maxt: Int64
    ) throws(StorageError) {
        guard mint <= maxt else { return }
        var iterator = iterator
        var more = mint == .min ? iterator.next() : iterator.seek(to: mint)
        while more {
            let sample = iterator.at()
            if sample.timestamp > maxt { return }
            samples.append(sample)
            more = iterator.next()
        }
        if let error = iterator.error { throw error }
    }
}
