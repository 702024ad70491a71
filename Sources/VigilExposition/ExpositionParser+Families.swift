public import VigilModel

extension ExpositionParser {
    /// Parses the rest of the input and groups it into metric families, in order of first appearance.
    ///
    /// A family is named as its `# HELP`/`# TYPE` line names it (so an OpenMetrics counter is `foo`, its
    /// samples `foo_total`). A sample joins the current family when its name is the family name or the
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
        return families
    }

    /// Parses a whole exposition into metric families; see ``parseFamilies()``.
    public static func parseFamilies(bytes: [UInt8], format: ExpositionFormat) throws(ExpositionError) -> [MetricFamily]
    {
        var parser = ExpositionParser(bytes: bytes, format: format)
        return try parser.parseFamilies()
    }
}
