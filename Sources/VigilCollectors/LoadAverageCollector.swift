import VigilModel

/// `node_load1`, `node_load5`, `node_load15` from `/proc/loadavg`.
public struct LoadAverageCollector: Collector {
    public let name = "loadavg"

    public init() {}

    public func collect(into output: inout CollectorOutput) {
        let path = output.paths.proc("loadavg")
        guard let text = output.readText(path) else { return }
        let fields = text.fields
        let loads = fields.prefix(3).compactMap { Double($0) }
        guard loads.count == 3 else {
            output.report(path, "expected three load averages, got \"\(text.trimmingSpaces.prefix(80))\"")
            return
        }
        for (minutes, load) in zip([1, 5, 15], loads) {
            output.metrics.gauge("node_load\(minutes)", help: "\(minutes)m load average.", value: load)
        }
    }
}
