/// What the query engine knows about a selection, as Prometheus's `storage.SelectHints` carries it.
///
/// ``start`` and ``end`` narrow the querier's range for this selection; the rest are hints an
/// implementation may use to read less (a remote storage may push the function down) and may ignore.
/// All times are milliseconds since the Unix epoch; durations are milliseconds.
public struct SelectHints: Sendable, Hashable {
    /// First timestamp of interest (inclusive).
    public var start: Int64
    /// Last timestamp of interest (inclusive).
    public var end: Int64
    /// Step of a range query; 0 for an instant query.
    public var step: Int64
    /// The function around the selector (`rate`, `sum_over_time`, …); `"series"` when only labels are
    /// wanted (the series API).
    public var function: String?
    /// The labels of the enclosing aggregation (`by (…)` or `without (…)`).
    public var grouping: [String]
    /// Whether ``grouping`` is a `by` (true) or a `without` (false) clause.
    public var by: Bool
    /// The range of a range selector (`[5m]` → 300 000); 0 for an instant selector.
    public var range: Int64
    /// At most this many series; nil for no limit.
    public var limit: Int?

    public init(
        start: Int64, end: Int64, step: Int64 = 0, function: String? = nil, grouping: [String] = [], by: Bool = false,
        range: Int64 = 0, limit: Int? = nil
    ) {
        self.start = start
        self.end = end
        self.step = step
        self.function = function
        self.grouping = grouping
        self.by = by
        self.range = range
        self.limit = limit
    }
}

/// Hints for ``Querier/labelNames(matchers:hints:)`` and ``Querier/labelValues(name:matchers:hints:)``.
public struct LabelHints: Sendable, Hashable {
    /// At most this many names or values (the first in sorted order); nil for no limit.
    public var limit: Int?

    public init(limit: Int? = nil) { self.limit = limit }
}
