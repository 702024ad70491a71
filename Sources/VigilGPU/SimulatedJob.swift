/// A Slurm-style job running on some GPUs of one simulated node.
///
/// Every GPU of the job runs one process (a rank) with pid `firstPID + rank`; all ranks of a
/// training job move together (warm-up, checkpoints, data-loading stalls), as synchronous data
/// parallel training does. Two values are equal when they describe the same job run (id, owner,
/// placement, times), whatever moment of it they were taken at.
public struct SimulatedJob: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Utilisation 90–99 % with checkpoint and data-loading dips; fills most of memory; heavy
        /// NVLink traffic when it spans several GPUs.
        case training
        /// Load that follows the time of day with bursts; less memory; light NVLink traffic.
        case inference
    }

    /// Slurm job id, e.g. "4187235".
    public var id: String
    public var kind: Kind
    public var user: String
    /// The Slurm account (bank) the job is charged to; empty outside the Slurm-like stream.
    public var account: String = ""
    /// The Slurm partition the job runs in; empty outside the Slurm-like stream.
    public var partition: String = ""
    /// How many ranks do work: ranks at or past it hold their GPU with a CUDA context and do nothing
    /// (a job that asked for 8 GPUs and uses 2, an idle notebook). Equal to the GPU count for most jobs.
    public var activeRanks: Int = .max
    public var processName: String
    /// GPU indexes on the node, ascending; rank r runs on `gpus[r]`.
    public var gpus: [Int]
    public var firstPID: Int
    public var startMs: Int64
    /// When Slurm ends it (completion or time limit).
    public var endMs: Int64

    // The job's personality, drawn when it starts.
    /// Share of usable memory each rank allocates once warmed up.
    var memoryFraction: Double
    /// Power drawn at full activity relative to the board's range (above 1: hits the power cap).
    var powerIntensity: Double
    var tensorShare: Double
    var dramShare: Double
    /// Model load / data loader start-up before steady state.
    var warmupMs: Int64
    var checkpointPeriodMs: Int64
    var checkpointDurationMs: Int64
    /// Inference: load peaks at this hour of the day (UTC).
    var peakHour: Double
    var baseLoad: Double
    var loadSwing: Double
    /// Per-link NVLink use in steady state (share of one direction's bandwidth).
    var nvlinkShare: Double

    // Moment-to-moment state shared by all ranks.
    var stallRemainingMs: Int64 = 0
    var stallLevel: Double = 1
    var burst: Double = 0

    public static func == (lhs: SimulatedJob, rhs: SimulatedJob) -> Bool {
        lhs.id == rhs.id && lhs.kind == rhs.kind && lhs.user == rhs.user && lhs.processName == rhs.processName
            && lhs.gpus == rhs.gpus && lhs.firstPID == rhs.firstPID && lhs.startMs == rhs.startMs
            && lhs.endMs == rhs.endMs && lhs.account == rhs.account && lhs.partition == rhs.partition
            && lhs.activeRanks == rhs.activeRanks
    }
}

/// What a job asks of its GPUs during one step, common to all its ranks.
struct SimulatedJobDemand: Sendable {
    /// Target utilisation 0…1 before per-GPU noise.
    var activity: Double
    var memoryFraction: Double
    var powerIntensity: Double
    var tensorShare: Double
    var dramShare: Double
    var nvlinkShare: Double
    var pcieRxBytesPerSecond: Double
    var pcieTxBytesPerSecond: Double
}

extension SimulatedJob {
    /// What a rank that holds its GPU and does nothing asks of it: a CUDA context (about 500 MiB) and
    /// no work (the activity sits below zero so that the utilisation noise leaves it at 0–1 %, as NVML
    /// reports an idle GPU with a context).
    static let idleRankDemand = SimulatedJobDemand(
        activity: -0.04, memoryFraction: 0.006, powerIntensity: 0, tensorShare: 0, dramShare: 0, nvlinkShare: 0,
        pcieRxBytesPerSecond: 0, pcieTxBytesPerSecond: 0)

    /// Whether rank `rank` does work (see ``activeRanks``).
    func isActive(rank: Int) -> Bool { rank < activeRanks }

    /// Draws a job's personality.
    init(
        id: String, kind: Kind, user: String, gpus: [Int], firstPID: Int, startMs: Int64, durationMs: Int64,
        random: inout SimulationRandom
    ) {
        self.id = id
        self.kind = kind
        self.user = user
        self.gpus = gpus
        self.firstPID = firstPID
        self.startMs = startMs
        self.endMs = startMs + durationMs
        let multiGPU = gpus.count > 1
        switch kind {
        case .training:
            processName = "python"
            memoryFraction = random.uniform(0.80...0.97)
            powerIntensity = random.uniform(0.80...1.08)
            tensorShare = random.uniform(0.35...0.60)
            dramShare = random.uniform(0.30...0.50)
            warmupMs = Int64(random.uniform(45...150) * 1000)
            checkpointPeriodMs = Int64(random.uniform(15...45) * 60_000)
            checkpointDurationMs = Int64(random.uniform(30...90) * 1000)
            peakHour = 0
            baseLoad = 1
            loadSwing = 0
            nvlinkShare = multiGPU ? random.uniform(0.30...0.60) : 0
        case .inference:
            processName = random.chance(0.7) ? "python3" : "tritonserver"
            memoryFraction = random.uniform(0.35...0.90)
            powerIntensity = random.uniform(0.50...0.75)
            tensorShare = random.uniform(0.12...0.30)
            dramShare = random.uniform(0.50...0.75)
            warmupMs = Int64(random.uniform(20...60) * 1000)
            checkpointPeriodMs = 0
            checkpointDurationMs = 0
            peakHour = random.uniform(13...19)
            baseLoad = random.uniform(0.35...0.55)
            loadSwing = random.uniform(0.20...0.40)
            nvlinkShare = multiGPU ? random.uniform(0.04...0.12) : 0
        }
    }

    /// Advances the job's shared state by `dtMs` and says what its GPUs do now.
    mutating func demand(atMs nowMs: Int64, dtMs: Int64, random: inout SimulationRandom) -> SimulatedJobDemand {
        let elapsed = nowMs - startMs
        let seconds = Double(dtMs) / 1000
        if elapsed < warmupMs {
            // Loading weights or starting data loaders: memory fills, the GPU mostly waits.
            let progress = max(0, Double(elapsed)) / Double(warmupMs)
            return SimulatedJobDemand(
                activity: 0.04 + 0.25 * progress, memoryFraction: memoryFraction * (0.15 + 0.85 * progress),
                powerIntensity: powerIntensity, tensorShare: tensorShare * 0.3, dramShare: dramShare,
                nvlinkShare: nvlinkShare * 0.05, pcieRxBytesPerSecond: random.uniform(8e9...16e9),
                pcieTxBytesPerSecond: random.uniform(0.2e9...0.6e9))
        }
        switch kind {
        case .training:
            let sinceWarmup = elapsed - warmupMs
            if sinceWarmup % checkpointPeriodMs < checkpointDurationMs, sinceWarmup >= checkpointPeriodMs {
                // Checkpoint: state copied to the host, the training loop paused.
                return SimulatedJobDemand(
                    activity: random.uniform(0.03...0.10), memoryFraction: memoryFraction,
                    powerIntensity: powerIntensity, tensorShare: 0.05, dramShare: dramShare,
                    nvlinkShare: nvlinkShare * 0.02, pcieRxBytesPerSecond: random.uniform(0.1e9...0.3e9),
                    pcieTxBytesPerSecond: random.uniform(10e9...18e9))
            }
            if stallRemainingMs > 0 {
                stallRemainingMs = max(0, stallRemainingMs - dtMs)
            } else if random.chance(min(1, 0.006 * seconds)) {
                // The data loader falls behind for a few seconds.
                stallRemainingMs = Int64(random.uniform(2...8) * 1000)
                stallLevel = random.uniform(0.35...0.65)
            }
            let level = stallRemainingMs > 0 ? stallLevel : 1
            return SimulatedJobDemand(
                activity: 0.965 * level, memoryFraction: memoryFraction, powerIntensity: powerIntensity,
                tensorShare: tensorShare, dramShare: dramShare, nvlinkShare: nvlinkShare * level,
                pcieRxBytesPerSecond: random.uniform(1e9...3e9) * level,
                pcieTxBytesPerSecond: random.uniform(0.1e9...0.4e9))
        case .inference:
            let hour = Double(nowMs % 86_400_000) / 3_600_000
            let diurnal = SimulationMath.cos(2 * SimulationMath.pi * (hour - peakHour) / 24)
            // Bursts: a mean-reverting walk with a time constant of about a minute.
            let decay = min(1, seconds / 60)
            burst += (0 - burst) * decay + random.gaussian() * 0.015 * min(1, seconds).squareRoot()
            let load = min(1, max(0.02, baseLoad + loadSwing * diurnal + burst))
            return SimulatedJobDemand(
                activity: 0.10 + 0.85 * load, memoryFraction: memoryFraction * (0.96 + 0.04 * load),
                powerIntensity: powerIntensity, tensorShare: tensorShare, dramShare: dramShare,
                nvlinkShare: nvlinkShare * load, pcieRxBytesPerSecond: 0.2e9 * load + random.uniform(0...0.05e9),
                pcieTxBytesPerSecond: 0.15e9 * load + random.uniform(0...0.05e9))
        }
    }
}
