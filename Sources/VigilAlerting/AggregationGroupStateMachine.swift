import Foundation

/// The timing of one aggregation group (`dispatch.aggrGroup.run` and `insert`), as a value that returns
/// what to do: the first flush `group_wait` after the group is created, then one every `group_interval`.
/// As in Alertmanager, an alert arriving after the first flush waits for the next interval; only an
/// alert that is already older than `group_wait` when the group has not flushed yet flushes at once.
public struct AggregationGroupStateMachine: Sendable, Hashable {
    public enum Action: Sendable, Hashable {
        /// Flush now.
        case flush
        /// Nothing to do before `at`.
        case wait(until: Date)
    }

    public let groupWait: Duration
    public let groupInterval: Duration
    /// When the group's timer fires next.
    public private(set) var nextFlush: Date
    public private(set) var hasFlushed = false

    public init(createdAt: Date, groupWait: Duration, groupInterval: Duration) {
        self.groupWait = groupWait
        self.groupInterval = groupInterval
        self.nextFlush = createdAt + groupWait.timeInterval
    }

    /// An alert was inserted into the group at `now`.
    public mutating func alertInserted(startsAt: Date, now: Date) -> Action {
        if !hasFlushed && startsAt + groupWait.timeInterval < now {
            nextFlush = now
            return .flush
        }
        return .wait(until: nextFlush)
    }

    /// The clock reads `now`: flush when the timer has fired, re-arming it `group_interval` later.
    public mutating func tick(now: Date) -> Action {
        guard now >= nextFlush else { return .wait(until: nextFlush) }
        nextFlush = now + groupInterval.timeInterval
        hasFlushed = true
        return .flush
    }
}

extension Duration {
    /// Seconds as a `TimeInterval`.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
