extension SimulatedScheduler {
    /// slurmctld's health as `sdiag` would report it. Counters count from the simulation's start (the
    /// simulator never resets them at midnight as slurmctld does); cycle times are microseconds.
    public struct Statistics: Sendable, Equatable {
        /// One row of sdiag's RPC tables.
        public struct RPC: Sendable, Equatable {
            public var name: String
            public var id: Int
            public var count: Int
            public var averageMicroseconds: Int
            public var totalMicroseconds: Int
        }

        /// When counting began (the simulation's start), milliseconds since the Unix epoch.
        public var sinceMs: Int64
        public var jobsSubmitted = 0
        public var jobsStarted = 0
        public var jobsCompleted = 0
        public var jobsCanceled = 0
        /// Failed, timed out, out of memory or lost to a node failure.
        public var jobsFailed = 0
        public var jobsPending = 0
        public var jobsRunning = 0

        public var scheduleCycles = 0
        public var scheduleCycleLastMicroseconds = 0
        public var scheduleCycleMaxMicroseconds = 0
        public var scheduleCycleTotalMicroseconds = 0
        public var scheduleQueueLength = 0
        public var scheduleDepthTotal = 0

        public var backfillCycles = 0
        public var backfilledJobs = 0
        public var backfillCycleLastMicroseconds = 0
        public var backfillCycleMaxMicroseconds = 0
        public var backfillCycleTotalMicroseconds = 0
        public var backfillLastDepth = 0
        public var backfillLastCycleMs: Int64?

        public var serverThreads = 3
        public var agentQueueSize = 0
        /// Submissions per user, for sdiag's table by user.
        public var submissionsByUser: [String: Int] = [:]
        /// State queries (squeue, sinfo, exporters) answered.
        public var infoRequests = 0

        public var scheduleCycleMeanMicroseconds: Int {
            scheduleCycles == 0 ? 0 : scheduleCycleTotalMicroseconds / scheduleCycles
        }

        public var scheduleCycleMeanDepth: Int { scheduleCycles == 0 ? 0 : scheduleDepthTotal / scheduleCycles }

        public var backfillCycleMeanMicroseconds: Int {
            backfillCycles == 0 ? 0 : backfillCycleTotalMicroseconds / backfillCycles
        }

        /// sdiag's RPC table by message type.
        public var rpcsByType: [RPC] {
            let finished = jobsCompleted + jobsCanceled + jobsFailed
            return [
                Self.rpc("REQUEST_JOB_INFO", 2003, infoRequests, 410),
                Self.rpc("REQUEST_NODE_INFO", 2007, infoRequests, 180),
                Self.rpc("REQUEST_SUBMIT_BATCH_JOB", 4003, jobsSubmitted, 2900),
                Self.rpc("REQUEST_COMPLETE_BATCH_SCRIPT", 5018, finished, 650),
                Self.rpc("REQUEST_KILL_JOB", 5032, jobsCanceled, 520),
                Self.rpc("MESSAGE_EPILOG_COMPLETE", 6012, finished, 140),
            ]
        }

        /// sdiag's RPC table by user: root (node registrations, state queries) and each submitting user,
        /// numbered from uid 1000 in name order.
        public var rpcsByUser: [RPC] {
            var rows = [Self.rpc("root", 0, infoRequests * 2 + jobsStarted, 220)]
            for (offset, user) in submissionsByUser.keys.sorted().enumerated() {
                rows.append(Self.rpc(user, 1000 + offset, submissionsByUser[user] ?? 0, 2900))
            }
            return rows
        }

        static func rpc(_ name: String, _ id: Int, _ count: Int, _ average: Int) -> RPC {
            RPC(
                name: name, id: id, count: count, averageMicroseconds: count == 0 ? 0 : average,
                totalMicroseconds: count * average)
        }
    }
}
