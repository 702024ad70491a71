/// What one GPU did for a job over the job's lifetime.
public struct GPUUsage: Sendable, Hashable, Codable {
    public var gpu: JobGPU
    /// Mean of `DCGM_FI_DEV_GPU_UTIL` (percent) over the job's steps; nil without data.
    public var utilizationAverage: Double?
    public var utilizationMax: Double?
    /// Highest `DCGM_FI_DEV_FB_USED` (MiB).
    public var peakMemoryMiB: Double?
    /// The board's memory, `FB_USED + FB_FREE` (MiB).
    public var memoryTotalMiB: Double?
    /// Energy while the job held the GPU (joules), from the energy counter or integrated power.
    public var energyJoules: Double?
    /// Average utilisation below ``JobAdviceThresholds/idleUtilizationPercent``.
    public var idle: Bool

    public init(
        gpu: JobGPU, utilizationAverage: Double?, utilizationMax: Double?, peakMemoryMiB: Double?,
        memoryTotalMiB: Double?, energyJoules: Double?, idle: Bool
    ) {
        self.gpu = gpu
        self.utilizationAverage = utilizationAverage
        self.utilizationMax = utilizationMax
        self.peakMemoryMiB = peakMemoryMiB
        self.memoryTotalMiB = memoryTotalMiB
        self.energyJoules = energyJoules
        self.idle = idle
    }
}

/// What one node did for a job: its GPUs together and, when node_exporter metrics exist, its CPUs.
public struct NodeUsage: Sendable, Hashable, Codable {
    public var hostname: String
    public var gpuCount: Int
    public var utilizationAverage: Double?
    public var peakMemoryMiB: Double?
    public var energyJoules: Double?
    /// Busy CPU time over all CPU time of the node (0…1), from `node_cpu_seconds_total`; assumes the job
    /// had the node to itself.
    public var cpuEfficiency: Double?
    /// Share of CPU time in iowait (0…1).
    public var iowait: Double?

    public init(
        hostname: String, gpuCount: Int, utilizationAverage: Double?, peakMemoryMiB: Double?, energyJoules: Double?,
        cpuEfficiency: Double?, iowait: Double?
    ) {
        self.hostname = hostname
        self.gpuCount = gpuCount
        self.utilizationAverage = utilizationAverage
        self.peakMemoryMiB = peakMemoryMiB
        self.energyJoules = energyJoules
        self.cpuEfficiency = cpuEfficiency
        self.iowait = iowait
    }
}

/// One piece of plain-language advice, with a stable code for scripts (`idle_gpu`, `low_utilization`,
/// `data_loading`, `cpu_bound`, `low_memory`, `unused_gpus`).
public struct JobAdvice: Sendable, Hashable, Codable {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// A job's efficiency over its lifetime: totals, per node, per GPU and advice. What `vigil jobs report`
/// prints, what the API returns and what meta.sqlite keeps once the job ends.
public struct JobReport: Sendable, Hashable, Codable {
    public var job: JobAllocation
    /// Mean utilisation over all the job's GPUs and steps (percent).
    public var utilizationAverage: Double?
    /// Highest utilisation any GPU reached.
    public var utilizationMax: Double?
    /// Highest memory use of any one GPU (MiB).
    public var peakMemoryMiB: Double?
    /// That GPU's memory size (MiB), for the share.
    public var memoryTotalMiB: Double?
    /// All GPUs together (joules).
    public var energyJoules: Double?
    /// Over the job's nodes together (0…1); see ``NodeUsage/cpuEfficiency``.
    public var cpuEfficiency: Double?
    public var iowait: Double?
    public var nodes: [NodeUsage]
    public var gpus: [GPUUsage]
    public var advice: [JobAdvice]
    /// Caveats about how the figures were obtained (whole-node CPU figures, a lifetime cut by the range).
    public var notes: [String]

    public init(
        job: JobAllocation, utilizationAverage: Double?, utilizationMax: Double?, peakMemoryMiB: Double?,
        memoryTotalMiB: Double?, energyJoules: Double?, cpuEfficiency: Double?, iowait: Double?, nodes: [NodeUsage],
        gpus: [GPUUsage], advice: [JobAdvice], notes: [String]
    ) {
        self.job = job
        self.utilizationAverage = utilizationAverage
        self.utilizationMax = utilizationMax
        self.peakMemoryMiB = peakMemoryMiB
        self.memoryTotalMiB = memoryTotalMiB
        self.energyJoules = energyJoules
        self.cpuEfficiency = cpuEfficiency
        self.iowait = iowait
        self.nodes = nodes
        self.gpus = gpus
        self.advice = advice
        self.notes = notes
    }

    public var gpuCount: Int { gpus.count }
    public var idleGPUCount: Int { gpus.filter(\.idle).count }
    /// From the first to the last info sample (ms).
    public var durationMs: Int64 { job.lastSampleMs - job.firstSampleMs }
    public var energyKilowattHours: Double? { energyJoules.map { $0 / 3_600_000 } }
    /// GPUs × hours held.
    public var gpuHours: Double { Double(gpuCount) * Double(durationMs) / 3_600_000 }
}
