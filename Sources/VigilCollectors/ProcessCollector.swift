import VigilModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `process_*` metrics of the running Vigil process itself (CPU, memory, file descriptors, start
/// time), with the names every Prometheus client library uses, so the agent's own cost is visible.
public struct ProcessCollector: Collector {
    public let name = "process"
    private let procfs: String

    /// `procfs` is where this process's own `/proc/self` is; not the host paths of the other collectors.
    public init(procfs: String = "/proc") {
        self.procfs = procfs
    }

    public func collect(into output: inout CollectorOutput) {
        let statPath = procfs + "/self/stat"
        guard let stat = output.readText(statPath) else { return }
        // The command name may contain spaces and parentheses: fields start after the last ')'.
        guard let close = stat.lastIndex(of: ")") else {
            output.report(statPath, "no ')' after the command name")
            return
        }
        let fields = stat[stat.index(after: close)...].fields
        // Field numbers from proc(5), minus the 2 before ')': utime 14, stime 15, starttime 22, vsize 23, rss 24.
        guard fields.count >= 22, let utime = Double(fields[11]), let stime = Double(fields[12]),
            let startTicks = Double(fields[19]), let virtualBytes = Double(fields[20]),
            let rssPages = Double(fields[21])
        else {
            output.report(statPath, "expected numeric utime, stime, starttime, vsize and rss fields")
            return
        }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        output.metrics.counter(
            "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.",
            value: (utime + stime) / ticks)
        output.metrics.gauge(
            "process_resident_memory_bytes", help: "Resident memory size in bytes.", value: rssPages * pageSize)
        output.metrics.gauge(
            "process_virtual_memory_bytes", help: "Virtual memory size in bytes.", value: virtualBytes)
        if let bootTime = bootTime() {
            output.metrics.gauge(
                "process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.",
                value: bootTime + startTicks / ticks)
        }
        if let descriptors = try? HostFile.listDirectory(procfs + "/self/fd") {
            output.metrics.gauge(
                "process_open_fds", help: "Number of open file descriptors.", value: Double(descriptors.count))
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            output.metrics.gauge(
                "process_max_fds", help: "Maximum number of open file descriptors.", value: Double(limit.rlim_cur))
        }
    }

    private func bootTime() -> Double? {
        guard let stat = try? HostFile.readText(procfs + "/stat") else { return nil }
        for line in stat.lines where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingSpaces)
        }
        return nil
    }
}
