import VigilModel

extension MetricType {
    /// The suffixes a sample name may add to its family name in a family of this type.
    var sampleSuffixes: [String] {
        switch self {
        case .counter: Self.counterSuffixes
        case .histogram, .gaugehistogram: Self.histogramSuffixes
        case .summary: Self.summarySuffixes
        case .info: Self.infoSuffixes
        case .gauge, .stateset, .unknown: []
        }
    }

    private static let counterSuffixes = ["_total", "_created"]
    private static let histogramSuffixes = ["_bucket", "_count", "_sum", "_created", "_gcount", "_gsum"]
    private static let summarySuffixes = ["_count", "_sum", "_created"]
    private static let infoSuffixes = ["_info"]
    /// Every suffix of every type, for finding the family an out-of-place sample belongs to.
    static let allSampleSuffixes = ["_total", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum", "_info"]

    /// The type a text format 0.0.4 `# TYPE` line names: gaugehistogram becomes histogram, info and stateset
    /// become gauge, unknown becomes untyped, as client_golang writes them.
    var textTypeName: String {
        switch self {
        case .counter: "counter"
        case .gauge, .info, .stateset: "gauge"
        case .histogram, .gaugehistogram: "histogram"
        case .summary: "summary"
        case .unknown: "untyped"
        }
    }

    /// The type a text format 0.0.4 `# TYPE` line may name.
    init?(textTypeName name: String) {
        switch name {
        case "counter": self = .counter
        case "gauge": self = .gauge
        case "histogram": self = .histogram
        case "summary": self = .summary
        case "untyped": self = .unknown
        default: return nil
        }
    }

    /// Whether samples of this type may carry an OpenMetrics exemplar: counter `_total` and histogram
    /// `_bucket` samples only.
    func allowsExemplar(onSample name: String) -> Bool {
        switch self {
        case .counter: name.hasUTF8Suffix("_total")
        case .histogram, .gaugehistogram: name.hasUTF8Suffix("_bucket")
        default: false
        }
    }

    /// The label that client_golang writes last on this type's samples (`le`, `quantile`).
    var trailingLabelName: String? {
        switch self {
        case .histogram, .gaugehistogram: "le"
        case .summary: "quantile"
        default: nil
        }
    }
}

/// Which family a sample belongs to, by name.
enum FamilyMembership {
    /// Whether a sample named `sample` belongs to the family `family` of type `type`: its name is the family
    /// name, or the family name plus a suffix the type allows.
    static func contains(sample: String, family: String, type: MetricType) -> Bool {
        if sample == family { return true }
        let sampleBytes = sample.utf8
        let familyBytes = family.utf8
        guard sampleBytes.count > familyBytes.count, sampleBytes.starts(with: familyBytes) else { return false }
        let suffix = sampleBytes.dropFirst(familyBytes.count)
        return type.sampleSuffixes.contains { suffix.elementsEqual($0.utf8) }
    }

    /// The name of the earlier family `sample` belongs to, looking a candidate family's type up with `typeOf`.
    static func family(ofSample sample: String, typeOf: (String) -> MetricType?) -> String? {
        if typeOf(sample) != nil { return sample }
        for suffix in MetricType.allSampleSuffixes where sample.hasUTF8Suffix(suffix) {
            let base = String(decoding: sample.utf8.dropLast(suffix.utf8.count), as: UTF8.self)
            if let type = typeOf(base), type.sampleSuffixes.contains(suffix) { return base }
        }
        return nil
    }
}

extension String {
    /// Byte-wise suffix test, without `hasSuffix`'s Unicode canonical equivalence.
    func hasUTF8Suffix(_ suffix: String) -> Bool {
        utf8.count >= suffix.utf8.count && utf8.suffix(suffix.utf8.count).elementsEqual(suffix.utf8)
    }
}
