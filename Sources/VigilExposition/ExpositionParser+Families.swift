public import VigilModel

extension ExpositionParser {
    /// Parses the rest of the input and groups it into metric families, in order of first appearance.
    ///
    /// A family is named as a text-format `# TYPE` line would name it, the model's convention
    /// (``MetricFamily/name``): an OpenMetrics counter family `foo` becomes `foo_total` and an info
    /// family `foo` becomes `foo_info`, so families parsed from either format compare and re-encode alike. A sample joins the current family when its name is the family name or the
    /// family name plus a suffix valid for the type (`_total`, `_created` for counters; `_bucket`, `_count`,
    /// `_sum`, `_created`, `_gcount`, `_gsum` for histograms; `_count`, `_sum`, `_created` for summaries;
    /// `_info` for info). A text-format sample of a family seen earlier rejoins that family, as Prometheus's
    /// text parser merges it; any other sample starts an unknown-typed family named after it.
    public mutating func parseFamilies() throws(ExpositionError) -> [MetricFamily] {
        var families: [MetricFamily] = []
        var indexByName: [String: Int] = [:]
        var current = -1
        var lastSampleName: String?

        func familyIndex(_ name: String) -> Int {
            if current >= 0 && families[current].name == name { return current }
            if let index = indexByName[name] { return index }
            indexByName[name] = families.count
            families.append(MetricFamily(name: name, type: .unknown))
            return families.count - 1
        }

        while let entry = try next() {
            switch entry {
            case .help(let family, let text):
                current = familyIndex(family)
                families[current].help = text
                lastSampleName = nil
            case .type(let family, let type):
                current = familyIndex(family)
                families[current].type = type
                lastSampleName = nil
            case .unit(let family, let unit):
                current = familyIndex(family)
                families[current].unit = unit
                lastSampleName = nil
            case .sample(let sample):
                if sample.name != lastSampleName {
                    lastSampleName = sample.name
                    let belongs =
                        current >= 0
                        && FamilyMembership.contains(
                            sample: sample.name, family: families[current].name, type: families[current].type)
                    if !belongs {
                        let earlier = FamilyMembership.family(ofSample: sample.name) { name in
                            indexByName[name].map { families[$0].type }
                        }
                        current = familyIndex(earlier ?? sample.name)
                    }
                }
                families[current].samples.append(sample)
            case .comment, .eof:
                break
            }
        }
        if format == .openMetrics {
            for index in families.indices {
                families[index].name = Self.modelName(
                    openMetricsFamily: families[index].name, type: families[index].type)
            }
        }
        return families
    }

    /// The model's (text-format) name for an OpenMetrics family name.
    static func modelName(openMetricsFamily name: String, type: MetricType) -> String {
        switch type {
        case .counter where !name.hasSuffix("_total"): name + "_total"
        case .info where !name.hasSuffix("_info"): name + "_info"
        default: name
        }
    }

    /// Parses a whole exposition into metric families; see ``parseFamilies()``.
    public static func parseFamilies(bytes: [UInt8], format: ExpositionFormat) throws(ExpositionError) -> [MetricFamily]
    {
        var parser = ExpositionParser(bytes: bytes, format: format)
        return try parser.parseFamilies()
    }
}
