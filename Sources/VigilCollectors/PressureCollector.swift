import VigilModel

/// Pressure stall information (PSI) from `/proc/pressure/{cpu,io,memory}`, as node_exporter names it:
/// `waiting` is the "some" line, `stalled` the "full" line, in seconds.
public struct PressureCollector: Collector {
    public let name = "pressure"

    public init() {}

    public func collect(into output: inout CollectorOutput) {
        let resources: [(file: String, some: String, full: String?)] = [
            ("cpu", "node_pressure_cpu_waiting_seconds_total", nil),
            ("io", "node_pressure_io_waiting_seconds_total", "node_pressure_io_stalled_seconds_total"),
            ("memory", "node_pressure_memory_waiting_seconds_total", "node_pressure_memory_stalled_seconds_total"),
        ]
        for resource in resources {
            let path = output.paths.proc("pressure/" + resource.file)
            // Kernels without CONFIG_PSI have no such file: not an error.
            guard let text = output.readOptionalText(path) else { continue }
            var found = false
            for (lineIndex, line) in text.lines.enumerated() {
                let fields = line.fields
                guard let kind = fields.first, kind == "some" || kind == "full" else { continue }
                found = true
                guard let total = fields.first(where: { $0.hasPrefix("total=") }),
                    let microseconds = Double(total.dropFirst("total=".count))
                else {
                    output.report(path, "line \(lineIndex + 1): no numeric total= in \"\(line.prefix(80))\"")
                    continue
                }
                let name = kind == "some" ? resource.some : resource.full
                guard let name else { continue }
                let what = kind == "some" ? "waiting for" : "stalled on"
                output.metrics.counter(
                    name, help: "Total time in seconds that processes have been \(what) \(resource.file).",
                    value: microseconds / 1_000_000)
            }
            if !found { output.report(path, "no some/full lines") }
        }
    }
}
