extension NodePage {
    /// One GPU's status tile: `section.gpu[data-gpu]`, its verdict as a symbol, a word and a border style
    /// (never colour alone).
    func tile(_ gpu: GPU) -> String {
        let status = gpu.verdict.status
        let symbol = status == .ok ? "✔" : status == .warn ? "▲" : "✖"
        var html = "<section class=\"gpu \(status.rawValue.lowercased())\" data-gpu=\"\(HTMLPage.escape(gpu.index))\""
        html += " data-status=\"\(status.rawValue)\" aria-label=\"GPU \(HTMLPage.escape(gpu.index))\">\n"
        html += "<h3>GPU " + HTMLPage.escape(gpu.index)
        if let model = gpu.model { html += " <span class=\"model\">" + HTMLPage.escape(model) + "</span>" }
        html += " <span class=\"verdict\">\(symbol) \(status.rawValue)</span></h3>\n"
        if let uuid = gpu.uuid { html += "<p class=\"uuid\">" + HTMLPage.escape(uuid) + "</p>\n" }
        html +=
            "<p class=\"summary\">"
            + HTMLPage.escape(gpu.lost ? "Not answering. " + gpu.verdict.summary : gpu.verdict.summary)
        html += "</p>\n"
        if gpu.verdict.findings.count > 1 {
            html += "<ul class=\"findings\">"
            for finding in gpu.verdict.findings.dropFirst() {
                html += "<li>" + HTMLPage.escape(finding.reason + " — " + finding.action) + "</li>"
            }
            html += "</ul>\n"
        }
        if !gpu.lost {
            html += "<dl class=\"values\">\n"
            html += value("Utilisation", gpu.utilizationPercent.map { ChartUnit.percent.format($0) })
            html += value("Memory", pair(gpu.memoryUsedBytes, gpu.memoryTotalBytes, .bytes, "of"))
            html += value(
                "Temperature",
                gpu.temperatureCelsius.map { temperature in
                    ChartUnit.celsius.format(temperature)
                        + (gpu.slowdownTemperatureCelsius.map { " (slowdown " + ChartUnit.celsius.format($0) + ")" }
                            ?? "")
                })
            html += value("Power", pair(gpu.powerWatts, gpu.powerLimitWatts, .watts, "of limit"))
            var clocks: [String] = []
            if let sm = gpu.smClockMHz { clocks.append("SM " + Self.megahertz(sm)) }
            if let memory = gpu.memoryClockMHz { clocks.append("memory " + Self.megahertz(memory)) }
            html += value("Clocks", clocks.isEmpty ? nil : clocks.joined(separator: ", "))
            let throttles = gpu.clockEventReasons.filter { $0 != "gpu_idle" }
            html += value(
                "Throttle",
                throttles.isEmpty
                    ? (gpu.clockEventReasons.contains("gpu_idle") ? "none (idle)" : "none")
                    : throttles.joined(separator: ", "),
                problem: !throttles.isEmpty)
            if gpu.eccUncorrected != nil || gpu.eccCorrected != nil {
                let uncorrected = gpu.eccUncorrected.map { Self.count($0) + " uncorrectable" }
                let corrected = gpu.eccCorrected.map { Self.count($0) + " corrected" }
                html += value(
                    "ECC", [uncorrected, corrected].compactMap { $0 }.joined(separator: ", "),
                    problem: (gpu.eccUncorrected ?? 0) > 0)
            }
            html += "</dl>\n"
        }
        if !gpu.xids.isEmpty {
            html += "<ul class=\"xids\">"
            for xid in gpu.xids.sorted(by: { $0.code < $1.code }) {
                html +=
                    "<li data-xid=\"\(xid.code)\">XID \(xid.code): " + HTMLPage.escape(xid.meaning) + " — "
                    + HTMLPage.escape(xid.action) + " <span class=\"count\">(×"
                    + Self.count(xid.count) + ")</span></li>"
            }
            html += "</ul>\n"
        }
        if gpu.jobs.isEmpty {
            html += "<p class=\"job none\">No job.</p>\n"
        } else {
            for job in gpu.jobs {
                html += "<p class=\"job\" data-job=\"\(HTMLPage.escape(job.id))\">Job " + HTMLPage.escape(job.id)
                if !job.user.isEmpty { html += " · " + HTMLPage.escape(job.user) }
                html += "</p>\n"
            }
        }
        if !gpu.processes.isEmpty {
            html += "<table class=\"processes\"><thead><tr><th>PID</th><th>Process</th><th>User</th>"
            html += "<th>Memory</th></tr></thead><tbody>"
            for process in gpu.processes.sorted(by: { HTMLPage.naturalOrder($0.pid, $1.pid) }) {
                html += "<tr data-pid=\"\(HTMLPage.escape(process.pid))\"><td>" + HTMLPage.escape(process.pid)
                html += "</td><td>" + HTMLPage.escape(process.name) + "</td><td>" + HTMLPage.escape(process.user)
                html += "</td><td>" + HTMLPage.escape(process.memoryBytes.map { ChartUnit.bytes.format($0) } ?? "")
                html += "</td></tr>"
            }
            html += "</tbody></table>\n"
        }
        html += "</section>\n"
        return html
    }

    /// The host: `section.host` with its tiles and tables, or a note when no host series match.
    func hostSection() -> String {
        var html = "<section class=\"host\" aria-label=\"Host\">\n<h2>Host</h2>\n"
        guard let host else {
            html +=
                "<p class=\"none\">No host metrics for this node: no node_exporter series with instance "
                + "\"\(HTMLPage.escape(name)):&lt;port&gt;\" or node_uname_info nodename \"\(HTMLPage.escape(name))\".</p>\n"
            html += "</section>\n"
            return html
        }
        html += "<p class=\"instance\">instance " + HTMLPage.escape(host.instance) + "</p>\n"
        html += "<dl class=\"values host-values\">\n"
        html += value(
            "CPU busy",
            host.cpuBusyPercent.map { ChartUnit.percent.format($0) + (host.cpuCount.map { " of \($0) CPUs" } ?? "") })
        html += value("Load (1m)", host.load1.map { NumberText.significant($0) })
        html += value("Memory used", pair(host.memoryUsedBytes, host.memoryTotalBytes, .bytes, "of"))
        html += "</dl>\n"
        for table in host.tables {
            html += "<table class=\"host-table\"><caption>" + HTMLPage.escape(table.caption) + "</caption><thead><tr>"
            for column in table.columns { html += "<th>" + HTMLPage.escape(column) + "</th>" }
            let problems = table.rows.contains { $0.problem != nil }
            if problems { html += "<th>Problem</th>" }
            html += "</tr></thead><tbody>"
            if table.rows.isEmpty {
                html += "<tr><td colspan=\"\(table.columns.count)\" class=\"none\">none reported</td></tr>"
            }
            for row in table.rows {
                html += row.problem == nil ? "<tr>" : "<tr class=\"problem\">"
                html += "<th scope=\"row\">" + HTMLPage.escape(row.name) + "</th>"
                for cell in row.cells { html += "<td>" + HTMLPage.escape(cell ?? "–") + "</td>" }
                if let problem = row.problem {
                    html += "<td class=\"problem-text\">▲ " + HTMLPage.escape(problem) + "</td>"
                } else if problems {
                    html += "<td></td>"
                }
                html += "</tr>"
            }
            html += "</tbody></table>\n"
        }
        html += "</section>\n"
        return html
    }

    /// Charts side by side in a grid; a note under each downsampled one.
    func charts(_ charts: [TimeSeriesChart], label: String) throws(ChartError) -> String {
        guard !charts.isEmpty else { return "" }
        var html = "<div class=\"charts\" aria-label=\"\(HTMLPage.escape(label))\">\n"
        for chart in charts {
            let rendering = try chart.render()
            html += "<figure class=\"chart\">" + rendering.svg
            if chart.series.isEmpty {
                html += "<figcaption class=\"none\">No data in this range.</figcaption>"
            } else if rendering.downsampled {
                html +=
                    "<figcaption class=\"note\">Downsampled for display: \(rendering.inputPoints) points drawn as "
                    + "\(rendering.drawnPoints).</figcaption>"
            }
            html += "</figure>\n"
        }
        html += "</div>\n"
        return html
    }

    private func value(_ name: String, _ text: String?, problem: Bool = false) -> String {
        "<div\(problem ? " class=\"problem\"" : "")><dt>\(HTMLPage.escape(name))</dt><dd>"
            + HTMLPage.escape(text ?? "–") + (problem ? " ▲" : "") + "</dd></div>\n"
    }

    private func pair(_ value: Double?, _ limit: Double?, _ unit: ChartUnit, _ joiner: String) -> String? {
        guard let value else { return nil }
        guard let limit else { return unit.format(value) }
        return unit.format(value) + " " + joiner + " " + unit.format(limit)
    }

    /// A count as a whole number (`12`, `1234567`).
    public static func count(_ value: Double) -> String {
        guard value.isFinite, value.magnitude < 1e15 else { return NumberText.fixed(value, decimals: 0) }
        return String(Int64(value.rounded()))
    }

    static func megahertz(_ value: Double) -> String {
        NumberText.fixed(value, decimals: 0) + " MHz"
    }

    static let style = """
        .facts { display: flex; flex-wrap: wrap; gap: 0.4rem 1.5rem; margin: 0 0 0.8rem; }
        .facts div { display: flex; gap: 0.4rem; }
        .facts dt { color: #555e6e; }
        .facts dd { margin: 0; font-weight: 600; }
        h2.part { margin: 0.6rem 0; }
        .gpus { display: grid; grid-template-columns: repeat(auto-fill, minmax(19rem, 1fr)); gap: 0.8rem; margin-bottom: 1rem; }
        .gpus section.gpu { margin: 0; border-left: 6px solid #2a7f62; }
        section.gpu.warn { border-left: 6px dashed #b88100; }
        section.gpu.crit { border-left: 6px double #b42318; border-left-width: 9px; background: #fff7f6; }
        section.gpu h3 { margin: 0.1rem 0 0.3rem; font-size: 1rem; display: flex; gap: 0.5rem; align-items: baseline; }
        section.gpu .model, section.gpu .uuid { color: #555e6e; font-weight: normal; font-size: 0.85rem; }
        section.gpu .uuid { margin: 0; font-family: ui-monospace, monospace; font-size: 0.75rem; }
        section.gpu .verdict { margin-left: auto; font-weight: bold; }
        section.gpu.crit .verdict { color: #b42318; }
        section.gpu.warn .verdict { color: #8a6100; }
        section.gpu .summary { margin: 0.3rem 0; }
        .values { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 0.8rem; margin: 0.3rem 0; }
        .values div { display: contents; }
        .values dt { color: #555e6e; }
        .values dd { margin: 0; }
        .values .problem dd { font-weight: bold; }
        .findings, .xids { margin: 0.2rem 0; padding-left: 1.2rem; }
        .xids li { font-weight: 600; }
        .job { margin: 0.3rem 0; }
        table.processes, table.host-table { border-collapse: collapse; font-size: 0.85rem; margin: 0.3rem 0; }
        table.processes th, table.processes td, table.host-table th, table.host-table td { padding: 0.1rem 0.6rem 0.1rem 0; text-align: left; }
        table.host-table { margin: 0.5rem 1.5rem 0.5rem 0; display: inline-table; vertical-align: top; }
        table.host-table caption { text-align: left; font-weight: 600; }
        table.host-table tr.problem { background: #fff4d6; }
        .host-values { grid-template-columns: repeat(3, max-content 1fr); }
        .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(28rem, 1fr)); gap: 0.8rem; margin-bottom: 1rem; }
        .charts figure { margin: 0; background: #fff; border-radius: 6px; padding: 0.3rem; box-shadow: 0 1px 2px rgba(0,0,0,0.08); }
        .charts svg { width: 100%; height: auto; }
        .note { color: #555e6e; font-size: 0.85rem; }
        .node-range { padding: 0.6rem 1.2rem 0; }

        """
}
