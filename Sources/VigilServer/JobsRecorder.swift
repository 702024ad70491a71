import Logging
import ServiceLifecycle
import Synchronization
import VigilJobs
import VigilMeta
import VigilStorage

/// Which jobs to summarise now: a value-type state machine fed with what the TSDB shows, returning the
/// finished jobs to record (with the earliest start it has seen, which may lie before the window).
public struct JobsRecorderState: Sendable {
    /// First sample seen of every job still running (or finished and not yet recorded).
    public private(set) var firstSeenMs: [String: Int64] = [:]

    public init() {}

    /// Takes the jobs of one pass; returns the finished ones not in `stored`, their start corrected to the
    /// earliest sample seen across passes. Running jobs are remembered; forgotten once recorded.
    public mutating func finishedJobs(in jobs: [JobAllocation], stored: Set<String>) -> [JobAllocation] {
        var finished: [JobAllocation] = []
        let present = Set(jobs.map(\.id))
        for var job in jobs {
            let first = min(firstSeenMs[job.id] ?? job.firstSampleMs, job.firstSampleMs)
            job.firstSampleMs = first
            if job.state == .running {
                firstSeenMs[job.id] = first
            } else if stored.contains(job.id) {
                firstSeenMs[job.id] = nil
            } else {
                firstSeenMs[job.id] = first
                finished.append(job)
            }
        }
        // A job that left the window without being recorded (the server was down) is dropped.
        for id in firstSeenMs.keys where !present.contains(id) { firstSeenMs[id] = nil }
        return finished
    }

    /// The job was recorded.
    public mutating func recorded(_ id: String) { firstSeenMs[id] = nil }
}

/// Summarises jobs once their `vigil_gpu_job_info` series end and keeps each summary in meta.sqlite, so
/// that `vigil jobs report` works after the TSDB's retention dropped the samples. Every ``intervalMs`` it
/// lists the jobs of the last ``windowMs`` and records the finished ones that have no summary yet.
public final class JobsRecorder: Service, Sendable {
    public let storage: any Queryable
    public let store: JobSummaryStore
    public let analyzer: JobAnalyzer
    public let intervalMs: Int64
    /// How far back a pass looks; a job longer than this is measured from the earliest sample a pass saw.
    public let windowMs: Int64
    public let now: @Sendable () -> Int64
    public let logger: Logger
    private let state = Mutex(JobsRecorderState())

    public init(
        storage: any Queryable, store: JobSummaryStore, analyzer: JobAnalyzer = JobAnalyzer(),
        intervalMs: Int64 = 60_000, windowMs: Int64 = 6 * 3_600_000,
        now: @escaping @Sendable () -> Int64, logger: Logger = Logger(label: "vigil.jobs")
    ) {
        self.storage = storage
        self.store = store
        self.analyzer = analyzer
        self.intervalMs = max(1000, intervalMs)
        self.windowMs = max(60_000, windowMs)
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        let interval = intervalMs
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            _ = recordFinishedJobs(at: now())
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(interval)) }
            } catch {
                return
            }
        }
    }

    /// One pass at `time`; returns the ids of the jobs it summarised. Failures are logged, never thrown:
    /// the next pass tries again.
    @discardableResult
    public func recordFinishedJobs(at time: Int64) -> [String] {
        let jobs: [JobAllocation]
        let stored: Set<String>
        do {
            jobs = try analyzer.jobs(start: time - windowMs, end: time, on: storage)
            stored = try store.storedJobIDs(among: jobs.filter { $0.state == .finished }.map(\.id))
        } catch {
            logger.warning("listing jobs failed", metadata: ["error": "\(error)"])
            return []
        }
        let finished = state.withLock { $0.finishedJobs(in: jobs, stored: stored) }
        var recorded: [String] = []
        for job in finished {
            do {
                let report = try analyzer.report(for: job, on: storage).report
                try store.save(try Self.record(report, recordedMs: time))
                state.withLock { $0.recorded(job.id) }
                recorded.append(job.id)
                logger.info(
                    "job summarised",
                    metadata: [
                        "job_id": "\(job.id)", "user": "\(job.user)", "gpus": "\(report.gpuCount)",
                        "idle_gpus": "\(report.idleGPUCount)",
                    ])
            } catch {
                logger.warning("summarising a job failed", metadata: ["job_id": "\(job.id)", "error": "\(error)"])
            }
        }
        return recorded
    }

    /// The row meta.sqlite keeps for `report`.
    public static func record(_ report: JobReport, recordedMs: Int64) throws(JobsError) -> JobSummaryRecord {
        JobSummaryRecord(
            jobID: report.job.id, user: report.job.user, account: report.job.account ?? "",
            partition: report.job.partition ?? "", startMs: report.job.firstSampleMs,
            endMs: report.job.lastSampleMs,
            gpuCount: report.gpuCount, utilizationAverage: report.utilizationAverage,
            utilizationMax: report.utilizationMax, peakMemoryMiB: report.peakMemoryMiB,
            energyJoules: report.energyJoules, idleGPUs: report.idleGPUCount, reportJSON: try report.jsonString(),
            recordedMs: recordedMs)
    }
}
