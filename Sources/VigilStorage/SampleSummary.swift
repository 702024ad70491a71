import VigilModel

/// The samples of a window folded: how many are not staleness markers, and their minimum and maximum as
/// PromQL's `min_over_time` and `max_over_time` compute them (a NaN counts only while every value so far
/// is NaN). Storages build it from chunk headers where a chunk lies wholly inside the window
/// (``Series/summarize(from:through:)``), so a long window costs a few header reads instead of a decode.
public struct SampleSummary: Sendable, Equatable {
    /// Samples other than staleness markers.
    public private(set) var count = 0
    public private(set) var minimum = Double.nan
    public private(set) var maximum = Double.nan
    /// The first and last sample's time, staleness markers included (nil when there is no sample): a chained
    /// series tells overlapping parts by them.
    public private(set) var span: ClosedRange<Int64>?

    public init() {}

    /// The summary of `samples` (ascending), folded one by one.
    public init(folding samples: some Sequence<Sample>) {
        for sample in samples { add(sample) }
    }

    /// A stretch of `count` samples over `span` whose values lie in `minimum...maximum` and hold no NaN (a
    /// packed chunk's header).
    public init(count: Int, minimum: Double, maximum: Double, span: ClosedRange<Int64>) {
        self.count = count
        self.minimum = minimum
        self.maximum = maximum
        self.span = span
    }

    /// Folds in the next sample (later than every one so far); a staleness marker only extends the span.
    public mutating func add(_ sample: Sample) {
        let time = sample.timestamp
        if sample.isStaleMarker {
            span = (span?.lowerBound ?? time)...time
            return
        }
        add(SampleSummary(count: 1, minimum: sample.value, maximum: sample.value, span: time...time))
    }

    /// Folds in the summary of the samples that follow. The result is what folding them one by one gives:
    /// the maximum of a stretch is the largest of its values, which replaces the running maximum exactly
    /// when one of them would (ties keep the earlier value, as `max_over_time` does).
    public mutating func add(_ next: SampleSummary) {
        guard let nextSpan = next.span else { return }
        span = (span?.lowerBound ?? nextSpan.lowerBound)...nextSpan.upperBound
        guard next.count > 0 else { return }
        guard count > 0 else {
            count = next.count
            minimum = next.minimum
            maximum = next.maximum
            return
        }
        if next.maximum > maximum || maximum.isNaN { maximum = next.maximum }
        if next.minimum < minimum || minimum.isNaN { minimum = next.minimum }
        count += next.count
    }
}
