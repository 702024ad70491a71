import VigilModel

/// What `/api/v1/metadata` lists: the `# HELP`, `# TYPE` and `# UNIT` of the metric families the active
/// targets expose, one entry per family per target (the API removes duplicates and applies the limits).
public protocol MetadataProvider: Sendable {
    func metricMetadata() async -> [MetricMetadata]
}

/// The metadata of one metric family as one target exposes it.
public struct MetricMetadata: Sendable, Hashable {
    public var metric: String
    public var type: MetricType
    public var help: String
    public var unit: String

    public init(metric: String, type: MetricType, help: String, unit: String = "") {
        self.metric = metric
        self.type = type
        self.help = help
        self.unit = unit
    }
}

/// Metadata fixed at construction, or taken from metric families (the server's own, an agent's).
public struct StaticMetadataProvider: MetadataProvider {
    public var entries: [MetricMetadata]

    public init(_ entries: [MetricMetadata] = []) { self.entries = entries }

    public init(families: [MetricFamily]) {
        entries = families.map { MetricMetadata(metric: $0.name, type: $0.type, help: $0.help, unit: $0.unit) }
    }

    public func metricMetadata() async -> [MetricMetadata] { entries }
}
