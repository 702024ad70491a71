import Synchronization
import VigilModel

/// Why a loop is told to stop.
enum LoopStop: Sendable {
    /// The target is gone: write staleness markers for its series.
    case removed
    /// The pool is restarted with new settings: a new loop takes over, no markers.
    case replaced
}

/// What a target's loop shares with the rest of the manager: its health and metadata for the status
/// API, and the signal that stops it.
final class TargetHandle: Sendable {
    let target: ScrapeTarget

    private struct State {
        var health = TargetHealthStateMachine()
        var metadata: [String: MetricMetadata] = [:]
        var stop: LoopStop?
        var stopWaiter: CheckedContinuation<LoopStop?, Never>?
    }

    private let state = Mutex(State())

    init(target: ScrapeTarget) { self.target = target }

    var health: TargetHealthStateMachine { state.withLock { $0.health } }
    var metadata: [String: MetricMetadata] { state.withLock { $0.metadata } }

    func updateHealth<Result>(_ body: (inout TargetHealthStateMachine) -> Result) -> Result {
        state.withLock { body(&$0.health) }
    }

    func setMetadata(_ metadata: [String: MetricMetadata]) { state.withLock { $0.metadata = metadata } }

    /// Asks the loop to stop; the first request wins.
    func stop(_ reason: LoopStop) {
        let waiter = state.withLock { state -> CheckedContinuation<LoopStop?, Never>? in
            guard state.stop == nil else { return nil }
            state.stop = reason
            defer { state.stopWaiter = nil }
            return state.stopWaiter
        }
        waiter?.resume(returning: reason)
    }

    /// Returns the stop request once there is one, or nil when the waiting task is cancelled (the
    /// manager shuts down).
    func waitForStop() async -> LoopStop? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<LoopStop?, Never>) in
                let immediate = state.withLock { state -> LoopStop?? in
                    if let stop = state.stop { return .some(stop) }
                    if Task.isCancelled { return .some(nil) }
                    state.stopWaiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<LoopStop?, Never>? in
                defer { state.stopWaiter = nil }
                return state.stopWaiter
            }
            waiter?.resume(returning: nil)
        }
    }
}

/// A pool-wide error every loop of the pool reports instead of scraping (`target_limit`).
final class ForcedError: Sendable {
    private let error = Mutex<ScrapeError?>(nil)

    var current: ScrapeError? { error.withLock { $0 } }

    func set(_ value: ScrapeError?) { error.withLock { $0 = value } }
}
