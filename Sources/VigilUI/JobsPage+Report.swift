import VigilModel

extension JobsPage {
    /// One job's report (`/ui/jobs/{id}`): the figures, the advice, per node and per GPU tables, and
    /// utilisation and memory charts with one series per GPU.
    public struct Report: Sendable, Hashable {
        /// One GPU's row.
        public struct GPU: Sendable, Hashable {
            public var hostname: String
            public var gpu: String
            public var uuid: String
            public var utilizationAverage: Double?
            public var utilizationMax: Double?
            public var peakMemoryBytes: Double?
            public var memoryTotalBytes: Double?
            public var energyJoules: Double?
            public var idle: Bool

            public init(
                hostname: String, gpu: String, uuid: String, utilizationAverage: Double?, utilizationMax: Double?,
                peakMemoryBytes: Double?, memoryTotalBytes: Double?, energyJoules: Double?, idle: Bool
            ) {
                self.hostname = hostname
                self.gpu = gpu
                self.uuid = uuid
                self.utilizationAverage = utilizationAverage
                self.utilizationMax = utilizationMax
                self.peakMemoryBytes = peakMemoryBytes
                self.memoryTotalBytes = memoryTotalBytes
                self.energyJoules = energyJoules
                self.idle = idle
            }
        }

        /// One node's row.
        public struct Node: Sendable, Hashable {
            public var hostname: String
            public var gpus: Int
            public var utilizationAverage: Double?
            public var peakMemoryBytes: Double?
            public var energyJoules: Double?
            /// 0…1.
            public var cpuEfficiency: Double?
            public var iowait: Double?

            public init(
                hostname: String, gpus: Int, utilizationAverage: Double?, peakMemoryBytes: Double?,
                energyJoules: Double?, cpuEfficiency: Double?, iowait: Double?
            ) {
                self.hostname = hostname
                self.gpus = gpus
                self.utilizationAverage = utilizationAverage
                self.peakMemoryBytes = peakMemoryBytes
                self.energyJoules = energyJoules
                self.cpuEfficiency = cpuEfficiency
                self.iowait = iowait
            }
        }

        public var job: Job
        public var partition: String
        public var facts: [(name: String, value: String)] {
            [
                ("User", job.user), ("Account", job.account.isEmpty ? "–" : job.account),
                ("Partition", partition.isEmpty ? "–" : partition), ("State", job.state),
                ("GPUs", "\(job.gpus)"),
                ("Utilisation avg / max", percent(job.utilizationAverage) + " / " + percent(job.utilizationMax)),
                ("Peak memory", job.peakMemoryBytes.map { ChartUnit.bytes.format($0) } ?? "–"),
                ("Energy", JobsPage.energy(job.energyJoules)), ("Idle GPUs", "\(job.idleGPUs)"),
                ("Duration", ChartUnit.seconds.format(Double(job.end - job.start) / 1000)),
            ]
        }
        public var advice: [String]
        public var notes: [String]
        public var nodes: [Node]
        public var gpus: [GPU]
        /// Utilisation (percent) and memory used (bytes) per GPU; empty when the TSDB no longer has the
        /// samples (a report read from meta.sqlite).
        public var utilizationChart: TimeSeriesChart?
        public var memoryChart: TimeSeriesChart?

        public init(
            job: Job, partition: String, advice: [String], notes: [String], nodes: [Node], gpus: [GPU],
            utilizationChart: TimeSeriesChart?, memoryChart: TimeSeriesChart?
        ) {
            self.job = job
            self.partition = partition
            self.advice = advice
            self.notes = notes
            self.nodes = nodes
            self.gpus = gpus
            self.utilizationChart = utilizationChart
            self.memoryChart = memoryChart
        }

        public static func == (lhs: Report, rhs: Report) -> Bool {
            lhs.job == rhs.job && lhs.partition == rhs.partition && lhs.advice == rhs.advice
                && lhs.notes == rhs.notes && lhs.nodes == rhs.nodes && lhs.gpus == rhs.gpus
                && lhs.utilizationChart == rhs.utilizationChart && lhs.memoryChart == rhs.memoryChart
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(job)
            hasher.combine(gpus)
        }

        private func percent(_ value: Double?) -> String { JobsPage.percent(value) }

        /// The whole HTML document.
        public func render() throws(ChartError) -> String {
            HTMLPage.header(title: "Job \(job.id)", refreshSeconds: nil, style: JobsPage.style, current: "/ui/jobs")
                + (try renderMain()) + HTMLPage.footer(refreshSeconds: nil)
        }

        /// The `main` element alone.
        public func renderMain() throws(ChartError) -> String {
            var html = "<main id=\"job\" data-job=\"\(HTMLPage.escape(job.id))\">\n"
            html += "<p><a href=\"/ui/jobs\">All jobs</a></p>\n"
            html += "<dl class=\"facts\">"
            for fact in facts {
                html += "<div><dt>" + HTMLPage.escape(fact.name) + "</dt><dd>" + HTMLPage.escape(fact.value)
                html += "</dd></div>"
            }
            html += "</dl>\n<h2 class=\"part\">Advice</h2>\n"
            if advice.isEmpty {
                html += "<p class=\"none\">Nothing to improve was found.</p>\n"
            } else {
                html += "<ul class=\"advice\">"
                for line in advice { html += "<li>" + HTMLPage.escape(line) + "</li>" }
                html += "</ul>\n"
            }
            for note in notes { html += "<p class=\"note\">" + HTMLPage.escape(note) + "</p>\n" }
            html += "<h2 class=\"part\">Nodes</h2>\n<table class=\"jobs\"><thead><tr><th>Node</th><th>GPUs</th>"
            html += "<th>Util avg</th><th>Peak memory</th><th>Energy</th><th>CPU efficiency</th><th>iowait</th>"
            html += "</tr></thead><tbody>\n"
            for node in nodes {
                html += "<tr><td><a href=\"/ui/node/" + HTMLPage.escape(HTMLPage.percentEncoded(node.hostname)) + "\">"
                html += HTMLPage.escape(node.hostname) + "</a></td>" + cell("\(node.gpus)")
                html += cell(percent(node.utilizationAverage))
                html += cell(node.peakMemoryBytes.map { ChartUnit.bytes.format($0) } ?? "–")
                html += cell(JobsPage.energy(node.energyJoules))
                html += cell(percent(node.cpuEfficiency.map { $0 * 100 })) + cell(percent(node.iowait.map { $0 * 100 }))
                html += "</tr>\n"
            }
            html += "</tbody></table>\n<h2 class=\"part\">GPUs</h2>\n<table class=\"jobs\"><thead><tr><th>Node</th>"
            html += "<th>GPU</th><th>UUID</th><th>Util avg / max</th><th>Peak / total memory</th><th>Energy</th>"
            html += "<th>Idle</th></tr></thead><tbody>\n"
            for gpu in gpus {
                html += "<tr>" + cell(gpu.hostname) + cell(gpu.gpu) + cell(gpu.uuid)
                html += cell(percent(gpu.utilizationAverage) + " / " + percent(gpu.utilizationMax))
                let peak = gpu.peakMemoryBytes.map { ChartUnit.bytes.format($0) } ?? "–"
                let total = gpu.memoryTotalBytes.map { ChartUnit.bytes.format($0) } ?? "–"
                html += cell(peak + " / " + total) + cell(JobsPage.energy(gpu.energyJoules))
                html += gpu.idle ? "<td class=\"problem\">idle ▲</td>" : "<td>–</td>"
                html += "</tr>\n"
            }
            html += "</tbody></table>\n"
            let charts = [utilizationChart, memoryChart].compactMap { $0 }
            if charts.isEmpty {
                html += "<p class=\"none\">The samples behind this report are no longer in the TSDB; "
                html += "the figures above are the summary kept in meta.sqlite.</p>\n"
            } else {
                html += "<div class=\"charts\" aria-label=\"GPU charts\">\n"
                for chart in charts {
                    let rendering = try chart.render()
                    html += "<figure class=\"chart\">" + rendering.svg
                    if chart.series.isEmpty {
                        html += "<figcaption class=\"none\">No data in this range.</figcaption>"
                    }
                    html += "</figure>\n"
                }
                html += "</div>\n"
            }
            html += "</main>\n"
            return html
        }

        private func cell(_ text: String) -> String { "<td>" + HTMLPage.escape(text) + "</td>" }
    }
}
