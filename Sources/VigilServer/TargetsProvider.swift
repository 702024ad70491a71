import VigilModel

/// What `/api/v1/targets` lists: the scrape targets, by pool, as the scrape manager sees them.
///
/// VigilServer defines this small protocol so the API does not depend on the scrape module's types; the
/// composition root adapts the scrape manager to it.
public protocol TargetsProvider: Sendable {
    /// Targets being scraped, in the order to list them within their pool.
    func activeTargets() async -> [ActiveTarget]
    /// Targets relabelling dropped (those the server keeps, see `keep_dropped_targets`).
    func droppedTargets() async -> [DroppedTarget]
    /// How many targets relabelling dropped, per scrape pool (kept or not).
    func droppedTargetCounts() async -> [String: Int]
}

/// One scrape target with the fields of Prometheus's `/api/v1/targets` `activeTargets` entries.
public struct ActiveTarget: Sendable, Hashable {
    /// Prometheus's target health.
    public enum Health: String, Sendable, Hashable {
        case up, down, unknown
    }

    /// Labels before relabelling.
    public var discoveredLabels: Labels
    /// Labels after relabelling, attached to every scraped series.
    public var labels: Labels
    public var scrapePool: String
    public var scrapeURL: String
    /// The URL as seen from outside (Prometheus's `globalUrl`); usually the same as ``scrapeURL``.
    public var globalURL: String
    /// The last scrape's error, empty when it succeeded.
    public var lastError: String
    /// When the last scrape started (milliseconds since the epoch); nil before the first.
    public var lastScrape: Int64?
    public var lastScrapeDurationSeconds: Double
    public var health: Health
    /// As written in the configuration, e.g. `15s`.
    public var scrapeInterval: String
    public var scrapeTimeout: String

    public init(
        discoveredLabels: Labels, labels: Labels, scrapePool: String, scrapeURL: String, globalURL: String? = nil,
        lastError: String = "", lastScrape: Int64? = nil, lastScrapeDurationSeconds: Double = 0,
        health: Health = .unknown, scrapeInterval: String, scrapeTimeout: String
    ) {
        self.discoveredLabels = discoveredLabels
        self.labels = labels
        self.scrapePool = scrapePool
        self.scrapeURL = scrapeURL
        self.globalURL = globalURL ?? scrapeURL
        self.lastError = lastError
        self.lastScrape = lastScrape
        self.lastScrapeDurationSeconds = lastScrapeDurationSeconds
        self.health = health
        self.scrapeInterval = scrapeInterval
        self.scrapeTimeout = scrapeTimeout
    }
}

/// A target relabelling dropped: its labels before relabelling and its pool.
public struct DroppedTarget: Sendable, Hashable {
    public var discoveredLabels: Labels
    public var scrapePool: String

    public init(discoveredLabels: Labels, scrapePool: String) {
        self.discoveredLabels = discoveredLabels
        self.scrapePool = scrapePool
    }
}

/// Targets fixed at construction: for a server that scrapes nothing yet, and for tests.
public struct StaticTargetsProvider: TargetsProvider {
    public var active: [ActiveTarget]
    public var dropped: [DroppedTarget]
    public var droppedCounts: [String: Int]

    public init(active: [ActiveTarget] = [], dropped: [DroppedTarget] = [], droppedCounts: [String: Int]? = nil) {
        self.active = active
        self.dropped = dropped
        self.droppedCounts = droppedCounts ?? Dictionary(dropped.map { ($0.scrapePool, 1) }, uniquingKeysWith: +)
    }

    public func activeTargets() async -> [ActiveTarget] { active }
    public func droppedTargets() async -> [DroppedTarget] { dropped }
    public func droppedTargetCounts() async -> [String: Int] { droppedCounts }
}
