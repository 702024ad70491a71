/// slurmctld's health as `sdiag` (text, or `--json` in 24.11) reports it. Times are microseconds as
/// sdiag prints them; counters count since `dataSince` (sdiag's statistics reset, normally at midnight).
public struct SlurmSchedulerStats: Sendable, Equatable {
    /// When sdiag ran and since when it counts (seconds since the Unix epoch).
    public var requestTime: Int64?
    public var dataSince: Int64?
    public var serverThreadCount: Int64?
    public var agentQueueSize: Int64?
    public var agentCount: Int64?
    public var agentThreadCount: Int64?
    public var dbdAgentQueueSize: Int64?

    public var jobsSubmitted: Int64?
    public var jobsStarted: Int64?
    public var jobsCompleted: Int64?
    public var jobsCanceled: Int64?
    public var jobsFailed: Int64?
    public var jobsPending: Int64?
    public var jobsRunning: Int64?

    public var scheduleCycleLast: Int64?
    public var scheduleCycleMax: Int64?
    public var scheduleCycleMean: Int64?
    public var scheduleCycleTotal: Int64?
    public var scheduleCycleMeanDepth: Int64?
    public var scheduleCyclesPerMinute: Int64?
    public var scheduleQueueLength: Int64?

    public var backfilledJobs: Int64?
    public var backfilledJobsSinceCycle: Int64?
    public var backfilledHetJobs: Int64?
    public var backfillCycleTotal: Int64?
    public var backfillLastCycleTime: Int64?
    public var backfillCycleLast: Int64?
    public var backfillCycleMax: Int64?
    public var backfillCycleMean: Int64?
    public var backfillLastDepth: Int64?
    public var backfillLastDepthTry: Int64?
    public var backfillDepthMean: Int64?
    public var backfillDepthMeanTry: Int64?
    public var backfillQueueLength: Int64?
    public var backfillQueueLengthMean: Int64?
    public var backfillTableSize: Int64?
    public var backfillTableSizeMean: Int64?

    /// Remote procedure calls by message type and by user.
    public var rpcsByType: [RPCStat] = []
    public var rpcsByUser: [RPCStat] = []

    /// One row of sdiag's RPC tables: count and times in microseconds.
    public struct RPCStat: Sendable, Equatable {
        /// The message type (`REQUEST_JOB_INFO`) or user name.
        public var name: String
        /// The message type's number or the user id.
        public var id: Int64
        public var count: Int64
        public var averageTime: Int64
        public var totalTime: Int64

        public init(name: String, id: Int64, count: Int64, averageTime: Int64, totalTime: Int64) {
            self.name = name
            self.id = id
            self.count = count
            self.averageTime = averageTime
            self.totalTime = totalTime
        }
    }

    public init() {}
}
