import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Wall-clock time as the scrape loops see it: nanoseconds since the Unix epoch, and a way to wait for
/// an instant. Injected so that tests drive time instead of sleeping (``ManualScrapeClock``).
public protocol ScrapeClock: Sendable {
    /// Nanoseconds since the Unix epoch.
    func now() -> Int64
    /// Returns at or after `deadline` (nanoseconds since the epoch); throws `CancellationError` when the
    /// task is cancelled first.
    func sleep(until deadline: Int64) async throws
}

/// The system's real-time clock.
public struct SystemScrapeClock: ScrapeClock {
    public init() {}

    public func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    public func sleep(until deadline: Int64) async throws {
        let delay = deadline - now()
        if delay > 0 { try await Task.sleep(for: .nanoseconds(delay)) }
    }
}

/// A clock that only moves when told to, for tests: loops sleeping on it wake when ``advance(by:)`` or
/// ``advance(to:)`` passes their deadline, and ``waitForSleepers(_:)`` tells when the work a wake-up
/// started is done (every loop is asleep again).
public final class ManualScrapeClock: ScrapeClock {
    private struct Sleeper {
        var id: UInt64
        var deadline: Int64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Waiter {
        var condition: @Sendable ([Int64]) -> Bool
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var now: Int64
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
        var waiters: [Waiter] = []

        /// The waiters whose wanted number of sleepers is reached, removed from the list.
        mutating func satisfiedWaiters() -> [Waiter] {
            let deadlines = sleepers.map(\.deadline)
            let ready = waiters.filter { $0.condition(deadlines) }
            waiters.removeAll { $0.condition(deadlines) }
            return ready
        }
    }

    private let state: Mutex<State>

    /// - Parameter now: the starting instant, nanoseconds since the epoch.
    public init(now: Int64) {
        state = Mutex(State(now: now))
    }

    public func now() -> Int64 { state.withLock { $0.now } }

    /// How many tasks are asleep on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The earliest deadline anybody sleeps until, if any.
    public var nextDeadline: Int64? { state.withLock { $0.sleepers.map(\.deadline).min() } }

    public func sleep(until deadline: Int64) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome {
                    case cancelled, due
                    case asleep([Waiter])
                }
                let outcome = state.withLock { state -> Outcome in
                    // Checked under the lock, so a cancellation either is seen here or finds the sleeper.
                    if Task.isCancelled { return .cancelled }
                    if deadline <= state.now { return .due }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return .asleep(state.satisfiedWaiters())
                }
                switch outcome {
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .due: continuation.resume()
                case .asleep(let waiters): for waiter in waiters { waiter.continuation.resume() }
                }
            }
        } onCancel: {
            let (sleeper, waiters) = state.withLock { state -> (Sleeper?, [Waiter]) in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return (nil, []) }
                let sleeper = state.sleepers.remove(at: index)
                return (sleeper, state.satisfiedWaiters())
            }
            sleeper?.continuation.resume(throwing: CancellationError())
            for waiter in waiters { waiter.continuation.resume() }
        }
    }

    /// Moves time forward by `nanoseconds` and wakes every sleeper whose deadline has come.
    public func advance(by nanoseconds: Int64) {
        advance(to: now() + nanoseconds)
    }

    /// Moves time to `instant` (never backwards) and wakes every sleeper whose deadline has come.
    public func advance(to instant: Int64) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = max(state.now, instant)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Returns once at least `count` tasks are asleep on this clock.
    public func waitForSleepers(_ count: Int) async {
        await waitForSleepers { $0.count >= count }
    }

    /// Returns once the deadlines of the tasks asleep on this clock satisfy `condition` (checked each
    /// time a task goes to sleep or is woken).
    public func waitForSleepers(where condition: @escaping @Sendable ([Int64]) -> Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if condition(state.sleepers.map(\.deadline)) { return true }
                state.waiters.append(Waiter(condition: condition, continuation: continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
