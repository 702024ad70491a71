import VigilModel
import VigilPromQL
import VigilStorage

/// Whom showback adds GPU-hours up for.
public enum ShowbackGrouping: String, Sendable, Hashable, Codable, CaseIterable {
    case user
    case account
}

/// GPU-hours one user or account held and used over a range.
public struct ShowbackRow: Sendable, Hashable, Codable {
    /// The user or account; empty when the info series has no such label.
    public var key: String
    /// GPUs held × hours, sampled every step.
    public var gpuHoursAllocated: Double
    /// Utilisation-weighted GPU-hours: an hour of one GPU at 50 % counts half.
    public var gpuHoursUsed: Double
    /// Distinct jobs seen in the range.
    public var jobs: Int

    public init(key: String, gpuHoursAllocated: Double, gpuHoursUsed: Double, jobs: Int) {
        self.key = key
        self.gpuHoursAllocated = gpuHoursAllocated
        self.gpuHoursUsed = gpuHoursUsed
        self.jobs = jobs
    }

    /// Used over allocated (0…1), nil when nothing was allocated.
    public var efficiency: Double? { gpuHoursAllocated > 0 ? gpuHoursUsed / gpuHoursAllocated : nil }
}

/// A GPU a job holds that has been idle lately: the fleet view of paid-for, unused GPUs.
public struct IdleAllocatedGPU: Sendable, Hashable, Codable {
    public var gpu: JobGPU
    public var jobID: String
    public var user: String
    /// Average utilisation over the window (percent).
    public var utilization: Double

    public init(gpu: JobGPU, jobID: String, user: String, utilization: Double) {
        self.gpu = gpu
        self.jobID = jobID
        self.user = user
        self.utilization = utilization
    }
}

extension JobAnalyzer {
    /// GPU-hours allocated and used per user or account over `[start, end]`, largest allocation first.
    ///
    /// Two range queries sampled every `step` (default: the range over 1440 points, at least 60 s):
    /// `count by (user)` of the jobs' GPUs, and `sum by (user)` of their utilisation joined on
    /// `(Hostname, gpu)`, divided by 100.
    public func showback(
        start: Int64, end: Int64, by grouping: ShowbackGrouping, stepMs: Int64? = nil, on storage: any Queryable
    ) throws(JobsError) -> [ShowbackRow] {
        guard end >= start else {
            throw JobsError(.badRequest, "the end of the range is before its start", key: "end")
        }
        if let stepMs, stepMs <= 0 { throw JobsError(.badRequest, "the step must be positive", key: "step") }
        let step = stepMs ?? max(60_000, ((end - start) / 1440 + 999) / 1000 * 1000)
        let label = grouping.rawValue
        let info = Self.jobInfo()
        let allocated = try range(
            "count by (\(label)) (max by (Hostname, gpu, job_id, \(label)) \(info))", start: start, end: end,
            step: step, on: storage, key: "showback")
        let used = try range(
            "sum by (\(label)) (DCGM_FI_DEV_GPU_UTIL * on(Hostname, gpu) group_left(\(label)) "
                + "max by (Hostname, gpu, \(label)) \(info)) / 100", start: start, end: end, step: step,
            on: storage, key: "showback")
        let jobs = try vector(
            "count by (\(label), job_id) \(Self.jobInfo { "last_over_time(\($0)[\(end - start + 1)ms])" })", at: end,
            on: storage,
            key: "showback")
        var rows: [String: ShowbackRow] = [:]
        func hours(_ samples: [Sample]) -> Double {
            samples.reduce(0) { $0 + ($1.value.isFinite ? $1.value : 0) } * Double(step) / 3_600_000
        }
        for series in allocated {
            let key = series.labels[label] ?? ""
            rows[key, default: ShowbackRow(key: key, gpuHoursAllocated: 0, gpuHoursUsed: 0, jobs: 0)]
                .gpuHoursAllocated += hours(series.samples)
        }
        for series in used {
            let key = series.labels[label] ?? ""
            rows[key, default: ShowbackRow(key: key, gpuHoursAllocated: 0, gpuHoursUsed: 0, jobs: 0)]
                .gpuHoursUsed += hours(series.samples)
        }
        for sample in jobs {
            let key = sample.labels[label] ?? ""
            rows[key, default: ShowbackRow(key: key, gpuHoursAllocated: 0, gpuHoursUsed: 0, jobs: 0)].jobs += 1
        }
        return rows.values.sorted { ($0.gpuHoursAllocated, $1.key) > ($1.gpuHoursAllocated, $0.key) }
    }

    /// GPUs that a job holds at `time` and whose utilisation averaged below the idle threshold over the
    /// `windowMs` before it, sorted by node and index.
    public func idleAllocatedGPUs(at time: Int64, windowMs: Int64 = 1_800_000, on storage: any Queryable)
        throws(JobsError) -> [IdleAllocatedGPU]
    {
        let query =
            "avg_over_time(DCGM_FI_DEV_GPU_UTIL[\(max(1, windowMs))ms]) * on(Hostname, gpu) group_left(job_id, user) "
            + "max by (Hostname, gpu, job_id, user) \(Self.jobInfo()) "
            + "< \(thresholds.idleUtilizationPercent)"
        return try vector(query, at: time, on: storage, key: "idle GPUs").map { sample in
            IdleAllocatedGPU(
                gpu: JobGPU(
                    hostname: sample.labels["Hostname"] ?? "", gpu: sample.labels["gpu"] ?? "",
                    uuid: sample.labels["UUID"] ?? ""),
                jobID: sample.labels["job_id"] ?? "", user: sample.labels["user"] ?? "", utilization: sample.value)
        }.sorted { $0.gpu < $1.gpu }
    }
}
