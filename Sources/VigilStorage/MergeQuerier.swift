import VigilModel

/// One querier over several, as Prometheus's `NewMergeQuerier` with `ChainedSeriesMerge`: series with
/// the same labels from different queriers come once with their samples merged by timestamp, and label
/// names and values are merged and deduplicated.
///
/// Primaries are authoritative: their failures fail the query. Secondaries (a remote read, a storage
/// being migrated away from) are best effort: their failures become warnings and their part of the
/// answer is left out. On equal timestamps the sample of the earliest querier (primaries first) wins.
public struct MergeQuerier: Querier {
    private let queriers: [any Querier]

    public init(primaries: [any Querier], secondaries: [any Querier] = []) {
        queriers = primaries + secondaries.map { SecondaryQuerier(base: $0) as any Querier }
    }

    public func select(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) throws(StorageError)
        -> any SeriesSet
    {
        switch queriers.count {
        case 0: return EmptySeriesSet()
        case 1: return try queriers[0].select(sorted: sorted, hints: hints, matchers: matchers)
        default:
            // Merging needs every input sorted; the result then is sorted too.
            let sets = try queriers.map { querier throws(StorageError) in
                try querier.select(sorted: true, hints: hints, matchers: matchers)
            }
            return MergeSeriesSet(sets, limit: hints?.limit)
        }
    }

    public func labelNames(matchers: [LabelMatcher], hints: LabelHints?) throws(StorageError) -> LabelQueryResult {
        try merge { querier throws(StorageError) in try querier.labelNames(matchers: matchers, hints: hints) }
            .limited(to: hints)
    }

    public func labelValues(name: String, matchers: [LabelMatcher], hints: LabelHints?) throws(StorageError)
        -> LabelQueryResult
    {
        try merge { querier throws(StorageError) in
            try querier.labelValues(name: name, matchers: matchers, hints: hints)
        }.limited(to: hints)
    }

    private func merge(
        _ query: (any Querier) throws(StorageError) -> LabelQueryResult
    ) throws(StorageError) -> LabelQueryResult {
        var merged = LabelQueryResult(values: [])
        for querier in queriers {
            let result = try query(querier)
            merged.values = mergeSortedUnique(merged.values, result.values)
            merged.warnings += result.warnings
        }
        return merged
    }
}

extension LabelQueryResult {
    func limited(to hints: LabelHints?) -> LabelQueryResult {
        guard let limit = hints?.limit, values.count > limit else { return self }
        return LabelQueryResult(values: Array(values.prefix(max(0, limit))), warnings: warnings)
    }
}

/// Merges two sorted arrays of distinct strings into one sorted array of distinct strings.
func mergeSortedUnique(_ lhs: [String], _ rhs: [String]) -> [String] {
    if lhs.isEmpty { return rhs }
    if rhs.isEmpty { return lhs }
    var result: [String] = []
    result.reserveCapacity(max(lhs.count, rhs.count))
    var left = 0
    var right = 0
    while left < lhs.count && right < rhs.count {
        if lhs[left] == rhs[right] {
            result.append(lhs[left])
            left += 1
            right += 1
        } else if lhs[left] < rhs[right] {
            result.append(lhs[left])
            left += 1
        } else {
            result.append(rhs[right])
            right += 1
        }
    }
    result += lhs[left...]
    result += rhs[right...]
    return result
}

/// A querier whose failures become warnings and empty answers.
struct SecondaryQuerier: Querier {
    let base: any Querier

    func select(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) -> any SeriesSet {
        do throws(StorageError) {
            return SecondarySeriesSet(base: try base.select(sorted: sorted, hints: hints, matchers: matchers))
        } catch {
            return EmptySeriesSet(warnings: [error])
        }
    }

    func labelNames(matchers: [LabelMatcher], hints: LabelHints?) -> LabelQueryResult {
        do throws(StorageError) {
            return try base.labelNames(matchers: matchers, hints: hints)
        } catch {
            return LabelQueryResult(values: [], warnings: [error])
        }
    }

    func labelValues(name: String, matchers: [LabelMatcher], hints: LabelHints?) -> LabelQueryResult {
        do throws(StorageError) {
            return try base.labelValues(name: name, matchers: matchers, hints: hints)
        } catch {
            return LabelQueryResult(values: [], warnings: [error])
        }
    }
}

/// A series set that ends, with a warning, where its base fails.
struct SecondarySeriesSet: SeriesSet {
    var base: any SeriesSet
    var failure: StorageError?

    init(base: any SeriesSet) { self.base = base }

    var warnings: [StorageError] { base.warnings + (failure.map { [$0] } ?? []) }

    mutating func next() -> (any Series)? {
        guard failure == nil else { return nil }
        do throws(StorageError) {
            return try base.next()
        } catch {
            failure = error
            return nil
        }
    }
}
