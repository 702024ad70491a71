import Synchronization

/// Tells a long-running loop to stop, and why: the first request wins, and a loop waiting for it wakes
/// at once. Scrape loops, file discovery and the rule manager's group loops share it.
public final class StopSignal<Reason: Sendable>: Sendable {
    private struct State {
        var reason: Reason?
        var waiter: CheckedContinuation<Reason?, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    /// Asks the loop to stop; later requests are ignored.
    public func stop(_ reason: Reason) {
        let waiter = state.withLock { state -> CheckedContinuation<Reason?, Never>? in
            guard state.reason == nil else { return nil }
            state.reason = reason
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: reason)
    }

    /// Returns the stop request once there is one, or nil when the waiting task is cancelled (the
    /// owner shuts down).
    public func wait() async -> Reason? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Reason?, Never>) in
                let immediate = state.withLock { state -> Reason?? in
                    if let reason = state.reason { return .some(reason) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Reason?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}

extension StopSignal where Reason == Void {
    /// A stop without a reason.
    public func stop() { stop(()) }
}
