import VigilModel

/// One node's page: a status tile per GPU (utilisation, memory, temperature, power, clocks, throttle reasons,
/// health verdict with the action, XIDs, its job and processes), the host (CPU, memory, disks, network,
/// InfiniBand) and charts over the page's ``TimeRange``: one chart per metric with a line per GPU (or per
/// device), never one chart per GPU.
///
/// The page takes plain values (the server gathers them with PromQL, judges each GPU's health and looks
/// XIDs up) and returns one HTML document; every value from the data is escaped.
public struct NodePage: Sendable, Hashable {
    /// A GPU's health verdict: `OK`, `WARN` or `CRIT` and every finding, worst first.
    public struct Verdict: Sendable, Hashable {
        public enum Status: String, Sendable, Hashable {
            case ok = "OK", warn = "WARN", crit = "CRIT"
        }

        public struct Finding: Sendable, Hashable {
            public var reason: String
            public var action: String

            public init(reason: String, action: String) {
                self.reason = reason
                self.action = action
            }
        }

        public var status: Status
        public var findings: [Finding]

        public init(status: Status, findings: [Finding] = []) {
            self.status = status
            self.findings = findings
        }

        /// The line a tile shows: `healthy`, or the worst finding's reason and what to do.
        public var summary: String {
            guard let worst = findings.first else { return "healthy" }
            return worst.reason + " — " + worst.action
        }
    }

    /// An XID the GPU reported: code, how often, and what it means and asks for.
    public struct XID: Sendable, Hashable {
        public var code: Int
        public var count: Double
        public var meaning: String
        public var action: String

        public init(code: Int, count: Double, meaning: String, action: String) {
            self.code = code
            self.count = count
            self.meaning = meaning
            self.action = action
        }
    }

    /// A process on a GPU (`vigil_gpu_process_info`, `vigil_gpu_process_memory_bytes`).
    public struct Process: Sendable, Hashable {
        public var pid: String
        public var name: String
        public var user: String
        public var jobID: String
        public var memoryBytes: Double?

        public init(pid: String, name: String, user: String = "", jobID: String = "", memoryBytes: Double? = nil) {
            self.pid = pid
            self.name = name
            self.user = user
            self.jobID = jobID
            self.memoryBytes = memoryBytes
        }
    }

    /// A job on a GPU (`vigil_gpu_job_info`).
    public struct Job: Sendable, Hashable {
        public var id: String
        public var user: String

        public init(id: String, user: String) {
            self.id = id
            self.user = user
        }
    }

    /// One GPU's values now; nil where the GPU does not report a field.
    public struct GPU: Sendable, Hashable {
        /// dcgm-exporter's `gpu` label (the index on the node).
        public var index: String
        public var model: String?
        public var uuid: String?
        public var lost: Bool
        public var utilizationPercent: Double?
        public var memoryUsedBytes: Double?
        public var memoryTotalBytes: Double?
        public var temperatureCelsius: Double?
        public var slowdownTemperatureCelsius: Double?
        public var powerWatts: Double?
        public var powerLimitWatts: Double?
        public var smClockMHz: Double?
        public var memoryClockMHz: Double?
        /// Active clock-event (throttle) reasons, e.g. `sw_power_cap` (`gpu_idle` included when active).
        public var clockEventReasons: [String]
        public var eccUncorrected: Double?
        public var eccCorrected: Double?
        public var verdict: Verdict
        public var xids: [XID]
        public var jobs: [Job]
        public var processes: [Process]

        public init(
            index: String, model: String? = nil, uuid: String? = nil, lost: Bool = false,
            utilizationPercent: Double? = nil, memoryUsedBytes: Double? = nil, memoryTotalBytes: Double? = nil,
            temperatureCelsius: Double? = nil, slowdownTemperatureCelsius: Double? = nil, powerWatts: Double? = nil,
            powerLimitWatts: Double? = nil, smClockMHz: Double? = nil, memoryClockMHz: Double? = nil,
            clockEventReasons: [String] = [], eccUncorrected: Double? = nil, eccCorrected: Double? = nil,
            verdict: Verdict = Verdict(status: .ok), xids: [XID] = [], jobs: [Job] = [], processes: [Process] = []
        ) {
            self.index = index
            self.model = model
            self.uuid = uuid
            self.lost = lost
            self.utilizationPercent = utilizationPercent
            self.memoryUsedBytes = memoryUsedBytes
            self.memoryTotalBytes = memoryTotalBytes
            self.temperatureCelsius = temperatureCelsius
            self.slowdownTemperatureCelsius = slowdownTemperatureCelsius
            self.powerWatts = powerWatts
            self.powerLimitWatts = powerLimitWatts
            self.smClockMHz = smClockMHz
            self.memoryClockMHz = memoryClockMHz
            self.clockEventReasons = clockEventReasons
            self.eccUncorrected = eccUncorrected
            self.eccCorrected = eccCorrected
            self.verdict = verdict
            self.xids = xids
            self.jobs = jobs
            self.processes = processes
        }
    }

    /// A fact about the node (model, driver, kernel, CPUs, booted).
    public struct Fact: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// One row of a host table (a disk, an interface, an InfiniBand port): its name, cells in the table's
    /// column order (nil: no data), and whether it shows a problem.
    public struct Row: Sendable, Hashable {
        public var name: String
        public var cells: [String?]
        public var problem: String?

        public init(name: String, cells: [String?], problem: String? = nil) {
            self.name = name
            self.cells = cells
            self.problem = problem
        }
    }

    /// A host table: a caption, column headings (the first names the rows) and rows.
    public struct Table: Sendable, Hashable {
        public var caption: String
        public var columns: [String]
        public var rows: [Row]

        public init(caption: String, columns: [String], rows: [Row]) {
            self.caption = caption
            self.columns = columns
            self.rows = rows
        }
    }

    /// The host's values now (from node_exporter's series), nil fields where absent.
    public struct Host: Sendable, Hashable {
        public var instance: String
        public var cpuBusyPercent: Double?
        public var load1: Double?
        public var cpuCount: Int?
        public var memoryUsedBytes: Double?
        public var memoryTotalBytes: Double?
        /// Disks, filesystems, network interfaces and InfiniBand ports.
        public var tables: [Table]

        public init(
            instance: String, cpuBusyPercent: Double? = nil, load1: Double? = nil, cpuCount: Int? = nil,
            memoryUsedBytes: Double? = nil, memoryTotalBytes: Double? = nil, tables: [Table] = []
        ) {
            self.instance = instance
            self.cpuBusyPercent = cpuBusyPercent
            self.load1 = load1
            self.cpuCount = cpuCount
            self.memoryUsedBytes = memoryUsedBytes
            self.memoryTotalBytes = memoryTotalBytes
            self.tables = tables
        }
    }

    /// The node's name (dcgm-exporter's `Hostname`).
    public var name: String
    public var facts: [Fact]
    public var gpus: [GPU]
    /// Nil when no host series match the node (a GPU-only exporter).
    public var host: Host?
    /// Charts of the GPUs (a line per GPU) and of the host.
    public var gpuCharts: [TimeSeriesChart]
    public var hostCharts: [TimeSeriesChart]
    public var range: TimeRange
    /// When the values were read, in milliseconds since the epoch (shown in UTC).
    public var generatedAt: Int64
    public var refreshSeconds: Int?
    /// Problems gathering the values (a failed query), shown as banners.
    public var notes: [String]

    public init(
        name: String, facts: [Fact] = [], gpus: [GPU], host: Host?, gpuCharts: [TimeSeriesChart] = [],
        hostCharts: [TimeSeriesChart] = [], range: TimeRange, generatedAt: Int64, refreshSeconds: Int? = 15,
        notes: [String] = []
    ) {
        self.name = name
        self.facts = facts
        self.gpus = gpus
        self.host = host
        self.gpuCharts = gpuCharts
        self.hostCharts = hostCharts
        self.range = range
        self.generatedAt = generatedAt
        self.refreshSeconds = refreshSeconds
        self.notes = notes
    }

    /// The page's path: `/ui/node/<name>` with the name percent-encoded.
    public var path: String { "/ui/node/" + HTMLPage.percentEncoded(name) }

    /// The whole HTML document.
    public func render() throws(ChartError) -> String {
        let main = try renderMain()
        var html = HTMLPage.header(
            title: "Node \(name)", refreshSeconds: refreshSeconds, style: TimeRange.style + Self.style, current: nil)
        // The picker stays outside `main`, so a refresh in place never swaps a field the user is typing in.
        html += "<div class=\"node-range\">" + range.pickerHTML(path: path) + "</div>\n"
        html += main
        html += HTMLPage.footer(refreshSeconds: refreshSeconds)
        return html
    }

    /// The `main` element alone: what a refresh replaces (the time-range picker is outside it).
    public func renderMain() throws(ChartError) -> String {
        var html = "<main id=\"node\" data-node=\"\(HTMLPage.escape(name))\">\n"
        for note in notes {
            html += "<p class=\"banner warning\" role=\"status\">" + HTMLPage.escape(note) + "</p>\n"
        }
        if !facts.isEmpty {
            html += "<dl class=\"facts\">"
            for fact in facts {
                html += "<div><dt>" + HTMLPage.escape(fact.name) + "</dt><dd>" + HTMLPage.escape(fact.value)
                html += "</dd></div>"
            }
            html += "</dl>\n"
        }
        html += "<h2 class=\"part\">GPUs</h2>\n"
        if gpus.isEmpty {
            html += "<p class=\"none\">No GPU of this node reports now.</p>\n"
        } else {
            html += "<div class=\"gpus\">\n"
            for gpu in gpus.sorted(by: { HTMLPage.naturalOrder($0.index, $1.index) }) { html += tile(gpu) }
            html += "</div>\n"
        }
        html += try charts(gpuCharts, label: "GPU charts")
        html += hostSection()
        html += try charts(hostCharts, label: "Host charts")
        let time = CivilTime(millisecondsSinceEpoch: generatedAt).dateAndTime(separator: " ")
        html += "<p class=\"updated\">Values at <time>\(HTMLPage.escape(time)) UTC</time>"
        if let refreshSeconds, refreshSeconds > 0 { html += ", refreshed every \(refreshSeconds) s" }
        html += ".</p>\n</main>\n"
        return html
    }
}
