import VigilModel

/// `node_network_{receive,transmit}_*_total{device}` from `/proc/net/dev`.
public struct NetworkDeviceCollector: Collector {
    public let name = "netdev"
    public let deviceExclude: DeviceFilter

    static let receiveFields = ["bytes", "packets", "errs", "drop", "fifo", "frame", "compressed", "multicast"]
    static let transmitFields = ["bytes", "packets", "errs", "drop", "fifo", "colls", "carrier", "compressed"]

    public init(deviceExclude: DeviceFilter = .none) {
        self.deviceExclude = deviceExclude
    }

    public func collect(into output: inout CollectorOutput) {
        let path = output.paths.proc("net/dev")
        guard let text = output.readText(path) else { return }
        // Two header lines, then "  name: 16 numbers".
        for (lineIndex, line) in text.lines.enumerated().dropFirst(2) {
            guard let colon = line.firstIndex(of: ":") else {
                output.report(path, "line \(lineIndex + 1): no ':' after the interface name")
                continue
            }
            let device = line[..<colon].trimmingSpaces
            if deviceExclude.excludes(device) { continue }
            let numbers = line[line.index(after: colon)...].fields.map { Double($0) }
            guard numbers.count >= 16, !numbers.contains(nil) else {
                output.report(path, "line \(lineIndex + 1): expected 16 numbers for \(device)")
                continue
            }
            let labels: Labels = ["device": device]
            for (offset, field) in Self.receiveFields.enumerated() {
                output.metrics.counter(
                    "node_network_receive_\(field)_total", help: "Network device statistic receive_\(field).",
                    labels: labels, value: numbers[offset]!)
            }
            for (offset, field) in Self.transmitFields.enumerated() {
                output.metrics.counter(
                    "node_network_transmit_\(field)_total", help: "Network device statistic transmit_\(field).",
                    labels: labels, value: numbers[8 + offset]!)
            }
        }
    }
}
