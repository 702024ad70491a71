import VigilModel

/// A cursor over the samples of one series in ascending timestamp order, as Prometheus's
/// `chunkenc.Iterator` for floats.
///
/// A fresh iterator stands before the first sample: call ``next()`` or ``seek(to:)`` before ``at()``.
/// Once either returns false the iterator is exhausted (check ``error``) and stays so.
/// Implementations are structs or final classes that do not allocate per sample.
public protocol SampleIterator {
    /// Moves to the next sample; false at the end or on failure.
    mutating func next() -> Bool

    /// Moves to the first sample with a timestamp ≥ `timestamp`; false when there is none.
    ///
    /// Never moves backwards: when the current sample already satisfies the target, nothing happens
    /// and the result is true. On a fresh iterator, seeks from the first sample.
    mutating func seek(to timestamp: Int64) -> Bool

    /// The current sample; valid only after ``next()`` or ``seek(to:)`` returned true.
    func at() -> Sample

    /// Why iteration stopped early (a chunk that did not decode, say); nil at a normal end.
    var error: StorageError? { get }
}

/// A ``SampleIterator`` over samples held in memory: a contiguous array, ascending by timestamp.
public struct SampleArrayIterator: SampleIterator, Sendable {
    private let samples: ContiguousArray<Sample>
    private let start: Int
    private let end: Int
    /// `start - 1` before the first sample, `end` when exhausted.
    private var index: Int

    /// Iterates `samples[range]`; the samples must be in ascending timestamp order.
    public init(_ samples: ContiguousArray<Sample>, range: Range<Int>) {
        self.samples = samples
        start = range.lowerBound
        end = range.upperBound
        index = range.lowerBound - 1
    }

    public init(_ samples: [Sample]) {
        self.init(ContiguousArray(samples), range: 0..<samples.count)
    }

    @inlinable public var error: StorageError? { nil }

    public mutating func next() -> Bool {
        if index + 1 < end {
            index += 1
            return true
        }
        index = end
        return false
    }

    public mutating func seek(to timestamp: Int64) -> Bool {
        if index >= end { return false }
        var low = Swift.max(index, start)
        if index >= start && samples[index].timestamp >= timestamp { return true }
        var high = end
        while low < high {
            let mid = (low + high) / 2
            if samples[mid].timestamp < timestamp { low = mid + 1 } else { high = mid }
        }
        index = low
        return low < end
    }

    public func at() -> Sample { samples[index] }
}

extension ContiguousArray where Element == Sample {
    /// The index of the first sample with a timestamp ≥ `timestamp` (binary search; ascending order).
    func firstIndex(atOrAfter timestamp: Int64) -> Int {
        firstIndex(atOrAfter: timestamp, in: 0..<count)
    }

    /// The index in `range` of the first sample with a timestamp ≥ `timestamp`, or `range.upperBound`.
    func firstIndex(atOrAfter timestamp: Int64, in range: Range<Int>) -> Int {
        var low = range.lowerBound
        var high = range.upperBound
        while low < high {
            let mid = (low + high) / 2
            if self[mid].timestamp < timestamp { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The indices of the samples with `mint ≤ timestamp ≤ maxt`.
    func indices(from mint: Int64, through maxt: Int64) -> Range<Int> {
        indices(from: mint, through: maxt, in: 0..<count)
    }

    /// The indices in `range` of the samples with `mint ≤ timestamp ≤ maxt`.
    func indices(from mint: Int64, through maxt: Int64, in range: Range<Int>) -> Range<Int> {
        guard mint <= maxt else { return range.lowerBound..<range.lowerBound }
        let lower = firstIndex(atOrAfter: mint, in: range)
        let upper = maxt == .max ? range.upperBound : firstIndex(atOrAfter: maxt + 1, in: range)
        return lower..<Swift.max(lower, upper)
    }
}
