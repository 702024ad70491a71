import Synchronization
import VigilModel

/// A querier over a ``MemoryStorage``: each call takes the lock once, snapshots what it needs
/// (sample arrays are copy-on-write) and does the rest — sorting, iteration — outside it.
struct MemoryQuerier: Querier {
    let storage: MemoryStorage
    let mint: Int64
    let maxt: Int64

    func select(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) -> any SeriesSet {
        guard let window = SelectHints.window(mint: mint, maxt: maxt, hints: hints), !matchers.isEmpty else {
            return EmptySeriesSet()
        }
        let (low, high) = (window.lowerBound, window.upperBound)
        var found = storage.state.withLock { state in
            state.matchingIDs(matchers).compactMap { id -> ListSeries? in
                let series = state.series[Int(id)]
                let range = series.samples.indices(from: low, through: high)
                return range.isEmpty ? nil : ListSeries(labels: series.labels, samples: series.samples, range: range)
            }
        }
        if sorted { found.sort { Labels.compare($0.labels, $1.labels) < 0 } }
        if let limit = hints?.limit, found.count > limit { found.removeLast(found.count - max(0, limit)) }
        return MemorySeriesSet(series: found)
    }

    func labelNames(matchers: [LabelMatcher], hints: LabelHints?) -> LabelQueryResult {
        guard mint <= maxt else { return LabelQueryResult(values: []) }
        let names = storage.state.withLock { state in
            var names = Set<String>()
            let visit = { (series: MemorySeries) in
                guard series.hasSample(from: mint, through: maxt) else { return }
                for label in series.labels { names.insert(label.name) }
            }
            if matchers.isEmpty {
                for series in state.series { visit(series) }
            } else {
                for id in state.matchingIDs(matchers) { visit(state.series[Int(id)]) }
            }
            return names
        }
        return LabelQueryResult(values: names.sorted()).limited(to: hints)
    }

    func labelValues(name: String, matchers: [LabelMatcher], hints: LabelHints?) -> LabelQueryResult {
        guard mint <= maxt else { return LabelQueryResult(values: []) }
        let values = storage.state.withLock { state in
            var values = Set<String>()
            if matchers.isEmpty {
                for (value, ids) in state.postings[name] ?? [:]
                where ids.contains(where: { state.series[Int($0)].hasSample(from: mint, through: maxt) }) {
                    values.insert(value)
                }
            } else {
                for id in state.matchingIDs(matchers) {
                    let series = state.series[Int(id)]
                    if let value = series.labels[name], series.hasSample(from: mint, through: maxt) {
                        values.insert(value)
                    }
                }
            }
            return values
        }
        return LabelQueryResult(values: values.sorted()).limited(to: hints)
    }
}

/// The selected series of a ``MemoryQuerier``, already snapshotted.
struct MemorySeriesSet: SeriesSet {
    let series: [ListSeries]
    private var index = 0

    init(series: [ListSeries]) { self.series = series }

    var warnings: [StorageError] { [] }

    mutating func next() -> (any Series)? {
        guard index < series.count else { return nil }
        defer { index += 1 }
        return series[index]
    }
}
