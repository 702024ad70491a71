import Synchronization
import VigilModel

/// A transaction on a ``MemoryStorage``: samples wait here until ``commit()``.
///
/// Each append is checked at once against the committed samples and the transaction's own, so errors
/// surface where the sample is; new series enter the index immediately (as in Prometheus's head) but
/// stay invisible to queries until they have committed samples.
final class MemoryAppender: Appender {
    private struct PendingSeries {
        var labels: Labels
        var samples: ContiguousArray<Sample> = []
        /// The newest pending sample.
        var newest: Sample?
        /// False once an out-of-order sample went in; sorted at commit.
        var sorted = true

        /// Adds a checked sample; true when it is the new newest one.
        mutating func add(_ sample: Sample) -> Bool {
            if let newest {
                if sample.timestamp == newest.timestamp { return false }  // a silent duplicate
                if sample.timestamp < newest.timestamp {
                    // Out of order within the window; the transaction may already have it.
                    if samples.contains(where: { $0.timestamp == sample.timestamp }) { return false }
                    sorted = false
                    samples.append(sample)
                    return false
                }
            }
            samples.append(sample)
            newest = sample
            return true
        }
    }

    private let storage: MemoryStorage
    private var pending: [UInt32: PendingSeries] = [:]
    /// Series ids in first-append order, so commits are deterministic.
    private var order: [UInt32] = []
    private var pendingMaxTime: Int64?
    private var closed = false

    init(storage: MemoryStorage) {
        self.storage = storage
    }

    func append(_ labels: Labels, timestamp: Int64, value: Double) throws(StorageError) -> SeriesRef {
        if closed { throw .appenderClosed(series: labels, timestamp: timestamp) }
        let valid: Labels
        do throws(StorageError) {
            valid = try storage.validate(labels)
        } catch {
            countRejection(error.code)
            throw error
        }
        let maxSeries = storage.options.maxSeries
        let id = try storage.state.withLock { state throws(StorageError) in
            do throws(StorageError) {
                let id = try state.seriesID(for: valid, maxSeries: maxSeries)
                try check(timestamp: timestamp, value: value, id: id, labels: valid, state: state)
                return id
            } catch {
                state.rejected[error.code, default: 0] += 1
                throw error
            }
        }
        add(Sample(timestamp, value), to: id, labels: valid)
        return SeriesRef(rawValue: UInt64(id))
    }

    func append(_ ref: SeriesRef, timestamp: Int64, value: Double) throws(StorageError) {
        if closed { throw .appenderClosed(series: nil, timestamp: timestamp) }
        let labels = try storage.state.withLock { state throws(StorageError) -> Labels in
            guard ref.rawValue < UInt64(state.series.count) else {
                state.rejected[.unknownSeriesReference, default: 0] += 1
                throw .unknownReference(ref, timestamp: timestamp)
            }
            let id = UInt32(ref.rawValue)
            let labels = state.series[Int(id)].labels
            do throws(StorageError) {
                try check(timestamp: timestamp, value: value, id: id, labels: labels, state: state)
            } catch {
                state.rejected[error.code, default: 0] += 1
                throw error
            }
            return labels
        }
        add(Sample(timestamp, value), to: UInt32(ref.rawValue), labels: labels)
    }

    func commit() throws(StorageError) {
        if closed { throw .appenderClosed(series: nil, timestamp: nil) }
        closed = true
        guard !order.isEmpty else { return }
        for id in order where !(pending[id]?.sorted ?? true) {
            pending[id]?.samples.sort { $0.timestamp < $1.timestamp }
        }
        let window = storage.options.outOfOrderTimeWindow
        storage.state.withLock { state in
            for id in order {
                guard let series = pending[id] else { continue }
                for sample in series.samples {
                    if let reason = state.commit(sample, to: id, outOfOrderWindow: window) {
                        state.rejected[reason, default: 0] += 1
                    }
                }
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
    }

    /// Whether the sample may join the transaction: nothing thrown means take it; a silent duplicate
    /// throws nothing either and is filtered in ``add(_:to:labels:)``.
    private func check(
        timestamp: Int64, value: Double, id: UInt32, labels: Labels, state: borrowing MemoryState
    ) throws(StorageError) {
        let options = storage.options
        if timestamp < options.minValidTime {
            throw .outOfBounds(labels, timestamp: timestamp, minValidTime: options.minValidTime)
        }
        let committed = state.series[Int(id)].newest
        let transaction = pending[id]?.newest
        let newest: Sample?
        switch (committed, transaction) {
        case (let committed?, let transaction?):
            newest = transaction.timestamp > committed.timestamp ? transaction : committed
        default: newest = committed ?? transaction
        }
        guard let newest, timestamp <= newest.timestamp else { return }
        if timestamp == newest.timestamp {
            guard value.bitPattern == newest.value.bitPattern else {
                throw .duplicate(labels, timestamp: timestamp, value: value, stored: newest.value)
            }
            return
        }
        let window = options.outOfOrderTimeWindow
        guard window > 0 else { throw .outOfOrder(labels, timestamp: timestamp, last: newest.timestamp) }
        let storageNewest = Swift.max(state.maxTime ?? .min, pendingMaxTime ?? .min)
        if timestamp < storageNewest - window {
            throw .tooOld(labels, timestamp: timestamp, newest: storageNewest, window: window)
        }
        // Within the window: only a different value at an existing timestamp is refused.
        let samples = state.series[Int(id)].samples
        let position = samples.firstIndex(atOrAfter: timestamp)
        if position < samples.count && samples[position].timestamp == timestamp,
            samples[position].value.bitPattern != value.bitPattern
        {
            throw .duplicate(labels, timestamp: timestamp, value: value, stored: samples[position].value)
        }
        if let stored = pending[id]?.samples.first(where: { $0.timestamp == timestamp }),
            stored.value.bitPattern != value.bitPattern
        {
            throw .duplicate(labels, timestamp: timestamp, value: value, stored: stored.value)
        }
    }

    private func add(_ sample: Sample, to id: UInt32, labels: Labels) {
        if pending.index(forKey: id) == nil { order.append(id) }
        if pending[id, default: PendingSeries(labels: labels)].add(sample) {
            pendingMaxTime = Swift.max(pendingMaxTime ?? sample.timestamp, sample.timestamp)
        }
    }

    private func countRejection(_ code: StorageError.Code) {
        storage.state.withLock { $0.rejected[code, default: 0] += 1 }
    }
}
