import VigilModel

/// Merges series sets that are each sorted by labels into one sorted set, as Prometheus's
/// `NewMergeSeriesSet` with `ChainedSeriesMerge`: a series present in several sets comes once, its
/// samples merged by timestamp (on equal timestamps, the sample of the earliest set in `sets` is kept).
///
/// Lazy: each `next()` reads one series ahead from every input. After `next()` throws the set is spent.
///
/// - Parameter limit: at most this many series; nil for all.
public func mergeSeriesSets(_ sets: [any SeriesSet], limit: Int? = nil) -> any SeriesSet {
    if sets.isEmpty { return EmptySeriesSet() }
    if sets.count == 1 && limit == nil { return sets[0] }
    return MergeSeriesSet(sets, limit: limit)
}

struct MergeSeriesSet: SeriesSet {
    private struct Cursor: Comparable {
        let labels: Labels
        let set: Int

        static func < (lhs: Cursor, rhs: Cursor) -> Bool {
            let order = Labels.compare(lhs.labels, rhs.labels)
            return order == 0 ? lhs.set < rhs.set : order < 0
        }

        static func == (lhs: Cursor, rhs: Cursor) -> Bool { lhs.set == rhs.set && lhs.labels == rhs.labels }
    }

    private var sets: [any SeriesSet]
    /// The series under each input's cursor.
    private var heads: [(any Series)?]
    private var heap = MinHeap<Cursor>()
    /// Inputs whose series went out with the last result; advanced on the next call, not before, so an
    /// input's failure surfaces at the call that needs it.
    private var pending: [Int]
    private let limit: Int?
    private var returned = 0

    init(_ sets: [any SeriesSet], limit: Int?) {
        self.sets = sets
        heads = Array(repeating: nil, count: sets.count)
        pending = Array(sets.indices)
        self.limit = limit
    }

    var warnings: [StorageError] { sets.flatMap(\.warnings) }

    mutating func next() throws(StorageError) -> (any Series)? {
        if let limit, returned >= limit { return nil }
        for index in pending {
            if let series = try sets[index].next() {
                heads[index] = series
                heap.push(Cursor(labels: series.labels, set: index))
            } else {
                heads[index] = nil
            }
        }
        pending.removeAll(keepingCapacity: true)
        guard let first = heap.popMin() else { return nil }
        pending.append(first.set)
        while let top = heap.min, top.labels == first.labels {
            _ = heap.popMin()
            pending.append(top.set)
        }
        returned += 1
        if pending.count == 1 { return heads[first.set] }
        // The heap breaks ties by input position, so `pending` is in priority order.
        return ChainedSeries(labels: first.labels, series: pending.map { heads[$0]! })
    }
}
