import Synchronization
import VigilModel

/// A complete storage in memory, for tests and for the PromQL test runner: an inverted index over
/// label pairs, per-series sample arrays, transactions, deletion.
///
/// Appends follow Prometheus's head: per series, a sample older than the newest one is rejected
/// (``StorageError/Code/outOfOrderSample``), the same timestamp with the same value (bit for bit) is a
/// duplicate accepted silently, the same timestamp with another value is
/// ``StorageError/Code/duplicateSampleForTimestamp``. With an out-of-order window
/// (``Options/outOfOrderTimeWindow``) older samples within the window of the newest timestamp in the
/// storage are taken and older ones are ``StorageError/Code/tooOldSample``.
///
/// Thread-safe: one `Mutex` guards the state, held briefly; queries read a snapshot of the sample
/// arrays (copy-on-write, so a query never blocks later appends).
public final class MemoryStorage: Storage {
    public struct Options: Sendable {
        /// How far (ms) behind the storage's newest sample an out-of-order sample may be; 0 rejects
        /// every out-of-order sample, as Prometheus without `out_of_order_time_window`.
        public var outOfOrderTimeWindow: Int64
        /// Samples before this timestamp are ``StorageError/Code/outOfBounds``.
        public var minValidTime: Int64
        /// At most this many series; creating one more is ``StorageError/Code/limitExceeded``.
        public var maxSeries: Int?
        /// Longest label name, in UTF-8 bytes.
        public var maxLabelNameLength: Int?
        /// Longest label value, in UTF-8 bytes.
        public var maxLabelValueLength: Int?
        /// Whether a series needs a non-empty `__name__` (Prometheus's head does not insist; every real
        /// producer sends one).
        public var requireMetricName: Bool

        public init(
            outOfOrderTimeWindow: Int64 = 0, minValidTime: Int64 = .min, maxSeries: Int? = nil,
            maxLabelNameLength: Int? = nil, maxLabelValueLength: Int? = nil, requireMetricName: Bool = true
        ) {
            self.outOfOrderTimeWindow = outOfOrderTimeWindow
            self.minValidTime = minValidTime
            self.maxSeries = maxSeries
            self.maxLabelNameLength = maxLabelNameLength
            self.maxLabelValueLength = maxLabelValueLength
            self.requireMetricName = requireMetricName
        }
    }

    /// Counts for tests and `inspect`-like output.
    public struct Statistics: Sendable {
        /// Series ever created (including ones whose samples were all deleted or never committed).
        public var seriesCount: Int
        /// Samples stored now.
        public var sampleCount: Int
        /// The newest committed timestamp, nil before the first commit.
        public var maxTime: Int64?
        /// Samples refused, by reason: at append (the thrown errors) and at commit (samples another
        /// transaction made invalid in between, dropped silently as Prometheus's head does).
        public var rejectedSamples: [StorageError.Code: Int]
    }

    public let options: Options
    let state = Mutex(MemoryState())

    public init(options: Options = Options()) {
        self.options = options
    }

    public func appender() -> any Appender { MemoryAppender(storage: self) }

    public func querier(mint: Int64, maxt: Int64) -> any Querier {
        MemoryQuerier(storage: self, mint: mint, maxt: maxt)
    }

    public var statistics: Statistics {
        state.withLock { state in
            Statistics(
                seriesCount: state.series.count, sampleCount: state.sampleCount, maxTime: state.maxTime,
                rejectedSamples: state.rejected)
        }
    }

    /// Appends and commits every sample in one transaction; on the first error nothing is stored.
    /// Each series' samples must be in ascending timestamp order.
    public func load(series: [(Labels, [Sample])]) throws(StorageError) {
        let appender = appender()
        do throws(StorageError) {
            for (labels, samples) in series {
                var ref: SeriesRef?
                for sample in samples {
                    if let ref {
                        try appender.append(ref, timestamp: sample.timestamp, value: sample.value)
                    } else {
                        ref = try appender.append(labels, timestamp: sample.timestamp, value: sample.value)
                    }
                }
            }
        } catch {
            try? appender.rollback()
            throw error
        }
        try appender.commit()
    }

    /// ``load(series:)`` from a dictionary: `try storage.load(series: [labels: samples, …])`.
    public func load(series: [Labels: [Sample]]) throws(StorageError) {
        try load(series: series.map { ($0.key, $0.value) })
    }

    /// Deletes the samples with `mint ≤ timestamp ≤ maxt` of every series matching all `matchers`, as
    /// Prometheus's tombstones do: they are gone from every later query.
    ///
    /// A series keeps its newest timestamp for the out-of-order check even when that sample is deleted
    /// (Prometheus's head does the same), so deletion never reopens the past for appends. Unlike a
    /// tombstone, samples appended into the range afterwards are visible.
    public func delete(mint: Int64, maxt: Int64, matchers: [LabelMatcher]) {
        guard mint <= maxt else { return }
        state.withLock { state in
            for id in state.matchingIDs(matchers) {
                let range = state.series[Int(id)].samples.indices(from: mint, through: maxt)
                guard !range.isEmpty else { continue }
                state.series[Int(id)].samples.removeSubrange(range)
                state.sampleCount -= range.count
            }
        }
    }

    /// Normalises and validates a label set for a new or existing series.
    func validate(_ labels: Labels) throws(StorageError) -> Labels {
        try SeriesLabelRules(
            maxLabelNameLength: options.maxLabelNameLength, maxLabelValueLength: options.maxLabelValueLength,
            requireMetricName: options.requireMetricName
        ).validate(labels)
    }
}

/// One series: its identity, its committed samples (ascending) and the newest sample ever committed.
struct MemorySeries {
    let labels: Labels
    var samples: ContiguousArray<Sample> = []
    /// Survives deletion: the out-of-order check is against what was appended, not what is left.
    var newest: Sample?

    init(labels: Labels) { self.labels = labels }

    func hasSample(from mint: Int64, through maxt: Int64) -> Bool {
        !samples.indices(from: mint, through: maxt).isEmpty
    }
}

/// Everything a ``MemoryStorage`` holds, behind its mutex.
struct MemoryState: ~Copyable {
    /// Indexed by series id.
    var series: [MemorySeries] = []
    var ids: [Labels: UInt32] = [:]
    /// label name → label value → ascending series ids.
    var postings: [String: [String: [UInt32]]] = [:]
    var maxTime: Int64?
    var sampleCount = 0
    var rejected: [StorageError.Code: Int] = [:]

    /// The id of the series `labels` (already validated), created when new.
    mutating func seriesID(for labels: Labels, maxSeries: Int?) throws(StorageError) -> UInt32 {
        if let id = ids[labels] { return id }
        if let maxSeries, series.count >= maxSeries {
            throw StorageError(
                .limitExceeded, "series limit of \(maxSeries) reached: cannot create series \(labels)",
                series: labels)
        }
        let id = UInt32(series.count)
        series.append(MemorySeries(labels: labels))
        ids[labels] = id
        for label in labels {
            postings[label.name, default: [:]][label.value, default: []].append(id)
        }
        return id
    }

    /// Ascending ids of the series matching every matcher (none for no matchers), as Prometheus's
    /// `PostingsForMatchers`: matchers that reject the empty string intersect the postings of the values
    /// they accept; matchers that accept it (`!=`, `!~`, `=""`, `=~"|x"`) subtract the postings of the
    /// values they reject, so that series without the label stay in.
    func matchingIDs(_ matchers: [LabelMatcher]) -> [UInt32] {
        Postings.matching(matchers, postings: postings, all: Array(0..<UInt32(series.count)))
    }

    /// Takes a sample into a series at commit; nil when taken (or a silent duplicate), else the reason
    /// it was dropped.
    mutating func commit(_ sample: Sample, to id: UInt32, outOfOrderWindow: Int64) -> StorageError.Code? {
        let index = Int(id)
        if let newest = series[index].newest {
            if sample.timestamp == newest.timestamp {
                return sample.value.bitPattern == newest.value.bitPattern ? nil : .duplicateSampleForTimestamp
            }
            if sample.timestamp < newest.timestamp {
                guard outOfOrderWindow > 0 else { return .outOfOrderSample }
                if let maxTime, sample.timestamp < maxTime - outOfOrderWindow { return .tooOldSample }
                let position = series[index].samples.firstIndex(atOrAfter: sample.timestamp)
                if position < series[index].samples.count
                    && series[index].samples[position].timestamp == sample.timestamp
                {
                    let stored = series[index].samples[position].value
                    return sample.value.bitPattern == stored.bitPattern ? nil : .duplicateSampleForTimestamp
                }
                series[index].samples.insert(sample, at: position)
                sampleCount += 1
                return nil
            }
        }
        series[index].samples.append(sample)
        series[index].newest = sample
        sampleCount += 1
        maxTime = Swift.max(maxTime ?? sample.timestamp, sample.timestamp)
        return nil
    }
}
