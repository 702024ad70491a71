public import VigilScrape

/// What `/api/v1/targets` lists: the scrape targets, by pool, as the scrape manager sees them (the scrape
/// manager is one).
public protocol TargetsProvider: Sendable {
    /// Targets being scraped, in the order to list them within their pool.
    func activeTargets() async -> [ActiveTargetStatus]
    /// Targets relabelling dropped (those the server keeps, see `keep_dropped_targets`).
    func droppedTargets() async -> [DroppedTargetStatus]
    /// How many targets relabelling dropped, per scrape pool (kept or not).
    func droppedTargetCounts() async -> [String: Int]
}

extension ScrapeManager: TargetsProvider {
    public func droppedTargetCounts() async -> [String: Int] {
        Dictionary(droppedTargets().map { ($0.scrapePool, 1) }, uniquingKeysWith: +)
    }
}

/// Targets fixed at construction: for a server that scrapes nothing yet, and for tests.
public struct StaticTargetsProvider: TargetsProvider {
    public var active: [ActiveTargetStatus]
    public var dropped: [DroppedTargetStatus]
    public var droppedCounts: [String: Int]

    public init(
        active: [ActiveTargetStatus] = [], dropped: [DroppedTargetStatus] = [], droppedCounts: [String: Int]? = nil
    ) {
        self.active = active
        self.dropped = dropped
        self.droppedCounts = droppedCounts ?? Dictionary(dropped.map { ($0.scrapePool, 1) }, uniquingKeysWith: +)
    }

    public func activeTargets() async -> [ActiveTargetStatus] { active }
    public func droppedTargets() async -> [DroppedTargetStatus] { dropped }
    public func droppedTargetCounts() async -> [String: Int] { droppedCounts }
}
