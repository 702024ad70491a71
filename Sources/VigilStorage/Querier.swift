import VigilModel

/// Read access to a storage over one time range `[mint, maxt]` (milliseconds, both inclusive).
///
/// What a querier returns is limited to that range: series without a sample in it are left out, and
/// sample iterators yield only samples inside it. A querier may be shared between tasks; the series
/// sets it returns belong to one task each. An implementation that pins resources (blocks being read)
/// releases them when the querier and everything it returned are gone.
///
/// Series are selected as Prometheus does: every matcher must hold, an absent label matches as the
/// empty string (`{job=""}` selects series without `job`), and an empty matcher list selects nothing.
public protocol Querier: Sendable {
    /// The series matching every matcher, with their samples in the querier's range (narrowed further
    /// by `hints.start ... hints.end`).
    ///
    /// - Parameter sorted: when true, series come sorted by labels (what merging needs); when false the
    ///   order is whatever is cheapest.
    func select(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) throws(StorageError) -> any SeriesSet

    /// Sorted label names of the series that match `matchers` (of all series when empty) and have a
    /// sample in range.
    func labelNames(matchers: [LabelMatcher], hints: LabelHints?) throws(StorageError) -> LabelQueryResult

    /// Sorted values of label `name` over the series that match `matchers` (all series when empty) and
    /// have a sample in range.
    func labelValues(name: String, matchers: [LabelMatcher], hints: LabelHints?) throws(StorageError)
        -> LabelQueryResult
}

extension Querier {
    public func select(
        sorted: Bool = false, hints: SelectHints? = nil, _ matchers: LabelMatcher...
    ) throws(StorageError) -> any SeriesSet {
        try select(sorted: sorted, hints: hints, matchers: matchers)
    }

    public func labelNames(matchers: [LabelMatcher] = []) throws(StorageError) -> LabelQueryResult {
        try labelNames(matchers: matchers, hints: nil)
    }

    public func labelValues(name: String, matchers: [LabelMatcher] = []) throws(StorageError) -> LabelQueryResult {
        try labelValues(name: name, matchers: matchers, hints: nil)
    }
}

/// Label names or values with the warnings gathered while collecting them (a secondary storage that
/// failed, say), which the API passes on in its `warnings` field.
public struct LabelQueryResult: Sendable {
    public var values: [String]
    public var warnings: [StorageError]

    public init(values: [String], warnings: [StorageError] = []) {
        self.values = values
        self.warnings = warnings
    }
}

/// Something that opens ``Querier``s: a storage, a fanout, a remote read client.
public protocol Queryable: Sendable {
    /// A querier over `[mint, maxt]`; `mint > maxt` gives a querier that finds nothing.
    func querier(mint: Int64, maxt: Int64) throws(StorageError) -> any Querier
}

/// A storage one can both read and write, as Prometheus's `storage.Storage`.
public protocol Storage: Queryable, Appendable {}
