import Synchronization
import VigilModel
import VigilStorage

/// An ``Appendable`` that stores into `inner` and, once a transaction has committed there, hands its samples
/// to every sink (each `remote_write` entry's ``RemoteWriteSender``).
///
/// Only samples the inner appender accepted are forwarded, and only after the inner commit succeeded, so a
/// receiver never gets a sample the local storage does not have (Prometheus reads its WAL for the same
/// reason). Samples the inner storage drops at commit (made invalid by a concurrent transaction) are still
/// forwarded, as Prometheus's WAL-based sender does.
///
/// Appends by reference need the series' labels: the tee remembers the labels of every reference the inner
/// storage handed out. That map grows with the number of series ever appended (Prometheus's WAL watcher
/// keeps the same per-series cache); it is shared by all appenders of the tee.
public final class RemoteWriteTee: Appendable {
    public let inner: any Appendable
    private let sinks: Mutex<[any RemoteWriteSampleSink]>
    let seriesByRef = Mutex([SeriesRef: Labels]())

    public init(inner: any Appendable, sinks: [any RemoteWriteSampleSink] = []) {
        self.inner = inner
        self.sinks = Mutex(sinks)
    }

    /// Replaces the sinks (the server does on a configuration reload).
    public func setSinks(_ sinks: [any RemoteWriteSampleSink]) {
        self.sinks.withLock { $0 = sinks }
    }

    public func appender() -> any Appender {
        TeeAppender(tee: self, inner: inner.appender())
    }

    func forward(_ samples: [RemoteWriteSample]) {
        guard !samples.isEmpty else { return }
        for sink in sinks.withLock({ $0 }) { sink.enqueue(samples) }
    }
}

/// One transaction through a ``RemoteWriteTee``.
final class TeeAppender: Appender {
    private let tee: RemoteWriteTee
    private let inner: any Appender
    private var pending: [RemoteWriteSample] = []
    /// References first seen in this transaction; published to the tee's map at commit.
    private var newSeries: [SeriesRef: Labels] = [:]

    init(tee: RemoteWriteTee, inner: any Appender) {
        self.tee = tee
        self.inner = inner
    }

    @discardableResult
    func append(_ labels: Labels, timestamp: Int64, value: Double) throws(StorageError) -> SeriesRef {
        let ref = try inner.append(labels, timestamp: timestamp, value: value)
        newSeries[ref] = labels
        pending.append(RemoteWriteSample(labels: labels, timestamp: timestamp, value: value))
        return ref
    }

    func append(_ ref: SeriesRef, timestamp: Int64, value: Double) throws(StorageError) {
        try inner.append(ref, timestamp: timestamp, value: value)
        guard let labels = newSeries[ref] ?? tee.seriesByRef.withLock({ $0[ref] }) else { return }
        pending.append(RemoteWriteSample(labels: labels, timestamp: timestamp, value: value))
    }

    func commit() throws(StorageError) {
        try inner.commit()
        if !newSeries.isEmpty {
            let added = newSeries
            tee.seriesByRef.withLock { map in map.merge(added) { _, new in new } }
        }
        let samples = pending
        pending = []
        newSeries = [:]
        tee.forward(samples)
    }

    func rollback() throws(StorageError) {
        pending = []
        newSeries = [:]
        try inner.rollback()
    }
}
