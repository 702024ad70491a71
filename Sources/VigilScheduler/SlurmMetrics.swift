import VigilModel

/// Turns a ``SlurmSnapshot`` into Prometheus metric families, named after prometheus-slurm-exporter's
/// where the concept is the same (`slurm_nodes_alloc`, `slurm_cpus_total`, `slurm_scheduler_last_cycle`,
/// `slurm_rpc_stats`, …). The full list is in docs/slurm.md.
public enum SlurmMetrics {
    /// The node states `slurm_nodes_<state>` counts, as prometheus-slurm-exporter names them.
    static let nodeStateCounters = [
        "alloc", "comp", "down", "drain", "err", "fail", "idle", "maint", "mix", "resv", "planned",
    ]

    /// The job states `slurm_queue_<state>` counts.
    static let queueStates = [
        "pending", "running", "suspended", "cancelled", "completing", "completed", "configuring", "failed",
        "timeout", "preempted", "node_fail", "out_of_memory", "boot_fail", "deadline",
    ]

    public static func metricSet(for snapshot: SlurmSnapshot) -> MetricSet {
        var set = MetricSet()
        addJobs(snapshot, to: &set)
        addNodeJobs(snapshot, to: &set)
        addExitCodes(snapshot, to: &set)
        addNodes(snapshot.nodes, to: &set)
        if let scheduler = snapshot.scheduler { addScheduler(scheduler, to: &set) }
        return set
    }

    // MARK: - Jobs

    static func queueStateName(_ job: SlurmJob) -> String {
        if job.state.flags.contains("COMPLETING") { return "completing" }
        if job.state.flags.contains("CONFIGURING") { return "configuring" }
        return job.state.base.rawValue
    }

    static func addJobs(_ snapshot: SlurmSnapshot, to set: inout MetricSet) {
        var queue: [String: Int] = Dictionary(uniqueKeysWithValues: queueStates.map { ($0, 0) })
        var byState: [Labels: Int] = [:]
        var pendingReasons: [Labels: Int] = [:]
        var finished: [Labels: Int] = [:]
        var gpusAllocated: [Labels: Int] = [:]
        var gpusPending: [String: Int] = [:]
        var pendingWait: [String: (max: Int64, sum: Int64, count: Int)] = [:]
        var startedWait: [String: (sum: Int64, count: Int)] = [:]
        for job in snapshot.jobs {
            let state = queueStateName(job)
            queue[state, default: 0] += 1
            let owner: Labels = ["partition": job.partition, "user": job.user, "account": job.account]
            byState[owner.setting("state", to: state), default: 0] += 1
            if let outcome = job.outcome {
                finished[owner.setting("outcome", to: outcome.rawValue), default: 0] += 1
            }
            switch job.state.base {
            case .pending:
                pendingReasons[["partition": job.partition, "reason": job.reason], default: 0] += 1
                gpusPending[job.partition, default: 0] += job.gpusRequested ?? 0
                if let wait = job.queueWaitSeconds(now: snapshot.time) {
                    let old = pendingWait[job.partition] ?? (0, 0, 0)
                    pendingWait[job.partition] = (max(old.max, wait), old.sum + wait, old.count + 1)
                }
            case .running, .suspended:
                gpusAllocated[owner, default: 0] += job.gpusAllocated ?? 0
            default: break
            }
            if job.startTime != nil, let wait = job.queueWaitSeconds(now: snapshot.time) {
                let old = startedWait[job.partition] ?? (0, 0)
                startedWait[job.partition] = (old.sum + wait, old.count + 1)
            }
        }
        for state in queueStates + queue.keys.filter({ !queueStates.contains($0) }).sorted() {
            set.gauge("slurm_queue_\(state)", help: "Jobs in state \(state).", value: Double(queue[state] ?? 0))
        }
        for (labels, count) in byState.sorted(by: { $0.key.description < $1.key.description }) {
            set.gauge(
                "slurm_jobs", help: "Jobs by state, partition, user and account (queue depth).", labels: labels,
                value: Double(count))
        }
        for (labels, count) in pendingReasons.sorted(by: { $0.key.description < $1.key.description }) {
            set.gauge(
                "slurm_jobs_pending_reason", help: "Pending jobs by the reason Slurm gives for the wait.",
                labels: labels, value: Double(count))
        }
        for (labels, count) in finished.sorted(by: { $0.key.description < $1.key.description }) {
            set.gauge(
                "slurm_jobs_finished",
                help: "Finished jobs still listed by Slurm (squeue --states=all or sacct window), by outcome.",
                labels: labels, value: Double(count))
        }
        for (labels, count) in gpusAllocated.sorted(by: { $0.key.description < $1.key.description }) {
            set.gauge(
                "slurm_jobs_gpus_allocated", help: "GPUs allocated to running jobs, by partition, user and account.",
                labels: labels, value: Double(count))
        }
        for (partition, count) in gpusPending.sorted(by: { $0.key < $1.key }) {
            set.gauge(
                "slurm_jobs_gpus_requested_pending", help: "GPUs requested by pending jobs.",
                labels: ["partition": partition], value: Double(count))
        }
        for (partition, wait) in pendingWait.sorted(by: { $0.key < $1.key }) {
            set.gauge(
                "slurm_jobs_pending_wait_seconds_max", help: "Longest wait of a pending job so far.",
                labels: ["partition": partition], value: Double(wait.max))
            set.gauge(
                "slurm_jobs_pending_wait_seconds_avg", help: "Mean wait of pending jobs so far.",
                labels: ["partition": partition], value: Double(wait.sum) / Double(wait.count))
        }
        for (partition, wait) in startedWait.sorted(by: { $0.key < $1.key }) {
            set.gauge(
                "slurm_jobs_queue_wait_seconds_avg",
                help: "Mean time from submission to start of the listed jobs that started.",
                labels: ["partition": partition], value: Double(wait.sum) / Double(wait.count))
        }
        var pendingByPartition: [String: Int] = [:]
        for job in snapshot.jobs where job.state.base == .pending { pendingByPartition[job.partition, default: 0] += 1 }
        for (partition, count) in pendingByPartition.sorted(by: { $0.key < $1.key }) {
            set.gauge(
                "slurm_partition_jobs_pending", help: "Pending jobs per partition.", labels: ["partition": partition],
                value: Double(count))
        }
    }

    // MARK: - Nodes

    /// `slurm_nodes_<state>`'s state for a node, as prometheus-slurm-exporter groups sinfo's states.
    static func exporterStateName(_ state: SlurmNodeState) -> String {
        switch state.sinfoName {
        case "allocated": "alloc"
        case "completing": "comp"
        case "drained", "draining": "drain"
        case "error": "err"
        case "fail", "failing": "fail"
        case "mixed": "mix"
        case "reserved": "resv"
        case let other: other
        }
    }

    /// `slurm_<kind>_{alloc,idle,other,total}` as the exporter counts them: "other" is what drained,
    /// down or failed nodes have unallocated. Returns the total and the allocated count.
    @discardableResult
    static func addPool<Count: BinaryInteger>(
        _ kind: String, _ noun: String, _ nodes: [SlurmNode], total: KeyPath<SlurmNode, Count>,
        allocated: KeyPath<SlurmNode, Count>, to set: inout MetricSet
    ) -> (total: Count, allocated: Count) {
        let sumTotal = nodes.reduce(Count.zero) { $0 + $1[keyPath: total] }
        let sumAllocated = nodes.reduce(Count.zero) { $0 + $1[keyPath: allocated] }
        let other = nodes.filter { $0.state.isUnavailable }.reduce(Count.zero) {
            $0 + ($1[keyPath: total] - $1[keyPath: allocated])
        }
        set.gauge("slurm_\(kind)_alloc", help: "Allocated \(noun).", value: Double(sumAllocated))
        set.gauge(
            "slurm_\(kind)_idle", help: "Idle \(noun) on available nodes.",
            value: Double(sumTotal - sumAllocated - other))
        set.gauge(
            "slurm_\(kind)_other", help: "Unallocated \(noun) on drained, down or failed nodes.", value: Double(other))
        set.gauge("slurm_\(kind)_total", help: "\(noun).", value: Double(sumTotal))
        return (sumTotal, sumAllocated)
    }

    static func addNodes(_ nodes: [SlurmNode], to set: inout MetricSet) {
        var stateCounts: [String: Int] = Dictionary(uniqueKeysWithValues: nodeStateCounters.map { ($0, 0) })
        for node in nodes { stateCounts[exporterStateName(node.state), default: 0] += 1 }
        for state in nodeStateCounters + stateCounts.keys.filter({ !nodeStateCounters.contains($0) }).sorted() {
            set.gauge("slurm_nodes_\(state)", help: "Nodes in state \(state).", value: Double(stateCounts[state] ?? 0))
        }
        addPool("cpus", "CPUs", nodes, total: \.cpusTotal, allocated: \.cpusAllocated, to: &set)
        let (gpusTotal, gpusAllocated) = addPool(
            "gpus", "GPUs", nodes, total: \.gpusTotal, allocated: \.gpusAllocated, to: &set)
        set.gauge(
            "slurm_gpus_utilization", help: "Allocated GPUs as a fraction of all GPUs.",
            value: gpusTotal == 0 ? 0 : Double(gpusAllocated) / Double(gpusTotal))

        for node in nodes {
            let labels: Labels = ["node": node.name]
            set.gauge(
                "slurm_node_status", help: "1 for the node's state (sinfo's name) and drain/down reason.",
                labels: ["node": node.name, "status": node.state.sinfoName, "reason": node.reason], value: 1)
            set.gauge(
                "slurm_node_cpu_alloc", help: "CPUs allocated on the node.", labels: labels,
                value: Double(node.cpusAllocated))
            set.gauge("slurm_node_cpu_total", help: "CPUs of the node.", labels: labels, value: Double(node.cpusTotal))
            set.gauge(
                "slurm_node_memory_alloc_bytes", help: "Memory allocated to jobs on the node.", labels: labels,
                value: Double(node.memoryAllocatedBytes))
            set.gauge(
                "slurm_node_memory_total_bytes", help: "Memory Slurm schedules on the node (RealMemory).",
                labels: labels, value: Double(node.memoryTotalBytes))
            set.gauge(
                "slurm_node_gpus_alloc", help: "GPUs allocated on the node.", labels: labels,
                value: Double(node.gpusAllocated))
            set.gauge("slurm_node_gpus_total", help: "GPUs of the node.", labels: labels, value: Double(node.gpusTotal))
        }

        struct Totals {
            var cpus: Int64 = 0, cpusAlloc: Int64 = 0, memory: Int64 = 0, memoryAlloc: Int64 = 0, gpus = 0,
                gpusAlloc = 0
        }
        var partitions: [String: Totals] = [:]
        for node in nodes {
            for partition in node.partitions {
                var totals = partitions[partition] ?? Totals()
                totals.cpus += node.cpusTotal
                totals.cpusAlloc += node.cpusAllocated
                totals.memory += node.memoryTotalBytes
                totals.memoryAlloc += node.memoryAllocatedBytes
                totals.gpus += node.gpusTotal
                totals.gpusAlloc += node.gpusAllocated
                partitions[partition] = totals
            }
        }
        for (partition, totals) in partitions.sorted(by: { $0.key < $1.key }) {
            let labels: Labels = ["partition": partition]
            set.gauge(
                "slurm_partition_cpus_allocated", help: "Allocated CPUs in the partition.", labels: labels,
                value: Double(totals.cpusAlloc))
            set.gauge(
                "slurm_partition_cpus_total", help: "CPUs in the partition.", labels: labels, value: Double(totals.cpus)
            )
            set.gauge(
                "slurm_partition_memory_allocated_bytes", help: "Allocated memory in the partition.", labels: labels,
                value: Double(totals.memoryAlloc))
            set.gauge(
                "slurm_partition_memory_total_bytes", help: "Memory in the partition.", labels: labels,
                value: Double(totals.memory))
            set.gauge(
                "slurm_partition_gpus_allocated", help: "Allocated GPUs in the partition.", labels: labels,
                value: Double(totals.gpusAlloc))
            set.gauge(
                "slurm_partition_gpus_total", help: "GPUs in the partition.", labels: labels, value: Double(totals.gpus)
            )
        }
    }

    // MARK: - sdiag

    static func addScheduler(_ s: SlurmSchedulerStats, to set: inout MetricSet) {
        func gauge(_ name: String, _ help: String, _ value: Int64?) {
            if let value { set.gauge(name, help: help, value: Double(value)) }
        }
        func counter(_ name: String, _ help: String, _ value: Int64?) {
            if let value { set.counter(name, help: help, value: Double(value)) }
        }
        gauge("slurm_scheduler_threads", "slurmctld server threads.", s.serverThreadCount)
        gauge("slurm_scheduler_queue_size", "Agent queue size (outgoing RPCs waiting).", s.agentQueueSize)
        gauge("slurm_scheduler_agent_count", "Agents.", s.agentCount)
        gauge("slurm_scheduler_agent_threads", "Agent threads.", s.agentThreadCount)
        gauge("slurm_scheduler_dbd_queue_size", "Messages queued for slurmdbd.", s.dbdAgentQueueSize)
        gauge("slurm_scheduler_last_cycle", "Last main scheduling cycle, microseconds.", s.scheduleCycleLast)
        gauge("slurm_scheduler_max_cycle", "Longest main scheduling cycle, microseconds.", s.scheduleCycleMax)
        gauge("slurm_scheduler_mean_cycle", "Mean main scheduling cycle, microseconds.", s.scheduleCycleMean)
        gauge("slurm_scheduler_cycle_per_minute", "Main scheduling cycles per minute.", s.scheduleCyclesPerMinute)
        gauge("slurm_scheduler_mean_depth_cycle", "Mean jobs examined per main cycle.", s.scheduleCycleMeanDepth)
        gauge("slurm_scheduler_last_queue_length", "Jobs in the queue at the last main cycle.", s.scheduleQueueLength)
        counter(
            "slurm_scheduler_cycles_total", "Main scheduling cycles since the statistics reset.", s.scheduleCycleTotal)
        gauge("slurm_scheduler_backfill_last_cycle", "Last backfill cycle, microseconds.", s.backfillCycleLast)
        gauge("slurm_scheduler_backfill_max_cycle", "Longest backfill cycle, microseconds.", s.backfillCycleMax)
        gauge("slurm_scheduler_backfill_mean_cycle", "Mean backfill cycle, microseconds.", s.backfillCycleMean)
        gauge("slurm_scheduler_backfill_depth_mean", "Mean jobs examined per backfill cycle.", s.backfillDepthMean)
        gauge("slurm_scheduler_backfill_last_depth", "Jobs examined in the last backfill cycle.", s.backfillLastDepth)
        gauge(
            "slurm_scheduler_backfill_queue_length", "Jobs in the backfill queue at its last cycle.",
            s.backfillQueueLength)
        gauge(
            "slurm_scheduler_backfill_last_cycle_timestamp_seconds", "When the last backfill cycle ran.",
            s.backfillLastCycleTime)
        counter(
            "slurm_scheduler_backfill_cycles_total", "Backfill cycles since the statistics reset.", s.backfillCycleTotal
        )
        counter(
            "slurm_scheduler_backfilled_jobs_since_start_total", "Jobs started by backfill since slurmctld started.",
            s.backfilledJobs)
        counter(
            "slurm_scheduler_backfilled_jobs_since_cycle_total", "Jobs started by backfill since the statistics reset.",
            s.backfilledJobsSinceCycle)
        counter(
            "slurm_scheduler_backfilled_heterogeneous_total", "Heterogeneous job components started by backfill.",
            s.backfilledHetJobs)
        counter("slurm_scheduler_jobs_submitted_total", "Jobs submitted since the statistics reset.", s.jobsSubmitted)
        counter("slurm_scheduler_jobs_started_total", "Jobs started since the statistics reset.", s.jobsStarted)
        counter("slurm_scheduler_jobs_completed_total", "Jobs completed since the statistics reset.", s.jobsCompleted)
        counter("slurm_scheduler_jobs_canceled_total", "Jobs canceled since the statistics reset.", s.jobsCanceled)
        counter("slurm_scheduler_jobs_failed_total", "Jobs failed since the statistics reset.", s.jobsFailed)
        gauge("slurm_scheduler_stats_timestamp_seconds", "When sdiag ran.", s.requestTime)
        gauge("slurm_scheduler_stats_since_timestamp_seconds", "When sdiag's statistics were last reset.", s.dataSince)
        for rpc in s.rpcsByType {
            let labels: Labels = ["operation": rpc.name]
            set.gauge("slurm_rpc_stats", help: "RPCs by message type.", labels: labels, value: Double(rpc.count))
            set.gauge(
                "slurm_rpc_stats_avg_time", help: "Mean RPC time by message type, microseconds.", labels: labels,
                value: Double(rpc.averageTime))
            set.gauge(
                "slurm_rpc_stats_total_time", help: "Total RPC time by message type, microseconds.", labels: labels,
                value: Double(rpc.totalTime))
        }
        for rpc in s.rpcsByUser {
            let labels: Labels = ["user": rpc.name, "user_id": String(rpc.id)]
            set.gauge("slurm_user_rpc_stats", help: "RPCs by user.", labels: labels, value: Double(rpc.count))
            set.gauge(
                "slurm_user_rpc_stats_avg_time", help: "Mean RPC time by user, microseconds.", labels: labels,
                value: Double(rpc.averageTime))
            set.gauge(
                "slurm_user_rpc_stats_total_time", help: "Total RPC time by user, microseconds.", labels: labels,
                value: Double(rpc.totalTime))
        }
    }
}
