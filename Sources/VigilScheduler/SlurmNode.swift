/// One node as `sinfo --json` (22.05), `scontrol show node --json` (24.11) or slurmrestd reports it.
public struct SlurmNode: Sendable, Equatable {
    public var name: String
    public var state: SlurmNodeState
    /// Why an administrator or Slurm drained or downed the node; empty when none.
    public var reason: String
    public var partitions: [String]
    public var cpusTotal: Int64
    public var cpusAllocated: Int64
    public var memoryTotalBytes: Int64
    public var memoryAllocatedBytes: Int64
    public var gpusTotal: Int
    public var gpusAllocated: Int

    public init(
        name: String, state: SlurmNodeState, reason: String = "", partitions: [String] = [], cpusTotal: Int64 = 0,
        cpusAllocated: Int64 = 0, memoryTotalBytes: Int64 = 0, memoryAllocatedBytes: Int64 = 0, gpusTotal: Int = 0,
        gpusAllocated: Int = 0
    ) {
        self.name = name
        self.state = state
        self.reason = reason
        self.partitions = partitions
        self.cpusTotal = cpusTotal
        self.cpusAllocated = cpusAllocated
        self.memoryTotalBytes = memoryTotalBytes
        self.memoryAllocatedBytes = memoryAllocatedBytes
        self.gpusTotal = gpusTotal
        self.gpusAllocated = gpusAllocated
    }
}
