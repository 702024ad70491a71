/// An opaque handle to a series in one storage, returned by ``Appender/append(_:timestamp:value:)`` so
/// that later samples of the same series skip the label lookup.
///
/// A reference is only meaningful to the storage that issued it; it stays valid as long as that
/// storage keeps the series (an implementation that drops idle series answers
/// ``StorageError/Code/unknownSeriesReference`` and the caller appends with labels again).
public struct SeriesRef: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
}
