/// A job's state: Slurm's base state plus its flags (`COMPLETING`, `REQUEUED`, …).
///
/// 22.05 writes one string (`"COMPLETED"`, or a flag alone such as `"COMPLETING"`); 24.11 writes an array
/// (`["RUNNING", "COMPLETING"]`). Both read into the same value.
public struct SlurmJobState: Sendable, Hashable {
    public enum Base: String, Sendable, CaseIterable {
        case pending, running, suspended, completed, cancelled, failed, timeout
        case nodeFail = "node_fail"
        case preempted
        case bootFail = "boot_fail"
        case deadline
        case outOfMemory = "out_of_memory"

        /// Whether the job has ended (it will not run again unless requeued).
        public var isFinished: Bool {
            switch self {
            case .pending, .running, .suspended: false
            default: true
            }
        }
    }

    public var base: Base
    /// Flags in upper case as Slurm spells them (`COMPLETING`, `CONFIGURING`, `REQUEUED`, …).
    public var flags: Set<String>

    public init(base: Base, flags: Set<String> = []) {
        self.base = base
        self.flags = flags
    }

    static let baseNames: [String: Base] = [
        "PENDING": .pending, "RUNNING": .running, "SUSPENDED": .suspended, "COMPLETED": .completed,
        "CANCELLED": .cancelled, "FAILED": .failed, "TIMEOUT": .timeout, "NODE_FAIL": .nodeFail,
        "PREEMPTED": .preempted, "BOOT_FAIL": .bootFail, "DEADLINE": .deadline, "OUT_OF_MEMORY": .outOfMemory,
    ]

    /// Flags and the base state a job shows when 22.05 prints only the flag (its `job_state_string`
    /// prints e.g. `COMPLETING` instead of the base state).
    static let flagImpliedBase: [String: Base] = [
        "COMPLETING": .running, "CONFIGURING": .running, "STAGE_OUT": .running, "SIGNALING": .running,
        "RESIZING": .running, "POWER_UP_NODE": .pending, "REQUEUED": .pending, "REQUEUE_HOLD": .pending,
        "REQUEUE_FED": .pending, "RESV_DEL_HOLD": .pending, "SPECIAL_EXIT": .pending, "REVOKED": .cancelled,
        "LAUNCH_FAILED": .failed, "RECONFIG_FAIL": .failed, "UPDATE_DB": .pending, "STOPPED": .suspended,
    ]

    /// Reads the state names of either dialect; an unknown name is an error at `keyPath`.
    public init(names: [String], keyPath: String) throws(SchedulerError) {
        var base: Base?
        var flags: Set<String> = []
        for raw in names {
            let name = raw.uppercased()
            if let known = Self.baseNames[name] {
                base = known
            } else if Self.flagImpliedBase[name] != nil {
                flags.insert(name)
            } else {
                throw SchedulerError(
                    .unknownState,
                    "unknown job state \"\(raw)\"; known: \(Self.baseNames.keys.sorted().joined(separator: ", "))",
                    keyPath: keyPath)
            }
        }
        guard let resolved = base ?? flags.sorted().compactMap({ Self.flagImpliedBase[$0] }).first else {
            throw SchedulerError(.unknownState, "the job has no state", keyPath: keyPath)
        }
        self.init(base: resolved, flags: flags)
    }
}
