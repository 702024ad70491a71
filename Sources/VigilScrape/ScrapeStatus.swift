public import VigilModel

/// One active target as `/api/v1/targets` shows it.
public struct ActiveTargetStatus: Sendable, Equatable {
    /// The labels discovery produced, before target relabelling.
    public var discoveredLabels: Labels
    /// The target's labels after relabelling, without the `__` ones: what its series carry.
    public var labels: Labels
    /// The job (scrape pool) the target belongs to.
    public var scrapePool: String
    public var scrapeURL: String
    /// The URL as other machines reach it (a loopback host replaced by this machine's name).
    public var globalURL: String
    /// The last scrape's error, empty when it succeeded.
    public var lastError: String
    /// When the last scrape started (milliseconds since the epoch); nil before the first.
    public var lastScrape: Int64?
    /// Seconds the last scrape took.
    public var lastScrapeDuration: Double
    public var health: TargetHealth
    /// As Prometheus writes durations: `15s`, `1m30s`.
    public var scrapeInterval: String
    public var scrapeTimeout: String

    public init(
        discoveredLabels: Labels, labels: Labels, scrapePool: String, scrapeURL: String, globalURL: String? = nil,
        lastError: String = "", lastScrape: Int64? = nil, lastScrapeDuration: Double = 0,
        health: TargetHealth = .unknown, scrapeInterval: String, scrapeTimeout: String
    ) {
        self.discoveredLabels = discoveredLabels
        self.labels = labels
        self.scrapePool = scrapePool
        self.scrapeURL = scrapeURL
        self.globalURL = globalURL ?? scrapeURL
        self.lastError = lastError
        self.lastScrape = lastScrape
        self.lastScrapeDuration = lastScrapeDuration
        self.health = health
        self.scrapeInterval = scrapeInterval
        self.scrapeTimeout = scrapeTimeout
    }
}

/// A target that target relabelling dropped.
public struct DroppedTargetStatus: Sendable, Equatable {
    public var discoveredLabels: Labels
    public var scrapePool: String

    public init(discoveredLabels: Labels, scrapePool: String) {
        self.discoveredLabels = discoveredLabels
        self.scrapePool = scrapePool
    }
}

/// What an exposition says about a metric family: `# TYPE`, `# HELP`, `# UNIT`.
public struct MetricMetadata: Sendable, Hashable {
    public var type: MetricType
    public var help: String
    public var unit: String

    public init(type: MetricType, help: String, unit: String) {
        self.type = type
        self.help = help
        self.unit = unit
    }
}
