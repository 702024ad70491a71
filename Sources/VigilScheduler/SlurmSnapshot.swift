/// What one poll of Slurm returned: jobs (`squeue --states=all` or `sacct`), nodes and sdiag's statistics.
public struct SlurmSnapshot: Sendable, Equatable {
    public var jobs: [SlurmJob]
    public var nodes: [SlurmNode]
    public var scheduler: SlurmSchedulerStats?
    /// When the snapshot was taken (seconds since the Unix epoch): pending jobs' wait is measured to it.
    public var time: Int64

    public init(jobs: [SlurmJob] = [], nodes: [SlurmNode] = [], scheduler: SlurmSchedulerStats? = nil, time: Int64) {
        self.jobs = jobs
        self.nodes = nodes
        self.scheduler = scheduler
        self.time = time
    }
}
