import Testing
import VigilCollectors
import VigilModel

/// Every collector against a healthy GPU node's /proc and /sys, with concrete values.
@Suite struct HealthyHostTests {
    let host = FixtureHost("gpu-node")

    @Test func cpuSecondsPerModeFromTicks() {
        let output = host.run(CPUCollector())
        #expect(output.issues.isEmpty)
        #expect(output.metrics.value("node_cpu_seconds_total", ["cpu": "0", "mode": "user"]) == 23.5)
        #expect(output.metrics.value("node_cpu_seconds_total", ["cpu": "1", "mode": "idle"]) == 81.25)
        #expect(output.metrics.value("node_cpu_seconds_total", ["cpu": "0", "mode": "steal"]) == 0.03)
        #expect(output.metrics.samples("node_cpu_seconds_total").count == 16)
        #expect(output.metrics.value("node_cpu_guest_seconds_total", ["cpu": "0", "mode": "nice"]) == 0.01)
        #expect(output.metrics.family("node_cpu_seconds_total")?.type == .counter)
    }

    @Test func kernelStatistics() {
        let metrics = host.run(StatCollector()).metrics
        #expect(metrics.value("node_boot_time_seconds") == 1_700_000_000)
        #expect(metrics.value("node_context_switches_total") == 2_935_431)
        #expect(metrics.value("node_forks_total") == 76312)
        #expect(metrics.value("node_intr_total") == 1_462_898)
        #expect(metrics.value("node_procs_running") == 3)
        #expect(metrics.value("node_procs_blocked") == 1)
    }

    @Test func loadAverages() {
        let metrics = host.run(LoadAverageCollector()).metrics
        #expect(metrics.value("node_load1") == 1.25)
        #expect(metrics.value("node_load5") == 0.8)
        #expect(metrics.value("node_load15") == 0.5)
    }

    @Test func memoryNamesAndUnitsAsNodeExporter() {
        let output = host.run(MemoryCollector())
        #expect(output.issues.isEmpty)
        #expect(output.metrics.value("node_memory_MemTotal_bytes") == 2_113_183_744.0 * 1024)
        #expect(output.metrics.value("node_memory_Active_anon_bytes") == 5_000_000.0 * 1024)
        #expect(output.metrics.value("node_memory_Inactive_file_bytes") == 3_000_000.0 * 1024)
        #expect(output.metrics.value("node_memory_HugePages_Total") == 0)
        #expect(output.metrics.family("node_memory_HugePages_Total_bytes") == nil)
    }

    @Test func pressureStallSeconds() {
        let output = host.run(PressureCollector())
        #expect(output.issues.isEmpty)
        #expect(output.metrics.value("node_pressure_cpu_waiting_seconds_total") == 12.345678)
        #expect(output.metrics.value("node_pressure_io_waiting_seconds_total") == 2.5)
        #expect(output.metrics.value("node_pressure_io_stalled_seconds_total") == 1.5)
        #expect(output.metrics.value("node_pressure_memory_stalled_seconds_total") == 0.001)
        #expect(output.metrics.family("node_pressure_cpu_stalled_seconds_total") == nil)
    }

    @Test func diskStatsSkipPartitionsAndScaleUnits() {
        let output = host.run(DiskStatsCollector())
        #expect(output.issues.isEmpty)
        let metrics = output.metrics
        #expect(
            Set(metrics.samples("node_disk_reads_completed_total").compactMap { $0.labels["device"] }) == [
                "nvme0n1", "nvme1n1", "sda",
            ])
        #expect(metrics.value("node_disk_read_bytes_total", ["device": "nvme0n1"]) == 9_401_802.0 * 512)
        #expect(metrics.value("node_disk_write_time_seconds_total", ["device": "nvme0n1"]) == 2287.121)
        #expect(metrics.value("node_disk_io_now", ["device": "nvme1n1"]) == 2)
        #expect(metrics.value("node_disk_io_time_weighted_seconds_total", ["device": "nvme0n1"]) == 2343.91)
        #expect(metrics.value("node_disk_flush_requests_total", ["device": "nvme0n1"]) == 7000)
        // An old kernel's 11-field line has no discard or flush counters.
        #expect(metrics.value("node_disk_discards_completed_total", ["device": "nvme1n1"]) == nil)
        let info = metrics.samples("node_disk_info", ["device": "nvme0n1"]).first
        #expect(info?.labels["model"] == "SAMSUNG MZ1L21T9HCLS-00A07")
        #expect(info?.labels["serial"] == "S666NE0R123456")
        #expect(info?.labels["path"] == "pci-0000:01:00.0-nvme-1")
        #expect(metrics.samples("node_disk_info", ["device": "sda"]).first?.labels["model"] == "")
    }

    @Test func filesystemsSkipPseudoAndDeduplicate() {
        let output = host.run(FilesystemCollector())
        #expect(output.issues.isEmpty)
        let mounts = output.metrics.samples("node_filesystem_size_bytes").compactMap { $0.labels["mountpoint"] }
        #expect(mounts == ["/", "/data", "/datasets", "/mnt/scratch disk"])
        #expect(output.metrics.value("node_filesystem_readonly", ["mountpoint": "/mnt/scratch disk"]) == 1)
        #expect(output.metrics.value("node_filesystem_readonly", ["mountpoint": "/data"]) == 0)
        #expect(
            output.metrics.samples("node_filesystem_size_bytes", ["mountpoint": "/data"]).first?.labels["fstype"]
                == "xfs")
        let size = output.metrics.value("node_filesystem_size_bytes", ["mountpoint": "/"]) ?? 0
        let avail = output.metrics.value("node_filesystem_avail_bytes", ["mountpoint": "/"]) ?? -1
        #expect(size > 0 && avail >= 0 && avail <= size)
        #expect(output.metrics.value("node_filesystem_device_error", ["mountpoint": "/"]) == 0)
    }

    @Test func networkCountersAndState() {
        let netdev = host.run(NetworkDeviceCollector()).metrics
        #expect(netdev.value("node_network_receive_bytes_total", ["device": "ib0"]) == 9_000_000_000)
        #expect(netdev.value("node_network_transmit_errs_total", ["device": "eth0"]) == 3)
        #expect(netdev.value("node_network_receive_multicast_total", ["device": "eth0"]) == 5)
        #expect(netdev.value("node_network_transmit_drop_total", ["device": "eth0"]) == 4)
        let output = host.run(NetworkClassCollector())
        #expect(output.issues.isEmpty)
        let netclass = output.metrics
        #expect(netclass.value("node_network_up", ["device": "eth0"]) == 1)
        #expect(netclass.value("node_network_up", ["device": "lo"]) == 0)
        #expect(netclass.value("node_network_speed_bytes", ["device": "eth0"]) == 25_000.0 * 125_000)
        #expect(netclass.value("node_network_speed_bytes", ["device": "lo"]) == nil)
        #expect(netclass.value("node_network_mtu_bytes", ["device": "ib0"]) == 4092)
        #expect(netclass.value("node_network_flags", ["device": "eth0"]) == 0x1003)
        #expect(netclass.value("node_network_protocol_type", ["device": "ib0"]) == 32)
        let info = netclass.samples("node_network_info", ["device": "eth0"]).first
        #expect(info?.labels.map(\.name) == ["address", "broadcast", "device", "duplex", "ifalias", "operstate"])
        #expect(info?.labels["duplex"] == "full")
    }

    @Test func infiniBandPortsAsTheKernelDocumentsThem() {
        let output = host.run(InfiniBandCollector())
        #expect(output.issues.isEmpty)
        let metrics = output.metrics
        let port: [String: String] = ["device": "mlx5_0", "port": "1"]
        #expect(metrics.value("node_infiniband_port_data_received_bytes_total", port) == 9_000_000_000)
        #expect(metrics.value("node_infiniband_port_data_transmitted_bytes_total", port) == 8_000_000_000)
        #expect(metrics.value("node_infiniband_port_transmit_wait_total", port) == 123_456)
        #expect(metrics.value("node_infiniband_port_discards_transmitted_total", port) == 7)
        #expect(metrics.value("node_infiniband_symbol_error_total", port) == 2)
        #expect(metrics.value("node_infiniband_link_downed_total", port) == 1)
        #expect(metrics.value("node_infiniband_state_id", port) == 4)
        #expect(metrics.value("node_infiniband_physical_state_id", port) == 5)
        #expect(metrics.value("node_infiniband_rate_bytes_per_second", port) == 25_000_000_000)
        // "N/A (no PMA)" counters are absent, not errors.
        #expect(metrics.value("node_infiniband_legacy_data_received_bytes_total", port) == nil)
        let info = metrics.samples("node_infiniband_info", ["device": "mlx5_0"]).first
        #expect(info?.labels["firmware_version"] == "20.39.1002")
        #expect(info?.labels["hca_type"] == "MT4123")
        #expect(
            metrics.samples("vigil_infiniband_port_info", ["device": "mlx5_1"]).first?.labels["link_layer"]
                == "Ethernet")
        #expect(
            metrics.value("vigil_infiniband_hw_counter_total", ["device": "mlx5_1", "counter": "np_cnp_sent"]) == 42)
        #expect(metrics.value("node_infiniband_rate_bytes_per_second", ["device": "mlx5_1"]) == 50_000_000_000)
    }

    @Test func hwmonChipsSensorsAndLabels() {
        let output = host.run(HwmonCollector())
        #expect(output.issues.isEmpty)
        let metrics = output.metrics
        #expect(metrics.value("node_hwmon_temp_celsius", ["chip": "acpitz", "sensor": "temp1"]) == 27.8)
        #expect(metrics.value("node_hwmon_temp_crit_celsius", ["chip": "acpitz", "sensor": "temp1"]) == 105)
        #expect(metrics.value("node_hwmon_temp_celsius", ["chip": "platform_coretemp_0", "sensor": "temp1"]) == 45)
        #expect(metrics.value("node_hwmon_temp_max_celsius", ["chip": "platform_coretemp_0"]) == 80)
        #expect(metrics.value("node_hwmon_fan_rpm", ["chip": "platform_coretemp_0", "sensor": "fan1"]) == 1200)
        #expect(metrics.samples("node_hwmon_sensor_label").first?.labels["label"] == "Package id 0")
        #expect(
            metrics.samples("node_hwmon_chip_names", ["chip": "platform_coretemp_0"]).first?.labels["chip_name"]
                == "coretemp")
    }

    @Test func osRelease() {
        let metrics = host.run(OSReleaseCollector()).metrics
        let info = metrics.samples("node_os_info").first
        #expect(info?.labels["pretty_name"] == "Ubuntu 22.04.4 LTS")
        #expect(info?.labels["version_codename"] == "jammy")
        #expect(info?.labels["build_id"] == "")
        #expect(info?.labels.count == 12)
        #expect(metrics.value("node_os_version", ["id": "ubuntu"]) == 22.04)
    }

    @Test func unameAndTimeFromTheRunningKernel() {
        let uname = host.run(UnameCollector()).metrics.samples("node_uname_info").first
        #expect(uname?.labels["sysname"] == "Linux")
        #expect(uname?.labels.map(\.name) == ["domainname", "machine", "nodename", "release", "sysname", "version"])
        #expect((host.run(TimeCollector()).metrics.value("node_time_seconds") ?? 0) > 1_700_000_000)
    }

    @Test func processMetricsOfThisProcess() {
        let metrics = FixtureHost("gpu-node").run(ProcessCollector()).metrics
        #expect((metrics.value("process_resident_memory_bytes") ?? 0) > 1_000_000)
        #expect((metrics.value("process_open_fds") ?? 0) >= 3)
        #expect((metrics.value("process_max_fds") ?? 0) >= 64)
        #expect((metrics.value("process_start_time_seconds") ?? 0) > 1_600_000_000)
    }
}
