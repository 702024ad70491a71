import Synchronization
import VigilModel
import VigilStorage

/// A querier over a ``Head``: the index lock is held only to copy out postings (copy-on-write) and to
/// turn refs into series, each series' lock only to snapshot its chunk list; matching, decoding, sorting
/// and iteration happen outside every lock.
struct HeadQuerier: Querier {
    let head: Head
    let mint: Int64
    let maxt: Int64

    func select(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) -> any SeriesSet {
        guard let window = SelectHints.window(mint: mint, maxt: maxt, hints: hints), !matchers.isEmpty else {
            return EmptySeriesSet()
        }
        let (low, high) = (window.lowerBound, window.upperBound)
        var found: [HeadQuerySeries] = []
        for series in matching(matchers) {
            let (chunks, deleted) = series.snapshotWithDeletions()
            guard chunks.hasSample(from: low, through: high, excluding: deleted) else { continue }
            found.append(
                HeadQuerySeries(labels: series.labels, chunks: chunks, mint: low, maxt: high, deleted: deleted))
        }
        if sorted { found.sort { Labels.compare($0.labels, $1.labels) < 0 } }
        if let limit = hints?.limit, found.count > limit { found.removeLast(found.count - max(0, limit)) }
        return ListSeriesSet(found)
    }

    func labelNames(matchers: [LabelMatcher], hints: LabelHints?) -> LabelQueryResult {
        guard mint <= maxt else { return LabelQueryResult(values: []) }
        let candidates = matchers.isEmpty ? head.index.withLock { Array($0.series.values) } : matching(matchers)
        var names = Set<String>()
        for series in candidates where series.hasSample(from: mint, through: maxt) {
            for label in series.labels { names.insert(label.name) }
        }
        return LabelQueryResult(values: limited(names.sorted(), hints))
    }

    func labelValues(name: String, matchers: [LabelMatcher], hints: LabelHints?) -> LabelQueryResult {
        guard mint <= maxt else { return LabelQueryResult(values: []) }
        var values = Set<String>()
        if matchers.isEmpty {
            let byValue = head.index.withLock { index in
                (index.postings[name] ?? [:]).map { entry in (entry.key, entry.value.compactMap { index.series[$0] }) }
            }
            for (value, series) in byValue
            where series.contains(where: { $0.hasSample(from: mint, through: maxt) }) {
                values.insert(value)
            }
        } else {
            for series in matching(matchers) {
                if let value = series.labels[name], series.hasSample(from: mint, through: maxt) {
                    values.insert(value)
                }
            }
        }
        return LabelQueryResult(values: limited(values.sorted(), hints))
    }

    private func matching(_ matchers: [LabelMatcher]) -> [HeadSeries] {
        let view = head.index.withLock { $0.postingsView(for: matchers) }
        let refs = view.matchingRefs(matchers)
        return head.index.withLock { index in refs.compactMap { index.series[$0] } }
    }

    private func limited(_ values: [String], _ hints: LabelHints?) -> [String] {
        guard let limit = hints?.limit, values.count > limit else { return values }
        return Array(values.prefix(max(0, limit)))
    }
}

/// A series of a head or block query: labels, a snapshot of its chunks and its deleted intervals.
struct HeadQuerySeries: Series, Sendable {
    let labels: Labels
    let chunks: [HeadChunk]
    let mint: Int64
    let maxt: Int64
    var deleted: [ClosedRange<Int64>] = []

    func makeSampleIterator() -> any SampleIterator {
        HeadSampleIterator(chunks: chunks, mint: mint, maxt: maxt, deleted: deleted)
    }
}
