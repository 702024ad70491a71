import VigilModel

extension SimulatedHost {
    /// The host as node_exporter (and VigilCollectors' host collectors) expose it: the same family names,
    /// types, help texts and labels (`cpu, mode`; `device`; `device, fstype, mountpoint`; `device, port`).
    func families() -> [MetricFamily] {
        var families: [MetricFamily] = []
        families.reserveCapacity(48)
        func family(
            _ name: String, _ type: MetricType, _ help: String, _ samples: [(labels: Labels, value: Double)]
        ) {
            families.append(
                MetricFamily(
                    name: name, type: type, help: help,
                    samples: samples.map { MetricSample(name: name, labels: $0.labels, value: $0.value) }))
        }
        func gauge(_ name: String, _ help: String, _ value: Double) {
            family(name, .gauge, help, [(Labels(), value)])
        }

        // cpu, stat, loadavg: node_cpu_seconds_total at USER_HZ resolution, as /proc/stat gives it.
        family(
            "node_cpu_seconds_total", .counter, "Seconds the CPUs spent in each mode.",
            cpuSeconds.indices.map { (Self.cpuLabels[$0], (cpuSeconds[$0] * 100).rounded(.down) / 100) })
        gauge("node_boot_time_seconds", "Node boot time, in unixtime.", bootTimeSeconds)
        gauge("node_load1", "1m load average.", (load1 * 100).rounded() / 100)
        gauge("node_load5", "5m load average.", (load5 * 100).rounded() / 100)
        gauge("node_load15", "15m load average.", (load15 * 100).rounded() / 100)

        // meminfo, in bytes from kB.
        let kibibyte = 1024.0
        let buffers = 2_147_483_648.0
        let free = max(0, Self.memoryTotalBytes - anonymousBytes - cacheBytes - buffers)
        let memory: [(String, Double)] = [
            ("MemTotal", Self.memoryTotalBytes), ("MemFree", free), ("MemAvailable", free + cacheBytes * 0.9),
            ("Buffers", buffers), ("Cached", cacheBytes), ("AnonPages", anonymousBytes),
        ]
        for (key, value) in memory {
            gauge(
                "node_memory_\(key)_bytes", "Memory information field \(key)_bytes.",
                (value / kibibyte).rounded(.down) * kibibyte)
        }

        // diskstats.
        func diskFamily(_ name: String, _ help: String, _ value: (DiskCounters) -> Double) {
            family(name, .counter, help, disk.indices.map { (Self.diskLabels[$0], value(disk[$0])) })
        }
        diskFamily("node_disk_reads_completed_total", "The total number of reads completed successfully.") { $0.reads }
        diskFamily("node_disk_read_bytes_total", "The total number of bytes read successfully.") { $0.readBytes }
        diskFamily("node_disk_read_time_seconds_total", "The total number of seconds spent by all reads.") {
            ($0.readSeconds * 1000).rounded(.down) / 1000
        }
        diskFamily("node_disk_writes_completed_total", "The total number of writes completed successfully.") {
            $0.writes
        }
        diskFamily("node_disk_written_bytes_total", "The total number of bytes written successfully.") {
            $0.writtenBytes
        }
        diskFamily("node_disk_write_time_seconds_total", "This is the total number of seconds spent by all writes.") {
            ($0.writeSeconds * 1000).rounded(.down) / 1000
        }
        family(
            "node_disk_io_now", .gauge, "The number of I/Os currently in progress.",
            disk.indices.map { (Self.diskLabels[$0], diskInFlight[$0]) })
        diskFamily("node_disk_io_time_seconds_total", "Total seconds spent doing I/Os.") {
            ($0.ioSeconds * 1000).rounded(.down) / 1000
        }
        diskFamily("node_disk_io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.") {
            ($0.weightedIOSeconds * 1000).rounded(.down) / 1000
        }

        // filesystem.
        let blockSize = 4096.0
        func blocks(_ value: Double) -> Double { (value / blockSize).rounded(.down) * blockSize }
        let mounts = Self.mounts.indices
        family(
            "node_filesystem_size_bytes", .gauge, "Filesystem size in bytes.",
            mounts.map { (Self.mountLabels[$0], blocks(Self.mounts[$0].size)) })
        family(
            "node_filesystem_free_bytes", .gauge, "Filesystem free space in bytes.",
            mounts.map { (Self.mountLabels[$0], blocks(Self.mounts[$0].size - usedBytes[$0])) })
        family(
            "node_filesystem_avail_bytes", .gauge, "Filesystem space available to non-root users in bytes.",
            mounts.map { index in
                // ext4 reserves 5 % for root; xfs reserves nothing.
                let reserved = Self.mounts[index].fsType == "ext4" ? Self.mounts[index].size * 0.05 : 0
                return (Self.mountLabels[index], blocks(max(0, Self.mounts[index].size - usedBytes[index] - reserved)))
            })
        family(
            "node_filesystem_readonly", .gauge, "Filesystem read-only status.", mounts.map { (Self.mountLabels[$0], 0) }
        )
        family(
            "node_filesystem_device_error", .gauge,
            "Whether an error occurred while getting statistics for the given device.",
            mounts.map { (Self.mountLabels[$0], 0) })

        // netdev.
        let ethernet = Self.ethernetLabels
        let interface = ethernetCounters
        let network: [(String, Double)] = [
            ("receive_bytes", interface.receiveBytes), ("receive_packets", interface.receivePackets),
            ("receive_errs", interface.receiveErrors), ("receive_drop", interface.receiveDrops),
            ("transmit_bytes", interface.transmitBytes), ("transmit_packets", interface.transmitPackets),
            ("transmit_errs", interface.transmitErrors), ("transmit_drop", interface.transmitDrops),
        ]
        for (field, value) in network {
            family("node_network_\(field)_total", .counter, "Network device statistic \(field).", [(ethernet, value)])
        }
        family(
            "node_network_up", .gauge, "Value is 1 if operstate is 'up', 0 otherwise.", [(ethernet, 1)])

        // infiniband.
        let portIndices = ports.indices
        family(
            "node_infiniband_info", .gauge,
            "Non-numeric data from /sys/class/infiniband/<device>, value is always 1.",
            portIndices.map { (Self.infinibandInfoLabels[$0], 1) })
        family(
            "node_infiniband_state_id", .gauge,
            "State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, 4: active, 5: act defer)",
            portIndices.map { (Self.portLabels[$0], 4) })
        family(
            "node_infiniband_physical_state_id", .gauge,
            "Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: disable, 4: shift, 5: link up, 6: link error recover, 7: phytest)",
            portIndices.map { (Self.portLabels[$0], 5) })
        family(
            "node_infiniband_rate_bytes_per_second", .gauge, "Maximum signal transfer rate",
            portIndices.map { (Self.portLabels[$0], Self.infinibandRateBytesPerSecond) })
        let counters: [(metric: String, file: String, value: (PortCounters) -> Double)] = [
            ("port_data_received_bytes_total", "port_rcv_data", { $0.receiveBytes }),
            ("port_data_transmitted_bytes_total", "port_xmit_data", { $0.transmitBytes }),
            ("port_packets_received_total", "port_rcv_packets", { $0.receivePackets }),
            ("port_packets_transmitted_total", "port_xmit_packets", { $0.transmitPackets }),
            ("port_errors_received_total", "port_rcv_errors", { $0.receiveErrors }),
            ("port_transmit_wait_total", "port_xmit_wait", { $0.transmitWait }),
            ("link_downed_total", "link_downed", { $0.linkDowned }),
            ("link_error_recovery_total", "link_error_recovery", { $0.linkErrorRecoveries }),
            ("symbol_error_total", "symbol_error", { $0.symbolErrors }),
        ]
        for counter in counters {
            family(
                "node_infiniband_" + counter.metric, .counter, "InfiniBand counter \(counter.file).",
                portIndices.map { (Self.portLabels[$0], counter.value(ports[$0])) })
        }

        // uname.
        family(
            "node_uname_info", .gauge, "Labeled system information as provided by the uname system call.",
            [
                (
                    [
                        "sysname": "Linux", "release": Self.kernelRelease, "version": Self.kernelVersion,
                        "machine": "x86_64", "nodename": name, "domainname": "(none)",
                    ], 1
                )
            ])
        return families
    }

    // Label sets shared by every node, built once.
    static let cpuLabels: [Labels] = (0..<cpuCount).flatMap { cpu in
        modes.map { ["cpu": String(cpu), "mode": $0] as Labels }
    }
    static let diskLabels: [Labels] = disks.map { ["device": $0] }
    static let mountLabels: [Labels] = mounts.map {
        ["device": $0.device, "fstype": $0.fsType, "mountpoint": $0.mountPoint]
    }
    static let ethernetLabels: Labels = ["device": ethernet]
    static let portLabels: [Labels] = (0..<8).map { ["device": "mlx5_\($0)", "port": "1"] }
    static let infinibandInfoLabels: [Labels] = (0..<8).map {
        [
            "device": "mlx5_\($0)", "board_id": "MT_0000000838", "firmware_version": "28.39.1002",
            "hca_type": "MT4129",
        ]
    }
}
