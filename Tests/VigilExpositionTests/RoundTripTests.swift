import Testing
import VigilEncoding
import VigilExposition
import VigilModel

@Suite("Round trips")
struct RoundTripTests {
    /// Families of every type with the text-format naming the model uses.
    static let everyType: [MetricFamily] = [
        MetricFamily(
            name: "c_total", type: .counter, help: "Counter.",
            samples: [
                MetricSample(
                    name: "c_total", labels: ["a": "1"], value: 5, timestampMs: 42,
                    exemplar: Exemplar(labels: ["trace": "t"], value: 1, timestampMs: 40))
            ]),
        MetricFamily(name: "g", type: .gauge, help: "Gauge.", samples: [MetricSample(name: "g", value: -0.25)]),
        MetricFamily(
            name: "h", type: .histogram, unit: "",
            samples: [
                MetricSample(
                    name: "h_bucket", labels: ["le": "1"], value: 1,
                    exemplar: Exemplar(labels: ["x": "y"], value: 0.5)),
                MetricSample(name: "h_bucket", labels: ["le": "+Inf"], value: 2),
                MetricSample(name: "h_sum", value: 1.5), MetricSample(name: "h_count", value: 2),
            ]),
        MetricFamily(
            name: "gh", type: .gaugehistogram,
            samples: [
                MetricSample(name: "gh_bucket", labels: ["le": "+Inf"], value: 2),
                MetricSample(name: "gh_gcount", value: 2),
                MetricSample(name: "gh_gsum", value: 3),
            ]),
        MetricFamily(
            name: "s_seconds", type: .summary, unit: "seconds",
            samples: [
                MetricSample(name: "s_seconds", labels: ["quantile": "0.99"], value: 0.3),
                MetricSample(name: "s_seconds_sum", value: 9), MetricSample(name: "s_seconds_count", value: 30),
            ]),
        MetricFamily(
            name: "i_info", type: .info, samples: [MetricSample(name: "i_info", labels: ["version": "2"], value: 1)]),
        MetricFamily(
            name: "st", type: .stateset,
            samples: [
                MetricSample(name: "st", labels: ["st": "a"], value: 1),
                MetricSample(name: "st", labels: ["st": "b"], value: 0),
            ]),
        MetricFamily(name: "u", type: .unknown, samples: [MetricSample(name: "u", value: .nan)]),
    ]

    @Test(arguments: ExpositionFormat.allCases)
    func everyTypeRoundTrips(_ format: ExpositionFormat) throws {
        let parsed = try families(encoded(Self.everyType, format), format)
        try expectSameFamilies(parsed, Self.everyType, format)
    }

    @Test(arguments: ExpositionFormat.allCases)
    func randomFamiliesRoundTrip(_ format: ExpositionFormat) throws {
        var generator = SplitMix64(seed: format == .text ? 0x5eed_0001 : 0x5eed_0002)
        for _ in 0..<500 {
            let original = randomFamilies(using: &generator, format: format)
            let text = encoded(original, format)
            let parsed: [MetricFamily]
            do {
                parsed = try families(text, format)
            } catch {
                Issue.record("\(error) parsing:\n\(text)")
                return
            }
            try expectSameFamilies(parsed, original, format)
        }
    }

    /// `parsed` carries what `format` can say about `original`: every sample bit for bit (exemplars only in
    /// OpenMetrics), the help, and the type and name as the format spells them.
    private func expectSameFamilies(
        _ parsed: [MetricFamily], _ original: [MetricFamily], _ format: ExpositionFormat
    ) throws {
        try #require(parsed.count == original.count)
        for (parsed, original) in zip(parsed, original) {
            var expectedSamples = original.samples
            switch format {
            case .text:
                for index in expectedSamples.indices { expectedSamples[index].exemplar = nil }
                #expect(parsed.name == original.name)
                #expect(parsed.type.rawValue == textType(original.type))
            case .openMetrics:
                #expect(parsed.type == original.type)
                #expect(parsed.unit == original.unit)
                #expect(original.name.hasPrefix(parsed.name))
            }
            #expect(parsed.help == original.help)
            #expect(parsed.samples == expectedSamples)
        }
    }

    private func textType(_ type: MetricType) -> String {
        switch type {
        case .info, .stateset: "gauge"
        case .gaugehistogram: "histogram"
        default: type.rawValue
        }
    }

    // MARK: - Generator

    private static let labelNames = ["job", "instance", "a", "b_2", "_x", "my.label", "ünï", "Z"]
    private static let valuePieces = [
        "", "a", "Z", "0", " ", "\\", "\"", "\n", "\t", "é", "日本", "🙂", "{", "}", ",", "=", "#", "\\n", "\\\"",
        "x y",
    ]

    private func randomFamilies(using generator: inout SplitMix64, format: ExpositionFormat) -> [MetricFamily] {
        (0..<Int.random(in: 1...5, using: &generator)).map { index in
            randomFamily(index: index, using: &generator, format: format)
        }
    }

    private func randomFamily(index: Int, using generator: inout SplitMix64, format: ExpositionFormat) -> MetricFamily {
        let type = MetricType.allCases.randomElement(using: &generator) ?? .gauge
        let stem = ["requests", "x", "node_cpu", "é.utf8", "a:b", "with.dots"].randomElement(using: &generator) ?? "x"
        var base = "f\(index)_\(stem)"
        let unit = type != .info && type != .stateset && Bool.random(using: &generator) ? "seconds" : ""
        if !unit.isEmpty { base += "_seconds" }
        // The text format drops blanks between the name and the help, so help here never starts with one.
        let help = Bool.random(using: &generator) ? "Help: " + randomText(using: &generator) : ""
        var samples: [MetricSample] = []
        let seriesCount = Int.random(in: 1...3, using: &generator)
        for _ in 0..<seriesCount {
            let labels = randomLabels(using: &generator)
            func sample(_ name: String, _ labels: Labels, exemplar: Bool = false) -> MetricSample {
                MetricSample(
                    name: name, labels: labels, value: randomDouble(using: &generator),
                    timestampMs: Bool.random(using: &generator) ? randomTimestamp(using: &generator) : nil,
                    exemplar: exemplar && format == .openMetrics && Bool.random(using: &generator)
                        ? randomExemplar(using: &generator) : nil)
            }
            switch type {
            case .counter:
                samples.append(sample(base + "_total", labels, exemplar: true))
            case .gauge, .unknown:
                samples.append(sample(base, labels))
            case .stateset:
                samples.append(sample(base, labels.setting(base, to: "on")))
            case .info:
                samples.append(sample(base + "_info", labels))
            case .histogram, .gaugehistogram:
                for bound in ["0.1", "1", "+Inf"] {
                    samples.append(sample(base + "_bucket", labels.setting("le", to: bound), exemplar: true))
                }
                let suffixes = type == .histogram ? ["_sum", "_count"] : ["_gsum", "_gcount"]
                for suffix in suffixes { samples.append(sample(base + suffix, labels)) }
            case .summary:
                for quantile in ["0.5", "0.99"] {
                    samples.append(sample(base, labels.setting("quantile", to: quantile)))
                }
                samples.append(sample(base + "_sum", labels))
                samples.append(sample(base + "_count", labels))
            }
        }
        let name =
            switch type {
            case .counter: base + "_total"
            case .info: base + "_info"
            default: base
            }
        return MetricFamily(name: name, type: type, help: help, unit: unit, samples: samples)
    }

    private func randomLabels(using generator: inout SplitMix64) -> Labels {
        Labels(
            (0..<Int.random(in: 0...4, using: &generator)).map { _ in
                Label(Self.labelNames.randomElement(using: &generator) ?? "a", randomText(using: &generator))
            })
    }

    private func randomText(using generator: inout SplitMix64) -> String {
        (0..<Int.random(in: 0...6, using: &generator)).map { _ in
            Self.valuePieces.randomElement(using: &generator) ?? ""
        }
        .joined()
    }

    private func randomExemplar(using generator: inout SplitMix64) -> Exemplar {
        Exemplar(
            labels: Bool.random(using: &generator) ? ["trace_id": randomText(using: &generator)] : Labels(),
            value: randomDouble(using: &generator),
            timestampMs: Bool.random(using: &generator) ? randomTimestamp(using: &generator) : nil)
    }

    private func randomTimestamp(using generator: inout SplitMix64) -> Int64 {
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: Int64.random(in: .min ... .max, using: &generator)
        case 1: [Int64.min, .max, 0, -1, 1].randomElement(using: &generator) ?? 0
        default: Int64.random(in: 1_600_000_000_000...1_800_000_000_000, using: &generator)
        }
    }

    private func randomDouble(using generator: inout SplitMix64) -> Double {
        switch Int.random(in: 0..<10, using: &generator) {
        case 0: return [Double.nan, .infinity, -.infinity, 0, -0.0].randomElement(using: &generator) ?? 0
        case 1: return Double(bitPattern: generator.next() & 0x800F_FFFF_FFFF_FFFF)  // subnormal or ±0
        case 2: return Double(Int.random(in: -1_000_000...1_000_000, using: &generator))
        case 3: return Double(Int64.random(in: .min ... .max, using: &generator))
        case 4: return Double(Int.random(in: 0...100_000, using: &generator)) / 1000
        default:
            let value = Double(bitPattern: generator.next())
            return value.isNaN ? .nan : value
        }
    }
}
