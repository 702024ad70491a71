import Hummingbird
import VigilJobs
import VigilMeta
import VigilModel
import VigilUI

extension DashboardRoutes {
    /// Adds `/ui/jobs` (running and recent jobs, allocated-but-idle GPUs, showback) and `/ui/jobs/{id}` (a
    /// job's report with per-GPU charts). `store` supplies finished jobs' summaries beyond the TSDB.
    public func registerJobs<Context: RequestContext>(on router: Router<Context>, store: JobSummaryStore? = nil) {
        let dashboard = self
        let jobs = JobsAPI(api: api, store: store)
        router.get("/ui/jobs") { request, _ in await dashboard.jobsResponse(request, jobs: jobs) }
        router.get("/ui/jobs/{id}") { request, context in
            await dashboard.jobResponse(request, id: JobsAPI.decodedID(context.parameters.get("id") ?? ""), jobs: jobs)
        }
    }

    /// How far back the jobs page looks.
    static let jobsPageWindowMs: Int64 = 86_400_000
    /// How far back a job's page looks for the job in the TSDB before trying meta.sqlite.
    static let jobPageWindowMs: Int64 = 7 * 86_400_000
    /// The window of the allocated-but-idle view.
    static let idleWindowMs: Int64 = 1_800_000

    /// Gathers the jobs page at the API's current time; a part that fails is left empty with a note.
    public func jobsPage(jobs: JobsAPI, refreshSeconds: Int? = nil) async -> JobsPage {
        let now = api.now()
        let start = now - Self.jobsPageWindowMs
        let analyzer = jobs.analyzer
        let storage = api.storage
        var notes: [String] = []
        var rows: [JobsPage.Job] = []
        var form = FormValues()
        form.add(encoded: Array("start=\(Double(start) / 1000)&end=\(Double(now) / 1000)".utf8))
        do {
            rows = try await jobs.list(form).map(Self.row)
        } catch {
            notes.append("Could not list the jobs: \(error.message)")
        }
        var idle: [JobsPage.IdleGPU] = []
        do {
            idle = try await JobsAPI.run { () throws(JobsError) -> [IdleAllocatedGPU] in
                try analyzer.idleAllocatedGPUs(at: now, windowMs: Self.idleWindowMs, on: storage)
            }.map {
                JobsPage.IdleGPU(
                    hostname: $0.gpu.hostname, gpu: $0.gpu.gpu, jobID: $0.jobID, user: $0.user,
                    utilization: $0.utilization)
            }
        } catch {
            notes.append("Could not find idle allocated GPUs: \(error.message)")
        }
        var showback: [ShowbackGrouping: [JobsPage.Showback]] = [:]
        for grouping in ShowbackGrouping.allCases {
            do {
                showback[grouping] = try await JobsAPI.run { () throws(JobsError) -> [ShowbackRow] in
                    try analyzer.showback(start: start, end: now, by: grouping, on: storage)
                }.map {
                    JobsPage.Showback(
                        key: $0.key, gpuHoursAllocated: $0.gpuHoursAllocated, gpuHoursUsed: $0.gpuHoursUsed,
                        jobs: $0.jobs)
                }
            } catch {
                notes.append("Could not compute showback by \(grouping.rawValue): \(error.message)")
            }
        }
        return JobsPage(
            jobs: rows, idleGPUs: idle, idleWindowMinutes: Int(Self.idleWindowMs / 60_000),
            showbackByUser: showback[.user] ?? [], showbackByAccount: showback[.account] ?? [],
            rangeHours: Int(Self.jobsPageWindowMs / 3_600_000), notes: notes, refreshSeconds: refreshSeconds)
    }

    func jobsResponse(_ request: Request, jobs: JobsAPI) async -> Response {
        var refresh: Int?
        if let text = request.uri.queryParameters["refresh"].map(String.init), !text.isEmpty {
            guard let seconds = Self.refreshSeconds(text) else {
                return Self.html(
                    .badRequest,
                    HTMLPage.errorPage(
                        title: "Bad refresh interval",
                        message:
                            "refresh=\"\(text)\" is not an interval: give whole seconds from 1 to 3600 (e.g. 15s or 15), or off.",
                        links: [("/ui/jobs", "Jobs, refreshed every \(defaultRefreshSeconds) s")]))
            }
            refresh = seconds
        }
        // Every refresh recomputes every report of the day: not more often than once a minute by default.
        let page = await jobsPage(jobs: jobs, refreshSeconds: refresh ?? max(60, defaultRefreshSeconds))
        return Self.html(.ok, page.render())
    }

    /// A job's report page: from the TSDB (with charts) while it has the job, else meta.sqlite's summary.
    public func jobReportPage(id: String, jobs: JobsAPI) async throws(APIError) -> JobsPage.Report {
        let now = api.now()
        let analyzer = jobs.analyzer
        let storage = api.storage
        let start = now - Self.jobPageWindowMs
        do {
            let detail = try await JobsAPI.run { () throws(JobsError) -> JobDetail in
                try analyzer.report(jobID: id, start: start, end: now, on: storage)
            }
            return Self.reportPage(detail.report, detail: detail)
        } catch  where error.code == .notFound {
            var form = FormValues()
            form.add(encoded: Array("start=\(Double(start) / 1000)&end=\(Double(now) / 1000)".utf8))
            return Self.reportPage(try await jobs.report(id: id, form), detail: nil)
        }
    }

    func jobResponse(_ request: Request, id: String, jobs: JobsAPI) async -> Response {
        do {
            return Self.html(.ok, try await jobReportPage(id: id, jobs: jobs).render())
        } catch let error as APIError where error.code == .notFound {
            return Self.html(
                .notFound,
                HTMLPage.errorPage(
                    title: "Job not found",
                    message:
                        "No job \"\(id)\" held a GPU in the last \(Self.jobPageWindowMs / 86_400_000) days and "
                        + "no summary of it is stored. Check the id; the jobs page lists running and recent jobs.",
                    links: [("/ui/jobs", "Jobs")]))
        } catch {
            return Self.html(
                .internalServerError,
                HTMLPage.errorPage(
                    title: "Job report failed", message: "The report of job \"\(id)\" failed: \(error)",
                    links: [("/ui/jobs", "Jobs")]))
        }
    }

    // MARK: Mapping

    static let mebibyte = 1_048_576.0

    static func row(_ report: JobReport) -> JobsPage.Job {
        JobsPage.Job(
            id: report.job.id, user: report.job.user, account: report.job.account ?? "", gpus: report.gpuCount,
            utilizationAverage: report.utilizationAverage, utilizationMax: report.utilizationMax,
            peakMemoryBytes: report.peakMemoryMiB.map { $0 * mebibyte }, energyJoules: report.energyJoules,
            idleGPUs: report.idleGPUCount, state: report.job.state.rawValue, start: report.job.firstSampleMs,
            end: report.job.lastSampleMs)
    }

    static func reportPage(_ report: JobReport, detail: JobDetail?) -> JobsPage.Report {
        var utilizationChart: TimeSeriesChart?
        var memoryChart: TimeSeriesChart?
        if let detail {
            func series(_ list: [JobGPUSeries], scale: Double) -> [ChartSeries] {
                list.map {
                    ChartSeries(
                        labels: ["Hostname": $0.gpu.hostname, "gpu": $0.gpu.gpu],
                        name: "\($0.gpu.hostname) GPU \($0.gpu.gpu)",
                        samples: $0.samples.map { Sample($0.timestamp, $0.value * scale) })
                }
            }
            let start = report.job.firstSampleMs
            let end = max(report.job.lastSampleMs, start + 1)
            utilizationChart = TimeSeriesChart(
                title: "GPU utilisation", series: series(detail.utilization, scale: 1), start: start, end: end,
                step: detail.stepMs, unit: .percent, valueRange: 0...100, idPrefix: "job-util")
            memoryChart = TimeSeriesChart(
                title: "GPU memory used", series: series(detail.memoryUsedMiB, scale: mebibyte), start: start,
                end: end, step: detail.stepMs, unit: .bytes, idPrefix: "job-mem")
        }
        return JobsPage.Report(
            job: row(report), partition: report.job.partition ?? "", advice: report.advice.map(\.message),
            notes: report.notes,
            nodes: report.nodes.map {
                JobsPage.Report.Node(
                    hostname: $0.hostname, gpus: $0.gpuCount, utilizationAverage: $0.utilizationAverage,
                    peakMemoryBytes: $0.peakMemoryMiB.map { $0 * mebibyte }, energyJoules: $0.energyJoules,
                    cpuEfficiency: $0.cpuEfficiency, iowait: $0.iowait)
            },
            gpus: report.gpus.map {
                JobsPage.Report.GPU(
                    hostname: $0.gpu.hostname, gpu: $0.gpu.gpu, uuid: $0.gpu.uuid,
                    utilizationAverage: $0.utilizationAverage, utilizationMax: $0.utilizationMax,
                    peakMemoryBytes: $0.peakMemoryMiB.map { $0 * mebibyte },
                    memoryTotalBytes: $0.memoryTotalMiB.map { $0 * mebibyte }, energyJoules: $0.energyJoules,
                    idle: $0.idle)
            },
            utilizationChart: utilizationChart, memoryChart: memoryChart)
    }
}
