/// A Slurm job's user, account and partition: what `vigil_gpu_job_info` carries beside the `job_id` that a
/// GPU process's cgroup gives (cgroups name the job, not its account or partition).
public struct SlurmJobOwner: Sendable, Hashable {
    public var user: String?
    public var account: String?
    public var partition: String?

    public init(user: String? = nil, account: String? = nil, partition: String? = nil) {
        self.user = user
        self.account = account
        self.partition = partition
    }
}

/// Finds the Slurm job with an id (as the cgroup spells it: `job_<id>` without the prefix) in what the
/// agent already knows of Slurm (its Slurm collector's latest job list), never by asking Slurm; nil when
/// the job is unknown (Slurm not collected here, or the job not yet listed). Called once per job and
/// collection.
public typealias SlurmJobLookup = @Sendable (_ jobID: String) -> SlurmJobOwner?
