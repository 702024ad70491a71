/// The GPUs one job holds on one node, from `scontrol -d show job`'s per-node GRES detail
/// (`Nodes=gpu01 CPU_IDs=0-7 Mem=1000 GRES=gpu:h100:8(IDX:0-7)`): Slurm's own GPU→job attribution,
/// which works where process attribution can't (no access to the node's processes or cgroups).
public struct SlurmJobAllocation: Sendable, Hashable {
    /// The job's numeric id as text (an array task's own id, as `SLURM_JOB_ID` in the job sees it).
    public var jobID: String
    public var user: String
    /// Empty where Slurm prints `(null)` (no accounting).
    public var account: String
    public var partition: String
    public var node: String
    /// The GPU indices on `node` (Slurm's GRES index, the order of `gres.conf`), ascending.
    public var gpuIndices: [Int]

    public init(
        jobID: String, user: String = "", account: String = "", partition: String = "", node: String,
        gpuIndices: [Int]
    ) {
        self.jobID = jobID
        self.user = user
        self.account = account
        self.partition = partition
        self.node = node
        self.gpuIndices = gpuIndices
    }
}
