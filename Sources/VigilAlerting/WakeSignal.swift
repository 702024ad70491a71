import Foundation
import Synchronization

/// Wakes the dispatcher's timer loop before its deadline when a new group needs an earlier flush. A
/// signal that arrives while nobody waits is kept for the next wait (at most one).
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at `deadline`, on a signal, or when the task is cancelled, whichever comes first.
    func wait(until deadline: Date, on clock: any AlertingClock) async {
        await withTaskGroup(of: Void.self) { race in
            race.addTask { try? await clock.sleep(until: deadline) }
            race.addTask { await self.next() }
            await race.next()
            race.cancelAll()
        }
    }

    private func next() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
