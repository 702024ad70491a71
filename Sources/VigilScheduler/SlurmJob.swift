/// One Slurm job (or array task) as `squeue --json` or `sacct --json` reports it.
public struct SlurmJob: Sendable, Equatable {
    /// How a job ended, the `outcome` label of `slurm_jobs_finished`.
    public enum Outcome: String, Sendable, CaseIterable {
        case completed, failed, timeout, cancelled
        case outOfMemory = "oom"
        case nodeFail = "node_fail"
        case preempted
        case bootFail = "boot_fail"
        case deadline
    }

    /// The job's numeric id (each array task has its own).
    public var jobID: Int64
    /// The array's job id and this task's index, for array tasks.
    public var arrayJobID: Int64?
    public var arrayTaskID: Int64?
    public var name: String
    public var user: String
    public var account: String
    public var partition: String
    public var state: SlurmJobState
    /// Why the job waits or ended (`Resources`, `Priority`, `NonZeroExitCode`, `None`, …).
    public var reason: String
    /// Seconds since the Unix epoch; nil when Slurm reports 0 (not yet).
    public var submitTime: Int64?
    public var startTime: Int64?
    /// When the job ended; nil while it has not (Slurm's projected end of a running job is not kept).
    public var endTime: Int64?
    /// The node list in Slurm's hostlist form (`gpu[01-04]`), empty while pending.
    public var nodes: String
    public var nodeCount: Int64?
    public var cpus: Int64?
    /// GPUs allocated to the job (from the allocated TRES, or the GRES detail when accounting has no GPU TRES).
    public var gpusAllocated: Int?
    /// GPUs requested (from the requested TRES or `tres_per_node` × nodes / `tres_per_job`).
    public var gpusRequested: Int?
    public var exitCode: SlurmExitCode?

    public init(
        jobID: Int64, arrayJobID: Int64? = nil, arrayTaskID: Int64? = nil, name: String = "", user: String = "",
        account: String = "", partition: String = "", state: SlurmJobState, reason: String = "",
        submitTime: Int64? = nil, startTime: Int64? = nil, endTime: Int64? = nil, nodes: String = "",
        nodeCount: Int64? = nil, cpus: Int64? = nil, gpusAllocated: Int? = nil, gpusRequested: Int? = nil,
        exitCode: SlurmExitCode? = nil
    ) {
        self.jobID = jobID
        self.arrayJobID = arrayJobID
        self.arrayTaskID = arrayTaskID
        self.name = name
        self.user = user
        self.account = account
        self.partition = partition
        self.state = state
        self.reason = reason
        self.submitTime = submitTime
        self.startTime = startTime
        self.endTime = endTime
        self.nodes = nodes
        self.nodeCount = nodeCount
        self.cpus = cpus
        self.gpusAllocated = gpusAllocated
        self.gpusRequested = gpusRequested
        self.exitCode = exitCode
    }

    /// The id as Slurm prints it: `3_1` for an array task, else the number.
    public var displayID: String {
        if let arrayJobID, let arrayTaskID, arrayJobID != 0 { return "\(arrayJobID)_\(arrayTaskID)" }
        return String(jobID)
    }

    /// How the job ended, nil while it has not.
    public var outcome: Outcome? {
        switch state.base {
        case .pending, .running, .suspended: nil
        case .completed: .completed
        case .failed: .failed
        case .timeout: .timeout
        case .cancelled: .cancelled
        case .outOfMemory: .outOfMemory
        case .nodeFail: .nodeFail
        case .preempted: .preempted
        case .bootFail: .bootFail
        case .deadline: .deadline
        }
    }

    /// Seconds between submission and start (or `now` for a pending job); nil when unknown.
    public func queueWaitSeconds(now: Int64) -> Int64? {
        guard let submitTime else { return nil }
        if let startTime { return max(0, startTime - submitTime) }
        return state.base == .pending ? max(0, now - submitTime) : nil
    }
}

/// A job's exit: the process's return code or the signal that ended it.
public struct SlurmExitCode: Sendable, Equatable {
    public var returnCode: Int64?
    public var signal: Int64?
    /// False where the source is known to misreport it: 22.05's `sacct --json` writes 0 for a job that
    /// exited non-zero (`sacct` text and `squeue --json` are right there).
    public var isReliable: Bool

    public init(returnCode: Int64?, signal: Int64? = nil, isReliable: Bool = true) {
        self.returnCode = returnCode
        self.signal = signal
        self.isReliable = isReliable
    }

    /// Decodes a raw wait(2) status as 22.05's `squeue --json` writes it (768 = exit 3; 15 = SIGTERM).
    public init(waitStatus: Int64) {
        let signal = waitStatus & 0x7F
        if signal == 0 {
            self.init(returnCode: (waitStatus >> 8) & 0xFF, signal: nil)
        } else {
            self.init(returnCode: nil, signal: signal)
        }
    }
}
