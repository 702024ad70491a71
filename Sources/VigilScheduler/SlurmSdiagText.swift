extension SlurmDecoder {
    /// Scheduler statistics from `sdiag`'s text (22.05 has no `--json`); errors carry the line number.
    public static func schedulerStats(sdiagText text: String) throws(SchedulerError) -> SlurmSchedulerStats {
        enum Section { case header, main, mainExit, backfill, backfillExit, rpcType, rpcUser, other }
        var stats = SlurmSchedulerStats()
        var section = Section.header
        var sawHeader = false
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let line = rawLine.trimmingPrefix(while: { $0 == " " || $0 == "\t" })
            if line.isEmpty || line.hasPrefix("****") { continue }
            if line.hasPrefix("sdiag output at") {
                sawHeader = true
                stats.requestTime = parenthesisedEpoch(line)
                continue
            }
            if line.hasPrefix("Data since") {
                stats.dataSince = parenthesisedEpoch(line)
                continue
            }
            if line.hasPrefix("Main schedule statistics") { section = .main; continue }
            if line.hasPrefix("Main scheduler exit") { section = .mainExit; continue }
            if line.hasPrefix("Backfilling stats") { section = .backfill; continue }
            if line.hasPrefix("Backfill exit") { section = .backfillExit; continue }
            if line.hasPrefix("Remote Procedure Call statistics by message type") { section = .rpcType; continue }
            if line.hasPrefix("Remote Procedure Call statistics by user") { section = .rpcUser; continue }
            if line.hasPrefix("Pending RPC statistics") || line.hasPrefix("Latency for") { section = .other; continue }
            guard sawHeader else {
                throw SchedulerError(
                    .malformedText, "not sdiag output: expected a 'sdiag output at' line first", line: lineNumber)
            }
            if section == .rpcType || section == .rpcUser {
                guard let row = rpcRow(line) else {
                    throw SchedulerError(
                        .malformedText, "an RPC statistics row must read 'NAME ( ID) count:N ave_time:N total_time:N'",
                        line: lineNumber)
                }
                if section == .rpcType { stats.rpcsByType.append(row) } else { stats.rpcsByUser.append(row) }
                continue
            }
            if section == .other { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw SchedulerError(.malformedText, "expected 'Name: value'", line: lineNumber)
            }
            let key = String(line[..<colon])
            let valueText = line[line.index(after: colon)...].trimmingPrefix(while: { $0 == " " })
            // "Last cycle when" and "Job states ts" carry a date; the others are integers.
            if key == "Last cycle when" {
                stats.backfillLastCycleTime = parenthesisedEpoch(line)
                continue
            }
            if key == "Job states ts" { continue }
            guard let value = Int64(valueText.prefix(while: { $0 != " " })) else {
                throw SchedulerError(
                    .malformedText, "the value of '\(key)' is not an integer: '\(valueText)'", line: lineNumber)
            }
            switch (section, key) {
            case (.header, "Server thread count"): stats.serverThreadCount = value
            case (.header, "Agent queue size"): stats.agentQueueSize = value
            case (.header, "Agent count"): stats.agentCount = value
            case (.header, "Agent thread count"): stats.agentThreadCount = value
            case (.header, "DBD Agent queue size"): stats.dbdAgentQueueSize = value
            case (.header, "Jobs submitted"): stats.jobsSubmitted = value
            case (.header, "Jobs started"): stats.jobsStarted = value
            case (.header, "Jobs completed"): stats.jobsCompleted = value
            case (.header, "Jobs canceled"): stats.jobsCanceled = value
            case (.header, "Jobs failed"): stats.jobsFailed = value
            case (.header, "Jobs pending"): stats.jobsPending = value
            case (.header, "Jobs running"): stats.jobsRunning = value
            case (.main, "Last cycle"): stats.scheduleCycleLast = value
            case (.main, "Max cycle"): stats.scheduleCycleMax = value
            case (.main, "Total cycles"): stats.scheduleCycleTotal = value
            case (.main, "Mean cycle"): stats.scheduleCycleMean = value
            case (.main, "Mean depth cycle"): stats.scheduleCycleMeanDepth = value
            case (.main, "Cycles per minute"): stats.scheduleCyclesPerMinute = value
            case (.main, "Last queue length"): stats.scheduleQueueLength = value
            case (.backfill, "Total backfilled jobs (since last slurm start)"): stats.backfilledJobs = value
            case (.backfill, "Total backfilled jobs (since last stats cycle start)"):
                stats.backfilledJobsSinceCycle = value
            case (.backfill, "Total backfilled heterogeneous job components"): stats.backfilledHetJobs = value
            case (.backfill, "Total cycles"): stats.backfillCycleTotal = value
            case (.backfill, "Last cycle"): stats.backfillCycleLast = value
            case (.backfill, "Max cycle"): stats.backfillCycleMax = value
            case (.backfill, "Mean cycle"): stats.backfillCycleMean = value
            case (.backfill, "Last depth cycle"): stats.backfillLastDepth = value
            case (.backfill, "Last depth cycle (try sched)"): stats.backfillLastDepthTry = value
            case (.backfill, "Depth Mean"): stats.backfillDepthMean = value
            case (.backfill, "Depth Mean (try depth)"): stats.backfillDepthMeanTry = value
            case (.backfill, "Last queue length"): stats.backfillQueueLength = value
            case (.backfill, "Queue length mean"): stats.backfillQueueLengthMean = value
            case (.backfill, "Last table size"): stats.backfillTableSize = value
            case (.backfill, "Mean table size"): stats.backfillTableSizeMean = value
            default: break  // Counters this model does not keep (scheduler exit reasons, RPC queue, …).
            }
        }
        guard sawHeader else {
            throw SchedulerError(.malformedText, "not sdiag output: no 'sdiag output at' line", line: 1)
        }
        return stats
    }

    /// The epoch in `… 2026 (1795967297)`.
    static func parenthesisedEpoch(_ line: Substring) -> Int64? {
        guard let open = line.lastIndex(of: "("), let close = line.lastIndex(of: ")"), open < close else { return nil }
        return Int64(line[line.index(after: open)..<close].trimmingPrefix(while: { $0 == " " }))
    }

    /// `REQUEST_JOB_INFO   ( 2003) count:94     ave_time:114    total_time:10749`
    static func rpcRow(_ line: Substring) -> SlurmSchedulerStats.RPCStat? {
        guard let open = line.firstIndex(of: "("), let close = line.firstIndex(of: ")"), open < close else {
            return nil
        }
        let name = line[..<open].split(separator: " ").first.map(String.init) ?? ""
        guard !name.isEmpty, let id = Int64(line[line.index(after: open)..<close].trimmingPrefix(while: { $0 == " " }))
        else {
            return nil
        }
        var fields: [Substring: Int64] = [:]
        for token in line[line.index(after: close)...].split(separator: " ") {
            let parts = token.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let number = Int64(parts[1]) else { return nil }
            fields[parts[0]] = number
        }
        guard let count = fields["count"], let average = fields["ave_time"], let total = fields["total_time"] else {
            return nil
        }
        return SlurmSchedulerStats.RPCStat(name: name, id: id, count: count, averageTime: average, totalTime: total)
    }
}
