/// One GPU as DCGM names it: the node's `Hostname`, the `gpu` index and the board's `UUID`.
public struct JobGPU: Sendable, Hashable, Codable, Comparable {
    public var hostname: String
    /// The `gpu` label: the device index on its node, e.g. "3".
    public var gpu: String
    public var uuid: String

    public init(hostname: String, gpu: String, uuid: String) {
        self.hostname = hostname
        self.gpu = gpu
        self.uuid = uuid
    }

    public static func < (lhs: JobGPU, rhs: JobGPU) -> Bool {
        if lhs.hostname != rhs.hostname { return lhs.hostname < rhs.hostname }
        if lhs.gpu != rhs.gpu {
            if let l = Int(lhs.gpu), let r = Int(rhs.gpu) { return l < r }
            return lhs.gpu < rhs.gpu
        }
        return lhs.uuid < rhs.uuid
    }

    /// The node and index together, the key the DCGM join matches on.
    var key: GPUKey { GPUKey(hostname: hostname, gpu: gpu) }
}

/// `(Hostname, gpu)`: what `on(Hostname, gpu)` matches.
struct GPUKey: Hashable {
    var hostname: String
    var gpu: String
}

/// Whether a job still holds its GPUs at the end of the range looked at.
public enum JobState: String, Sendable, Hashable, Codable, CaseIterable {
    /// `vigil_gpu_job_info` still has the job at the end of the range (PromQL's lookback and staleness).
    case running
    /// The job's info series are gone (stale or older than the lookback).
    case finished
}

/// Where a job's GPUs were found.
public enum JobGPUSource: String, Sendable, Hashable, Codable, CaseIterable {
    /// `slurm_job_gpu_info`: Slurm's GRES indices (`scontrol -d show job`, `vigil agent --slurm`), used
    /// for jobs `vigil_gpu_job_info` does not name (no NVML process attribution on the node, or no GPU
    /// agent at all). The GPU is the GRES index on Slurm's node, without a UUID.
    case slurmGRES = "slurm_gres"
}

/// A job as `vigil_gpu_job_info` shows it: who ran it, on which GPUs, from the first to the last sample.
public struct JobAllocation: Sendable, Hashable, Codable {
    /// Slurm job id (the `job_id` label), or for a Kubernetes pod `namespace/pod` (the pod's UID when the
    /// agent could not name it).
    public var id: String
    /// The Slurm user; a pod's namespace.
    public var user: String
    /// The `account` label when the source sets it (Slurm account), else nil.
    public var account: String?
    /// The `partition` label when the source sets it, else nil.
    public var partition: String?
    /// Every GPU the job held at some point of the range, sorted by node and index.
    public var gpus: [JobGPU]
    /// Timestamp of the first info sample in the range (ms since the epoch).
    public var firstSampleMs: Int64
    /// Timestamp of the last info sample in the range.
    public var lastSampleMs: Int64
    public var state: JobState
    /// The pod's UID when the job is a Kubernetes pod (the latest seen, if a pod of that name was recreated);
    /// nil for a Slurm job.
    public var podUID: String?
    /// Where the GPUs come from: nil for `vigil_gpu_job_info` (the GPUs' processes), else the fallback.
    public var gpuSource: JobGPUSource?

    public init(
        id: String, user: String, account: String? = nil, partition: String? = nil, gpus: [JobGPU],
        firstSampleMs: Int64, lastSampleMs: Int64, state: JobState, podUID: String? = nil,
        gpuSource: JobGPUSource? = nil
    ) {
        self.id = id
        self.user = user
        self.account = account
        self.partition = partition
        self.gpus = gpus
        self.firstSampleMs = firstSampleMs
        self.lastSampleMs = lastSampleMs
        self.state = state
        self.podUID = podUID
        self.gpuSource = gpuSource
    }

    /// Whether the job is a Kubernetes pod rather than a Slurm job.
    public var isPod: Bool { podUID != nil }

    /// The nodes the job ran on, sorted.
    public var hostnames: [String] { Array(Set(gpus.map(\.hostname))).sorted() }
}
