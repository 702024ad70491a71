extension SimulatedScheduler {
    /// How a job ended, as Slurm's base states name them.
    public enum Outcome: String, Sendable, CaseIterable {
        case completed, failed, timeout, cancelled
        case outOfMemory = "out_of_memory"
        case nodeFail = "node_fail"

        /// The reason Slurm shows for a job that ended this way.
        public var reason: String {
            switch self {
            case .completed, .cancelled: "None"
            case .failed: "NonZeroExitCode"
            case .timeout: "TimeLimit"
            case .outOfMemory: "OutOfMemory"
            case .nodeFail: "NodeDown"
            }
        }
    }

    /// Why a pending job waits, as squeue's `REASON` column names it.
    public enum PendingReason: String, Sendable, CaseIterable {
        /// The first job of its partition that no node has room for.
        case resources = "Resources"
        /// Waiting behind a higher-priority job of its partition.
        case priority = "Priority"
        /// The user's running jobs already hold the QOS's GPU limit.
        case qosMaxGRESPerUser = "QOSMaxGRESPerUser"
    }

    /// Where a job is in its life.
    public enum State: Sendable, Equatable {
        case pending(PendingReason)
        case running
        case finished(Outcome)
    }

    /// One job as the simulated controller knows it, from submission to the end of its retention.
    public struct Job: Sendable, Equatable {
        public var id: Int
        public var name: String
        public var user: String
        public var account: String
        public var partition: String
        public var kind: SimulatedJob.Kind
        public var state: State
        /// GPUs requested (and, once running, allocated) on one node.
        public var gpus: Int
        /// GPUs that do work; fewer than ``gpus`` for a job that wastes what it holds.
        public var activeGPUs: Int
        public var cpus: Int
        public var memoryBytes: Int64
        public var timeLimitMs: Int64
        /// Milliseconds since the Unix epoch.
        public var submitMs: Int64
        public var startMs: Int64?
        public var endMs: Int64?
        /// Index of the node it runs or ran on; nil while pending.
        public var node: Int?
        public var nodeName: String
        /// The GPU indexes it holds on its node.
        public var gpuIndexes: [Int]
        /// The program's exit status and the signal that ended it, once finished.
        public var exitCode: Int?
        public var signal: Int?

        // The plan, drawn at submission.
        /// How long it runs when it completes normally.
        var plannedRunMs: Int64
        /// It is cancelled at this time if it still waits then.
        var cancelIfPendingAtMs: Int64?
        var processName: String?
        /// How it ends, drawn when it starts.
        var plannedOutcome: Outcome = .completed

        /// The pending reason, the finished outcome's reason, or `None` while running.
        public var reason: String {
            switch state {
            case .pending(let reason): reason.rawValue
            case .running: "None"
            case .finished(let outcome): outcome.reason
            }
        }

        /// The outcome once finished.
        public var outcome: Outcome? {
            if case .finished(let outcome) = state { return outcome }
            return nil
        }

        public var isPending: Bool {
            if case .pending = state { return true }
            return false
        }

        /// Holds more GPUs than it uses.
        public var wastesGPUs: Bool { activeGPUs < gpus }
    }
}
