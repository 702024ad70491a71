/// A finished job's summary as meta.sqlite keeps it: the columns one lists and filters by, and the
/// whole report as JSON (VigilJobs's `JobReport`, documented in docs/jobs.md), so that reports outlive
/// the TSDB's retention.
public struct JobSummaryRecord: Sendable, Hashable {
    /// Slurm job id.
    public var jobID: String
    public var user: String
    /// Empty when the source had no account.
    public var account: String
    /// Empty when the source had no partition.
    public var partition: String
    /// First and last sample of the job's `vigil_gpu_job_info` series (ms since the epoch).
    public var startMs: Int64
    public var endMs: Int64
    public var gpuCount: Int
    /// Percent; nil when there was no utilisation data.
    public var utilizationAverage: Double?
    public var utilizationMax: Double?
    public var peakMemoryMiB: Double?
    public var energyJoules: Double?
    public var idleGPUs: Int
    /// The full report, UTF-8 JSON.
    public var reportJSON: String
    /// When the summary was written (ms since the epoch).
    public var recordedMs: Int64

    public init(
        jobID: String, user: String, account: String, partition: String, startMs: Int64, endMs: Int64,
        gpuCount: Int, utilizationAverage: Double?, utilizationMax: Double?, peakMemoryMiB: Double?,
        energyJoules: Double?, idleGPUs: Int, reportJSON: String, recordedMs: Int64
    ) {
        self.jobID = jobID
        self.user = user
        self.account = account
        self.partition = partition
        self.startMs = startMs
        self.endMs = endMs
        self.gpuCount = gpuCount
        self.utilizationAverage = utilizationAverage
        self.utilizationMax = utilizationMax
        self.peakMemoryMiB = peakMemoryMiB
        self.energyJoules = energyJoules
        self.idleGPUs = idleGPUs
        self.reportJSON = reportJSON
        self.recordedMs = recordedMs
    }
}
