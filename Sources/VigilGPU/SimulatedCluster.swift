import Synchronization
import VigilModel

/// A shared, clock-driven ``SimulatedFleet`` of several machines: what `vigil server --demo` scrapes, one
/// in-process target per node. Thread-safe: the fleet lives behind a `Mutex`, and every read first
/// advances the simulation to the injected clock's "now".
public final class SimulatedCluster: Sendable {
    /// Milliseconds since the Unix epoch; the simulation follows it.
    public let now: @Sendable () -> Int64
    /// `gpu-node-01`, `gpu-node-02`, …
    public let nodeNames: [String]
    public let gpusPerNode: Int
    private let fleet: Mutex<SimulatedFleet>

    /// - Parameters:
    ///   - nodes: at least 1.
    ///   - gpusPerNode: 1…32.
    public init(
        nodes: Int, gpusPerNode: Int = 8, profile: GPUProfile = .h100, seed: UInt64 = 1,
        scheduling: SimulatedFleet.Scheduling = .automatic,
        now: @escaping @Sendable () -> Int64 = WallClock.nowMilliseconds
    ) throws(GPUError) {
        guard nodes >= 1 else {
            throw GPUError(.unsupported, "a simulated cluster needs at least one node, not \(nodes)")
        }
        guard (1...32).contains(gpusPerNode) else {
            throw GPUError(.unsupported, "the simulator runs 1 to 32 GPUs per machine, not \(gpusPerNode)")
        }
        self.now = now
        self.gpusPerNode = gpusPerNode
        let fleet = SimulatedFleet(
            nodes: nodes, gpusPerNode: gpusPerNode, profile: profile, seed: seed, startMs: now(),
            scheduling: scheduling)
        nodeNames = fleet.nodeNames
        self.fleet = Mutex(fleet)
    }

    /// One node's GPUs as they are now.
    public func readings(node: Int) -> [GPUReading] {
        let target = now()
        return fleet.withLock { fleet in
            fleet.advance(toMs: target)
            return fleet.readings(node: node)
        }
    }

    /// The Slurm-like controller's jobs, nodes and statistics now; nil unless the cluster runs with
    /// scheduling `.slurm`.
    public func schedulerSnapshot() -> SimulatedScheduler.Snapshot? {
        let target = now()
        return fleet.withLock { fleet in
            fleet.advance(toMs: target)
            return fleet.schedulerSnapshot()
        }
    }

    /// Runs `body` with exclusive access to the fleet (start jobs, inject faults, look at them).
    public func withFleet<Result: Sendable>(_ body: (inout SimulatedFleet) -> Result) -> Result {
        fleet.withLock { body(&$0) }
    }
}
