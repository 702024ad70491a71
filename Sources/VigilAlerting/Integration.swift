import Foundation

/// One integration of a receiver as the pipeline uses it: who it is (for the notification log and the
/// counters), whether it wants resolved alerts, how many alerts one notification may carry, and the
/// ``Notifier`` that delivers. The server builds them from ``ReceiverConfig`` with an
/// ``IntegrationFactory``, so this module needs no network code.
public struct Integration: Sendable {
    /// "webhook", "slack", "email".
    public var name: String
    /// The position among the receiver's integrations of the same name.
    public var index: Int
    public var sendResolved: Bool
    /// 0 = no limit; otherwise the notification carries the first `maxAlerts` alerts (webhook `max_alerts`).
    public var maxAlerts: Int
    public var notifier: any Notifier

    public init(name: String, index: Int, sendResolved: Bool, maxAlerts: Int = 0, notifier: any Notifier) {
        self.name = name
        self.index = index
        self.sendResolved = sendResolved
        self.maxAlerts = maxAlerts
        self.notifier = notifier
    }
}

/// Builds the integrations of one receiver.
public typealias IntegrationFactory = @Sendable (ReceiverConfig) -> [Integration]

/// Delivery counters of one integration (`alertmanager_notifications_total`, `..._failed_total`).
public struct IntegrationStats: Sendable, Hashable {
    /// Notifications the pipeline decided to send (each may take several attempts).
    public var notifications = 0
    /// Every call to the notifier.
    public var attempts = 0
    /// Notifications that were not delivered in the end.
    public var failures = 0
    public var lastError: String?
    public var lastAttempt: Date?

    public init() {}
}

/// Alertmanager's retry backoff (`cenkalti/backoff` ExponentialBackOff as the RetryStage configures it):
/// 500 ms, growing by 1.5 per attempt up to 60 s, each randomised by ±50 %.
public struct RetryBackoff: Sendable {
    public var initial: TimeInterval = 0.5
    public var multiplier: Double = 1.5
    public var maximum: TimeInterval = 60
    public var randomization: Double = 0.5

    public init(randomization: Double = 0.5) { self.randomization = randomization }

    /// The wait before retry `attempt` (1 = after the first failure); `unit` in [0, 1) picks the jitter.
    public func delay(attempt: Int, unit: Double) -> TimeInterval {
        var interval = initial
        for _ in 1..<max(attempt, 1) { interval = min(interval * multiplier, maximum) }
        let delta = randomization * interval
        return (interval - delta) + unit * (2 * delta)
    }
}
