import VigilModel

/// The jobs page (`/ui/jobs`): running and recent jobs with their efficiency, the GPUs jobs hold without
/// using them (fleet view), and GPU-hours allocated against used per user and per account (showback).
/// Every value from the data (job ids, users, accounts, host names) is escaped.
public struct JobsPage: Sendable, Hashable {
    /// One row of the jobs table.
    public struct Job: Sendable, Hashable {
        public var id: String
        public var user: String
        public var account: String
        public var gpus: Int
        /// Percent.
        public var utilizationAverage: Double?
        public var utilizationMax: Double?
        public var peakMemoryBytes: Double?
        public var energyJoules: Double?
        public var idleGPUs: Int
        /// `running` or `finished`.
        public var state: String
        /// First and last sample (ms since the epoch).
        public var start: Int64
        public var end: Int64

        public init(
            id: String, user: String, account: String, gpus: Int, utilizationAverage: Double?,
            utilizationMax: Double?, peakMemoryBytes: Double?, energyJoules: Double?, idleGPUs: Int, state: String,
            start: Int64, end: Int64
        ) {
            self.id = id
            self.user = user
            self.account = account
            self.gpus = gpus
            self.utilizationAverage = utilizationAverage
            self.utilizationMax = utilizationMax
            self.peakMemoryBytes = peakMemoryBytes
            self.energyJoules = energyJoules
            self.idleGPUs = idleGPUs
            self.state = state
            self.start = start
            self.end = end
        }
    }

    /// A GPU a job holds that has been idle lately.
    public struct IdleGPU: Sendable, Hashable {
        public var hostname: String
        public var gpu: String
        public var jobID: String
        public var user: String
        /// Average utilisation over the window (percent).
        public var utilization: Double

        public init(hostname: String, gpu: String, jobID: String, user: String, utilization: Double) {
            self.hostname = hostname
            self.gpu = gpu
            self.jobID = jobID
            self.user = user
            self.utilization = utilization
        }
    }

    /// One showback row.
    public struct Showback: Sendable, Hashable {
        public var key: String
        public var gpuHoursAllocated: Double
        public var gpuHoursUsed: Double
        public var jobs: Int

        public init(key: String, gpuHoursAllocated: Double, gpuHoursUsed: Double, jobs: Int) {
            self.key = key
            self.gpuHoursAllocated = gpuHoursAllocated
            self.gpuHoursUsed = gpuHoursUsed
            self.jobs = jobs
        }
    }

    public var jobs: [Job]
    public var idleGPUs: [IdleGPU]
    /// Minutes the idle view averages over.
    public var idleWindowMinutes: Int
    public var showbackByUser: [Showback]
    public var showbackByAccount: [Showback]
    /// Hours the list and the showback cover.
    public var rangeHours: Int
    /// Problems gathering the data (a failed query), shown as banners.
    public var notes: [String]
    public var refreshSeconds: Int?

    public init(
        jobs: [Job], idleGPUs: [IdleGPU], idleWindowMinutes: Int = 30, showbackByUser: [Showback],
        showbackByAccount: [Showback], rangeHours: Int = 24, notes: [String] = [], refreshSeconds: Int? = nil
    ) {
        self.jobs = jobs
        self.idleGPUs = idleGPUs
        self.idleWindowMinutes = idleWindowMinutes
        self.showbackByUser = showbackByUser
        self.showbackByAccount = showbackByAccount
        self.rangeHours = rangeHours
        self.notes = notes
        self.refreshSeconds = refreshSeconds
    }

    /// The path of a job's report page.
    public static func path(ofJob id: String) -> String { "/ui/jobs/" + HTMLPage.percentEncoded(id) }

    /// The whole HTML document.
    public func render() -> String {
        HTMLPage.header(title: "Jobs", refreshSeconds: refreshSeconds, style: Self.style, current: "/ui/jobs")
            + renderMain() + HTMLPage.footer(refreshSeconds: refreshSeconds)
    }

    /// The `main` element alone: what a refresh replaces.
    public func renderMain() -> String {
        var html = "<main id=\"jobs\">\n"
        for note in notes {
            html += "<p class=\"banner warning\" role=\"status\">" + HTMLPage.escape(note) + "</p>\n"
        }
        html += "<h2 class=\"part\">Running and recent jobs (last \(rangeHours) h)</h2>\n"
        if jobs.isEmpty {
            html +=
                "<p class=\"none\">No job held a GPU in this range (no vigil_gpu_job_info series with a job_id).</p>\n"
        } else {
            html += "<table class=\"jobs\"><thead><tr><th>Job</th><th>User</th><th>Account</th><th>GPUs</th>"
            html += "<th>Util avg / max</th><th>Peak memory</th><th>Energy</th><th>Idle GPUs</th><th>State</th>"
            html += "</tr></thead><tbody>\n"
            for job in jobs {
                html += "<tr><td><a href=\"" + HTMLPage.escape(Self.path(ofJob: job.id)) + "\">"
                html += HTMLPage.escape(job.id) + "</a></td>"
                html += cell(job.user) + cell(job.account.isEmpty ? "–" : job.account) + cell("\(job.gpus)")
                html += cell(Self.percent(job.utilizationAverage) + " / " + Self.percent(job.utilizationMax))
                html += cell(job.peakMemoryBytes.map { ChartUnit.bytes.format($0) } ?? "–")
                html += cell(Self.energy(job.energyJoules))
                let idle = job.idleGPUs > 0
                html += "<td\(idle ? " class=\"problem\"" : "")>\(job.idleGPUs)\(idle ? " ▲" : "")</td>"
                html += cell(job.state == "running" ? "● running" : "○ finished") + "</tr>\n"
            }
            html += "</tbody></table>\n"
        }
        html += "<h2 class=\"part\">GPUs allocated but idle (last \(idleWindowMinutes) min)</h2>\n"
        if idleGPUs.isEmpty {
            html += "<p class=\"none\">Every GPU a job holds did some work.</p>\n"
        } else {
            html += "<table class=\"idle\"><thead><tr><th>Node</th><th>GPU</th><th>Job</th><th>User</th>"
            html += "<th>Util avg</th></tr></thead><tbody>\n"
            for gpu in idleGPUs {
                html += "<tr>" + cell(gpu.hostname) + cell(gpu.gpu)
                html += "<td><a href=\"" + HTMLPage.escape(Self.path(ofJob: gpu.jobID)) + "\">"
                html += HTMLPage.escape(gpu.jobID) + "</a></td>" + cell(gpu.user)
                html += cell(Self.percent(gpu.utilization)) + "</tr>\n"
            }
            html += "</tbody></table>\n"
        }
        html += "<h2 class=\"part\">Showback: GPU-hours allocated and used (last \(rangeHours) h)</h2>\n"
        html += showbackTable(showbackByUser, heading: "User")
        html += showbackTable(showbackByAccount, heading: "Account")
        html += "</main>\n"
        return html
    }

    private func showbackTable(_ rows: [Showback], heading: String) -> String {
        guard !rows.isEmpty else { return "<p class=\"none\">No GPU was allocated by \(heading.lowercased()).</p>\n" }
        var html = "<table class=\"showback\"><thead><tr><th>\(heading)</th><th>GPU-h allocated</th>"
        html += "<th>GPU-h used</th><th>Efficiency</th><th>Jobs</th></tr></thead><tbody>\n"
        for row in rows {
            html += "<tr>" + cell(row.key.isEmpty ? "(none)" : row.key) + cell(Self.hours(row.gpuHoursAllocated))
            html += cell(Self.hours(row.gpuHoursUsed))
            html += cell(
                row.gpuHoursAllocated > 0 ? Self.percent(100 * row.gpuHoursUsed / row.gpuHoursAllocated) : "–")
            html += cell("\(row.jobs)") + "</tr>\n"
        }
        return html + "</tbody></table>\n"
    }

    func cell(_ text: String) -> String { "<td>" + HTMLPage.escape(text) + "</td>" }

    static func percent(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        return "\(Int(value.rounded())) %"
    }

    static func hours(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// `12.3 kWh` or `850 kJ`.
    static func energy(_ joules: Double?) -> String {
        guard let joules, joules.isFinite else { return "–" }
        if joules >= 360_000 { return hours(joules / 3_600_000) + " kWh" }
        return "\(Int((joules / 1000).rounded())) kJ"
    }

    static let style = """
        table.jobs, table.idle, table.showback { border-collapse: collapse; margin: 0.5rem 0 1rem; }
        table.jobs th, table.jobs td, table.idle th, table.idle td, table.showback th, table.showback td {
          padding: 0.2rem 0.6rem; text-align: left; border-bottom: 1px solid #ddd; }
        td.problem { font-weight: bold; }
        .facts { display: flex; flex-wrap: wrap; gap: 0.4rem 1.5rem; margin: 0 0 0.8rem; }
        .facts div { display: flex; gap: 0.4rem; }
        .facts dt { color: #555e6e; }
        .facts dd { margin: 0; font-weight: 600; }
        ul.advice li { margin: 0.3rem 0; }

        """
}
