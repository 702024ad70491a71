import VigilEncoding
import VigilModel
import VigilStorage

// What the storage tests of every implementation share (the in-memory storage, the TSDB head and blocks):
// matchers from tables, series read back into values, label sets and samples in the usual shapes, loading,
// and a seeded generator.

/// A matcher from a test table; the regexes in tests are valid.
public func matcher(_ kind: LabelMatcher.Kind, _ name: String, _ value: String) -> LabelMatcher {
    try! LabelMatcher(kind, name, value)
}

/// A series as tests compare it: labels and every sample.
public struct SeriesData: Equatable, CustomStringConvertible {
    public var labels: Labels
    public var samples: [Sample]

    public init(_ labels: Labels, _ samples: [Sample]) {
        self.labels = labels
        self.samples = samples
    }

    public var description: String { "\(labels) \(samples.map { "\($0.timestamp):\($0.value)" })" }
}

extension Querier {
    /// The whole result of a select, read into values.
    public func series(
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
    public func series(_ matchers: LabelMatcher...) throws -> [SeriesData] {
        try querier(mint: .min, maxt: .max).series(matchers)
    }
}

extension Appendable {
    /// Appends and commits every sample in one transaction; rolls back and rethrows on the first error.
    public func load(_ series: [(Labels, [Sample])]) throws {
        let appender = appender()
        do {
            for (labels, samples) in series {
                for sample in samples { try appender.append(labels, timestamp: sample.timestamp, value: sample.value) }
            }
        } catch {
            try? appender.rollback()
            throw error
        }
        try appender.commit()
    }
}

extension Labels {
    /// A metric's labels: `__name__` plus the pairs.
    public static func metric(_ name: String, _ pairs: KeyValuePairs<String, String> = [:]) -> Labels {
        Labels([Label(metricNameLabel, name)] + pairs.map { Label($0.key, $0.value) })
    }
}

/// Samples at `timestamps` with value = timestamp / 1000, the usual test shape.
public func samples(_ timestamps: Int64...) -> [Sample] {
    timestamps.map { Sample($0, Double($0) / 1000) }
}

/// The seeded generator storage tests use, so randomised tests replay exactly.
public typealias SeededGenerator = SplitMix64

/// Random label sets for the index tests: a few metric names with optional `job`, `instance` and `zone`
/// labels, so that every matcher combination over the value lists hits some series and misses others.
public enum RandomLabelSets {
    public static let names = ["up", "node_cpu_seconds_total", "DCGM_FI_DEV_GPU_UTIL", "x", "y"]
    public static let jobs = ["node", "gpu", "api", "dcgm"]
    public static let zones = ["z1", "z2", "z3"]

    /// `count` distinct label sets.
    public static func make(count: Int, using random: inout SeededGenerator) -> [Labels] {
        var all: [Labels] = []
        var seen = Set<Labels>()
        while all.count < count {
            var pairs = [Label(metricNameLabel, names.randomElement(using: &random)!)]
            if Bool.random(using: &random) { pairs.append(Label("job", jobs.randomElement(using: &random)!)) }
            if Int.random(in: 0..<4, using: &random) > 0 {
                pairs.append(Label("instance", "i\(Int.random(in: 0..<60, using: &random))"))
            }
            if Int.random(in: 0..<3, using: &random) == 0 {
                pairs.append(Label("zone", zones.randomElement(using: &random)!))
            }
            let labels = Labels(pairs)
            if seen.insert(labels).inserted { all.append(labels) }
        }
        return all
    }
}
