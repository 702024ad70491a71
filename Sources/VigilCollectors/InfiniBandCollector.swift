import VigilModel

/// InfiniBand and RoCE ports from `/sys/class/infiniband/<device>/ports/<port>/`, with node_exporter's
/// `node_infiniband_*{device,port}` names (data in bytes: the kernel counts 4-byte words), plus every
/// `hw_counters/` file (mlx5: congestion, CNP, ECN, out-of-buffer — the RoCE health signals) as
/// `vigil_infiniband_hw_counter_total{device,port,counter}`.
///
/// Every counter file is optional: a missing one, or one reading "N/A (no PMA)", is skipped silently.
/// A port whose state can't be read is an issue and is skipped; other ports and devices go on.
public struct InfiniBandCollector: Collector {
    public let name = "infiniband"

    /// counters/ (or counters_ext/) file, metric suffix, scale.
    static let counters: [(file: String, metric: String, scale: Double)] = [
        ("port_rcv_data", "port_data_received_bytes_total", 4),
        ("port_xmit_data", "port_data_transmitted_bytes_total", 4),
        ("port_rcv_packets", "port_packets_received_total", 1),
        ("port_xmit_packets", "port_packets_transmitted_total", 1),
        ("unicast_rcv_packets", "unicast_packets_received_total", 1),
        ("unicast_xmit_packets", "unicast_packets_transmitted_total", 1),
        ("multicast_rcv_packets", "multicast_packets_received_total", 1),
        ("multicast_xmit_packets", "multicast_packets_transmitted_total", 1),
        ("port_rcv_errors", "port_errors_received_total", 1),
        ("port_rcv_discards", "port_discards_received_total", 1),
        ("port_xmit_discards", "port_discards_transmitted_total", 1),
        ("port_rcv_constraint_errors", "port_constraint_errors_received_total", 1),
        ("port_xmit_constraint_errors", "port_constraint_errors_transmitted_total", 1),
        ("port_rcv_remote_physical_errors", "port_receive_remote_physical_errors_total", 1),
        ("port_rcv_switch_relay_errors", "port_receive_switch_relay_errors_total", 1),
        ("port_xmit_wait", "port_transmit_wait_total", 1),
        ("link_downed", "link_downed_total", 1),
        ("link_error_recovery", "link_error_recovery_total", 1),
        ("local_link_integrity_errors", "local_link_integrity_errors_total", 1),
        ("excessive_buffer_overrun_errors", "excessive_buffer_overrun_errors_total", 1),
        ("symbol_error", "symbol_error_total", 1),
        ("VL15_dropped", "vl15_dropped_total", 1),
    ]
    static let extendedCounters: [(file: String, metric: String, scale: Double)] = [
        ("port_rcv_data_64", "legacy_data_received_bytes_total", 4),
        ("port_xmit_data_64", "legacy_data_transmitted_bytes_total", 4),
        ("port_rcv_packets_64", "legacy_packets_received_total", 1),
        ("port_xmit_packets_64", "legacy_packets_transmitted_total", 1),
        ("port_unicast_rcv_packets", "legacy_unicast_packets_received_total", 1),
        ("port_unicast_xmit_packets", "legacy_unicast_packets_transmitted_total", 1),
        ("port_multicast_rcv_packets", "legacy_multicast_packets_received_total", 1),
        ("port_multicast_xmit_packets", "legacy_multicast_packets_transmitted_total", 1),
    ]

    public init() {}

    public func collect(into output: inout CollectorOutput) {
        let classPath = output.paths.sys("class/infiniband")
        for device in output.listOptionalDirectory(classPath) {
            let devicePath = classPath + "/" + device
            guard let ports = try? HostFile.listDirectory(devicePath + "/ports") else {
                output.report(devicePath + "/ports", "device vanished or has no ports directory")
                continue
            }
            let read = { (file: String) in (try? HostFile.readValue(devicePath + "/" + file)) ?? "" }
            output.metrics.gauge(
                "node_infiniband_info",
                help: "Non-numeric data from /sys/class/infiniband/<device>, value is always 1.",
                labels: [
                    "device": device, "board_id": read("board_id"), "firmware_version": read("fw_ver"),
                    "hca_type": read("hca_type"),
                ],
                value: 1)
            for port in ports {
                collectPort(device: device, port: port, path: devicePath + "/ports/" + port, into: &output)
            }
        }
    }

    private func collectPort(device: String, port: String, path: String, into output: inout CollectorOutput) {
        let labels: Labels = ["device": device, "port": port]
        guard let state = try? HostFile.readValue(path + "/state") else {
            output.report(path + "/state", "port vanished or unreadable")
            return
        }
        // "4: ACTIVE" → 4, "5: LinkUp" → 5.
        if let id = Self.leadingNumber(state) {
            output.metrics.gauge(
                "node_infiniband_state_id",
                help:
                    "State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, 4: active, 5: act defer)",
                labels: labels, value: id)
        } else {
            output.report(path + "/state", "expected \"N: NAME\", got \"\(state.prefix(40))\"")
        }
        if let physical = try? HostFile.readValue(path + "/phys_state"), let id = Self.leadingNumber(physical) {
            output.metrics.gauge(
                "node_infiniband_physical_state_id",
                help:
                    "Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: disable, 4: shift, 5: link up, 6: link error recover, 7: phytest)",
                labels: labels, value: id)
        }
        // "100 Gb/sec (4X EDR)" → 100e9 / 8 bytes per second.
        if let rate = try? HostFile.readValue(path + "/rate"), let first = rate.fields.first,
            let gigabits = Double(first)
        {
            output.metrics.gauge(
                "node_infiniband_rate_bytes_per_second", help: "Maximum signal transfer rate", labels: labels,
                value: gigabits * 125_000_000)
        }
        if let linkLayer = try? HostFile.readValue(path + "/link_layer") {
            output.metrics.gauge(
                "vigil_infiniband_port_info",
                help: "Port link layer: InfiniBand, or Ethernet for RoCE; value is always 1.",
                labels: ["device": device, "port": port, "link_layer": linkLayer], value: 1)
        }
        for (directory, counters) in [("counters", Self.counters), ("counters_ext", Self.extendedCounters)] {
            for counter in counters {
                let file = path + "/" + directory + "/" + counter.file
                guard let text = try? HostFile.readValue(file), !text.hasPrefix("N/A") else { continue }
                guard let value = Double(text) else {
                    output.report(file, "not a number: \"\(text.prefix(40))\"")
                    continue
                }
                output.metrics.counter(
                    "node_infiniband_" + counter.metric, help: "InfiniBand counter \(counter.file).",
                    labels: labels, value: value * counter.scale)
            }
        }
        let hardwarePath = path + "/hw_counters"
        for counter in (try? HostFile.listDirectory(hardwarePath)) ?? [] {
            guard let text = try? HostFile.readValue(hardwarePath + "/" + counter), let value = Double(text) else {
                continue
            }
            output.metrics.counter(
                "vigil_infiniband_hw_counter_total",
                help:
                    "Driver hardware counters of the port (hw_counters/), e.g. RoCE congestion and out-of-buffer drops.",
                labels: ["device": device, "port": port, "counter": counter], value: value)
        }
    }

    static func leadingNumber(_ text: String) -> Double? {
        text.split(separator: ":", maxSplits: 1).first.flatMap { Double($0.trimmingSpaces) }
    }
}
