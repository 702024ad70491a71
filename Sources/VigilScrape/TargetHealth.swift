/// A target's health as the Prometheus API reports it.
public enum TargetHealth: String, Sendable, Hashable {
    /// The last scrape succeeded.
    case up
    /// The last scrape failed; `lastError` says why.
    case down
    /// Not scraped yet.
    case unknown
}

/// A target's health across scrapes: what the status API shows, and when a change is worth a log line.
///
/// A value type with no clock and no concurrency: the scrape loop feeds it each scrape's outcome and
/// performs the action it returns.
public struct TargetHealthStateMachine: Sendable {
    /// What the loop should do after recording a scrape.
    public enum Action: Sendable, Equatable {
        /// Nothing worth telling: same health (and same error) as before.
        case none
        /// The target went down, or fails with a different error than before: log it.
        case logFailure(String)
        /// The target came back after failing: log the recovery.
        case logRecovery
    }

    public private(set) var health = TargetHealth.unknown
    /// The last scrape's error; nil after a successful scrape.
    public private(set) var lastError: String?
    /// When the last scrape started, milliseconds since the epoch; nil before the first.
    public private(set) var lastScrape: Int64?
    /// How long the last scrape took, in seconds.
    public private(set) var lastScrapeDuration: Double = 0

    public init() {}

    public mutating func scrapeSucceeded(at timestamp: Int64, duration: Double) -> Action {
        let wasDown = health == .down
        health = .up
        lastError = nil
        lastScrape = timestamp
        lastScrapeDuration = duration
        return wasDown ? .logRecovery : .none
    }

    public mutating func scrapeFailed(_ error: String, at timestamp: Int64, duration: Double) -> Action {
        let repeated = health == .down && lastError == error
        health = .down
        lastError = error
        lastScrape = timestamp
        lastScrapeDuration = duration
        return repeated ? .none : .logFailure(error)
    }
}
