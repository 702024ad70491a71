/// One simulated machine: its GPUs and the jobs its Slurm-like scheduler placed on them.
struct SimulatedNode: Sendable {
    let name: String
    var random: SimulationRandom
    var gpus: [SimulatedGPU]
    /// The machine around the GPUs (CPUs, memory, disks, network, InfiniBand), driven by their work.
    var host: SimulatedHost
    var jobs: [SimulatedJob] = []
    /// This step's demand of each job, parallel to `jobs` (kept to avoid allocating per step).
    var demands: [SimulatedJobDemand] = []
    var nextArrivalMs: Int64
    var nextPID: Int

    static let trainingUsers = ["alice", "bkumar", "chen.wei", "dmitri", "emma.r", "fatima.z", "gsingh", "hiro.t"]
    static let inferenceUsers = ["svc-inference", "svc-llm", "mlops"]
    /// Mean time between job submissions to one node.
    static let meanArrivalGapMs = 20.0 * 60_000

    init(index: Int, gpusPerNode: Int, profile: GPUProfile, seed: UInt64, startMs: Int64) {
        name = "gpu-node-" + Self.twoDigits(index + 1)
        var random = SimulationRandom(seed: seed, stream: 0x4E4F_4445, UInt64(index))  // "NODE"
        let inlet = random.uniform(21...26)
        let salt = Self.stableHash(profile.key)
        var gpus: [SimulatedGPU] = []
        gpus.reserveCapacity(gpusPerNode)
        for slot in 0..<gpusPerNode {
            let identity = Self.identity(
                node: index, slot: slot, profile: profile, seed: seed, salt: salt)
            let gpuRandom = SimulationRandom(seed: seed, stream: 0x4750_5500 ^ salt, UInt64(index) << 16 | UInt64(slot))
            gpus.append(SimulatedGPU(identity: identity, profile: profile, nodeInletCelsius: inlet, random: gpuRandom))
        }
        self.gpus = gpus
        host = SimulatedHost(name: name, index: index, gpuCount: gpusPerNode, seed: seed, startMs: startMs)
        nextArrivalMs = startMs + Int64(random.exponential(mean: Self.meanArrivalGapMs))
        nextPID = random.integer(20_000...400_000)
        self.random = random
    }

    // MARK: Stepping

    mutating func step(
        _ step: SimulationStep, profile: GPUProfile, scheduling: SimulatedFleet.Scheduling, nextJobID: inout Int
    ) {
        if jobs.contains(where: { $0.endMs <= step.nowMs }) {
            jobs.removeAll { $0.endMs <= step.nowMs }
            reindex()
        }
        if scheduling == .automatic, step.nowMs >= nextArrivalMs {
            submitRandomJob(atMs: step.nowMs, elapsedMs: 0, nextJobID: &nextJobID)
            nextArrivalMs = step.nowMs + 30_000 + Int64(random.exponential(mean: Self.meanArrivalGapMs))
        }
        demands.removeAll(keepingCapacity: true)
        for slot in jobs.indices {
            demands.append(jobs[slot].demand(atMs: step.nowMs, dtMs: step.dtMs, random: &random))
        }
        for index in gpus.indices {
            let demand = gpus[index].jobSlot.map { slot in
                jobs[slot].isActive(rank: gpus[index].rank) ? demands[slot] : SimulatedJob.idleRankDemand
            }
            gpus[index].step(step, demand: demand, profile: profile)
        }
        host.step(step, gpus: gpus, jobs: jobs)
    }

    /// Fills the node as a busy cluster would be when the simulation starts: jobs already running
    /// for a while, some GPUs free.
    mutating func populate(atMs nowMs: Int64, nextJobID: inout Int) {
        while gpus.contains(where: \.isSchedulable), random.chance(0.8) {
            submitRandomJob(atMs: nowMs, elapsedMs: nil, nextJobID: &nextJobID)
        }
    }

    // MARK: Jobs

    /// Places a job of a random kind and size on free GPUs; `elapsedMs` nil means "already running
    /// for a random part of its life".
    private mutating func submitRandomJob(atMs nowMs: Int64, elapsedMs: Int64?, nextJobID: inout Int) {
        let free = gpus.indices.filter { gpus[$0].isSchedulable }
        guard !free.isEmpty else { return }
        let kind: SimulatedJob.Kind = random.chance(0.6) ? .training : .inference
        var size: Int
        switch kind {
        case .training:
            // Whole nodes when possible, otherwise the largest power of two that fits, sometimes less.
            size = 1
            while size * 2 <= free.count { size *= 2 }
            if size < free.count || random.chance(0.2) { size = max(1, size >> random.integer(0...1)) }
        case .inference:
            size = [1, 1, 1, 2, 2, 4][random.integer(0...5)]
            while size > free.count { size /= 2 }
        }
        let durationMs = Int64(
            kind == .training ? random.logUniform(1_200_000...28_800_000) : random.logUniform(1_800_000...43_200_000))
        let elapsed = elapsedMs ?? Int64(random.uniform(0.05...0.85) * Double(durationMs))
        let user = random.element(of: kind == .training ? Self.trainingUsers : Self.inferenceUsers)
        start(
            kind: kind, gpus: Array(free.prefix(size)), startMs: nowMs - elapsed, durationMs: durationMs, user: user,
            nextJobID: &nextJobID)
    }

    /// Starts a job on `gpus`, ending any job that holds one of them.
    @discardableResult
    mutating func start(
        kind: SimulatedJob.Kind, gpus wanted: [Int], startMs: Int64, durationMs: Int64, user: String,
        nextJobID: inout Int, placement: SimulatedJobPlacement? = nil
    ) -> SimulatedJob {
        let holding = Set(wanted.compactMap { gpus[$0].jobSlot })
        if !holding.isEmpty {
            let ids = Set(holding.map { jobs[$0].id })
            jobs.removeAll { ids.contains($0.id) }
        }
        let firstPID = nextPID
        nextPID += wanted.count + random.integer(200...4000)
        if nextPID > 4_000_000 { nextPID = random.integer(10_000...60_000) }
        var job = SimulatedJob(
            id: placement?.id ?? String(nextJobID), kind: kind, user: user, gpus: wanted.sorted(),
            firstPID: firstPID, startMs: startMs, durationMs: durationMs, random: &random)
        if let placement {
            job.account = placement.account
            job.partition = placement.partition
            job.activeRanks = placement.activeRanks
            if let name = placement.processName { job.processName = name }
        } else {
            nextJobID += 1
        }
        jobs.append(job)
        reindex()
        return job
    }

    /// Ends the job holding `gpu` (all its ranks), if any.
    mutating func endJob(onGPU gpu: Int) {
        guard let slot = gpus[gpu].jobSlot else { return }
        jobs.remove(at: slot)
        reindex()
    }

    mutating func endJob(id: String) -> Bool {
        guard let slot = jobs.firstIndex(where: { $0.id == id }) else { return false }
        jobs.remove(at: slot)
        reindex()
        return true
    }

    private mutating func reindex() {
        for index in gpus.indices { gpus[index].jobSlot = nil }
        for (slot, job) in jobs.enumerated() {
            for (rank, gpu) in job.gpus.enumerated() {
                gpus[gpu].jobSlot = slot
                gpus[gpu].rank = rank
            }
        }
    }

    // MARK: Identity

    private static func identity(node: Int, slot: Int, profile: GPUProfile, seed: UInt64, salt: UInt64)
        -> GPUIdentity
    {
        let key = UInt64(node) << 16 | UInt64(slot)
        let high = SimulationRandom.hash(seed, 0x5555_4944, salt, key)  // "UUID"
        let low = SimulationRandom.hash(seed, 0x5555_4945, salt, key)
        let hex = hex(high, digits: 16) + hex(low, digits: 16)
        let characters = Array(hex)
        let uuid =
            "GPU-" + String(characters[0..<8]) + "-" + String(characters[8..<12]) + "-"
            + String(characters[12..<16]) + "-" + String(characters[16..<20]) + "-" + String(characters[20..<32])
        var identity = GPUIdentity(
            index: slot, name: profile.productName, uuid: uuid, pciBusID: profile.pciBusID(slot: slot))
        identity.minorNumber = slot
        let serial = SimulationRandom.hash(seed, 0x5345_5249, salt, key) % 10_000_000_000  // "SERI"
        identity.serial = String(1_650_000_000_000 + serial)
        identity.vbiosVersion = profile.vbiosVersion
        identity.driverVersion = profile.driverVersion
        identity.cudaVersion = profile.cudaVersion
        identity.migEnabled = profile.supportsMIG ? false : nil
        return identity
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : String(value)
    }

    /// FNV-1a: the same on every run and machine (unlike `hashValue`).
    private static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// What the Slurm-like scheduler fixes about a job it places on a node (the rest is drawn there).
struct SimulatedJobPlacement: Sendable {
    var id: String
    var account: String
    var partition: String
    var activeRanks: Int
    var processName: String?
}
