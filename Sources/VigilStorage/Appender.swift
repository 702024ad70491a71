import VigilModel

/// A transaction of samples against a storage: nothing appended is visible to queries before
/// ``commit()``, and ``rollback()`` drops it all.
///
/// An appender belongs to one task at a time and is finished by exactly one `commit()` or
/// `rollback()`; after that every call throws ``StorageError/Code/appenderClosed`` — take a new one.
/// A failed `append` leaves the other pending samples of the transaction as they were.
///
/// Staleness markers (``staleNaN``) are ordinary samples here: stored and returned bit for bit.
public protocol Appender: AnyObject {
    /// Appends a sample to the series `labels` (created when new) and returns its reference.
    ///
    /// Labels with an empty value are dropped first (an empty value means the label is absent).
    @discardableResult
    func append(_ labels: Labels, timestamp: Int64, value: Double) throws(StorageError) -> SeriesRef

    /// Appends a sample to a series by the reference an earlier append returned, skipping the label
    /// lookup. Throws ``StorageError/Code/unknownSeriesReference`` when the storage no longer knows it.
    func append(_ ref: SeriesRef, timestamp: Int64, value: Double) throws(StorageError)

    /// Makes every pending sample visible at once.
    ///
    /// Samples that became invalid since they were appended (another transaction committed newer ones
    /// to the same series first) are dropped and counted, as Prometheus's head does; a thrown error
    /// means the storage itself failed and nothing of the transaction is visible.
    func commit() throws(StorageError)

    /// Drops every pending sample.
    func rollback() throws(StorageError)
}

/// Something that hands out ``Appender``s: a storage, or a fanout of several.
public protocol Appendable: Sendable {
    func appender() -> any Appender
}
