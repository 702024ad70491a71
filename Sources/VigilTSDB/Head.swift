import Synchronization
import VigilModel
import VigilStorage

/// The in-memory part of the TSDB, as Prometheus's head: series with XOR chunks, an inverted index, and
/// (when opened on a directory) a write-ahead log that every commit goes through before it is visible.
///
/// Appends follow Prometheus's head: per series, a sample older than the newest one is
/// ``StorageError/Code/outOfOrderSample``, the same timestamp with the same value (bit for bit) is a
/// duplicate taken silently, the same timestamp with another value is
/// ``StorageError/Code/duplicateSampleForTimestamp``; every refusal is counted by reason in
/// ``statistics``. Staleness markers are stored bit for bit.
///
/// Locking: each series has its own lock (appends to different series never wait on each other), the
/// index has one held only for lookups and insertions, and commits take a commit lock so that the WAL
/// order is the order in which samples become visible — which is what makes replay reproduce the head.
/// Queries snapshot chunk lists (copy-on-write) and decode outside every lock.
public final class Head: Storage, Sendable {
    public struct Options: Sendable {
        /// Samples per XOR chunk before a new chunk is cut (Prometheus: 120).
        public var samplesPerChunk: Int
        /// Samples before this timestamp are ``StorageError/Code/outOfBounds``.
        public var minValidTime: Int64
        /// At most this many series; creating one more is ``StorageError/Code/limitExceeded``.
        public var maxSeries: Int?
        /// Longest label name, in UTF-8 bytes.
        public var maxLabelNameLength: Int?
        /// Longest label value, in UTF-8 bytes.
        public var maxLabelValueLength: Int?
        /// Whether a series needs a non-empty `__name__`.
        public var requireMetricName: Bool
        /// The WAL's settings, when the head is opened on a directory.
        public var wal: WAL.Options

        public init(
            samplesPerChunk: Int = 120, minValidTime: Int64 = .min, maxSeries: Int? = nil,
            maxLabelNameLength: Int? = nil, maxLabelValueLength: Int? = nil, requireMetricName: Bool = true,
            wal: WAL.Options = WAL.Options()
        ) {
            self.samplesPerChunk = samplesPerChunk
            self.minValidTime = minValidTime
            self.maxSeries = maxSeries
            self.maxLabelNameLength = maxLabelNameLength
            self.maxLabelValueLength = maxLabelValueLength
            self.requireMetricName = requireMetricName
            self.wal = wal
        }
    }

    /// Counts for tests and `inspect`.
    public struct Statistics: Sendable, Equatable {
        /// Series in the index (including ones with no committed sample yet; series whose data all went to
        /// blocks leave at the next cut).
        public var seriesCount: Int
        /// Samples stored.
        public var sampleCount: Int
        /// The newest committed timestamp, nil before the first commit.
        public var maxTime: Int64?
        /// Samples refused, by reason: at append (the thrown errors) and at commit (samples another
        /// transaction made invalid in between, dropped silently as Prometheus's head does).
        public var rejectedSamples: [StorageError.Code: Int]
    }

    struct Counters {
        var sampleCount = 0
        var maxTime: Int64?
        var rejected: [StorageError.Code: Int] = [:]
    }

    public let options: Options
    let index: Mutex<HeadIndex>
    let counters: Mutex<Counters>
    /// Serialises commits: WAL write, then making the samples visible.
    let commitLock = Mutex(())
    let wal: WAL?
    /// The label-set hash; replaceable so that tests can force collisions.
    let hash: @Sendable (Labels) -> UInt64
    /// What replaying the WAL found when the head was opened on a directory.
    public let recovery: WALRecoveryReport?
    /// Samples before this time belong to blocks (set by ``TSDB`` after it cuts them): appends before it
    /// are ``StorageError/Code/outOfBounds``, as below ``Options/minValidTime``.
    let blockFloor = Atomic<Int64>(.min)

    /// A head without a WAL: nothing survives the process.
    public convenience init(options: Options = Options()) {
        self.init(options: options, hash: { $0.stableHash })
    }

    init(options: Options, hash: @escaping @Sendable (Labels) -> UInt64) {
        self.options = options
        self.hash = hash
        index = Mutex(HeadIndex())
        counters = Mutex(Counters())
        wal = nil
        recovery = nil
    }

    /// Opens the head on a data directory: replays `directory/wal` (repairing a torn or corrupt tail, see
    /// ``recovery``) and logs every later commit there.
    public convenience init(directory: String, options: Options = Options()) throws(StorageError) {
        try self.init(directory: directory, options: options, hash: { $0.stableHash })
    }

    init(directory: String, options: Options, hash: @escaping @Sendable (Labels) -> UInt64) throws(StorageError) {
        self.options = options
        self.hash = hash
        let walDirectory = directory + "/wal"
        try WAL.makeDirectory(walDirectory)
        var index = HeadIndex()
        var counters = Counters()
        recovery = try Self.replay(
            walDirectory, hash: hash, samplesPerChunk: options.samplesPerChunk, index: &index, counters: &counters)
        self.index = Mutex(index)
        self.counters = Mutex(counters)
        wal = try WAL(directory: walDirectory, options: options.wal)
    }

    /// Rebuilds the index and the series' chunks from the WAL, in WAL order, with the rules commits follow.
    private static func replay(
        _ directory: String, hash: (Labels) -> UInt64, samplesPerChunk: Int, index: inout HeadIndex,
        counters: inout Counters
    ) throws(StorageError) -> WALRecoveryReport {
        // A series record for labels already replayed under another ref (a series that was garbage-collected
        // and created again, replayed with segments a crash kept in front of a checkpoint) names the same series.
        var aliases: [UInt64: HeadSeries] = [:]
        return try WAL.replay(directory: directory) { record, report in
            switch record {
            case .series(let entries):
                for entry in entries {
                    let key = hash(entry.labels)
                    if index.series[entry.ref] != nil { continue }
                    if let existing = index.lookup(entry.labels, hash: key) {
                        aliases[entry.ref] = existing
                        index.nextRef = Swift.max(index.nextRef, entry.ref &+ 1)
                        continue
                    }
                    let series = index.add(entry.labels, hash: key, ref: entry.ref)
                    series.state.withLock { $0.logged = true }
                    report.series += 1
                }
            case .samples(let samples):
                for sample in samples {
                    guard let series = index.series[sample.ref] ?? aliases[sample.ref] else {
                        report.droppedSamples += 1
                        continue
                    }
                    let result = series.state.withLock {
                        $0.commit(Sample(sample.timestamp, sample.value), samplesPerChunk: samplesPerChunk)
                    }
                    switch result {
                    case .stored:
                        report.samples += 1
                        counters.sampleCount += 1
                        counters.maxTime = Swift.max(counters.maxTime ?? sample.timestamp, sample.timestamp)
                    case .duplicate: break
                    case .rejected: report.droppedSamples += 1
                    }
                }
            case .tombstones(let tombstones):
                for tombstone in tombstones {
                    guard let series = index.series[tombstone.ref] ?? aliases[tombstone.ref] else { continue }
                    series.state.withLock { Tombstones.add(tombstone.mint...tombstone.maxt, to: &$0.deleted) }
                }
            }
        }
    }

    public func appender() -> any Appender { HeadAppender(head: self) }

    public func querier(mint: Int64, maxt: Int64) -> any Querier {
        HeadQuerier(head: self, mint: mint, maxt: maxt)
    }

    public var statistics: Statistics {
        let seriesCount = index.withLock { $0.series.count }
        return counters.withLock {
            Statistics(
                seriesCount: seriesCount, sampleCount: $0.sampleCount, maxTime: $0.maxTime,
                rejectedSamples: $0.rejected)
        }
    }

    /// Syncs and closes the WAL; later commits throw ``StorageError/Code/closed``.
    public func close() throws(StorageError) {
        try commitLock.withLock { _ throws(StorageError) in try wal?.close() }
    }

    func countRejection(_ code: StorageError.Code, count: Int = 1) {
        counters.withLock { $0.rejected[code, default: 0] += count }
    }

    /// The series `labels` (validated), created (with a new ref) when new, and pinned for an appender: until
    /// the appender unpins it, ``collectGarbage(before:)`` leaves it in the index, so that a commit never
    /// lands in a series that is no longer there. Pinned under the index lock, with no gap for the collector.
    func getOrCreate(_ labels: Labels) throws(StorageError) -> HeadSeries {
        let key = hash(labels)
        let maxSeries = options.maxSeries
        return try index.withLock { index throws(StorageError) in
            if let existing = index.lookup(labels, hash: key) {
                existing.state.withLock { $0.pins += 1 }
                return existing
            }
            if let maxSeries, index.series.count >= maxSeries {
                throw StorageError(
                    .limitExceeded, "series limit of \(maxSeries) reached: cannot create series \(labels)",
                    series: labels)
            }
            let created = index.add(labels, hash: key, ref: index.nextRef)
            created.state.withLock { $0.pins += 1 }
            return created
        }
    }

    /// The series with `ref`, pinned as by ``getOrCreate(_:)``; nil when there is none (never was, or
    /// garbage-collected).
    func pinnedSeries(ref: UInt64) -> HeadSeries? {
        index.withLock { index in
            guard let series = index.series[ref] else { return nil }
            series.state.withLock { $0.pins += 1 }
            return series
        }
    }

    func series(ref: UInt64) -> HeadSeries? {
        index.withLock { $0.series[ref] }
    }

    /// Deletes the samples with `mint ≤ t ≤ maxt` of the series matching every matcher that have any there:
    /// logs a tombstones record (synced) and then records the interval on each series, under the commit lock
    /// so that the WAL order is the order of effect. Samples appended into the interval later are hidden too,
    /// as in Prometheus's head. Returns how many series were affected.
    @discardableResult
    func delete(_ matchers: [LabelMatcher], mint: Int64, maxt: Int64) throws(StorageError) -> Int {
        guard mint <= maxt, !matchers.isEmpty else { return 0 }
        return try commitLock.withLock { _ throws(StorageError) -> Int in
            let view = index.withLock { $0.postingsView(for: matchers) }
            let refs = view.matchingRefs(matchers)
            let affected = index.withLock { index in refs.compactMap { index.series[$0] } }
                .filter { $0.hasSample(from: mint, through: maxt) }
            guard !affected.isEmpty else { return 0 }
            try wal?.log(
                [.tombstones(affected.map { WALRecord.WALTombstone(ref: $0.ref, mint: mint, maxt: maxt) })], sync: true)
            for series in affected { series.state.withLock { Tombstones.add(mint...maxt, to: &$0.deleted) } }
            return affected.count
        }
    }

    /// Removes from the index every series with no sample at or after `floor` (all its data is in blocks, or
    /// it never had any) that no appender holds, as Prometheus's head garbage collection after a block is
    /// cut: churned series do not stay in memory, and the next WAL checkpoint leaves them out. Returns how
    /// many series went.
    @discardableResult
    func collectGarbage(before floor: Int64) -> Int {
        var removedSamples = 0
        let removed = index.withLock { index -> Int in
            var doomed: [(series: HeadSeries, hash: UInt64)] = []
            for series in index.series.values {
                let held = series.state.withLock { state -> Int? in
                    guard state.pins == 0 else { return nil }
                    if let newest = state.newest, newest.timestamp >= floor { return nil }
                    return state.sampleCount
                }
                guard let held else { continue }
                removedSamples += held
                doomed.append((series, hash(series.labels)))
            }
            index.remove(doomed)
            return doomed.count
        }
        if removedSamples > 0 { counters.withLock { $0.sampleCount -= removedSamples } }
        return removed
    }

    /// Normalises and validates a label set by the rules every storage shares.
    func validate(_ labels: Labels) throws(StorageError) -> Labels {
        try SeriesLabelRules(
            maxLabelNameLength: options.maxLabelNameLength, maxLabelValueLength: options.maxLabelValueLength,
            requireMetricName: options.requireMetricName
        ).validate(labels)
    }
}
