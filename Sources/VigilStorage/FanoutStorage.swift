import Synchronization
import VigilModel

/// A primary storage plus secondaries seen as one, as Prometheus's fanout storage: appends go to all
/// of them, queries merge all of them (``MergeQuerier``).
///
/// The primary is authoritative — its errors fail appends, commits and queries, and its series
/// references are the ones callers get. A secondary's query failure becomes a warning; its append
/// failure is reported to the caller but does not undo what the primary took.
public final class FanoutStorage: Storage {
    private let primary: any Storage
    private let secondaries: [any Storage]
    /// The labels of every series appended through this fanout, by primary reference, so that an append
    /// by reference can reach the secondaries (whose references differ) with labels. Grows with the
    /// series ever appended and is never pruned: fine for the in-process fanouts this serves today; a
    /// storage that drops idle series would want a way to look labels up by reference instead.
    let labelsByRef = Mutex<[SeriesRef: Labels]>([:])

    public init(primary: any Storage, secondaries: [any Storage]) {
        self.primary = primary
        self.secondaries = secondaries
    }

    public func querier(mint: Int64, maxt: Int64) throws(StorageError) -> any Querier {
        let primaryQuerier = try primary.querier(mint: mint, maxt: maxt)
        let secondaryQueriers = try secondaries.map { storage throws(StorageError) in
            try storage.querier(mint: mint, maxt: maxt)
        }
        return MergeQuerier(primaries: [primaryQuerier], secondaries: secondaryQueriers)
    }

    public func appender() -> any Appender {
        FanoutAppender(
            fanout: self, primary: primary.appender(), secondaries: secondaries.map { $0.appender() })
    }
}

final class FanoutAppender: Appender {
    private let fanout: FanoutStorage
    private let primary: any Appender
    private let secondaries: [any Appender]

    init(fanout: FanoutStorage, primary: any Appender, secondaries: [any Appender]) {
        self.fanout = fanout
        self.primary = primary
        self.secondaries = secondaries
    }

    func append(_ labels: Labels, timestamp: Int64, value: Double) throws(StorageError) -> SeriesRef {
        let ref = try primary.append(labels, timestamp: timestamp, value: value)
        fanout.labelsByRef.withLock { $0[ref] = labels }
        for secondary in secondaries {
            try secondary.append(labels, timestamp: timestamp, value: value)
        }
        return ref
    }

    func append(_ ref: SeriesRef, timestamp: Int64, value: Double) throws(StorageError) {
        guard let labels = fanout.labelsByRef.withLock({ $0[ref] }) else {
            throw StorageError.unknownReference(ref, timestamp: timestamp)
        }
        try primary.append(ref, timestamp: timestamp, value: value)
        for secondary in secondaries {
            try secondary.append(labels, timestamp: timestamp, value: value)
        }
    }

    func commit() throws(StorageError) {
        do throws(StorageError) {
            try primary.commit()
        } catch {
            for secondary in secondaries { try? secondary.rollback() }
            throw error
        }
        var firstError: StorageError?
        for secondary in secondaries {
            do throws(StorageError) { try secondary.commit() } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }

    func rollback() throws(StorageError) {
        var firstError: StorageError?
        for appender in [primary] + secondaries {
            do throws(StorageError) { try appender.rollback() } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }
}
