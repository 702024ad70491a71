import Testing
import VigilModel
import VigilPromQL
import VigilStorage
import VigilStorageTestSupport

/// Instant `count/min/max/present_over_time` read window summaries (``Series/summarize(from:through:)``);
/// the answers are the reference path's, NaN, ±0, infinities and staleness markers included.
@Suite struct SummarizedRangeFunctionTests {
    /// A vector as labels, timestamps and value bit patterns, so that NaN compares equal to itself.
    static func bits(_ value: QueryValue) -> [String] {
        guard case .vector(let samples) = value else { return ["not a vector: \(value)"] }
        return samples.map { "\($0.labels) \($0.timestamp) \(String($0.value.bitPattern, radix: 16))" }
    }

    @Test(
        "instant count/min/max/present_over_time equal the step-by-step reference",
        arguments: ["count_over_time", "min_over_time", "max_over_time", "present_over_time"])
    func sameAsReference(function: String) throws {
        let stale = Double(bitPattern: 0x7ff0_0000_0000_0002)
        let values: [Double] = [.nan, -0.0, 0, 3, stale, .infinity, -2.5, .nan, 7, -.infinity, 7, 1]
        let storage = MemoryStorage()
        try storage.load(
            (0..<24).map { index in
                (
                    Labels.metric("m", ["i": "\(index)"]),
                    (0..<120).map { Sample(Int64($0) * 15_000, values[($0 * (index + 1)) % values.count]) }
                )
            })
        let whole = Engine()
        let reference = Engine(options: Engine.Options(wholeRangeEvaluation: false))
        for range in ["1m", "10m", "30m", "2h"] {
            for at in [0, 600_000, 1_785_000, 1_800_000, 3_600_000] as [Int64] {
                let query = "\(function)(m[\(range)])"
                let a = try whole.instantQuery(query, at: at, on: storage)
                let b = try reference.instantQuery(query, at: at, on: storage)
                #expect(Self.bits(a.value) == Self.bits(b.value), "\(query) at \(at)")
            }
        }
    }
}
