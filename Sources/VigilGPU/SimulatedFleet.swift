/// A deterministic cluster of simulated GPU nodes, for `--demo` mode, the `sim` backend and tests.
///
/// Workloads drive everything: each GPU is idle or runs a rank of a Slurm-style job (training or
/// inference) that starts, runs and ends over simulated time; utilisation, memory, power,
/// temperature, clocks, clock-event reasons, P-state, energy, PCIe and NVLink traffic and the
/// profiling ratios all follow from it. ``SimulatedFault``s add the signals of real failures.
///
/// Time only moves through ``advance(toMs:)``, in fixed steps of ``stepMs`` on a grid that starts
/// at `startMs`; readings describe the last whole step. The same seed and the same sequence of
/// calls give bit-identical readings on every platform (no wall clock, no system random, no libm).
///
/// A value type: copy it to fork a what-if, and protect it yourself when sharing it (the
/// ``SimulatedBackend`` keeps one in a `Mutex`).
public struct SimulatedFleet: Sendable {
    public enum Scheduling: Sendable, Equatable {
        /// Jobs arrive and end on their own, and the fleet starts busy.
        case automatic
        /// Every GPU starts idle and only ``startJob(_:node:gpus:durationMs:user:)`` places work.
        case manual
        /// A Slurm-like controller (``SimulatedScheduler``) queues, places and ends jobs of users, accounts
        /// and partitions; the fleet starts busy with a queue.
        case slurm
    }

    /// Simulated time per physics step.
    public static let stepMs: Int64 = 1000
    /// The most simulated time ``advance(toMs:)`` replays step by step; anything older in a jump
    /// is crossed in one coarse step (lags settle, counters integrate the rates of that moment).
    public static let maxCatchUpMs: Int64 = 3_600_000

    public let profile: GPUProfile
    public let seed: UInt64
    public let scheduling: Scheduling
    public let gpusPerNode: Int
    /// Simulated time of the last step, milliseconds since the Unix epoch.
    public private(set) var nowMs: Int64
    var nodes: [SimulatedNode]
    var nextJobID: Int
    /// The Slurm-like controller when scheduling is `.slurm`, else nil.
    public private(set) var scheduler: SimulatedScheduler?

    /// - Parameters:
    ///   - nodes: machines, named `gpu-node-01`, `gpu-node-02`, …
    ///   - gpusPerNode: 1…32.
    ///   - startMs: simulated wall-clock time of the first reading (the time of day matters to
    ///     inference load).
    public init(
        nodes: Int, gpusPerNode: Int, profile: GPUProfile, seed: UInt64, startMs: Int64,
        scheduling: Scheduling = .automatic
    ) {
        precondition(nodes >= 1, "a fleet needs at least one node")
        precondition((1...32).contains(gpusPerNode), "the simulator supports 1…32 GPUs per node")
        self.profile = profile
        self.seed = seed
        self.scheduling = scheduling
        self.gpusPerNode = gpusPerNode
        nowMs = startMs
        nextJobID = 3_000_000 + Int(seed % 5_000_000)
        self.nodes = (0..<nodes).map {
            SimulatedNode(index: $0, gpusPerNode: gpusPerNode, profile: profile, seed: seed, startMs: startMs)
        }
        if scheduling == .automatic {
            for index in self.nodes.indices { self.nodes[index].populate(atMs: startMs, nextJobID: &nextJobID) }
            for planted in SimulatedHostFault.planted(nodes: nodes) { inject(planted.fault, node: planted.node) }
        } else if scheduling == .slurm {
            var scheduler = SimulatedScheduler(nodes: nodes, gpusPerNode: gpusPerNode, seed: seed, startMs: startMs)
            scheduler.populate(nodes: &self.nodes, nowMs: startMs, nextJobID: &nextJobID)
            self.scheduler = scheduler
            for planted in SimulatedHostFault.planted(nodes: nodes) { inject(planted.fault, node: planted.node) }
        }
        // Compute the outputs at the start, begin at the temperatures they lead to, and recompute
        // the clocks for those temperatures.
        let start = SimulationStep(nowMs: startMs, dtMs: 0, profile: profile)
        for index in self.nodes.indices {
            self.nodes[index].step(start, profile: profile, scheduling: .manual, nextJobID: &nextJobID)
            for gpu in self.nodes[index].gpus.indices { self.nodes[index].gpus[gpu].settle() }
            self.nodes[index].step(start, profile: profile, scheduling: .manual, nextJobID: &nextJobID)
        }
    }

    public var nodeCount: Int { nodes.count }
    public var nodeNames: [String] { nodes.map(\.name) }

    // MARK: Time

    /// Steps the physics up to `targetMs` (rounded down to the step grid). Earlier times are ignored.
    public mutating func advance(toMs targetMs: Int64) {
        var steps = (targetMs - nowMs) / Self.stepMs
        guard steps > 0 else { return }
        let maxSteps = Self.maxCatchUpMs / Self.stepMs
        if steps > maxSteps {
            stepAll(dtMs: (steps - maxSteps) * Self.stepMs)
            steps = maxSteps
        }
        for _ in 0..<steps { stepAll(dtMs: Self.stepMs) }
    }

    private mutating func stepAll(dtMs: Int64) {
        nowMs += dtMs
        let step = SimulationStep(nowMs: nowMs, dtMs: dtMs, profile: profile)
        for index in nodes.indices {
            nodes[index].step(step, profile: profile, scheduling: scheduling, nextJobID: &nextJobID)
        }
        scheduler?.step(nowMs: nowMs, nodes: &nodes, nextJobID: &nextJobID)
    }

    // MARK: Reading

    /// The node's GPUs as a backend would read them now, by index.
    public func readings(node: Int) -> [GPUReading] {
        let machine = nodes[node]
        return machine.gpus.map { gpu in
            gpu.reading(profile: profile, job: gpu.jobSlot.map { machine.jobs[$0] })
        }
    }

    /// One GPU's reading.
    public func reading(node: Int, gpu: Int) -> GPUReading {
        let machine = nodes[node]
        let state = machine.gpus[gpu]
        return state.reading(profile: profile, job: state.jobSlot.map { machine.jobs[$0] })
    }

    // MARK: Jobs

    /// The jobs running on a node.
    public func jobs(node: Int) -> [SimulatedJob] {
        nodes[node].jobs
    }

    /// Starts a job now on `gpus` of `node`, ending any job that holds one of them. It warms up
    /// (loads, fills memory) for a minute or two before reaching its steady load.
    @discardableResult
    public mutating func startJob(
        _ kind: SimulatedJob.Kind, node: Int, gpus: [Int], durationMs: Int64 = 86_400_000, user: String? = nil
    ) -> SimulatedJob {
        precondition(!gpus.isEmpty && Set(gpus).count == gpus.count, "a job needs distinct GPUs")
        precondition(gpus.allSatisfy { (0..<gpusPerNode).contains($0) }, "GPU index out of range")
        precondition(durationMs > 0, "a job needs a positive duration")
        let owner = user ?? (kind == .training ? "alice" : "svc-inference")
        return nodes[node].start(
            kind: kind, gpus: gpus, startMs: nowMs, durationMs: durationMs, user: owner, nextJobID: &nextJobID)
    }

    /// Ends the job with this Slurm id wherever it runs; false when no such job runs.
    @discardableResult
    public mutating func endJob(id: String) -> Bool {
        for index in nodes.indices where nodes[index].endJob(id: id) { return true }
        return false
    }

    // MARK: Faults

    /// Injects `fault` into one GPU (see ``SimulatedFault`` for what each does).
    public mutating func inject(_ fault: SimulatedFault, node: Int, gpu: Int) {
        precondition((0..<gpusPerNode).contains(gpu), "GPU index out of range")
        switch fault {
        case .coolingFailure:
            nodes[node].gpus[gpu].faults.coolingFailure = true
        case .xid(let code):
            nodes[node].gpus[gpu].recordXID(code)
        case .eccSingleBitStorm:
            if !nodes[node].gpus[gpu].faults.eccStorm {
                nodes[node].gpus[gpu].faults.eccStorm = true
                nodes[node].gpus[gpu].recordXID(92)
            }
        case .doubleBitError:
            nodes[node].gpus[gpu].eccVolatileUncorrected += 1
            nodes[node].gpus[gpu].eccAggregateUncorrected += 1
            nodes[node].gpus[gpu].remappedUncorrectable += 1
            nodes[node].gpus[gpu].remapPending = true
            nodes[node].gpus[gpu].recordXID(48)
            nodes[node].endJob(onGPU: gpu)
        case .rowRemapFailure:
            nodes[node].gpus[gpu].remapFailure = true
            nodes[node].gpus[gpu].recordXID(64)
        case .fallenOffBus:
            nodes[node].gpus[gpu].faults.lost = true
            nodes[node].gpus[gpu].recordXID(79)
            nodes[node].endJob(onGPU: gpu)
        case .nvlinkErrors(let link):
            guard profile.nvlinkCount > 0 else { return }
            nodes[node].gpus[gpu].faults.nvlinkErrorLink = min(max(0, link), profile.nvlinkCount - 1)
        case .pcieReplayStorm:
            nodes[node].gpus[gpu].faults.pcieReplayStorm = true
        case .powerCapThrottling(let watts):
            let limit = min(profile.defaultPowerLimitWatts, max(profile.minPowerLimitWatts, watts))
            nodes[node].gpus[gpu].faults.powerCapWatts = limit
            nodes[node].gpus[gpu].powerLimitWatts = limit
        case .stuckAtZero:
            nodes[node].gpus[gpu].faults.stuck = true
        }
    }

    /// Ends every fault on one GPU: the airflow, bus, link and power limit are restored, the lost,
    /// remap-pending and remap-failure flags cleared (as after a GPU reset). Counters keep their
    /// counts; temperature recovers with its usual lag.
    public mutating func clear(node: Int, gpu: Int) {
        nodes[node].gpus[gpu].faults = SimulatedFaultState()
        nodes[node].gpus[gpu].powerLimitWatts = profile.defaultPowerLimitWatts
        nodes[node].gpus[gpu].remapPending = false
        nodes[node].gpus[gpu].remapFailure = false
    }

    /// The faults acting on one GPU now, in a fixed order.
    public func activeFaults(node: Int, gpu: Int) -> [SimulatedFault] {
        let state = nodes[node].gpus[gpu]
        var faults: [SimulatedFault] = []
        if state.faults.coolingFailure { faults.append(.coolingFailure) }
        if state.faults.eccStorm { faults.append(.eccSingleBitStorm) }
        if state.remapPending { faults.append(.doubleBitError) }
        if state.remapFailure { faults.append(.rowRemapFailure) }
        if state.faults.lost { faults.append(.fallenOffBus) }
        if let link = state.faults.nvlinkErrorLink { faults.append(.nvlinkErrors(link: link)) }
        if state.faults.pcieReplayStorm { faults.append(.pcieReplayStorm) }
        if let watts = state.faults.powerCapWatts { faults.append(.powerCapThrottling(watts: watts)) }
        if state.faults.stuck { faults.append(.stuckAtZero) }
        return faults
    }
}
