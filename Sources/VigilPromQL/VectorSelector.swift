import VigilModel

/// An instant vector selector: `http_requests_total{job="api"} @ 1700000000 offset 5m`.
///
/// As in Prometheus, a name written outside the braces is also the last matcher (`__name__="name"`), so
/// ``matchers`` alone says what to select; a name written inside the braces (`{"my.metric"}`) leaves ``name`` nil.
public struct VectorSelector: Sendable, Hashable {
    /// The metric name written before the braces, if any.
    public var name: String?
    public var matchers: [LabelMatcher]
    /// `offset` in milliseconds as written (negative for `offset -5m`); 0 when absent.
    public var offsetMilliseconds: Int64
    /// The `@` modifier, if any.
    public var at: AtModifier?
    public var position: PositionRange
    /// Set on the second argument of `info()`, which may consist of matchers that all match the empty string.
    public var bypassEmptyMatcherCheck: Bool

    public init(
        name: String? = nil, matchers: [LabelMatcher], offsetMilliseconds: Int64 = 0, at: AtModifier? = nil,
        position: PositionRange = .zero, bypassEmptyMatcherCheck: Bool = false
    ) {
        self.name = name
        self.matchers = matchers
        self.offsetMilliseconds = offsetMilliseconds
        self.at = at
        self.position = position
        self.bypassEmptyMatcherCheck = bypassEmptyMatcherCheck
    }
}

/// The `@` modifier: a fixed evaluation time, or the start or end of the query range.
public enum AtModifier: Sendable, Hashable {
    /// `@ 1700000000.123`, in milliseconds since the epoch.
    case timestamp(milliseconds: Int64)
    /// `@ start()`
    case start
    /// `@ end()`
    case end
}
