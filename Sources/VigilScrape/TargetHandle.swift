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
    }

    private let state = Mutex(State())
    private let stopSignal = StopSignal<LoopStop>()

    init(target: ScrapeTarget) { self.target = target }

    var health: TargetHealthStateMachine { state.withLock { $0.health } }
    var metadata: [String: MetricMetadata] { state.withLock { $0.metadata } }

    func updateHealth<Result>(_ body: (inout TargetHealthStateMachine) -> Result) -> Result {
        state.withLock { body(&$0.health) }
    }

    func setMetadata(_ metadata: [String: MetricMetadata]) { state.withLock { $0.metadata = metadata } }

    /// Asks the loop to stop; the first request wins.
    func stop(_ reason: LoopStop) { stopSignal.stop(reason) }

    /// Returns the stop request once there is one, or nil when the waiting task is cancelled (the
    /// manager shuts down).
    func waitForStop() async -> LoopStop? { await stopSignal.wait() }
}

/// A pool-wide error every loop of the pool reports instead of scraping (`target_limit`).
final class ForcedError: Sendable {
    private let error = Mutex<ScrapeError?>(nil)

    var current: ScrapeError? { error.withLock { $0 } }

    func set(_ value: ScrapeError?) { error.withLock { $0 = value } }
}
