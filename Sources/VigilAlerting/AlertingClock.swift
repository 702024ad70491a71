import Foundation
import Synchronization

/// Time as the notifier sees it: what time it is, and a way to wait. Injected so that tests drive time
/// instead of sleeping (``ManualAlertingClock``), as the scrape loops do with their clock.
public protocol AlertingClock: Sendable {
    func now() -> Date
    /// Returns at or after `deadline`; throws `CancellationError` when the task is cancelled first.
    func sleep(until deadline: Date) async throws
}

/// The system's real-time clock.
public struct SystemAlertingClock: AlertingClock {
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(until deadline: Date) async throws {
        let delay = deadline.timeIntervalSinceNow
        if delay > 0 { try await Task.sleep(for: .seconds(delay)) }
    }
}

/// A clock for tests that only moves when told to, or when somebody sleeps on it: a sleep moves it to
/// the deadline at once (so retries and backoff run instantly and deterministically).
public final class ManualAlertingClock: AlertingClock {
    private let current: Mutex<Date>

    public init(now: Date) { current = Mutex(now) }

    public func now() -> Date { current.withLock { $0 } }

    public func sleep(until deadline: Date) async throws {
        try Task.checkCancellation()
        current.withLock { $0 = max($0, deadline) }
    }

    /// Moves time to `instant` (never backwards).
    public func advance(to instant: Date) { current.withLock { $0 = max($0, instant) } }

    public func advance(by seconds: TimeInterval) { current.withLock { $0 = $0 + seconds } }
}
