import Synchronization
import VigilModel
import VigilStorage

/// A transaction on a ``Head``: samples wait here until ``commit()``, which writes them to the WAL (with
/// series records for series the WAL has not seen yet) and then makes them visible.
///
/// Each append is checked at once against the committed samples and the transaction's own, so errors
/// surface where the sample is; new series enter the index immediately (as in Prometheus's head) but stay
/// invisible to queries until they have committed samples.
final class HeadAppender: Appender {
    private struct Pending {
        let series: HeadSeries
        var samples: [Sample] = []
    }

    private let head: Head
    private var pending: [UInt64: Pending] = [:]
    /// Series refs in first-append order, so commits are deterministic.
    private var order: [UInt64] = []
    private var sampleCount = 0
    private var closed = false
    /// Series this appender has pinned, with how many times (see ``Head/getOrCreate(_:)``).
    private var pinned: [UInt64: (series: HeadSeries, count: Int)] = [:]

    init(head: Head) {
        self.head = head
    }

    func append(_ labels: Labels, timestamp: Int64, value: Double) throws(StorageError) -> SeriesRef {
        if closed { throw .appenderClosed(series: labels, timestamp: timestamp) }
        do throws(StorageError) {
            let valid = try head.validate(labels)
            try checkBounds(valid, timestamp: timestamp)
            let series = try head.getOrCreate(valid)
            pinned[series.ref, default: (series, 0)].count += 1
            try add(Sample(timestamp, value), to: series)
            return SeriesRef(rawValue: series.ref)
        } catch {
            head.countRejection(error.code)
            throw error
        }
    }

    func append(_ ref: SeriesRef, timestamp: Int64, value: Double) throws(StorageError) {
        if closed { throw .appenderClosed(series: nil, timestamp: timestamp) }
        do throws(StorageError) {
            guard let series = try pinnedSeries(ref: ref.rawValue) else {
                throw .unknownReference(ref, timestamp: timestamp)
            }
            try checkBounds(series.labels, timestamp: timestamp)
            try add(Sample(timestamp, value), to: series)
        } catch {
            head.countRejection(error.code)
            throw error
        }
    }

    func commit() throws(StorageError) {
        if closed { throw .appenderClosed(series: nil, timestamp: nil) }
        closed = true
        defer { unpinAll() }
        guard sampleCount > 0 else { return }
        let samplesPerChunk = head.options.samplesPerChunk
        try head.commitLock.withLock { _ throws(StorageError) in
            // Samples a block cut has claimed the time of since they were appended are refused here, before
            // the WAL, so that neither the head nor a replay holds data older than the blocks' end.
            let floor = head.blockFloor.load(ordering: .relaxed)
            var outOfBounds = 0
            if floor > .min {
                for ref in order {
                    guard let before = pending[ref]?.samples.count else { continue }
                    pending[ref]!.samples.removeAll { $0.timestamp < floor }
                    outOfBounds += before - pending[ref]!.samples.count
                }
            }
            if let wal = head.wal {
                var newSeries: [WALRecord.WALSeries] = []
                var samples: [WALRecord.WALSample] = []
                samples.reserveCapacity(sampleCount)
                for ref in order {
                    guard let entry = pending[ref] else { continue }
                    if !entry.series.state.withLock({ $0.logged }) {
                        newSeries.append(WALRecord.WALSeries(ref: ref, labels: entry.series.labels))
                    }
                    for sample in entry.samples {
                        samples.append(WALRecord.WALSample(ref: ref, timestamp: sample.timestamp, value: sample.value))
                    }
                }
                var records: [WALRecord] = []
                if !newSeries.isEmpty { records.append(.series(newSeries)) }
                records.append(.samples(samples))
                try wal.log(records, sync: head.options.wal.syncOnCommit)
                for entry in newSeries {
                    pending[entry.ref]?.series.state.withLock { $0.logged = true }
                }
            }
            var stored = 0
            var maxTime: Int64?
            var rejected: [StorageError.Code: Int] = outOfBounds > 0 ? [.outOfBounds: outOfBounds] : [:]
            for ref in order {
                guard let entry = pending[ref] else { continue }
                entry.series.state.withLock { state in
                    for sample in entry.samples {
                        switch state.commit(sample, samplesPerChunk: samplesPerChunk) {
                        case .stored:
                            stored += 1
                            maxTime = Swift.max(maxTime ?? sample.timestamp, sample.timestamp)
                        case .duplicate: break
                        case .rejected(let reason): rejected[reason, default: 0] += 1
                        }
                    }
                }
            }
            head.counters.withLock { counters in
                counters.sampleCount += stored
                if let maxTime { counters.maxTime = Swift.max(counters.maxTime ?? maxTime, maxTime) }
                for (reason, count) in rejected { counters.rejected[reason, default: 0] += count }
            }
        }
        pending = [:]
        order = []
    }

    func rollback() throws(StorageError) {
        if closed { throw .appenderClosed(series: nil, timestamp: nil) }
        closed = true
        pending = [:]
        order = []
        unpinAll()
    }

    deinit {
        unpinAll()
    }

    /// The series `ref`, pinned once by this appender.
    private func pinnedSeries(ref: UInt64) throws(StorageError) -> HeadSeries? {
        if let series = pinned[ref]?.series { return series }
        guard let series = head.pinnedSeries(ref: ref) else { return nil }
        pinned[ref] = (series, 1)
        return series
    }

    /// Lets garbage collection have the series again.
    private func unpinAll() {
        for (series, count) in pinned.values { series.state.withLock { $0.pins -= count } }
        pinned = [:]
    }

    private func checkBounds(_ labels: Labels, timestamp: Int64) throws(StorageError) {
        let minValidTime = Swift.max(head.options.minValidTime, head.blockFloor.load(ordering: .relaxed))
        if timestamp < minValidTime {
            throw .outOfBounds(labels, timestamp: timestamp, minValidTime: minValidTime)
        }
    }

    /// Checks a sample against the series' committed newest sample and the transaction's, then keeps it
    /// (a silent duplicate is checked and dropped).
    private func add(_ sample: Sample, to series: HeadSeries) throws(StorageError) {
        let committed = series.state.withLock { $0.newest }
        let transaction = pending[series.ref]?.samples.last
        let newest: Sample?
        switch (committed, transaction) {
        case (let committed?, let transaction?):
            newest = transaction.timestamp > committed.timestamp ? transaction : committed
        default: newest = committed ?? transaction
        }
        if let newest, sample.timestamp <= newest.timestamp {
            if sample.timestamp < newest.timestamp {
                throw .outOfOrder(series.labels, timestamp: sample.timestamp, last: newest.timestamp)
            }
            guard sample.value.bitPattern == newest.value.bitPattern else {
                throw .duplicate(
                    series.labels, timestamp: sample.timestamp, value: sample.value, stored: newest.value)
            }
            return
        }
        if pending.index(forKey: series.ref) == nil {
            order.append(series.ref)
            pending[series.ref] = Pending(series: series)
        }
        pending[series.ref]!.samples.append(sample)
        sampleCount += 1
    }
}
