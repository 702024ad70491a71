import VigilModel

/// The `sim` GPU backend: one machine's GPUs from a one-node ``SimulatedFleet``
/// (`vigil agent --gpu-backend sim --sim-gpus 8 --sim-profile h100`).
///
/// Each ``read()`` advances the simulation to the injected clock's "now" and returns the node's
/// readings. Thread-safe: the fleet lives behind a `Mutex`.
public final class SimulatedBackend: GPUBackend {
    public let name = "sim"
    /// Milliseconds since the Unix epoch; the simulation follows it.
    public var now: @Sendable () -> Int64 { machine.now }
    private let machine: SimulatedCluster

    /// - Parameters:
    ///   - gpus: 1…32.
    ///   - seed: the same seed gives the same GPUs (UUIDs, serials) and the same jobs; give each
    ///     simulated machine its own (a hash of its host name, say).
    ///   - now: the clock; the wall clock unless a test injects one.
    public init(
        gpus: Int = 8, profile: GPUProfile = .h100, seed: UInt64 = 1,
        scheduling: SimulatedFleet.Scheduling = .automatic,
        now: @escaping @Sendable () -> Int64 = WallClock.nowMilliseconds
    ) throws(GPUError) {
        machine = try SimulatedCluster(
            nodes: 1, gpusPerNode: gpus, profile: profile, seed: seed, scheduling: scheduling, now: now)
    }

    public func read() throws(GPUError) -> [GPUReading] {
        machine.readings(node: 0)
    }

    /// Injects a fault into one of this machine's GPUs (for demos and tests).
    public func inject(_ fault: SimulatedFault, gpu: Int) {
        machine.withFleet { $0.inject(fault, node: 0, gpu: gpu) }
    }

    /// Ends every fault on one GPU.
    public func clear(gpu: Int) {
        machine.withFleet { $0.clear(node: 0, gpu: gpu) }
    }

    /// Runs `body` with exclusive access to the fleet (start jobs, look at them).
    public func withFleet<Result: Sendable>(_ body: (inout SimulatedFleet) -> Result) -> Result {
        machine.withFleet(body)
    }
}
