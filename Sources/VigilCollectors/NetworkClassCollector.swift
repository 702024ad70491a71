import VigilModel

/// Interface state from `/sys/class/net/<device>/`: up, carrier, speed, MTU, queue length, flags and
/// `node_network_info`, named as node_exporter's netclass collector names them.
///
/// An attribute the kernel refuses to read (`carrier` of a down interface answers EINVAL) is simply
/// absent, as in node_exporter; only a vanished or unreadable interface directory is an issue.
public struct NetworkClassCollector: Collector {
    public let name = "netclass"
    public let deviceExclude: DeviceFilter

    /// sysfs attribute, metric, type, help. Values are decimal except `flags` (hex).
    static let attributes: [(file: String, metric: String, type: MetricType, help: String)] = [
        (
            "addr_assign_type", "node_network_address_assign_type", .gauge,
            "Network device property: address_assign_type"
        ),
        ("carrier", "node_network_carrier", .gauge, "Network device property: carrier"),
        (
            "carrier_changes", "node_network_carrier_changes_total", .counter,
            "Network device property: carrier_changes_total"
        ),
        (
            "carrier_up_count", "node_network_carrier_up_changes_total", .counter,
            "Network device property: carrier_up_changes_total"
        ),
        (
            "carrier_down_count", "node_network_carrier_down_changes_total", .counter,
            "Network device property: carrier_down_changes_total"
        ),
        ("dev_id", "node_network_device_id", .gauge, "Network device property: device_id"),
        ("dormant", "node_network_dormant", .gauge, "Network device property: dormant"),
        ("flags", "node_network_flags", .gauge, "Network device property: flags"),
        ("ifindex", "node_network_iface_id", .gauge, "Network device property: iface_id"),
        ("iflink", "node_network_iface_link", .gauge, "Network device property: iface_link"),
        ("link_mode", "node_network_iface_link_mode", .gauge, "Network device property: iface_link_mode"),
        ("mtu", "node_network_mtu_bytes", .gauge, "Network device property: mtu_bytes"),
        ("name_assign_type", "node_network_name_assign_type", .gauge, "Network device property: name_assign_type"),
        ("netdev_group", "node_network_net_dev_group", .gauge, "Network device property: net_dev_group"),
        (
            "tx_queue_len", "node_network_transmit_queue_length", .gauge,
            "Network device property: transmit_queue_length"
        ),
        ("type", "node_network_protocol_type", .gauge, "Network device property: protocol_type"),
    ]

    public init(deviceExclude: DeviceFilter = .none) {
        self.deviceExclude = deviceExclude
    }

    public func collect(into output: inout CollectorOutput) {
        let classPath = output.paths.sys("class/net")
        for device in output.listOptionalDirectory(classPath) where !deviceExclude.excludes(device) {
            let directory = classPath + "/" + device
            // The interface may vanish between listing and reading: operstate is the proof of life.
            guard let operState = try? HostFile.readValue(directory + "/operstate") else {
                output.report(directory + "/operstate", "interface vanished or unreadable")
                continue
            }
            let labels: Labels = ["device": device]
            func value(_ file: String) -> String? { try? HostFile.readValue(directory + "/" + file) }
            output.metrics.gauge(
                "node_network_info", help: "Non-numeric data from /sys/class/net/<iface>, value is always 1.",
                labels: [
                    "device": device, "address": value("address") ?? "", "broadcast": value("broadcast") ?? "",
                    "duplex": value("duplex") ?? "", "operstate": operState, "ifalias": value("ifalias") ?? "",
                ],
                value: 1)
            output.metrics.gauge(
                "node_network_up", help: "Value is 1 if operstate is 'up', 0 otherwise.", labels: labels,
                value: operState == "up" ? 1 : 0)
            for attribute in Self.attributes {
                guard let text = value(attribute.file) else { continue }
                let number: Double?
                if attribute.file == "flags" {
                    number = UInt64(text.hasPrefix("0x") ? String(text.dropFirst(2)) : text, radix: 16).map {
                        Double($0)
                    }
                } else {
                    number = Double(text)
                }
                guard let number else {
                    output.report(directory + "/" + attribute.file, "not a number: \"\(text.prefix(40))\"")
                    continue
                }
                output.metrics.add(
                    attribute.metric, attribute.type, help: attribute.help, labels: labels, value: number)
            }
            // Megabits per second; -1 (unknown) is reported as node_exporter does, scaled.
            if let speed = value("speed").flatMap(Double.init) {
                output.metrics.gauge(
                    "node_network_speed_bytes", help: "Network device property: speed_bytes", labels: labels,
                    value: speed * 125_000)
            }
        }
    }
}
