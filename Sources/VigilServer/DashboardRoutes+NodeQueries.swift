import VigilGPU
import VigilModel
import VigilPromQL
import VigilUI

/// The PromQL behind a node's page and how its answers become ``NodePage`` values. Every selector names the
/// node (`Hostname="x"` for its GPUs, `instance="x:port"` for its host), so the cost does not grow with the
/// fleet. A query that fails leaves its part empty and adds a note.
struct NodeQueries {
    enum Kind { case instant, range }

    struct Results {
        var gpus: [NodePage.GPU] = []
        var host: NodePage.Host?
        var facts: [NodePage.Fact] = []
        var gpuCharts: [TimeSeriesChart] = []
        var hostCharts: [TimeSeriesChart] = []
        var notes: [String] = []
    }

    let name: String
    let range: TimeRange

    /// The GPU series whose values the tiles show now.
    static let gpuNowPattern = "DCGM_FI_DEV_.*|vigil_gpu_.*"
    /// The host series whose values the host part shows now.
    static let hostNowPattern =
        "node_memory_(MemTotal|MemAvailable)_bytes|node_load1|node_uname_info|node_boot_time_seconds"
        + "|node_filesystem_(size|avail)_bytes|node_infiniband_(symbol_error|port_errors_received|link_error_recovery"
        + "|link_downed)_total|node_infiniband_state_id|node_network_(receive|transmit)_(errs|drop)_total"

    /// `rate()`'s window: Grafana's `$__rate_interval` for a 15 s scrape (four scrapes, or a step and a scrape).
    var window: String { "\(max(60_000, range.step + 15_000) / 1000)s" }

    func run(_ execute: (String, Kind) throws -> QueryValue) -> Results {
        var results = Results()
        func value(_ query: String, _ kind: Kind, _ what: String) -> QueryValue? {
            do {
                return try execute(query, kind)
            } catch {
                results.notes.append("Could not read \(what): \(error)")
                return nil
            }
        }
        func vector(_ query: String, _ what: String) -> [VectorSample] {
            if case .vector(let samples) = value(query, .instant, what) { return samples }
            return []
        }
        func matrix(_ query: String, _ what: String) -> [MatrixSeries] {
            if case .matrix(let series) = value(query, .range, what) { return series }
            return []
        }

        // GPUs: every dcgm-exporter and vigil_gpu series of this Hostname, now.
        let node = "Hostname=\"\(escapeLabelValue(name))\""
        let gpuNow = vector("{\(node), __name__=~\"\(Self.gpuNowPattern)\"}", "the GPUs")
        results.gpus = Self.gpus(gpuNow)
        if let any = gpuNow.first(where: { $0.labels["modelName"] != nil }) {
            results.facts.append(NodePage.Fact("GPU model", any.labels["modelName"] ?? ""))
            if let driver = any.labels["DCGM_FI_DRIVER_VERSION"], !driver.isEmpty {
                results.facts.append(NodePage.Fact("Driver", driver))
            }
        }
        if !results.gpus.isEmpty {
            func gpuChart(
                _ title: String, _ query: String, _ unit: ChartUnit, _ id: String, _ range: ClosedRange<Double>?
            )
                -> TimeSeriesChart
            {
                chart(title, matrix(query, title.lowercased()), unit, id, valueRange: range) {
                    "GPU " + ($0["gpu"] ?? "?")
                }
            }
            results.gpuCharts = [
                gpuChart("GPU utilisation", "DCGM_FI_DEV_GPU_UTIL{\(node)}", .percent, "gpu-util", 0...100),
                gpuChart("GPU memory used", "DCGM_FI_DEV_FB_USED{\(node)} * 1048576", .bytes, "gpu-memory", nil),
                gpuChart("GPU temperature", "DCGM_FI_DEV_GPU_TEMP{\(node)}", .celsius, "gpu-temperature", nil),
                gpuChart("GPU power", "DCGM_FI_DEV_POWER_USAGE{\(node)}", .watts, "gpu-power", nil),
                gpuChart("SM clock (MHz)", "DCGM_FI_DEV_SM_CLOCK{\(node)}", .none, "gpu-sm-clock", nil),
            ]
        }

        // The host: node_exporter's series of `<name>:<port>`, or of the instance whose uname says `name`.
        let quoted = escapeLabelValue(name)
        let pattern = escapeLabelValue(Self.regexQuoted(name)) + ":[0-9]+"
        let instances = vector(
            "group by (instance) (node_uname_info{nodename=\"\(quoted)\"} or node_uname_info{instance=~\"\(pattern)\"}"
                + " or node_cpu_seconds_total{instance=~\"\(pattern)\", mode=\"idle\", cpu=\"0\"})", "the host"
        ).compactMap { $0.labels["instance"] }.sorted()
        if let instance = instances.first {
            let (host, facts, charts) = self.host(instance: instance, vector: vector, matrix: matrix)
            results.host = host
            results.facts += facts
            results.hostCharts = charts
        }
        return results
    }

    // MARK: GPUs

    /// One tile per `gpu` label: its values, its health judged by ``GPUHealth`` and its XIDs looked up in
    /// ``XIDCatalog``.
    static func gpus(_ samples: [VectorSample]) -> [NodePage.GPU] {
        var byGPU: [String: [VectorSample]] = [:]
        for sample in samples {
            guard let gpu = sample.labels["gpu"], sample.labels["GPU_I_ID"] == nil else { continue }
            byGPU[gpu, default: []].append(sample)
        }
        return byGPU.keys.sorted(by: HTMLPage.naturalOrder).map { index in gpu(index, byGPU[index] ?? []) }
    }

    static func gpu(_ index: String, _ samples: [VectorSample]) -> NodePage.GPU {
        var values: [String: Double] = [:]
        var page = NodePage.GPU(index: index)
        var reasons: [String] = []
        var processMemory: [String: Double] = [:]
        var jobs: [NodePage.Job] = []
        for sample in samples {
            let metric = sample.labels.metricName ?? ""
            page.model = page.model ?? sample.labels["modelName"]
            page.uuid = page.uuid ?? sample.labels["UUID"]
            switch metric {
            case "vigil_gpu_clock_event_reason":
                if sample.value == 1, let reason = sample.labels["reason"] { reasons.append(reason) }
            case "vigil_gpu_xid_errors_total":
                if let code = sample.labels["xid"].flatMap({ Int($0) }), sample.value > 0 {
                    let entry = XIDCatalog.entry(for: code)
                    page.xids.append(
                        NodePage.XID(
                            code: code, count: sample.value, meaning: entry.meaning, action: entry.action.rawValue))
                }
            case "vigil_gpu_process_memory_bytes":
                if let pid = sample.labels["pid"] { processMemory[pid] = sample.value }
            case "vigil_gpu_process_info":
                page.processes.append(
                    NodePage.Process(
                        pid: sample.labels["pid"] ?? "", name: sample.labels["process_name"] ?? "",
                        user: sample.labels["user"] ?? "", jobID: sample.labels["job_id"] ?? ""))
            case "vigil_gpu_job_info":
                let id = sample.labels["job_id"].flatMap { $0.isEmpty ? nil : $0 } ?? sample.labels["pod_uid"] ?? ""
                jobs.append(NodePage.Job(id: id, user: sample.labels["user"] ?? ""))
            default:
                values[metric] = sample.value
            }
        }
        for index in page.processes.indices {
            page.processes[index].memoryBytes = processMemory[page.processes[index].pid]
        }
        page.jobs = jobs.sorted { $0.id < $1.id }
        page.clockEventReasons = ClockEventReasons.named.map(\.name).filter(reasons.contains)
        let mebibyte = 1_048_576.0
        page.lost = values["vigil_gpu_lost"] == 1
        page.utilizationPercent = values["DCGM_FI_DEV_GPU_UTIL"]
        page.memoryUsedBytes = values["DCGM_FI_DEV_FB_USED"].map { $0 * mebibyte }
        page.memoryTotalBytes =
            values["DCGM_FI_DEV_FB_TOTAL"].map { $0 * mebibyte }
            ?? values["DCGM_FI_DEV_FB_USED"].flatMap { used in
                values["DCGM_FI_DEV_FB_FREE"].map { (used + $0 + (values["DCGM_FI_DEV_FB_RESERVED"] ?? 0)) * mebibyte }
            }
        page.temperatureCelsius = values["DCGM_FI_DEV_GPU_TEMP"]
        page.slowdownTemperatureCelsius = values["DCGM_FI_DEV_SLOWDOWN_TEMP"]
        page.powerWatts = values["DCGM_FI_DEV_POWER_USAGE"]
        page.powerLimitWatts = values["DCGM_FI_DEV_POWER_MGMT_LIMIT"] ?? values["DCGM_FI_DEV_ENFORCED_POWER_LIMIT"]
        page.smClockMHz = values["DCGM_FI_DEV_SM_CLOCK"]
        page.memoryClockMHz = values["DCGM_FI_DEV_MEM_CLOCK"]
        page.eccUncorrected = values["DCGM_FI_DEV_ECC_DBE_VOL_TOTAL"]
        page.eccCorrected = values["DCGM_FI_DEV_ECC_SBE_VOL_TOTAL"]

        // The same verdict `vigil smi` gives, from the reading these series describe.
        var reading = GPUReading(
            identity: GPUIdentity(index: Int(index) ?? 0, name: page.model ?? "", uuid: page.uuid ?? "", pciBusID: ""))
        reading.isLost = page.lost
        reading.gpuTemperatureCelsius = page.temperatureCelsius
        reading.slowdownTemperatureCelsius = page.slowdownTemperatureCelsius
        reading.shutdownTemperatureCelsius = values["DCGM_FI_DEV_SHUTDOWN_TEMP"]
        if page.eccUncorrected != nil || page.eccCorrected != nil {
            reading.ecc = ECCCounters(volatileCorrected: page.eccCorrected, volatileUncorrected: page.eccUncorrected)
        }
        if values["DCGM_FI_DEV_ROW_REMAP_FAILURE"] != nil || values["DCGM_FI_DEV_ROW_REMAP_PENDING"] != nil {
            reading.remappedRows = RemappedRows(
                correctable: values["DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS"] ?? 0,
                uncorrectable: values["DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS"] ?? 0,
                pending: values["DCGM_FI_DEV_ROW_REMAP_PENDING"] == 1,
                failure: values["DCGM_FI_DEV_ROW_REMAP_FAILURE"] == 1)
        }
        reading.lastXID = values["DCGM_FI_DEV_XID_ERRORS"].map { Int($0) }
        if !reasons.isEmpty || samples.contains(where: { $0.labels.metricName == "vigil_gpu_clock_event_reason" }) {
            var active = ClockEventReasons(rawValue: 0)
            for (name, reason) in ClockEventReasons.named where reasons.contains(name) { active.insert(reason) }
            reading.clockEventReasons = active
        }
        let health = GPUHealth.assess(reading)
        var findings = health.findings.map { (status: $0.status, reason: $0.reason, action: $0.action) }
        // Every serious XID the counters hold, not only the last one DCGM_FI_DEV_XID_ERRORS keeps.
        for xid in page.xids.sorted(by: { $0.code < $1.code }) where xid.code != reading.lastXID {
            let entry = XIDCatalog.entry(for: xid.code)
            guard entry.severity != .info else { continue }
            findings.append(
                (
                    entry.severity == .critical ? .crit : .warn, "XID \(xid.code): \(entry.meaning)",
                    entry.action.rawValue
                ))
        }
        // Stable: the assessment's order first within a status.
        findings = findings.enumerated().sorted { a, b in
            a.element.status != b.element.status ? a.element.status > b.element.status : a.offset < b.offset
        }.map(\.element)
        let worst = findings.first?.status ?? .ok
        page.verdict = NodePage.Verdict(
            status: worst == .crit ? .crit : worst == .warn ? .warn : .ok,
            findings: findings.map { NodePage.Verdict.Finding(reason: $0.reason, action: $0.action) })
        return page
    }

    // MARK: Host

    func host(
        instance: String, vector: (String, String) -> [VectorSample], matrix: (String, String) -> [MatrixSeries]
    ) -> (NodePage.Host, [NodePage.Fact], [TimeSeriesChart]) {
        let host = "instance=\"\(escapeLabelValue(instance))\""
        let w = window
        var page = NodePage.Host(instance: instance)
        var facts: [NodePage.Fact] = []

        let now = vector("{\(host), __name__=~\"\(Self.hostNowPattern)\"}", "the host's values")
        func latest(_ metric: String) -> [VectorSample] { now.filter { $0.labels.metricName == metric } }
        page.load1 = latest("node_load1").first?.value
        page.memoryTotalBytes = latest("node_memory_MemTotal_bytes").first?.value
        if let total = page.memoryTotalBytes, let available = latest("node_memory_MemAvailable_bytes").first?.value {
            page.memoryUsedBytes = total - available
        }
        page.cpuCount = vector("count(node_cpu_seconds_total{\(host), mode=\"idle\"})", "the CPU count").first
            .map { Int($0.value) }
        if let uname = latest("node_uname_info").first {
            if let release = uname.labels["release"] { facts.append(NodePage.Fact("Kernel", release)) }
            if let machine = uname.labels["machine"] { facts.append(NodePage.Fact("Architecture", machine)) }
        }
        if let cpus = page.cpuCount { facts.append(NodePage.Fact("CPUs", String(cpus))) }
        if let total = page.memoryTotalBytes { facts.append(NodePage.Fact("Memory", ChartUnit.bytes.format(total))) }
        if let boot = latest("node_boot_time_seconds").first?.value {
            let up = Double(range.end) / 1000 - boot
            if up > 0 { facts.append(NodePage.Fact("Up", ChartUnit.seconds.format(up))) }
        }

        // Charts, and the latest point of each series for the tables.
        let busy = matrix("100 * (1 - avg(rate(node_cpu_seconds_total{\(host), mode=\"idle\"}[\(w)])))", "CPU busy")
        let iowait = matrix("100 * avg(rate(node_cpu_seconds_total{\(host), mode=\"iowait\"}[\(w)]))", "CPU I/O wait")
        page.cpuBusyPercent = busy.first?.samples.last?.value
        let memory = matrix(
            "node_memory_MemTotal_bytes{\(host)} - node_memory_MemAvailable_bytes{\(host)}", "memory used")
        func rate(_ metric: String, _ extra: String = "") -> String { "rate(\(metric){\(host)\(extra)}[\(w)])" }
        let readBytes = matrix(rate("node_disk_read_bytes_total"), "disk reads")
        let writtenBytes = matrix(rate("node_disk_written_bytes_total"), "disk writes")
        let reads = matrix(rate("node_disk_reads_completed_total"), "disk read IOPS")
        let writes = matrix(rate("node_disk_writes_completed_total"), "disk write IOPS")
        let readLatency = matrix(
            rate("node_disk_read_time_seconds_total") + " / " + rate("node_disk_reads_completed_total"), "read latency")
        let writeLatency = matrix(
            rate("node_disk_write_time_seconds_total") + " / " + rate("node_disk_writes_completed_total"),
            "write latency")
        let notLoopback = ", device!=\"lo\""
        let received = matrix(rate("node_network_receive_bytes_total", notLoopback), "network receive")
        let transmitted = matrix(rate("node_network_transmit_bytes_total", notLoopback), "network transmit")
        let ibReceived = matrix(rate("node_infiniband_port_data_received_bytes_total"), "InfiniBand receive")
        let ibTransmitted = matrix(rate("node_infiniband_port_data_transmitted_bytes_total"), "InfiniBand transmit")
        let symbolErrors = matrix(rate("node_infiniband_symbol_error_total"), "InfiniBand symbol errors")
        let networkErrors = matrix(
            rate("node_network_receive_errs_total", notLoopback) + " + "
                + rate("node_network_transmit_errs_total", notLoopback), "network errors")

        let device: (Labels) -> String = { $0["device"] ?? "?" }
        var charts: [TimeSeriesChart] = []
        charts.append(
            chart("CPU busy", busy, .percent, "host-cpu", valueRange: 0...100) { _ in "busy" }
                .adding(iowait) { _ in "I/O wait" })
        charts.append(chart("Memory used", memory, .bytes, "host-memory") { _ in "used" })
        charts.append(
            chart("Disk throughput", readBytes, .bytesPerSecond, "host-disk-bytes") { device($0) + " read" }
                .adding(writtenBytes) { device($0) + " write" })
        charts.append(
            chart("Disk IOPS", reads, .perSecond, "host-disk-iops") { device($0) + " read" }
                .adding(writes) { device($0) + " write" })
        charts.append(
            chart("Disk latency", readLatency, .seconds, "host-disk-latency") { device($0) + " read" }
                .adding(writeLatency) { device($0) + " write" })
        charts.append(
            chart("Network throughput", received, .bytesPerSecond, "host-network") { device($0) + " receive" }
                .adding(transmitted) { device($0) + " transmit" })
        charts.append(chart("InfiniBand receive", ibReceived, .bytesPerSecond, "host-ib-rx") { device($0) })
        charts.append(
            chart("Network and InfiniBand errors", symbolErrors, .perSecond, "host-errors") {
                device($0) + " symbol errors"
            }
            .adding(networkErrors) { device($0) + " errors" })

        page.tables = [
            Self.diskTable(reads, writes, readBytes, writtenBytes, readLatency, writeLatency),
            Self.filesystemTable(now),
            Self.networkTable(received, transmitted, now),
            Self.infinibandTable(ibReceived, ibTransmitted, symbolErrors, now),
        ]
        return (page, facts, charts)
    }

    /// The latest value of each series, by `device` (the first series of a device wins).
    static func latestByDevice(_ series: [MatrixSeries]) -> [String: Double] {
        var values: [String: Double] = [:]
        for item in series {
            guard let device = item.labels["device"], let last = item.samples.last, values[device] == nil else {
                continue
            }
            values[device] = last.value
        }
        return values
    }

    static func diskTable(
        _ reads: [MatrixSeries], _ writes: [MatrixSeries], _ readBytes: [MatrixSeries], _ writtenBytes: [MatrixSeries],
        _ readLatency: [MatrixSeries], _ writeLatency: [MatrixSeries]
    ) -> NodePage.Table {
        let columns = [reads, writes, readBytes, writtenBytes, readLatency, writeLatency].map(latestByDevice)
        let units: [ChartUnit] = [.perSecond, .perSecond, .bytesPerSecond, .bytesPerSecond, .seconds, .seconds]
        let devices = Set(columns.flatMap(\.keys)).sorted(by: HTMLPage.naturalOrder)
        let rows = devices.map { device in
            let cells = zip(columns, units).map { column, unit in column[device].map { unit.format($0) } }
            let slowest = max(columns[4][device] ?? 0, columns[5][device] ?? 0)
            let problem =
                slowest > 0.01
                ? "slow: an I/O takes \(ChartUnit.seconds.format(slowest)); check the drive (nvme smart-log)" : nil
            return NodePage.Row(name: device, cells: cells, problem: problem)
        }
        return NodePage.Table(
            caption: "Disks",
            columns: ["Device", "Read IOPS", "Write IOPS", "Read", "Write", "Read latency", "Write latency"], rows: rows
        )
    }

    static func filesystemTable(_ now: [VectorSample]) -> NodePage.Table {
        var size: [String: (device: String, value: Double)] = [:]
        var available: [String: Double] = [:]
        for sample in now {
            guard let mount = sample.labels["mountpoint"] else { continue }
            if sample.labels.metricName == "node_filesystem_size_bytes" {
                size[mount] = (sample.labels["device"] ?? "", sample.value)
            } else if sample.labels.metricName == "node_filesystem_avail_bytes" {
                available[mount] = sample.value
            }
        }
        let rows = size.keys.sorted().map { mount -> NodePage.Row in
            let total = size[mount]?.value ?? 0
            let free = available[mount]
            let used = free.map { total > 0 ? 100 * (1 - $0 / total) : 0 }
            return NodePage.Row(
                name: mount,
                cells: [
                    size[mount]?.device, ChartUnit.bytes.format(total), free.map { ChartUnit.bytes.format($0) },
                    used.map { ChartUnit.percent.format($0) },
                ],
                problem: (used ?? 0) > 90 ? "almost full" : nil)
        }
        return NodePage.Table(
            caption: "Filesystems", columns: ["Mount", "Device", "Size", "Available", "Used"], rows: rows)
    }

    static func networkTable(_ received: [MatrixSeries], _ transmitted: [MatrixSeries], _ now: [VectorSample])
        -> NodePage.Table
    {
        let rx = latestByDevice(received)
        let tx = latestByDevice(transmitted)
        var errors: [String: Double] = [:]
        var drops: [String: Double] = [:]
        for sample in now {
            guard let device = sample.labels["device"], let metric = sample.labels.metricName,
                metric.hasPrefix("node_network_")
            else { continue }
            if metric.hasSuffix("_errs_total") { errors[device, default: 0] += sample.value }
            if metric.hasSuffix("_drop_total") { drops[device, default: 0] += sample.value }
        }
        let devices = Set(rx.keys).union(tx.keys).sorted(by: HTMLPage.naturalOrder)
        let rows = devices.map { device in
            NodePage.Row(
                name: device,
                cells: [
                    rx[device].map { ChartUnit.bytesPerSecond.format($0) },
                    tx[device].map { ChartUnit.bytesPerSecond.format($0) }, errors[device].map(NodePage.count),
                    drops[device].map(NodePage.count),
                ])
        }
        return NodePage.Table(
            caption: "Network", columns: ["Interface", "Receive", "Transmit", "Errors", "Drops"], rows: rows)
    }

    static func infinibandTable(
        _ received: [MatrixSeries], _ transmitted: [MatrixSeries], _ symbolRate: [MatrixSeries], _ now: [VectorSample]
    ) -> NodePage.Table {
        let rx = latestByDevice(received)
        let tx = latestByDevice(transmitted)
        let symbolsPerSecond = latestByDevice(symbolRate)
        var totals: [String: [String: Double]] = [:]
        for sample in now {
            guard let device = sample.labels["device"], let metric = sample.labels.metricName,
                metric.hasPrefix("node_infiniband_")
            else { continue }
            let port = sample.labels["port"].map { device + "/" + $0 } ?? device
            totals[port, default: [:]][metric] = sample.value
        }
        let states = ["0": "no change", "1": "down", "2": "init", "3": "armed", "4": "active", "5": "act defer"]
        let rows = totals.keys.sorted(by: HTMLPage.naturalOrder).map { port -> NodePage.Row in
            let device = String(port.prefix { $0 != "/" })
            let values = totals[port] ?? [:]
            let state = values["node_infiniband_state_id"].map { states[NodePage.count($0)] ?? NodePage.count($0) }
            var problem: String?
            if let rate = symbolsPerSecond[device], rate > 0 {
                problem = "symbol errors rising (\(ChartUnit.perSecond.format(rate))): reseat or replace the cable"
            } else if let state, state != "active" {
                problem = "port \(state)"
            }
            return NodePage.Row(
                name: port,
                cells: [
                    state, rx[device].map { ChartUnit.bytesPerSecond.format($0) },
                    tx[device].map { ChartUnit.bytesPerSecond.format($0) },
                    values["node_infiniband_symbol_error_total"].map(NodePage.count),
                    values["node_infiniband_port_errors_received_total"].map(NodePage.count),
                    values["node_infiniband_link_error_recovery_total"].map(NodePage.count),
                ],
                problem: problem)
        }
        return NodePage.Table(
            caption: "InfiniBand",
            columns: ["Port", "State", "Receive", "Transmit", "Symbol errors", "Receive errors", "Link recoveries"],
            rows: rows)
    }

    // MARK: Charts

    func chart(
        _ title: String, _ series: [MatrixSeries], _ unit: ChartUnit, _ id: String,
        valueRange: ClosedRange<Double>? = nil, name: (Labels) -> String
    ) -> TimeSeriesChart {
        TimeSeriesChart(
            title: title, series: Self.series(series, name: name), start: range.start, end: range.end,
            step: range.step, unit: unit, valueRange: valueRange, width: 560, height: 220, idPrefix: id)
    }

    static func series(_ series: [MatrixSeries], name: (Labels) -> String) -> [ChartSeries] {
        series.map { ChartSeries(labels: $0.labels, name: name($0.labels), samples: $0.samples) }
            .sorted { HTMLPage.naturalOrder($0.displayName, $1.displayName) }
    }

    /// `text` with regular-expression metacharacters escaped (RE2 syntax).
    static func regexQuoted(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\.+*?()|[]{}^$".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }
}

extension TimeSeriesChart {
    /// This chart with more series (names from `name`), kept in natural order.
    func adding(_ series: [MatrixSeries], name: (Labels) -> String) -> TimeSeriesChart {
        var chart = self
        chart.series = (chart.series + NodeQueries.series(series, name: name)).sorted {
            HTMLPage.naturalOrder($0.displayName, $1.displayName)
        }
        return chart
    }
}
