/// Reads Slurm's JSON (`squeue`, `sacct`, `sinfo`, `scontrol show node`, `sdiag --json` and the matching
/// slurmrestd responses) in both dialects: data_parser v0.0.38 (22.05: string states, plain integers)
/// and v0.0.40/v0.0.42 (24.11: state arrays, `{set, infinite, number}` numbers, structured exit codes).
public enum SlurmDecoder {
    /// Jobs from `squeue --json`, `sacct --json`, slurmrestd `/slurm/v*/jobs` or `/slurmdb/v*/jobs`.
    public static func jobs(_ bytes: some Collection<UInt8>) throws(SchedulerError) -> [SlurmJob] {
        let root = SlurmJSONCursor(try SlurmJSON.parse(bytes))
        try checkErrors(root)
        guard let list = try root["jobs"] else {
            throw SchedulerError(
                .unsupportedDocument, "not a job list: no \"jobs\" key (expected squeue or sacct --json)",
                keyPath: "jobs")
        }
        var jobs: [SlurmJob] = []
        for entry in try list.elements() {
            jobs.append(unstartedCleared(entry.has("job_state") ? try squeueJob(entry) : try sacctJob(entry)))
        }
        return jobs
    }

    /// `job` without what Slurm writes for a job that never ran: sacct's node list `None assigned`
    /// (it would count as a node), and the start time of a job that ended without nodes — both
    /// squeue and sacct give a job cancelled while pending or held its cancel time as start, which
    /// would count as a queue wait ending in a start.
    static func unstartedCleared(_ job: SlurmJob) -> SlurmJob {
        var job = job
        if job.nodes == "None assigned" { job.nodes = "" }
        if job.nodes.isEmpty, job.state.base.isFinished { job.startTime = nil }
        return job
    }

    /// Nodes from `sinfo --json` (both dialects), `scontrol show node --json` or slurmrestd `/nodes`.
    ///
    /// 24.11's `sinfo --json` groups nodes (by partition and state); a group's CPU and memory figures
    /// are divided evenly among its nodes, so they are exact only for groups of one node —
    /// `scontrol show node --json` gives per-node figures in 24.11.
    public static func nodes(_ bytes: some Collection<UInt8>) throws(SchedulerError) -> [SlurmNode] {
        let root = SlurmJSONCursor(try SlurmJSON.parse(bytes))
        try checkErrors(root)
        if let list = try root["nodes"] {
            var nodes: [SlurmNode] = []
            for entry in try list.elements() { nodes.append(try node(entry)) }
            return nodes
        }
        if let groups = try root["sinfo"] {
            return try sinfoGroups(groups)
        }
        throw SchedulerError(
            .unsupportedDocument, "not a node list: no \"nodes\" or \"sinfo\" key (expected sinfo --json)",
            keyPath: "nodes")
    }

    /// Scheduler statistics from `sdiag --json` (24.11) or slurmrestd `/slurm/v*/diag` (both dialects).
    public static func schedulerStats(_ bytes: some Collection<UInt8>) throws(SchedulerError) -> SlurmSchedulerStats {
        let root = SlurmJSONCursor(try SlurmJSON.parse(bytes))
        try checkErrors(root)
        let s = try root.required("statistics")
        var stats = SlurmSchedulerStats()
        stats.requestTime = try s.int("req_time")
        stats.dataSince = try s.int("req_time_start")
        stats.serverThreadCount = try s.int("server_thread_count")
        stats.agentQueueSize = try s.int("agent_queue_size")
        stats.agentCount = try s.int("agent_count")
        stats.agentThreadCount = try s.int("agent_thread_count")
        stats.dbdAgentQueueSize = try s.int("dbd_agent_queue_size")
        stats.jobsSubmitted = try s.int("jobs_submitted")
        stats.jobsStarted = try s.int("jobs_started")
        stats.jobsCompleted = try s.int("jobs_completed")
        stats.jobsCanceled = try s.int("jobs_canceled")
        stats.jobsFailed = try s.int("jobs_failed")
        stats.jobsPending = try s.int("jobs_pending")
        stats.jobsRunning = try s.int("jobs_running")
        stats.scheduleCycleLast = try s.int("schedule_cycle_last")
        stats.scheduleCycleMax = try s.int("schedule_cycle_max")
        stats.scheduleCycleMean = try s.int("schedule_cycle_mean")
        stats.scheduleCycleTotal = try s.int("schedule_cycle_total")
        stats.scheduleCycleMeanDepth = try s.int("schedule_cycle_mean_depth")
        stats.scheduleCyclesPerMinute = try s.int("schedule_cycle_per_minute")
        stats.scheduleQueueLength = try s.int("schedule_queue_length")
        stats.backfilledJobs = try s.int("bf_backfilled_jobs")
        stats.backfilledJobsSinceCycle = try s.int("bf_last_backfilled_jobs")
        stats.backfilledHetJobs = try s.int("bf_backfilled_het_jobs")
        stats.backfillCycleTotal = try s.int("bf_cycle_counter")
        stats.backfillLastCycleTime = try nonZero(s.int("bf_when_last_cycle"))
        stats.backfillCycleLast = try s.int("bf_cycle_last")
        stats.backfillCycleMax = try s.int("bf_cycle_max")
        stats.backfillCycleMean = try s.int("bf_cycle_mean")
        stats.backfillLastDepth = try s.int("bf_last_depth")
        stats.backfillLastDepthTry = try s.int("bf_last_depth_try")
        stats.backfillDepthMean = try s.int("bf_depth_mean")
        stats.backfillDepthMeanTry = try s.int("bf_depth_mean_try")
        stats.backfillQueueLength = try s.int("bf_queue_len")
        stats.backfillQueueLengthMean = try s.int("bf_queue_len_mean")
        stats.backfillTableSize = try s.int("bf_table_size")
        stats.backfillTableSizeMean = try s.int("bf_table_size_mean")
        for row in try s["rpcs_by_message_type"]?.elements() ?? [] {
            stats.rpcsByType.append(try rpc(row, nameKey: "message_type", idKey: "type_id"))
        }
        for row in try s["rpcs_by_user"]?.elements() ?? [] {
            stats.rpcsByUser.append(try rpc(row, nameKey: "user", idKey: "user_id"))
        }
        return stats
    }

    // MARK: - Jobs

    static func squeueJob(_ job: SlurmJSONCursor) throws(SchedulerError) -> SlurmJob {
        let stateCursor = try job.required("job_state")
        let state = try SlurmJobState(names: stateCursor.strings(), keyPath: stateCursor.path)
        guard let id = try job.required("job_id").int() else {
            throw SchedulerError(.wrongType, "job_id has no value", keyPath: "\(job.path).job_id")
        }
        let nodeCount = try job.int("node_count")
        var result = SlurmJob(
            jobID: id, name: try job.string("name"), user: try job.string("user_name"),
            account: try job.string("account"), partition: try job.string("partition"), state: state,
            reason: try job.string("state_reason"), nodes: try job.string("nodes"), nodeCount: nodeCount,
            cpus: try job.int("cpus"))
        try readArray(into: &result, jobID: job["array_job_id"], taskID: job["array_task_id"])
        result.submitTime = try nonZero(job.int("submit_time"))
        if state.base != .pending { result.startTime = try nonZero(job.int("start_time")) }
        if state.base.isFinished { result.endTime = try nonZero(job.int("end_time")) }
        if state.base != .pending {
            result.gpusAllocated = SlurmGRES.gpus(fromTRES: try job.string("tres_alloc_str"))
            if result.gpusAllocated == nil {
                var fromDetail: Int?
                for detail in try job.strings("gres_detail") {
                    if let count = SlurmGRES.gpus(fromGRES: detail) { fromDetail = (fromDetail ?? 0) + count }
                }
                result.gpusAllocated = fromDetail
            }
        }
        let requestedTRES = try job.string("tres_req_str")
        let perJob = try job.string("tres_per_job")
        let perNode = try job.string("tres_per_node")
        result.gpusRequested =
            SlurmGRES.gpus(fromTRES: requestedTRES) ?? SlurmGRES.gpus(fromGRES: perJob)
            ?? SlurmGRES.gpus(fromGRES: perNode).map { $0 * Int(max(1, nodeCount ?? 1)) }
        if let exit = try job["exit_code"] {
            if case .number = exit.value {
                if let status = try exit.int() { result.exitCode = SlurmExitCode(waitStatus: status) }
            } else if !exit.isNull {
                result.exitCode = try structuredExit(exit)
            }
        }
        return result
    }

    static func sacctJob(_ job: SlurmJSONCursor) throws(SchedulerError) -> SlurmJob {
        let stateObject = try job.required("state")
        let current = try stateObject.required("current")
        let state = try SlurmJobState(names: current.strings(), keyPath: current.path)
        guard let id = try job.required("job_id").int() else {
            throw SchedulerError(.wrongType, "job_id has no value", keyPath: "\(job.path).job_id")
        }
        var result = SlurmJob(
            jobID: id, name: try job.string("name"), user: try job.string("user"),
            account: try job.string("account"), partition: try job.string("partition"), state: state,
            reason: try stateObject.string("reason"), nodes: try job.string("nodes"),
            nodeCount: try job.int("allocation_nodes"))
        if let array = try job["array"] {
            try readArray(into: &result, jobID: array["job_id"], taskID: array["task_id"])
        }
        if let time = try job["time"] {
            result.submitTime = try nonZero(time.int("submission"))
            if state.base != .pending { result.startTime = try nonZero(time.int("start")) }
            if state.base.isFinished { result.endTime = try nonZero(time.int("end")) }
        }
        if let required = try job["required"] { result.cpus = try required.int("CPUs") }
        if let tres = try job["tres"] {
            if state.base != .pending, let allocated = try tres["allocated"] {
                result.gpusAllocated = try gpus(inTRESList: allocated)
            }
            if let requested = try tres["requested"] { result.gpusRequested = try gpus(inTRESList: requested) }
        }
        if let exit = try job["exit_code"], !exit.isNull {
            var code = try structuredExit(exit)
            // data_parser v0.0.38 (22.05) writes `status` as a string; its sacct reports 0 for a job
            // that exited non-zero, so the value is kept but marked.
            if case .string = try exit.required("status").value { code.isReliable = false }
            result.exitCode = code
        }
        return result
    }

    /// `{status, return_code, signal: {id, name}}` in either dialect.
    static func structuredExit(_ exit: SlurmJSONCursor) throws(SchedulerError) -> SlurmExitCode {
        let statuses = try exit.strings("status")
        var signal: Int64?
        if let signalObject = try exit["signal"], !signalObject.isNull {
            signal = try signalObject.int("id")
        }
        var returnCode = try exit.int("return_code")
        if statuses.contains("SIGNALED") { returnCode = nil }
        return SlurmExitCode(returnCode: returnCode, signal: signal)
    }

    /// GPUs in sacct's `[{type, name, id, count}]` TRES list: the `gres/gpu` entry, else the typed ones summed.
    static func gpus(inTRESList list: SlurmJSONCursor) throws(SchedulerError) -> Int? {
        var untyped: Int?
        var typed: Int?
        for entry in try list.elements() {
            guard try entry.string("type") == "gres" else { continue }
            let name = try entry.string("name")
            let count = try entry.int("count").map { Int($0) }
            if name == "gpu" {
                untyped = count ?? untyped
            } else if name.hasPrefix("gpu:"), let count {
                typed = (typed ?? 0) + count
            }
        }
        return untyped ?? typed
    }

    static func readArray(
        into job: inout SlurmJob, jobID: SlurmJSONCursor?, taskID: SlurmJSONCursor?
    ) throws(SchedulerError) {
        guard let arrayJob = try jobID?.int(), arrayJob != 0, let task = try taskID?.int() else { return }
        job.arrayJobID = arrayJob
        job.arrayTaskID = task
    }

    // MARK: - Nodes

    static func node(_ node: SlurmJSONCursor) throws(SchedulerError) -> SlurmNode {
        let stateCursor = try node.required("state")
        var names = try stateCursor.strings()
        names += try node.strings("state_flags")
        let state = try SlurmNodeState(names: names, keyPath: stateCursor.path)
        let tres = try node.string("tres")
        let tresUsed = try node.string("tres_used")
        let gres = try node.string("gres")
        let gresUsed = try node.string("gres_used")
        return SlurmNode(
            name: try node.required("name").string(), state: state, reason: try node.string("reason"),
            partitions: try node.strings("partitions"), cpusTotal: try node.int("cpus") ?? 0,
            cpusAllocated: try node.int("alloc_cpus") ?? 0,
            memoryTotalBytes: (try node.int("real_memory") ?? 0) * 1_048_576,
            memoryAllocatedBytes: (try node.int("alloc_memory") ?? 0) * 1_048_576,
            gpusTotal: SlurmGRES.gpus(fromTRES: tres) ?? SlurmGRES.gpus(fromGRES: gres) ?? 0,
            gpusAllocated: SlurmGRES.gpus(fromTRES: tresUsed) ?? SlurmGRES.gpus(fromGRES: gresUsed) ?? 0)
    }

    static func sinfoGroups(_ groups: SlurmJSONCursor) throws(SchedulerError) -> [SlurmNode] {
        var nodes: [SlurmNode] = []
        var indexByName: [String: Int] = [:]
        for group in try groups.elements() {
            let stateCursor = try group.required("node").required("state")
            let state = try SlurmNodeState(names: stateCursor.strings(), keyPath: stateCursor.path)
            let members = try group.required("nodes").strings("nodes")
            let share = Int64(max(1, members.count))
            let cpus = try group["cpus"]
            let memory = try group["memory"]
            let gres = try group["gres"]
            let partition = try group["partition"]?.string("name") ?? ""
            for name in members {
                if let index = indexByName[name] {
                    if !partition.isEmpty, !nodes[index].partitions.contains(partition) {
                        nodes[index].partitions.append(partition)
                    }
                    continue
                }
                indexByName[name] = nodes.count
                nodes.append(
                    SlurmNode(
                        name: name, state: state, reason: try group["reason"]?.string("description") ?? "",
                        partitions: partition.isEmpty ? [] : [partition],
                        cpusTotal: (try cpus?.int("total") ?? 0) / share,
                        cpusAllocated: (try cpus?.int("allocated") ?? 0) / share,
                        memoryTotalBytes: (try memory?.int("maximum") ?? 0) * 1_048_576,
                        memoryAllocatedBytes: (try memory?.int("allocated") ?? 0) / share * 1_048_576,
                        gpusTotal: SlurmGRES.gpus(fromGRES: try gres?.string("total") ?? "") ?? 0,
                        gpusAllocated: SlurmGRES.gpus(fromGRES: try gres?.string("used") ?? "") ?? 0))
            }
        }
        return nodes
    }

    // MARK: - Shared

    static func rpc(_ row: SlurmJSONCursor, nameKey: String, idKey: String) throws(SchedulerError)
        -> SlurmSchedulerStats.RPCStat
    {
        SlurmSchedulerStats.RPCStat(
            name: try row.string(nameKey), id: try row.int(idKey) ?? 0, count: try row.int("count") ?? 0,
            averageTime: try row.int("average_time") ?? 0, totalTime: try row.int("total_time") ?? 0)
    }

    static func nonZero(_ value: Int64?) -> Int64? {
        guard let value, value != 0 else { return nil }
        return value
    }

    /// The `errors` of a Slurm JSON document as sentences (`Failed while looking for jobs: Unspecified
    /// error (slurm_load_jobs)`); empty when `bytes` is not such a document or lists none. slurmrestd
    /// puts them in the body of its failures (a 500 where slurmctld refused the request).
    public static func errorMessages(_ bytes: some Collection<UInt8>) -> [String] {
        guard let parsed = try? SlurmJSON.parse(bytes), let errors = try? SlurmJSONCursor(parsed)["errors"],
            let list = try? errors.elements()
        else { return [] }
        return list.compactMap { entry in
            let description = (try? entry.string("description")) ?? ""
            let error = (try? entry.string("error")) ?? ""
            let source = (try? entry.string("source")) ?? ""
            var text = [description, error].filter { !$0.isEmpty }.joined(separator: ": ")
            if text.isEmpty { return nil }
            if !source.isEmpty { text += " (\(source))" }
            return text
        }
    }

    /// A document whose `errors` list is not empty is Slurm reporting a failure, not data.
    static func checkErrors(_ root: SlurmJSONCursor) throws(SchedulerError) {
        guard case .object = root.value else { throw root.wrongType("an object at the top of the document") }
        guard let errors = try root["errors"] else { return }
        let list = try errors.elements()
        guard let first = list.first else { return }
        var text = try first.string("description")
        if text.isEmpty { text = try first.string("error") }
        throw SchedulerError(
            .unsupportedDocument, "Slurm reported an error: \(text.isEmpty ? "(no description)" : text)",
            keyPath: first.path)
    }
}
