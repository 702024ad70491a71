import VigilGPU
import VigilModel
import VigilScheduler

extension SlurmSnapshot {
    /// The `--demo` cluster's Slurm-like controller as Slurm's own commands would report it: jobs as
    /// `squeue --states=all`/`sacct` list them, nodes as `sinfo`, statistics as `sdiag`. ``SlurmMetrics``
    /// turns it into the same `slurm_*` series a real cluster gives.
    public init(simulated snapshot: SimulatedScheduler.Snapshot) {
        self.init(
            jobs: snapshot.jobs.map(SlurmJob.init(simulated:)), nodes: snapshot.nodes.map(SlurmNode.init(simulated:)),
            scheduler: SlurmSchedulerStats(simulated: snapshot.statistics, nowMs: snapshot.nowMs),
            time: snapshot.nowMs / 1000)
    }
}

extension SlurmJob {
    /// One simulated job, with Slurm's state, reason, times in seconds and exit code.
    public init(simulated job: SimulatedScheduler.Job) {
        let base: SlurmJobState.Base =
            switch job.state {
            case .pending: .pending
            case .running: .running
            case .finished(.completed): .completed
            case .finished(.failed): .failed
            case .finished(.timeout): .timeout
            case .finished(.cancelled): .cancelled
            case .finished(.outOfMemory): .outOfMemory
            case .finished(.nodeFail): .nodeFail
            }
        let started = job.startMs != nil
        self.init(
            jobID: Int64(job.id), name: job.name, user: job.user, account: job.account, partition: job.partition,
            state: SlurmJobState(base: base), reason: job.reason, submitTime: job.submitMs / 1000,
            startTime: job.startMs.map { $0 / 1000 }, endTime: job.endMs.map { $0 / 1000 }, nodes: job.nodeName,
            nodeCount: 1, cpus: Int64(job.cpus), gpusAllocated: started ? job.gpus : nil, gpusRequested: job.gpus,
            exitCode: job.exitCode.map { SlurmExitCode(returnCode: Int64($0), signal: job.signal.map(Int64.init)) })
    }
}

extension SlurmNode {
    /// One simulated node: `drained`/`draining` carry Slurm's `DRAIN` flag and the reason.
    public init(simulated node: SimulatedScheduler.Node) {
        let state: SlurmNodeState =
            switch node.state {
            case .idle: SlurmNodeState(base: .idle)
            case .mixed: SlurmNodeState(base: .mixed)
            case .allocated: SlurmNodeState(base: .allocated)
            case .drained: SlurmNodeState(base: .idle, flags: ["DRAIN"])
            case .draining:
                SlurmNodeState(base: node.gpusAllocated == node.gpusTotal ? .allocated : .mixed, flags: ["DRAIN"])
            }
        self.init(
            name: node.name, state: state, reason: node.reason, partitions: node.partitions,
            cpusTotal: Int64(node.cpusTotal), cpusAllocated: Int64(node.cpusAllocated),
            memoryTotalBytes: node.memoryTotalBytes, memoryAllocatedBytes: node.memoryAllocatedBytes,
            gpusTotal: node.gpusTotal, gpusAllocated: node.gpusAllocated)
    }
}

extension SlurmSchedulerStats {
    /// The simulated controller's statistics as `sdiag` prints them (microseconds, counts since the start).
    public init(simulated stats: SimulatedScheduler.Statistics, nowMs: Int64) {
        self.init()
        requestTime = nowMs / 1000
        dataSince = stats.sinceMs / 1000
        serverThreadCount = Int64(stats.serverThreads)
        agentQueueSize = Int64(stats.agentQueueSize)
        agentCount = 0
        agentThreadCount = 0
        dbdAgentQueueSize = 0
        jobsSubmitted = Int64(stats.jobsSubmitted)
        jobsStarted = Int64(stats.jobsStarted)
        jobsCompleted = Int64(stats.jobsCompleted)
        jobsCanceled = Int64(stats.jobsCanceled)
        jobsFailed = Int64(stats.jobsFailed)
        jobsPending = Int64(stats.jobsPending)
        jobsRunning = Int64(stats.jobsRunning)
        scheduleCycleLast = Int64(stats.scheduleCycleLastMicroseconds)
        scheduleCycleMax = Int64(stats.scheduleCycleMaxMicroseconds)
        scheduleCycleMean = Int64(stats.scheduleCycleMeanMicroseconds)
        scheduleCycleTotal = Int64(stats.scheduleCycles)
        scheduleCycleMeanDepth = Int64(stats.scheduleCycleMeanDepth)
        scheduleCyclesPerMinute = 60_000 / SimulatedScheduler.schedulingIntervalMs
        scheduleQueueLength = Int64(stats.scheduleQueueLength)
        backfilledJobs = Int64(stats.backfilledJobs)
        backfilledJobsSinceCycle = Int64(stats.backfilledJobs)
        backfilledHetJobs = 0
        backfillCycleTotal = Int64(stats.backfillCycles)
        backfillLastCycleTime = stats.backfillLastCycleMs.map { $0 / 1000 }
        backfillCycleLast = Int64(stats.backfillCycleLastMicroseconds)
        backfillCycleMax = Int64(stats.backfillCycleMaxMicroseconds)
        backfillCycleMean = Int64(stats.backfillCycleMeanMicroseconds)
        backfillLastDepth = Int64(stats.backfillLastDepth)
        backfillLastDepthTry = Int64(stats.backfillLastDepth)
        backfillDepthMean = Int64(stats.scheduleCycleMeanDepth)
        backfillDepthMeanTry = Int64(stats.scheduleCycleMeanDepth)
        backfillQueueLength = Int64(stats.jobsPending)
        backfillQueueLengthMean = Int64(stats.jobsPending)
        rpcsByType = stats.rpcsByType.map(Self.rpc)
        rpcsByUser = stats.rpcsByUser.map(Self.rpc)
    }

    private static func rpc(_ row: SimulatedScheduler.Statistics.RPC) -> RPCStat {
        RPCStat(
            name: row.name, id: Int64(row.id), count: Int64(row.count), averageTime: Int64(row.averageMicroseconds),
            totalTime: Int64(row.totalMicroseconds))
    }
}
