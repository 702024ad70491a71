import VigilModel

/// The dashboard's first page: how many GPUs are busy, idle and unhealthy, the cluster's power draw, the
/// firing alerts by severity and a heatmap of every GPU (rows: nodes, columns: GPU index).
///
/// The page takes plain values (the server gathers them with PromQL) and returns one HTML document with no
/// external resource; a few lines of script refresh the page's `main` element in place every
/// ``refreshSeconds`` and show a banner while the server cannot be reached.
public struct OverviewPage: Sendable, Hashable {
    /// What the heatmap colours its cells by (`?metric=` on the page's URL).
    public enum HeatmapMetric: String, Sendable, Hashable, CaseIterable {
        case utilization
        case temperature
        case power
        case memory

        /// The name on the switch and in the heatmap's title.
        public var title: String {
            switch self {
            case .utilization: "Utilisation"
            case .temperature: "Temperature"
            case .power: "Power"
            case .memory: "Memory used"
            }
        }

        public var unit: ChartUnit {
            switch self {
            case .utilization, .memory: .percent
            case .temperature: .celsius
            case .power: .watts
            }
        }

        /// A fixed colour scale where one makes sense, so that colours mean the same on every refresh; power
        /// spans the data (GPU models differ too much).
        public var valueRange: ClosedRange<Double>? {
            switch self {
            case .utilization, .memory: 0...100
            case .temperature: 20...100
            case .power: nil
            }
        }
    }

    /// One GPU: where it is, the heatmap metric's value (nil: no data) and whether it is unhealthy.
    public struct GPU: Sendable, Hashable {
        public var hostname: String
        /// The GPU's index on its node (dcgm-exporter's `gpu` label).
        public var gpu: String
        public var value: Double?
        public var unhealthy: Bool
        /// Shown in the cell's tooltip (e.g. `modelName`, `UUID`).
        public var labels: Labels

        public init(hostname: String, gpu: String, value: Double?, unhealthy: Bool = false, labels: Labels = Labels()) {
            self.hostname = hostname
            self.gpu = gpu
            self.value = value
            self.unhealthy = unhealthy
            self.labels = labels
        }
    }

    /// The counters at the top of the page.
    public struct GPUCounts: Sendable, Hashable {
        public var busy: Int
        public var idle: Int
        public var unhealthy: Int
        /// Idle GPUs that a Slurm job or Kubernetes pod holds (`vigil_gpu_job_info`): paid for, not used.
        /// Nil when no GPU reports a job, so the counter is not shown where jobs are not collected.
        public var allocatedIdle: Int?
        public var total: Int { busy + idle + unhealthy }

        public init(busy: Int, idle: Int, unhealthy: Int, allocatedIdle: Int? = nil) {
            self.busy = busy
            self.idle = idle
            self.unhealthy = unhealthy
            self.allocatedIdle = allocatedIdle
        }
    }

    public var counts: GPUCounts
    /// The cluster's power draw in watts; nil when no GPU reports it.
    public var powerWatts: Double?
    /// Firing alerts by their `severity` label (alerts without one under `none`).
    public var firingAlerts: [String: Int]
    public var metric: HeatmapMetric
    public var gpus: [GPU]
    /// When the values were read, in milliseconds since the epoch (shown in UTC).
    public var generatedAt: Int64
    /// Seconds between refreshes in place; nil or 0 turns refreshing off.
    public var refreshSeconds: Int?
    /// Problems gathering the values (a failed query), shown as a banner above the counters.
    public var notes: [String]
    /// Where the page is served, for the metric switch's links (`/` or `/ui/overview`).
    public var path: String

    public init(
        counts: GPUCounts, powerWatts: Double?, firingAlerts: [String: Int], metric: HeatmapMetric = .utilization,
        gpus: [GPU], generatedAt: Int64, refreshSeconds: Int? = 15, notes: [String] = [], path: String = "/"
    ) {
        self.counts = counts
        self.powerWatts = powerWatts
        self.firingAlerts = firingAlerts
        self.metric = metric
        self.gpus = gpus
        self.generatedAt = generatedAt
        self.refreshSeconds = refreshSeconds
        self.notes = notes
        self.path = path
    }

    /// The link to a node's page: `/ui/node/<Hostname>` with the name percent-encoded.
    public static func nodeLink(_ hostname: String) -> String { "/ui/node/" + HTMLPage.percentEncoded(hostname) }

    /// Severities in the order an operator reads them; others follow alphabetically.
    static let severityOrder = ["critical", "page", "error", "warning", "ticket", "info", "none"]

    /// The heatmap of every GPU: nodes sorted naturally (`node-2` before `node-10`), GPU columns by index.
    public func heatmap() -> HeatmapChart {
        var columns = Set<String>()
        var byHost: [String: [String: GPU]] = [:]
        for gpu in gpus {
            columns.insert(gpu.gpu)
            byHost[gpu.hostname, default: [:]][gpu.gpu] = gpu
        }
        let columnLabels = columns.sorted(by: HTMLPage.naturalOrder)
        let rows = byHost.keys.sorted(by: HTMLPage.naturalOrder).map { host in
            let cells = byHost[host] ?? [:]
            let link = Self.nodeLink(host)
            var row = columnLabels.map { column -> HeatmapChart.Cell in
                guard let gpu = cells[column] else { return HeatmapChart.Cell(value: nil) }
                return HeatmapChart.Cell(value: gpu.value, unhealthy: gpu.unhealthy, labels: gpu.labels, href: link)
            }
            // Trailing columns this node lacks stay empty rather than drawn as "no data".
            while let last = row.last, last.value == nil, !last.unhealthy, last.href == nil { row.removeLast() }
            return HeatmapChart.Row(label: host, href: link, cells: row)
        }
        return HeatmapChart(
            title: "\(metric.title) of \(gpus.count) GPUs", columnLabels: columnLabels, columnName: "GPU", rows: rows,
            unit: metric.unit, valueRange: metric.valueRange, cellWidth: 26, cellHeight: 14, idPrefix: "fleet")
    }

    /// The whole HTML document.
    public func render() throws(ChartError) -> String {
        let main = try renderMain()
        var html = HTMLPage.header(title: "Fleet overview", refreshSeconds: refreshSeconds, current: "/")
        html += main
        html += HTMLPage.footer(refreshSeconds: refreshSeconds)
        return html
    }

    /// The `main` element alone: what a refresh replaces.
    public func renderMain() throws(ChartError) -> String {
        let svg = try heatmap().render()
        var html = ""
        html.reserveCapacity(svg.utf8.count + 4096)
        html += "<main id=\"overview\" data-metric=\"\(metric.rawValue)\">\n"
        for note in notes {
            html += "<p class=\"banner warning\" role=\"status\">" + HTMLPage.escape(note) + "</p>\n"
        }
        html += "<section class=\"counters\" aria-label=\"GPUs\">\n"
        html += counter("busy", counts.busy, "GPUs busy", "utilisation above 10%")
        html += counter("idle", counts.idle, "GPUs idle", "utilisation 10% or less, healthy")
        html += counter(
            "unhealthy", counts.unhealthy, "GPUs unhealthy",
            "lost, uncorrectable ECC, row-remap failure or a serious XID")
        if let allocatedIdle = counts.allocatedIdle {
            html += counter(
                "allocated-idle", allocatedIdle, "allocated but idle",
                "idle GPUs that a Slurm job or Kubernetes pod holds (vigil_gpu_job_info)")
        }
        html += counter("total", counts.total, "GPUs", "every GPU reporting")
        let power = powerWatts.map { ChartUnit.watts.format($0) } ?? "no data"
        html +=
            "<div class=\"counter power\" title=\"sum of DCGM_FI_DEV_POWER_USAGE\"><span class=\"value\" "
            + "data-watts=\"\(powerWatts.map { $0.description } ?? "")\">\(HTMLPage.escape(power))</span>"
            + "<span class=\"label\">power draw</span></div>\n"
        html += "</section>\n"

        // The heatmap is tall and narrow (a row per node): the alerts sit beside it on wide screens.
        html += "<div class=\"panels\">\n"
        html += heatmapSection(svg)
        html += "<section class=\"alerts\" aria-label=\"Firing alerts\"><h2>Firing alerts</h2>\n"
        let firing = firingAlerts.filter { $0.value > 0 }
        if firing.isEmpty {
            html += "<p class=\"none\">No alerts firing.</p>\n"
        } else {
            html += "<ul>\n"
            let severities = firing.keys.sorted { a, b in
                let ia = Self.severityOrder.firstIndex(of: a) ?? Self.severityOrder.count
                let ib = Self.severityOrder.firstIndex(of: b) ?? Self.severityOrder.count
                return ia != ib ? ia < ib : a < b
            }
            for severity in severities {
                let escaped = HTMLPage.escape(severity)
                html +=
                    "<li class=\"severity\" data-severity=\"\(escaped)\"><span class=\"count\">\(firing[severity] ?? 0)</span> "
                    + "\(escaped)</li>\n"
            }
            html += "</ul>\n"
        }
        html += "</section>\n"

        html += "</div>\n"
        let time = CivilTime(millisecondsSinceEpoch: generatedAt).dateAndTime(separator: " ")
        html += "<p class=\"updated\">Values at <time>\(HTMLPage.escape(time)) UTC</time>"
        if let refreshSeconds, refreshSeconds > 0 { html += ", refreshed every \(refreshSeconds) s" }
        html += ".</p>\n</main>\n"
        return html
    }

    private func heatmapSection(_ svg: String) -> String {
        var html = ""
        html += "<section class=\"heatmap\" aria-label=\"GPU heatmap\">\n<nav class=\"metric-switch\">"
        for option in HeatmapMetric.allCases {
            let current = option == metric ? " aria-current=\"page\"" : ""
            html +=
                "<a href=\"\(HTMLPage.escape(path))?metric=\(option.rawValue)\"\(current)>\(option.title)</a>"
        }
        html += "</nav>\n"
        if gpus.isEmpty {
            html += "<p class=\"none\">No GPU reports DCGM metrics yet.</p>\n"
        } else {
            html += svg
        }
        html += "</section>\n"
        return html
    }

    private func counter(_ name: String, _ value: Int, _ label: String, _ definition: String) -> String {
        "<div class=\"counter \(name)\" title=\"\(definition)\"><span class=\"value\" data-count=\"\(name)\">\(value)"
            + "</span><span class=\"label\">\(label)</span></div>\n"
    }
}
