import VigilModel
import VigilStorage

/// A matcher from a test table; the regexes in tests are valid.
func matcher(_ kind: LabelMatcher.Kind, _ name: String, _ value: String) -> LabelMatcher {
    try! LabelMatcher(kind, name, value)
}

/// A series as tests compare it: labels and every sample.
struct SeriesData: Equatable, CustomStringConvertible {
    var labels: Labels
    var samples: [Sample]

    init(_ labels: Labels, _ samples: [Sample]) {
        self.labels = labels
        self.samples = samples
    }

    var description: String { "\(labels) \(samples.map { "\($0.timestamp):\($0.value)" })" }
}

extension Querier {
    /// The whole result of a select, read into values.
    func series(
        _ matchers: [LabelMatcher], sorted: Bool = true, hints: SelectHints? = nil
    ) throws -> [SeriesData] {
        var set = try select(sorted: sorted, hints: hints, matchers: matchers)
        var result: [SeriesData] = []
        while let series = try set.next() {
            result.append(SeriesData(series.labels, try series.samples()))
        }
        return result
    }
}

extension Queryable {
    /// Everything matching `matchers`, over all time.
    func series(_ matchers: LabelMatcher...) throws -> [SeriesData] {
        try querier(mint: .min, maxt: .max).series(matchers)
    }
}

extension Labels {
    /// A metric's labels: `__name__` plus the pairs.
    static func metric(_ name: String, _ pairs: KeyValuePairs<String, String> = [:]) -> Labels {
        Labels([Label(metricNameLabel, name)] + pairs.map { Label($0.key, $0.value) })
    }
}

/// Samples at `timestamps` with value = timestamp / 1000, the usual test shape.
func samples(_ timestamps: Int64...) -> [Sample] {
    timestamps.map { Sample($0, Double($0) / 1000) }
}
