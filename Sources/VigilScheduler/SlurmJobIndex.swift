/// The jobs of one Slurm snapshot by their numeric id (an array task by its own id, as its cgroup names
/// it): built once per poll, so looking a job up costs no Slurm call.
public struct SlurmJobIndex: Sendable, Equatable {
    private var jobs: [Int64: SlurmJob]

    /// Indexes `jobs`; where an id repeats (squeue's and sacct's rows of one job) the first row wins.
    public init(_ jobs: [SlurmJob] = []) {
        self.jobs = [:]
        self.jobs.reserveCapacity(jobs.count)
        for job in jobs where self.jobs[job.jobID] == nil { self.jobs[job.jobID] = job }
    }

    public var count: Int { jobs.count }

    /// The job with `id`, nil when the snapshot has none.
    public subscript(id id: Int64) -> SlurmJob? { jobs[id] }

    /// The job whose id is `id` in decimal (as a cgroup's `job_<id>` spells it); nil for other text.
    public subscript(id id: String) -> SlurmJob? { Int64(id).flatMap { jobs[$0] } }
}

/// Something that keeps the latest Slurm job list of a collector (``SlurmPoller`` for `--slurm`, the
/// slurmrestd collector for `--slurm-restd`): the GPU collection beside it names a GPU's job's user, account
/// and partition from it, without a Slurm call per scrape.
public protocol SlurmJobDirectory: Sendable {
    /// The job with `id` in the last good poll; nil before the first one or when it listed no such job.
    func job(id: String) -> SlurmJob?
}
