import VigilExposition
import VigilModel

/// Benchmark input for the exposition parser: a document repeated to a size, each copy's families
/// renamed (`_c1`, `_c2`, …) so that the whole stays a valid exposition (a family may appear only once).
public enum ExpositionInput {
    public static func repeated(_ families: [MetricFamily], format: ExpositionFormat, toBytes target: Int) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(target + 64 * 1024)
        var copy = 0
        while output.count < target {
            copy += 1
            let renamed = families.map { family in
                var family = family
                let suffix = "_c\(copy)"
                family.samples = family.samples.map { sample in
                    var sample = sample
                    sample.name = Self.insert(suffix, into: sample.name, family: family.name)
                    return sample
                }
                family.name = Self.insert(suffix, into: family.name, family: family.name)
                return family
            }
            var chunk: [UInt8] = []
            ExpositionEncoder.encode(renamed, format: format, into: &chunk)
            if format == .openMetrics && output.count + chunk.count < target {
                chunk.removeLast("# EOF\n".utf8.count)
            }
            output += chunk
        }
        return output
    }

    /// `node_cpu_seconds_total` with suffix `_c2` in family `node_cpu_seconds_total` → `node_cpu_seconds_c2_total`;
    /// sample-type suffixes stay last so that the sample still belongs to its family.
    private static func insert(_ suffix: String, into name: String, family: String) -> String {
        let base =
            family.hasSuffix("_total")
            ? String(family.dropLast(6)) : family.hasSuffix("_info") ? String(family.dropLast(5)) : family
        guard name.hasPrefix(base) else { return name + suffix }
        return base + suffix + name.dropFirst(base.count)
    }
}
