/// The Slurm-like controller of a ``SimulatedFleet`` that runs with scheduling `.slurm`: users of several
/// accounts submit jobs to partitions (`gpu`, `debug`, `inference`); jobs wait in a queue with Slurm's
/// pending reasons (`Resources`, `Priority`, `QOSMaxGRESPerUser`), start on free GPUs of a node of their
/// partition and drive those GPUs, and end as completed, failed, timeout, cancelled, out of memory or
/// node failure.
///
/// Planted for the views and the rule pack: some jobs hold eight GPUs and use two, notebooks hold GPUs
/// and sit idle for hours, one node fails every job it gets (``failingNode``), one is drained with a
/// reason (``drainedNode``). Deterministic from the seed and the fleet's steps; a scheduling pass runs
/// every ``schedulingIntervalMs`` and costs time in the queue's length, not the fleet's size squared.
public struct SimulatedScheduler: Sendable {
    /// Between scheduling passes (slurmctld's main scheduler runs about this often on a busy cluster).
    public static let schedulingIntervalMs: Int64 = 30_000
    /// Between backfill cycles.
    public static let backfillIntervalMs: Int64 = 60_000
    /// How long finished jobs stay listed (as `sacct --starttime now-1hour` would list them).
    public static let finishedRetentionMs: Int64 = 3_600_000
    /// The reason the drained node shows.
    public static let drainReason = "PSU 2 failed, vendor ticket 4471"

    public let partitions: [Partition]
    /// The node that fails every job placed on it, if the fleet has room for one.
    public let failingNode: Int?
    /// The node an administrator drained, if the fleet has room for one.
    public let drainedNode: Int?
    /// GPUs one user's running jobs may hold together (the QOS's `MaxTRESPerUser=gres/gpu`).
    public let maxGPUsPerUser: Int
    /// Jobs waiting, in submission order.
    public private(set) var pending: [Job] = []
    public private(set) var running: [Job] = []
    /// Jobs that ended in the last ``finishedRetentionMs``, in the order they ended.
    public private(set) var finished: [Job] = []
    public private(set) var statistics: Statistics

    let users: [User]
    let gpusPerNode: Int
    let maxQueueLength: Int
    /// Mean time between submissions at the daily average rate.
    let meanArrivalGapMs: Double
    var random: SimulationRandom
    var nextArrivalMs: Int64
    var nextScheduleMs: Int64
    var nextBackfillMs: Int64
    /// The earliest end of a running job (skips the scan of running jobs on most steps).
    var nextEndMs: Int64 = .max

    init(nodes: Int, gpusPerNode: Int, seed: UInt64, startMs: Int64) {
        let inferenceCount = nodes >= 4 ? max(1, nodes / 8) : 0
        let general = nodes - inferenceCount
        var partitions = [
            Partition(name: "gpu", nodes: Array(0..<general), maxTimeMs: 86_400_000, priorityTier: 1),
            Partition(name: "debug", nodes: Array(0..<min(2, general)), maxTimeMs: 1_800_000, priorityTier: 2),
        ]
        if inferenceCount > 0 {
            partitions.append(
                Partition(name: "inference", nodes: Array(general..<nodes), maxTimeMs: 86_400_000, priorityTier: 1))
        }
        self.partitions = partitions
        failingNode = general >= 9 ? 7 : (general >= 4 ? general - 1 : nil)
        drainedNode = general >= 9 ? 8 : (general >= 3 ? general - 2 : nil)
        maxGPUsPerUser = max(16, nodes * gpusPerNode / 4)
        users = Self.users(nodes: nodes)
        self.gpusPerNode = gpusPerNode
        maxQueueLength = 20 + 3 * nodes
        // A job asks for about 30 000 GPU-seconds on average: submit somewhat more than the GPUs can run
        // (one node is drained, one fails what it gets), so that the queue fills in the working day and
        // shrinks at night.
        meanArrivalGapMs = 22_000_000.0 / Double(nodes * gpusPerNode)
        random = SimulationRandom(seed: seed, stream: 0x534C_524D)  // "SLRM"
        statistics = Statistics(sinceMs: startMs)
        nextArrivalMs = startMs
        nextScheduleMs = startMs
        nextBackfillMs = startMs
        nextArrivalMs = startMs + arrivalGap(atMs: startMs)
    }

    /// Every job the controller lists now: pending, running, then finished.
    public var jobs: [Job] { pending + running + finished }

    // MARK: Start

    /// Fills the fleet as a busy cluster would be at the start: jobs running for a while on most GPUs
    /// (one that holds eight GPUs and uses two, one idle notebook), a queue submitted over the last hour.
    mutating func populate(nodes: inout [SimulatedNode], nowMs: Int64, nextJobID: inout Int) {
        var planted: [(size: Int, active: Int, name: String, process: String?)] = [
            (gpusPerNode, min(2, gpusPerNode), "llama-pretrain", nil),
            (min(2, gpusPerNode), 0, "jupyter", "jupyter-lab"),
        ]
        for index in nodes.indices where index != drainedNode && index != failingNode {
            let home = partitions.last { $0.nodes.contains(index) && $0.name != "debug" } ?? partitions[0]
            while true {
                let free = nodes[index].gpus.indices.filter { nodes[index].gpus[$0].isSchedulable }
                guard !free.isEmpty else { break }
                let submitMs = nowMs - Int64(random.uniform(600_000...14_400_000))
                var job = drawJob(id: nextJobID, submitMs: submitMs, gpusPerNode: gpusPerNode, in: home.name)
                if home.name == "gpu", let plant = planted.first, plant.size <= free.count {
                    job.gpus = plant.size
                    job.activeGPUs = plant.active
                    job.name = plant.name
                    job.processName = plant.process
                    job.plannedRunMs = 20 * 3_600_000
                    job.timeLimitMs = 86_400_000
                    planted.removeFirst()
                } else if job.gpus > free.count || !random.chance(0.85) {
                    break
                }
                nextJobID += 1
                statistics.jobsSubmitted += 1
                statistics.submissionsByUser[job.user, default: 0] += 1
                start(
                    &job, on: index, gpus: Array(free.prefix(job.gpus)), startMs: nowMs, nodes: &nodes,
                    elapsedFraction: random.uniform(0.05...0.8))
            }
        }
        for _ in 0..<(nodes.count * 3 / 2 + 2) {
            let submitMs = nowMs - Int64(random.uniform(0...3_600_000))
            submit(drawJob(id: nextJobID, submitMs: submitMs, gpusPerNode: gpusPerNode))
            nextJobID += 1
        }
        pending.sort { ($0.submitMs, $0.id) < ($1.submitMs, $1.id) }
        schedule(nodes: &nodes, nowMs: nowMs)
    }

    // MARK: Stepping

    /// Advances the controller to `nowMs`, after the nodes have stepped there (and removed the jobs that
    /// ended): records ends, takes submissions and cancellations, and runs a scheduling pass when due.
    mutating func step(nowMs: Int64, nodes: inout [SimulatedNode], nextJobID: inout Int) {
        if nowMs >= nextEndMs { retireEnded(nowMs: nowMs) }
        while nextArrivalMs <= nowMs {
            submit(drawJob(id: nextJobID, submitMs: nextArrivalMs, gpusPerNode: gpusPerNode))
            nextJobID += 1
            nextArrivalMs += arrivalGap(atMs: nextArrivalMs)
        }
        guard nowMs >= nextScheduleMs else { return }
        nextScheduleMs = nowMs + Self.schedulingIntervalMs
        cancelWaiting(nowMs: nowMs)
        retireVanished(nodes: nodes, nowMs: nowMs)
        if let first = finished.first, first.endMs ?? nowMs < nowMs - Self.finishedRetentionMs {
            finished.removeAll { ($0.endMs ?? nowMs) < nowMs - Self.finishedRetentionMs }
        }
        schedule(nodes: &nodes, nowMs: nowMs)
        statistics.infoRequests += 2
    }

    /// Time to the next submission: exponential, busier in the (UTC) working day.
    mutating func arrivalGap(atMs nowMs: Int64) -> Int64 {
        let hour = Double(nowMs % 86_400_000) / 3_600_000
        let day = 0.5 + 0.5 * SimulationMath.cos(2 * SimulationMath.pi * (hour - 14) / 24)
        let rate = 0.7 + 0.6 * day
        return max(1000, Int64(random.exponential(mean: meanArrivalGapMs / rate)))
    }

    private mutating func submit(_ job: Job) {
        guard pending.count < maxQueueLength else { return }  // users give up on a full queue
        pending.append(job)
        statistics.jobsSubmitted += 1
        statistics.submissionsByUser[job.user, default: 0] += 1
    }

    private mutating func retireEnded(nowMs: Int64) {
        var index = 0
        nextEndMs = .max
        while index < running.count {
            let end = running[index].endMs ?? .max
            if end <= nowMs {
                var job = running.remove(at: index)
                job.state = .finished(job.plannedOutcome)
                switch job.plannedOutcome {
                case .completed, .nodeFail: job.exitCode = 0
                case .failed: job.exitCode = 1
                case .timeout, .cancelled: (job.exitCode, job.signal) = (0, 15)
                case .outOfMemory: (job.exitCode, job.signal) = (0, 9)
                }
                finish(job)
            } else {
                nextEndMs = min(nextEndMs, end)
                index += 1
            }
        }
    }

    /// Running jobs whose node no longer runs them (a GPU fault or `endJob` ended them) end now.
    private mutating func retireVanished(nodes: [SimulatedNode], nowMs: Int64) {
        var index = 0
        while index < running.count {
            let job = running[index]
            let id = String(job.id)
            if let node = job.node, nodes[node].jobs.contains(where: { $0.id == id }) {
                index += 1
                continue
            }
            var ended = running.remove(at: index)
            let faulted =
                ended.node.map { node in
                    ended.gpuIndexes.contains {
                        !nodes[node].gpus[$0].isSchedulable && nodes[node].gpus[$0].jobSlot == nil
                    }
                } ?? false
            ended.state = .finished(faulted ? .nodeFail : .cancelled)
            ended.endMs = nowMs
            ended.exitCode = 0
            ended.signal = faulted ? nil : 15
            finish(ended)
        }
    }

    private mutating func cancelWaiting(nowMs: Int64) {
        guard pending.contains(where: { ($0.cancelIfPendingAtMs ?? .max) <= nowMs }) else { return }
        var kept: [Job] = []
        for var job in pending {
            if let cancel = job.cancelIfPendingAtMs, cancel <= nowMs {
                job.state = .finished(.cancelled)
                job.endMs = cancel
                job.exitCode = 0
                job.signal = 15
                statistics.jobsCanceled += 1
                finished.append(job)
            } else {
                kept.append(job)
            }
        }
        pending = kept
        statistics.jobsPending = pending.count
    }

    private mutating func finish(_ job: Job) {
        switch job.outcome {
        case .completed: statistics.jobsCompleted += 1
        case .cancelled: statistics.jobsCanceled += 1
        case .failed, .timeout, .outOfMemory, .nodeFail: statistics.jobsFailed += 1
        case nil: break
        }
        statistics.jobsRunning = running.count
        finished.append(job)
    }

    // MARK: Scheduling

    /// One pass of the main scheduler with backfill: by partition priority tier, then submission order; a
    /// job starts on the node of its partition with the fewest free GPUs that fit it; the first job of a
    /// partition that fits nowhere waits for `Resources`, later ones that do not fit for `Priority`.
    mutating func schedule(nodes: inout [SimulatedNode], nowMs: Int64) {
        var free = nodes.map { node in node.gpus.reduce(0) { $0 + ($1.isSchedulable ? 1 : 0) } }
        if let drainedNode { free[drainedNode] = 0 }
        var userGPUs: [String: Int] = [:]
        for job in running { userGPUs[job.user, default: 0] += job.gpus }
        var blocked: Set<String> = []
        var maxFree: [String: Int] = [:]
        for partition in partitions { maxFree[partition.name] = partition.nodes.map { free[$0] }.max() ?? 0 }
        let order = pending.indices.sorted { lhs, rhs in
            let left = partition(named: pending[lhs].partition)?.priorityTier ?? 0
            let right = partition(named: pending[rhs].partition)?.priorityTier ?? 0
            return left != right ? left > right : lhs < rhs
        }
        var started: Set<Int> = []
        var backfilled = 0
        for index in order {
            let job = pending[index]
            guard let partition = partition(named: job.partition) else { continue }
            if userGPUs[job.user, default: 0] + job.gpus > maxGPUsPerUser {
                pending[index].state = .pending(.qosMaxGRESPerUser)
                continue
            }
            var chosen: Int?
            if job.gpus <= maxFree[partition.name] ?? 0 {
                for node in partition.nodes where free[node] >= job.gpus {
                    if chosen.map({ free[node] < free[$0] }) ?? true { chosen = node }
                    if free[node] == job.gpus { break }
                }
            }
            guard let node = chosen else {
                pending[index].state = .pending(blocked.contains(partition.name) ? .priority : .resources)
                blocked.insert(partition.name)
                continue
            }
            if blocked.contains(partition.name) { backfilled += 1 }
            let gpus = nodes[node].gpus.indices.filter { nodes[node].gpus[$0].isSchedulable }.prefix(job.gpus)
            var placed = job
            start(&placed, on: node, gpus: Array(gpus), startMs: nowMs, nodes: &nodes)
            started.insert(index)
            free[node] -= job.gpus
            userGPUs[job.user, default: 0] += job.gpus
            for other in partitions where other.nodes.contains(node) {
                maxFree[other.name] = other.nodes.map { free[$0] }.max() ?? 0
            }
        }
        if !started.isEmpty {
            pending = pending.enumerated().filter { !started.contains($0.offset) }.map(\.element)
        }
        recordCycle(depth: order.count, started: started.count, backfilled: backfilled, nowMs: nowMs)
    }

    /// Places `job` on `gpus` of `node` and draws how it ends; it starts at `nowMs`, or with
    /// `elapsedFraction` that share of its run already behind it.
    private mutating func start(
        _ job: inout Job, on node: Int, gpus: [Int], startMs nowMs: Int64, nodes: inout [SimulatedNode],
        elapsedFraction: Double? = nil
    ) {
        let ending = drawEnding(for: job, node: node)
        let startMs = nowMs - Int64((elapsedFraction ?? 0) * Double(ending.runMs))
        job.submitMs = min(job.submitMs, startMs)
        job.state = .running
        job.startMs = startMs
        job.endMs = startMs + max(1000, ending.runMs)
        job.node = node
        job.nodeName = nodes[node].name
        job.gpuIndexes = gpus
        job.exitCode = nil
        job.signal = nil
        var dummyID = 0
        nodes[node].start(
            kind: job.kind, gpus: gpus, startMs: startMs, durationMs: max(1000, ending.runMs), user: job.user,
            nextJobID: &dummyID,
            placement: SimulatedJobPlacement(
                id: String(job.id), account: job.account, partition: job.partition, activeRanks: job.activeGPUs,
                processName: job.processName))
        job.plannedOutcome = ending.outcome
        running.append(job)
        nextEndMs = min(nextEndMs, job.endMs ?? .max)
        statistics.jobsStarted += 1
        statistics.jobsRunning = running.count
    }

    private mutating func recordCycle(depth: Int, started: Int, backfilled: Int, nowMs: Int64) {
        let micros = 90 + 14 * depth + 3 * running.count / 8 + 40 * started + random.integer(0...60)
        statistics.scheduleCycles += 1
        statistics.scheduleCycleLastMicroseconds = micros
        statistics.scheduleCycleMaxMicroseconds = max(statistics.scheduleCycleMaxMicroseconds, micros)
        statistics.scheduleCycleTotalMicroseconds += micros
        statistics.scheduleQueueLength = pending.count + started
        statistics.scheduleDepthTotal += depth
        statistics.backfilledJobs += backfilled
        statistics.jobsPending = pending.count
        statistics.jobsRunning = running.count
        statistics.agentQueueSize = random.integer(0...3) + started
        if nowMs >= nextBackfillMs {
            nextBackfillMs = nowMs + Self.backfillIntervalMs
            let backfill = 400 + 35 * depth + random.integer(0...200)
            statistics.backfillCycles += 1
            statistics.backfillCycleLastMicroseconds = backfill
            statistics.backfillCycleMaxMicroseconds = max(statistics.backfillCycleMaxMicroseconds, backfill)
            statistics.backfillCycleTotalMicroseconds += backfill
            statistics.backfillLastDepth = depth
            statistics.backfillLastCycleMs = nowMs
        }
    }
}
