import GRDB

/// Finished jobs' summaries in meta.sqlite (table `job_summary`, docs/format/meta.md).
///
/// A thin `Sendable` view of a ``MetaDatabase``: the database's writer serialises writes, so one store
/// is shared by the recorder that writes and the API that reads.
public struct JobSummaryStore: Sendable {
    public let database: MetaDatabase

    public init(_ database: MetaDatabase) { self.database = database }

    /// What a listing may filter by; nil or empty matches everything.
    public struct Filter: Sendable, Hashable {
        public var user: String?
        public var account: String?
        /// Only jobs that ended at or after this (ms).
        public var endedAfterMs: Int64?
        /// Only jobs that started at or before this (ms).
        public var startedBeforeMs: Int64?
        /// At most this many, newest end first.
        public var limit: Int

        public init(
            user: String? = nil, account: String? = nil, endedAfterMs: Int64? = nil, startedBeforeMs: Int64? = nil,
            limit: Int = 1000
        ) {
            self.user = user
            self.account = account
            self.endedAfterMs = endedAfterMs
            self.startedBeforeMs = startedBeforeMs
            self.limit = limit
        }
    }

    /// Inserts the summary, or replaces the one with the same job id (a job re-summarised after a
    /// restart keeps one row).
    public func save(_ record: JobSummaryRecord) throws(MetaError) {
        guard !record.jobID.isEmpty else {
            throw MetaError(.invalidRecord, "a job summary needs a job id", path: database.path)
        }
        try database.write("saving the summary of job \(record.jobID)") { db in
            try db.execute(
                sql: """
                    INSERT INTO job_summary (job_id, user, account, partition, started_at, ended_at, gpu_count,
                        utilization_avg, utilization_max, peak_memory_mib, energy_joules, idle_gpus, report,
                        recorded_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(job_id) DO UPDATE SET
                        user = excluded.user, account = excluded.account, partition = excluded.partition,
                        started_at = excluded.started_at, ended_at = excluded.ended_at,
                        gpu_count = excluded.gpu_count, utilization_avg = excluded.utilization_avg,
                        utilization_max = excluded.utilization_max, peak_memory_mib = excluded.peak_memory_mib,
                        energy_joules = excluded.energy_joules, idle_gpus = excluded.idle_gpus,
                        report = excluded.report, recorded_at = excluded.recorded_at
                    """,
                arguments: [
                    record.jobID, record.user, record.account, record.partition,
                    Self.microseconds(record.startMs), Self.microseconds(record.endMs), record.gpuCount,
                    record.utilizationAverage, record.utilizationMax, record.peakMemoryMiB, record.energyJoules,
                    record.idleGPUs, record.reportJSON, Self.microseconds(record.recordedMs),
                ])
        }
    }

    /// The summary of job `id`, nil when none is stored.
    public func summary(jobID id: String) throws(MetaError) -> JobSummaryRecord? {
        try database.read("reading the summary of job \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM job_summary WHERE job_id = ?", arguments: [id]).map(Self.record)
        }
    }

    /// The summaries that pass `filter`, newest end first.
    public func summaries(_ filter: Filter = Filter()) throws(MetaError) -> [JobSummaryRecord] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let user = filter.user, !user.isEmpty {
            conditions.append("user = ?")
            arguments.append(user)
        }
        if let account = filter.account, !account.isEmpty {
            conditions.append("account = ?")
            arguments.append(account)
        }
        if let after = filter.endedAfterMs {
            conditions.append("ended_at >= ?")
            arguments.append(Self.microseconds(after))
        }
        if let before = filter.startedBeforeMs {
            conditions.append("started_at <= ?")
            arguments.append(Self.microseconds(before))
        }
        arguments.append(max(0, filter.limit))
        let condition = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT * FROM job_summary \(condition) ORDER BY ended_at DESC, job_id LIMIT ?"
        let statementArguments = StatementArguments(arguments)
        return try database.read("listing job summaries") { db in
            try Row.fetchAll(db, sql: sql, arguments: statementArguments).map(Self.record)
        }
    }

    /// Job ids that have a summary, among `ids` (what the recorder checks before summarising).
    public func storedJobIDs(among ids: [String]) throws(MetaError) -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return try database.read("looking up job summaries") { db in
            var found: Set<String> = []
            // SQLite's default limit on host parameters is 32766; stay well below it.
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(ids.count, start + 500)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try String.fetchAll(
                    db, sql: "SELECT job_id FROM job_summary WHERE job_id IN (\(marks))",
                    arguments: StatementArguments(chunk))
                found.formUnion(rows)
            }
            return found
        }
    }

    /// Deletes the summaries of jobs that ended before `ms`; returns how many.
    @discardableResult
    public func deleteSummaries(endedBeforeMs ms: Int64) throws(MetaError) -> Int {
        try database.write("deleting old job summaries") { db in
            try db.execute(sql: "DELETE FROM job_summary WHERE ended_at < ?", arguments: [Self.microseconds(ms)])
            return db.changesCount
        }
    }

    private static func microseconds(_ ms: Int64) -> Int64 {
        let (value, overflow) = ms.multipliedReportingOverflow(by: 1000)
        return overflow ? (ms < 0 ? .min : .max) : value
    }

    private static func record(_ row: Row) -> JobSummaryRecord {
        JobSummaryRecord(
            jobID: row["job_id"], user: row["user"], account: row["account"], partition: row["partition"],
            startMs: (row["started_at"] as Int64) / 1000, endMs: (row["ended_at"] as Int64) / 1000,
            gpuCount: row["gpu_count"], utilizationAverage: row["utilization_avg"],
            utilizationMax: row["utilization_max"], peakMemoryMiB: row["peak_memory_mib"],
            energyJoules: row["energy_joules"], idleGPUs: row["idle_gpus"], reportJSON: row["report"],
            recordedMs: (row["recorded_at"] as Int64) / 1000)
    }
}

extension MetaDatabase {
    /// Registers the `job_summary` migration (called from ``migrator``; append-only like the others).
    static func registerJobSummaryMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2: job summaries") { db in
            try db.execute(
                sql: """
                    CREATE TABLE job_summary (
                        job_id TEXT PRIMARY KEY NOT NULL,
                        user TEXT NOT NULL,
                        account TEXT NOT NULL,
                        partition TEXT NOT NULL,
                        started_at INTEGER NOT NULL,
                        ended_at INTEGER NOT NULL,
                        gpu_count INTEGER NOT NULL,
                        utilization_avg REAL,
                        utilization_max REAL,
                        peak_memory_mib REAL,
                        energy_joules REAL,
                        idle_gpus INTEGER NOT NULL,
                        report TEXT NOT NULL,
                        recorded_at INTEGER NOT NULL
                    );
                    CREATE INDEX job_summary_ended_at ON job_summary(ended_at);
                    CREATE INDEX job_summary_user ON job_summary(user, ended_at);
                    CREATE INDEX job_summary_account ON job_summary(account, ended_at);
                    """)
        }
    }
}
