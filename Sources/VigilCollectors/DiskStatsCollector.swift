import VigilModel

/// Block-device I/O from `/proc/diskstats` with node_exporter's names: operations, merges, bytes,
/// time, in-flight, io time and weighted io time — enough for IOPS, throughput, latency and saturation —
/// plus `node_disk_info` with udev's model, serial and path when `/run/udev/data` has them.
public struct DiskStatsCollector: Collector {
    public let name = "diskstats"
    /// Devices not reported: node_exporter's default (partitions, ram and loop devices).
    public let deviceExclude: DeviceFilter

    public static let defaultDeviceExclude = #"^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$"#

    public init(deviceExclude: DeviceFilter = DeviceFilter(exclude: Self.defaultDeviceExclude)!) {
        self.deviceExclude = deviceExclude
    }

    /// Field index (0-based after major, minor, name), metric, type, scale, help.
    static let fields: [(index: Int, name: String, type: MetricType, scale: Double, help: String)] = [
        (0, "node_disk_reads_completed_total", .counter, 1, "The total number of reads completed successfully."),
        (1, "node_disk_reads_merged_total", .counter, 1, "The total number of reads merged."),
        (2, "node_disk_read_bytes_total", .counter, 512, "The total number of bytes read successfully."),
        (3, "node_disk_read_time_seconds_total", .counter, 0.001, "The total number of seconds spent by all reads."),
        (4, "node_disk_writes_completed_total", .counter, 1, "The total number of writes completed successfully."),
        (5, "node_disk_writes_merged_total", .counter, 1, "The number of writes merged."),
        (6, "node_disk_written_bytes_total", .counter, 512, "The total number of bytes written successfully."),
        (
            7, "node_disk_write_time_seconds_total", .counter, 0.001,
            "This is the total number of seconds spent by all writes."
        ),
        (8, "node_disk_io_now", .gauge, 1, "The number of I/Os currently in progress."),
        (9, "node_disk_io_time_seconds_total", .counter, 0.001, "Total seconds spent doing I/Os."),
        (
            10, "node_disk_io_time_weighted_seconds_total", .counter, 0.001,
            "The weighted # of seconds spent doing I/Os."
        ),
        (11, "node_disk_discards_completed_total", .counter, 1, "The total number of discards completed successfully."),
        (12, "node_disk_discards_merged_total", .counter, 1, "The total number of discards merged."),
        (13, "node_disk_discarded_sectors_total", .counter, 1, "The total number of sectors discarded successfully."),
        (
            14, "node_disk_discard_time_seconds_total", .counter, 0.001,
            "This is the total number of seconds spent by all discards."
        ),
        (
            15, "node_disk_flush_requests_total", .counter, 1,
            "The total number of flush requests completed successfully"
        ),
        (
            16, "node_disk_flush_requests_time_seconds_total", .counter, 0.001,
            "This is the total number of seconds spent by all flush requests."
        ),
    ]

    public func collect(into output: inout CollectorOutput) {
        let path = output.paths.proc("diskstats")
        guard let text = output.readText(path) else { return }
        for (lineIndex, line) in text.lines.enumerated() {
            let parts = line.fields
            guard parts.count >= 14 else {
                output.report(path, "line \(lineIndex + 1): expected at least 14 fields, got \(parts.count)")
                continue
            }
            let device = String(parts[2])
            if deviceExclude.excludes(device) { continue }
            let numbers = parts[3...].map { Double($0) }
            guard let major = UInt32(parts[0]), let minor = UInt32(parts[1]), !numbers.contains(nil) else {
                output.report(path, "line \(lineIndex + 1): non-numeric field in \"\(line.prefix(100))\"")
                continue
            }
            let labels: Labels = ["device": device]
            for field in Self.fields where field.index < numbers.count {
                output.metrics.add(
                    field.name, field.type, help: field.help, labels: labels, value: numbers[field.index]! * field.scale
                )
            }
            let udev = udevProperties(major: major, minor: minor, paths: output.paths)
            output.metrics.gauge(
                "node_disk_info", help: "Info of /sys/block/<block_device>.",
                labels: [
                    "device": device, "major": String(major), "minor": String(minor),
                    "path": udev["ID_PATH"] ?? "", "wwn": udev["ID_WWN"] ?? "", "model": udev["ID_MODEL"] ?? "",
                    "serial": udev["ID_SERIAL_SHORT"] ?? "", "revision": udev["ID_REVISION"] ?? "",
                ],
                value: 1)
        }
    }

    /// `E:KEY=VALUE` lines of udev's database entry for a block device; empty when udev has none.
    private func udevProperties(major: UInt32, minor: UInt32, paths: HostPaths) -> [String: String] {
        guard let text = try? HostFile.readText("\(paths.udevData)/b\(major):\(minor)") else { return [:] }
        var properties: [String: String] = [:]
        for line in text.lines where line.hasPrefix("E:") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            properties[String(line[line.index(line.startIndex, offsetBy: 2)..<equals])] =
                String(line[line.index(after: equals)...])
        }
        return properties
    }
}
