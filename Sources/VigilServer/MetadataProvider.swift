public import VigilModel
public import VigilScrape

/// What `/api/v1/metadata` lists: the `# HELP`, `# TYPE` and `# UNIT` of the metric families the targets
/// expose, by family name (the API removes duplicates and applies the limits). The scrape manager is one.
public protocol MetadataProvider: Sendable {
    func metricMetadata() async -> [String: [MetricMetadata]]
}

extension ScrapeManager: MetadataProvider {
    public func metricMetadata() async -> [String: [MetricMetadata]] { metadata() }
}

/// Metadata fixed at construction, or taken from metric families (the server's own, an agent's).
public struct StaticMetadataProvider: MetadataProvider {
    public var entries: [String: [MetricMetadata]]

    public init(_ entries: [String: [MetricMetadata]] = [:]) { self.entries = entries }

    public init(families: [MetricFamily]) {
        var entries: [String: [MetricMetadata]] = [:]
        for family in families {
            entries[family.name, default: []].append(
                MetricMetadata(type: family.type, help: family.help, unit: family.unit))
        }
        self.entries = entries
    }

    public func metricMetadata() async -> [String: [MetricMetadata]] { entries }
}
