import Foundation
import Hummingbird
import VigilJobs
import VigilMeta
import VigilModel
import VigilPromQL

/// Vigil's own jobs API, in Prometheus's JSON envelope:
///
/// - `GET /api/v1/jobs?state=running|finished&user=&account=&start=&end=&limit=`: the jobs that held a GPU
///   in the range (default: the last ``recentWindowMs``), newest first, each a `JobReport` (docs/jobs.md);
///   finished jobs older than the TSDB's data come from meta.sqlite's `job_summary`.
/// - `GET /api/v1/jobs/{id}?start=&end=`: one job's report, from the TSDB while it has the job, else from
///   meta.sqlite; 404 `not_found` when neither knows it.
/// - `GET /api/v1/jobs/showback?start=&end=&by=user|account&step=`: GPU-hours allocated and used.
///
/// ```swift
/// JobsAPI(api: api, store: JobSummaryStore(meta)).register(on: router)
/// ```
public struct JobsAPI: Sendable {
    /// Storage, engine options, clock and readiness come from the Prometheus API.
    public var api: PrometheusAPI
    /// Summaries of finished jobs; nil without meta.sqlite (only what the TSDB holds is shown).
    public var store: JobSummaryStore?
    public var analyzer: JobAnalyzer
    /// How far back `/api/v1/jobs` and `/api/v1/jobs/{id}` look without `start` (default 24 h).
    public var recentWindowMs: Int64

    public init(
        api: PrometheusAPI, store: JobSummaryStore? = nil, analyzer: JobAnalyzer? = nil,
        recentWindowMs: Int64 = 86_400_000
    ) {
        self.api = api
        self.store = store
        self.analyzer = analyzer ?? JobAnalyzer(engine: Engine(options: api.engineOptions))
        self.recentWindowMs = recentWindowMs
    }

    /// Adds the three endpoints to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        let jobs = self
        router.get("/api/v1/jobs/showback") { request, context in
            try await jobs.api.respond(request, context) { form, output in
                let rows = try await jobs.showback(form)
                try Self.write(rows, to: &output)
            }
        }
        router.get("/api/v1/jobs/{id}") { request, context in
            // A pod's id (`namespace/pod`) arrives with its `/` percent-encoded, which the router leaves as is.
            let id = Self.decodedID(context.parameters.get("id") ?? "")
            return try await jobs.api.respond(request, context) { form, output in
                let report = try await jobs.report(id: id, form)
                try Self.write(report, to: &output)
            }
        }
        router.get("/api/v1/jobs") { request, context in
            try await jobs.api.respond(request, context) { form, output in
                let reports = try await jobs.list(form)
                try Self.write(reports, to: &output)
            }
        }
    }

    // MARK: Handlers

    /// The range of a request: `start`/`end` (RFC 3339 or Unix seconds), by default the recent window.
    func range(_ form: FormValues) throws(APIError) -> (start: Int64, end: Int64) {
        let now = api.now()
        let end = try APIParameters.timeParameter(form, "end", default: now)
        let start = try APIParameters.timeParameter(form, "start", default: end - recentWindowMs)
        guard end >= start else {
            throw APIError(.badData, "invalid parameter \"end\": end timestamp must not be before start time")
        }
        return (start, end)
    }

    func list(_ form: FormValues) async throws(APIError) -> [JobReport] {
        let (start, end) = try range(form)
        let state = try Self.state(form["state"])
        let limit = try Self.limit(form["limit"])
        let user = nonEmpty(form["user"])
        let account = nonEmpty(form["account"])
        let analyzer = analyzer
        let storage = api.storage
        var reports = try await Self.run { () throws(JobsError) -> [JobReport] in
            var reports: [JobReport] = []
            for job in try analyzer.jobs(start: start, end: end, on: storage) where reports.count < limit {
                guard
                    (state == nil || job.state == state) && (user == nil || job.user == user)
                        && (account == nil || job.account == account)
                else { continue }
                reports.append(try analyzer.report(for: job, on: storage).report)
            }
            return reports
        }
        if state != .running, let store {
            let live = Set(reports.map(\.job.id))
            let stored: [JobSummaryRecord]
            do {
                stored = try store.summaries(
                    .init(user: user, account: account, endedAfterMs: start, startedBeforeMs: end, limit: limit))
            } catch {
                throw APIError(.internal, "reading job summaries: \(error)")
            }
            for record in stored where !live.contains(record.jobID) {
                if let report = try? JobReport(jsonString: record.reportJSON) { reports.append(report) }
            }
            reports.sort { ($0.job.firstSampleMs, $0.job.id) > ($1.job.firstSampleMs, $1.job.id) }
        }
        return Array(reports.prefix(limit))
    }

    /// A job id from a path segment, percent-decoded (`ml-team%2Ftrainer-0` → `ml-team/trainer-0`); the
    /// segment as is when it is not valid percent-encoding.
    static func decodedID(_ segment: String) -> String { segment.removingPercentEncoding ?? segment }

    func report(id: String, _ form: FormValues) async throws(APIError) -> JobReport {
        let (start, end) = try range(form)
        let analyzer = analyzer
        let storage = api.storage
        do {
            return try await Self.run { () throws(JobsError) -> JobReport in
                try analyzer.report(jobID: id, start: start, end: end, on: storage).report
            }
        } catch let error where error.code == .notFound {
            if let store {
                let record: JobSummaryRecord?
                do {
                    record = try store.summary(jobID: id)
                } catch {
                    throw APIError(.internal, "reading the summary of job \(id): \(error)")
                }
                if let record {
                    do {
                        return try JobReport(jsonString: record.reportJSON)
                    } catch {
                        throw APIError(.internal, error.description)
                    }
                }
            }
            throw APIError(
                .notFound,
                "job \(GoQuote.quote(id)) not found: no GPU series has job_id=\(GoQuote.quote(id)) (nor is it a pod's "
                    + "namespace/name or UID) between "
                    + "\(RFC3339.format(start)) and \(RFC3339.format(end))"
                    + (store == nil ? "" : " and meta.sqlite has no summary of it")
                    + "; check the id (GET /api/v1/jobs lists recent jobs) or pass an earlier start")
        }
    }

    func showback(_ form: FormValues) async throws(APIError) -> [ShowbackRow] {
        let (start, end) = try range(form)
        let text = form["by"]
        let grouping: ShowbackGrouping
        if text.isEmpty {
            grouping = .user
        } else if let parsed = ShowbackGrouping(rawValue: text) {
            grouping = parsed
        } else {
            throw APIError(.badData, "invalid parameter \"by\": \(GoQuote.quote(text)) is neither user nor account")
        }
        let step: Int64? = form["step"].isEmpty ? nil : try APIParameters.duration(form, "step") / 1_000_000
        let analyzer = analyzer
        let storage = api.storage
        return try await Self.run { () throws(JobsError) -> [ShowbackRow] in
            try analyzer.showback(start: start, end: end, by: grouping, stepMs: step, on: storage)
        }
    }

    static func state(_ text: String) throws(APIError) -> JobState? {
        guard !text.isEmpty else { return nil }
        guard let state = JobState(rawValue: text) else {
            throw APIError(
                .badData, "invalid parameter \"state\": \(GoQuote.quote(text)) is neither running nor finished")
        }
        return state
    }

    static func limit(_ text: String) throws(APIError) -> Int {
        guard !text.isEmpty else { return 1000 }
        guard let value = Int(text), value > 0 else {
            throw APIError(
                .badData, "invalid parameter \"limit\": \(GoQuote.quote(text)) is not a positive integer")
        }
        return value
    }

    // MARK: Plumbing

    private func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }

    /// Runs `body` off the event loop, mapping ``JobsError`` to the API's error types.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws(JobsError) -> T) async throws(APIError) -> T {
        do {
            return try await QueryExecutor.run { () throws -> T in try body() }
        } catch let error as JobsError {
            throw APIError(error)
        } catch {
            throw APIError(error)
        }
    }

    static func write(_ value: some Encodable, to output: inout APIOutput) throws(APIError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        do {
            output.json.bytes.append(contentsOf: try encoder.encode(value))
        } catch {
            throw APIError(.internal, "encoding the answer: \(error)")
        }
    }
}

extension APIError {
    /// A job error as the API reports it: unknown job 404, bad parameter 400, failed query 422.
    init(_ error: JobsError) {
        switch error.code {
        case .notFound: self.init(.notFound, error.description)
        case .badRequest: self.init(.badData, error.description)
        case .query: self.init(.execution, error.description)
        }
    }
}
