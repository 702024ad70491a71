import VigilModel

/// `node_cpu_seconds_total{cpu,mode}` and `node_cpu_guest_seconds_total{cpu,mode}` from `/proc/stat`.
public struct CPUCollector: Collector {
    public let name = "cpu"
    /// Kernel clock ticks per second for `/proc/stat` (USER_HZ, 100 on every Linux architecture in use).
    static let userHZ = 100.0
    static let modes = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]

    public init() {}

    public func collect(into output: inout CollectorOutput) {
        let path = output.paths.proc("stat")
        guard let text = output.readText(path) else { return }
        for (lineIndex, line) in text.lines.enumerated() {
            guard line.hasPrefix("cpu"), !line.hasPrefix("cpu ") else { continue }
            let fields = line.fields
            let cpu = fields[0].dropFirst(3)
            guard !cpu.isEmpty, cpu.allSatisfy(\.isASCIIDigit), fields.count >= 5 else {
                output.report(path, "line \(lineIndex + 1): malformed cpu line \"\(line.prefix(80))\"")
                continue
            }
            let ticks = fields.dropFirst().map { Double($0) }
            guard !ticks.contains(nil) else {
                output.report(path, "line \(lineIndex + 1): non-numeric value in \"\(line.prefix(80))\"")
                continue
            }
            let values = ticks.map { $0! / Self.userHZ }
            for (index, mode) in Self.modes.enumerated() where index < values.count {
                output.metrics.counter(
                    "node_cpu_seconds_total", help: "Seconds the CPUs spent in each mode.",
                    labels: ["cpu": String(cpu), "mode": mode], value: values[index])
            }
            for (index, mode) in [(8, "user"), (9, "nice")] where index < values.count {
                output.metrics.counter(
                    "node_cpu_guest_seconds_total",
                    help: "Seconds the CPUs spent in guests (VMs) for each mode.",
                    labels: ["cpu": String(cpu), "mode": mode], value: values[index])
            }
        }
    }
}

/// Kernel and system statistics from `/proc/stat`: boot time, context switches, forks, interrupts,
/// running and blocked processes.
public struct StatCollector: Collector {
    public let name = "stat"

    public init() {}

    public func collect(into output: inout CollectorOutput) {
        let path = output.paths.proc("stat")
        guard let text = output.readText(path) else { return }
        for (lineIndex, line) in text.lines.enumerated() {
            let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard fields.count >= 2 else { continue }
            let metric: (name: String, type: MetricType, help: String)
            switch fields[0] {
            case "btime": metric = ("node_boot_time_seconds", .gauge, "Node boot time, in unixtime.")
            case "ctxt": metric = ("node_context_switches_total", .counter, "Total number of context switches.")
            case "processes": metric = ("node_forks_total", .counter, "Total number of forks.")
            case "intr": metric = ("node_intr_total", .counter, "Total number of interrupts serviced.")
            case "procs_running":
                metric = ("node_procs_running", .gauge, "Number of processes in runnable state.")
            case "procs_blocked":
                metric = ("node_procs_blocked", .gauge, "Number of processes blocked waiting for I/O to complete.")
            default: continue
            }
            guard let value = Double(fields[1]) else {
                output.report(path, "line \(lineIndex + 1): non-numeric \(fields[0]) value \"\(fields[1].prefix(40))\"")
                continue
            }
            output.metrics.add(metric.name, metric.type, help: metric.help, value: value)
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
