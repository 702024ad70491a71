import VigilModel
import VigilPromQL
import VigilStorage

/// Finds jobs in `vigil_gpu_job_info` and measures their efficiency with PromQL, one job at a time.
///
/// Every figure comes from the PromQL ``Engine`` over a ``Queryable``, so it runs on the TSDB, on an
/// in-memory storage in tests, and reads only the job's own series: the job's GPUs are selected by the
/// join `metric * on(Hostname, gpu) group_left(job_id) vigil_gpu_job_info{job_id="…"}`, which also
/// counts a GPU only while the job held it, and the metric's side is narrowed to the job's nodes.
public struct JobAnalyzer: Sendable {
    public var engine: Engine
    public var thresholds: JobAdviceThresholds
    /// The most points per series in a report's range queries; the step grows with the job's length.
    public var maxPointsPerSeries: Int
    /// The smallest step of a report's range queries (ms): dcgm-exporter's default interval, 15 s.
    public var minimumStepMs: Int64

    public init(
        engine: Engine = Engine(), thresholds: JobAdviceThresholds = JobAdviceThresholds(),
        maxPointsPerSeries: Int = 720, minimumStepMs: Int64 = 15_000
    ) {
        self.engine = engine
        self.thresholds = thresholds
        self.maxPointsPerSeries = max(2, maxPointsPerSeries)
        self.minimumStepMs = max(1000, minimumStepMs)
    }

    /// The metric that says which job holds which GPU.
    public static let infoMetric = "vigil_gpu_job_info"
    /// Slurm's own allocation (`slurm_job_gpu_info{job_id,user,account,partition,node,gpu}`), the
    /// fallback for jobs ``infoMetric`` does not name; its `node` stands for DCGM's `Hostname`.
    public static let gresInfoMetric = "slurm_job_gpu_info"

    // MARK: Finding jobs

    /// The jobs that held a GPU in `[start, end]` (ms), newest first. A job is running when its info
    /// series is still current at `end` (PromQL's lookback and staleness decide). Slurm jobs that
    /// `vigil_gpu_job_info` does not name come from `slurm_job_gpu_info` (``JobGPUSource/slurmGRES``).
    public func jobs(start: Int64, end: Int64, on storage: any Queryable) throws(JobsError) -> [JobAllocation] {
        let slurm = try allocations(selector: Self.slurmSelector, start: start, end: end, on: storage)
        let pods = try allocations(selector: Self.podSelector, start: start, end: end, on: storage)
        let named = Set(slurm.map(\.id))
        let gres = try allocations(
            selector: Self.slurmSelector, start: start, end: end, on: storage, metric: Self.gresInfoMetric
        ).filter { !named.contains($0.id) }
        return (slurm + pods + gres).sorted { ($0.firstSampleMs, $0.id) > ($1.firstSampleMs, $1.id) }
    }

    /// The job `id` as it shows in `[start, end]`; ``JobsError/Code/notFound`` when it held no GPU then.
    public func job(id: String, start: Int64, end: Int64, on storage: any Queryable) throws(JobsError)
        -> JobAllocation
    {
        guard !id.isEmpty else { throw JobsError(.badRequest, "the job id is empty", key: "id") }
        var found: JobAllocation?
        for selector in Self.selectors(forID: id) where found == nil {
            found = try allocations(selector: selector, start: start, end: end, on: storage).first
        }
        if found == nil {
            found = try allocations(
                selector: Self.selectors(forID: id)[0], start: start, end: end, on: storage,
                metric: Self.gresInfoMetric
            ).first
        }
        guard let job = found else {
            throw JobsError(
                .notFound,
                "no job with this id held a GPU between \(Self.iso(start)) and \(Self.iso(end)) "
                    + "(vigil_gpu_job_info has no series with job_id=\"\(id)\", nor a pod of that namespace/name "
                    + "or UID, and slurm_job_gpu_info none either); check the id, or widen the range if the job "
                    + "ran earlier",
                key: "job \(id)")
        }
        return job
    }

    /// The jobs of `metric`'s series matching `selector`: ``infoMetric`` (Hostname, gpu, UUID) or
    /// ``gresInfoMetric`` (node, gpu; the jobs then have ``JobGPUSource/slurmGRES``).
    func allocations(
        selector: String, start: Int64, end: Int64, on storage: any Queryable, metric: String = infoMetric
    ) throws(JobsError) -> [JobAllocation] {
        guard end >= start else {
            throw JobsError(.badRequest, "the end of the range is before its start", key: "end")
        }
        let window = end - start + 1
        let source: JobGPUSource? = metric == Self.gresInfoMetric ? .slurmGRES : nil
        let raw = try matrix("\(metric){\(selector)}[\(window)ms]", at: end, on: storage, key: "jobs")
        let current = try vector("\(metric){\(selector)}", at: end, on: storage, key: "jobs")
        let running = Set(current.compactMap { Self.identity(of: $0.labels)?.id })
        var byID: [String: JobAllocation] = [:]
        for series in raw {
            guard let identity = Self.identity(of: series.labels), let first = series.samples.first,
                let last = series.samples.last
            else { continue }
            let id = identity.id
            let gpu = JobGPU(
                hostname: series.labels["Hostname"] ?? series.labels["hostname"]
                    ?? (source == .slurmGRES ? series.labels["node"] : nil) ?? "",
                gpu: series.labels["gpu"] ?? "", uuid: series.labels["UUID"] ?? "")
            let account = identity.account
            let partition = identity.partition
            if var job = byID[id] {
                if let uid = identity.podUID, last.timestamp >= job.lastSampleMs { job.podUID = uid }
                if !job.gpus.contains(gpu) { job.gpus.append(gpu) }
                job.firstSampleMs = min(job.firstSampleMs, first.timestamp)
                job.lastSampleMs = max(job.lastSampleMs, last.timestamp)
                job.account = job.account ?? account
                job.partition = job.partition ?? partition
                if job.user.isEmpty { job.user = identity.user }
                byID[id] = job
            } else {
                byID[id] = JobAllocation(
                    id: id, user: identity.user, account: account, partition: partition, gpus: [gpu],
                    firstSampleMs: first.timestamp, lastSampleMs: last.timestamp,
                    state: running.contains(id) ? .running : .finished, podUID: identity.podUID,
                    gpuSource: source)
            }
        }
        return byID.values.map { job in
            var job = job
            job.gpus.sort()
            return job
        }.sorted { ($0.firstSampleMs, $0.id) > ($1.firstSampleMs, $1.id) }
    }

    // MARK: Queries

    func matrix(_ query: String, at time: Int64, on storage: any Queryable, key: String) throws(JobsError)
        -> [MatrixSeries]
    {
        switch try run(key: key, { try engine.instantQuery(query, at: time, on: storage) }).value {
        case .matrix(let series): return series
        default: return []
        }
    }

    func vector(_ query: String, at time: Int64, on storage: any Queryable, key: String) throws(JobsError)
        -> [VectorSample]
    {
        switch try run(key: key, { try engine.instantQuery(query, at: time, on: storage) }).value {
        case .vector(let samples): return samples
        default: return []
        }
    }

    func range(_ query: String, start: Int64, end: Int64, step: Int64, on storage: any Queryable, key: String)
        throws(JobsError) -> [MatrixSeries]
    {
        let result = try run(key: key) { try engine.rangeQuery(query, start: start, end: end, step: step, on: storage) }
        if case .matrix(let series) = result.value { return series }
        return []
    }

    private func run(key: String, _ body: () throws -> QueryResult) throws(JobsError) -> QueryResult {
        do {
            return try body()
        } catch let error as JobsError {
            throw error
        } catch {
            throw JobsError(.query, "a query behind the report failed: \(error)", key: key)
        }
    }

    // MARK: Text

    /// A PromQL regex (inside a double-quoted string) that matches exactly one of `values`.
    static func alternation(_ values: [String]) -> String {
        let metacharacters = Set("\\.+*?()|[]{}^$")
        let quoted = values.map { value in
            var out = ""
            for character in value {
                if metacharacters.contains(character) { out.append("\\") }
                out.append(character)
            }
            return out
        }
        return escapeLabelValue(quoted.joined(separator: "|"))
    }

    /// `2026-11-30T02:48:00Z` for messages.
    static func iso(_ ms: Int64) -> String {
        let seconds = ms.floorDiv(1000)
        let days = seconds.floorDiv(86_400)
        let secondOfDay = seconds - days * 86_400
        // Civil from days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = z.floorDiv(146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):"
            + "\(two(secondOfDay % 60))Z"
    }
}

extension Int64 {
    fileprivate func floorDiv(_ divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}
