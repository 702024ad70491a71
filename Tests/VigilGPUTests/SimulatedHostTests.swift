import Testing
import VigilGPU
import VigilModel

/// The simulated nodes' host metrics: node_exporter's shape (as VigilCollectors' host collectors expose it),
/// monotone counters, determinism, correlation with the GPUs' work, and the planted problems.
@Suite struct SimulatedHostTests {
    static let start: Int64 = 1_700_000_000_000

    static func value(_ families: [MetricFamily], _ name: String, _ labels: [String: String] = [:]) -> Double? {
        families.first { $0.name == name }?.samples.first { sample in
            labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }?.value
    }

    /// Family → (type, label names of every sample), as VigilCollectors' collectors produce them
    /// (CPUCollector, StatCollector, LoadAverageCollector, MemoryCollector, DiskStatsCollector,
    /// FilesystemCollector, NetworkDeviceCollector, NetworkClassCollector, InfiniBandCollector, UnameCollector).
    static let shapes: [(name: String, type: MetricType, labels: Set<String>)] = [
        ("node_cpu_seconds_total", .counter, ["cpu", "mode"]),
        ("node_boot_time_seconds", .gauge, []),
        ("node_load1", .gauge, []), ("node_load5", .gauge, []), ("node_load15", .gauge, []),
        ("node_memory_MemTotal_bytes", .gauge, []), ("node_memory_MemAvailable_bytes", .gauge, []),
        ("node_memory_MemFree_bytes", .gauge, []), ("node_memory_Cached_bytes", .gauge, []),
        ("node_disk_reads_completed_total", .counter, ["device"]), ("node_disk_read_bytes_total", .counter, ["device"]),
        ("node_disk_read_time_seconds_total", .counter, ["device"]),
        ("node_disk_writes_completed_total", .counter, ["device"]),
        ("node_disk_written_bytes_total", .counter, ["device"]),
        ("node_disk_write_time_seconds_total", .counter, ["device"]), ("node_disk_io_now", .gauge, ["device"]),
        ("node_disk_io_time_seconds_total", .counter, ["device"]),
        ("node_disk_io_time_weighted_seconds_total", .counter, ["device"]),
        ("node_filesystem_size_bytes", .gauge, ["device", "fstype", "mountpoint"]),
        ("node_filesystem_free_bytes", .gauge, ["device", "fstype", "mountpoint"]),
        ("node_filesystem_avail_bytes", .gauge, ["device", "fstype", "mountpoint"]),
        ("node_network_receive_bytes_total", .counter, ["device"]),
        ("node_network_transmit_bytes_total", .counter, ["device"]),
        ("node_network_receive_errs_total", .counter, ["device"]), ("node_network_up", .gauge, ["device"]),
        ("node_infiniband_info", .gauge, ["device", "board_id", "firmware_version", "hca_type"]),
        ("node_infiniband_state_id", .gauge, ["device", "port"]),
        ("node_infiniband_rate_bytes_per_second", .gauge, ["device", "port"]),
        ("node_infiniband_port_data_received_bytes_total", .counter, ["device", "port"]),
        ("node_infiniband_port_data_transmitted_bytes_total", .counter, ["device", "port"]),
        ("node_infiniband_symbol_error_total", .counter, ["device", "port"]),
        ("node_infiniband_port_errors_received_total", .counter, ["device", "port"]),
        ("node_infiniband_link_error_recovery_total", .counter, ["device", "port"]),
        ("node_uname_info", .gauge, ["sysname", "release", "version", "machine", "nodename", "domainname"]),
    ]

    @Test func familiesHaveTheHostCollectorsShape() throws {
        let fleet = SimulatedFleet(nodes: 2, gpusPerNode: 8, profile: .h100, seed: 1, startMs: Self.start)
        let families = fleet.hostMetrics(node: 1)
        #expect(Set(families.map(\.name)).count == families.count, "one family per name")
        for shape in Self.shapes {
            let family = try #require(families.first { $0.name == shape.name }, "\(shape.name) is missing")
            #expect(family.type == shape.type, "\(shape.name)")
            #expect(!family.samples.isEmpty)
            for sample in family.samples {
                #expect(sample.name == shape.name)
                #expect(Set(sample.labels.map(\.name)) == shape.labels, "\(shape.name): \(sample.labels)")
            }
        }
        for family in families {
            #expect(family.name.hasSuffix("_total") == (family.type == .counter), "\(family.name)")
            #expect(Set(family.samples.map(\.labels)).count == family.samples.count, "\(family.name) repeats a series")
        }
        #expect(Self.value(families, "node_uname_info", ["nodename": "gpu-node-02"]) == 1)
        #expect(families.first { $0.name == "node_cpu_seconds_total" }?.samples.count == 32 * 8)
        // Every CPU spends its wall time in some mode: the modes sum to the uptime.
        let boot = try #require(Self.value(families, "node_boot_time_seconds"))
        let cpu0 = families.first { $0.name == "node_cpu_seconds_total" }!.samples.filter { $0.labels["cpu"] == "0" }
        let uptime = Double(Self.start) / 1000 - boot
        #expect(abs(cpu0.reduce(0) { $0 + $1.value } - uptime) < 1)
    }

    @Test func countersNeverGoBackwards() {
        var fleet = SimulatedFleet(nodes: 3, gpusPerNode: 8, profile: .h100, seed: 3, startMs: Self.start)
        var previous: [Int: [String: Double]] = [:]
        // Every 15 s for an hour (checkpoints, jobs ending and starting), then a jump of three hours.
        let times = (1...240).map { Self.start + Int64($0) * 15_000 } + [Self.start + 4 * 3_600_000]
        for time in times {
            fleet.advance(toMs: time)
            for node in 0..<3 {
                for family in fleet.hostMetrics(node: node) where family.type == .counter {
                    for sample in family.samples {
                        let key = family.name + sample.labels.description
                        if let before = previous[node]?[key] {
                            #expect(sample.value >= before, "\(key) went from \(before) to \(sample.value)")
                        }
                        previous[node, default: [:]][key] = sample.value
                    }
                }
            }
        }
    }

    @Test func sameSeedSameHostDifferentSeedDifferentHost() {
        func run(_ seed: UInt64) -> [MetricFamily] {
            var fleet = SimulatedFleet(nodes: 2, gpusPerNode: 8, profile: .h100, seed: seed, startMs: Self.start)
            fleet.advance(toMs: Self.start + 900_000)
            return fleet.hostMetrics(node: 0) + fleet.hostMetrics(node: 1)
        }
        #expect(run(5) == run(5))
        #expect(run(5) != run(6))
    }

    @Test func busyNodesWorkTheirHostsHarder() {
        var fleet = SimulatedFleet(
            nodes: 2, gpusPerNode: 8, profile: .h100, seed: 1, startMs: Self.start, scheduling: .manual)
        fleet.startJob(.training, node: 0, gpus: Array(0..<8))
        fleet.advance(toMs: Self.start + 600_000)
        let before = [fleet.hostMetrics(node: 0), fleet.hostMetrics(node: 1)]
        fleet.advance(toMs: Self.start + 900_000)
        let after = [fleet.hostMetrics(node: 0), fleet.hostMetrics(node: 1)]
        func increase(_ node: Int, _ name: String, _ labels: [String: String]) -> Double {
            (Self.value(after[node], name, labels) ?? 0) - (Self.value(before[node], name, labels) ?? 0)
        }
        let ib = ["device": "mlx5_0", "port": "1"]
        #expect(
            increase(0, "node_infiniband_port_data_received_bytes_total", ib) > 100
                * increase(1, "node_infiniband_port_data_received_bytes_total", ib))
        #expect(
            increase(0, "node_cpu_seconds_total", ["cpu": "0", "mode": "idle"])
                < increase(1, "node_cpu_seconds_total", ["cpu": "0", "mode": "idle"]))
        #expect(
            increase(0, "node_disk_read_bytes_total", ["device": "nvme1n1"])
                > increase(1, "node_disk_read_bytes_total", ["device": "nvme1n1"]))
        #expect((Self.value(after[0], "node_load1") ?? 0) > (Self.value(after[1], "node_load1") ?? 0))
    }

    @Test func checkpointsWriteBurstsToScratch() {
        var fleet = SimulatedFleet(
            nodes: 1, gpusPerNode: 8, profile: .h100, seed: 2, startMs: Self.start, scheduling: .manual)
        fleet.startJob(.training, node: 0, gpus: Array(0..<8))
        var rates: [Double] = []
        var last = Self.value(fleet.hostMetrics(node: 0), "node_disk_written_bytes_total", ["device": "nvme1n1"]) ?? 0
        for minute in 1...120 {
            fleet.advance(toMs: Self.start + Int64(minute) * 60_000)
            let now =
                Self.value(fleet.hostMetrics(node: 0), "node_disk_written_bytes_total", ["device": "nvme1n1"]) ?? 0
            rates.append((now - last) / 60)
            last = now
        }
        let sorted = rates.sorted()
        #expect(sorted.last! > 20 * sorted[sorted.count / 2], "bursts stand out from the usual writes")
    }

    @Test func plantedProblemsShow() {
        var fleet = SimulatedFleet(nodes: 8, gpusPerNode: 8, profile: .h100, seed: 1, startMs: Self.start)
        #expect(fleet.activeHostFaults(node: 4) == [.infinibandSymbolErrors(port: 3)])
        #expect(fleet.activeHostFaults(node: 5) == [.slowDisk])
        #expect(fleet.activeHostFaults(node: 6) == [.scratchFilling])
        #expect(fleet.activeHostFaults(node: 0).isEmpty)
        let port3 = ["device": "mlx5_3", "port": "1"]
        let before = fleet.hostMetrics(node: 4)
        let slowBefore = fleet.hostMetrics(node: 5)
        fleet.advance(toMs: Self.start + 600_000)
        let after = fleet.hostMetrics(node: 4)
        let slowAfter = fleet.hostMetrics(node: 5)
        let symbols =
            (Self.value(after, "node_infiniband_symbol_error_total", port3) ?? 0)
            - (Self.value(before, "node_infiniband_symbol_error_total", port3) ?? 0)
        #expect(symbols > 100)
        #expect(Self.value(after, "node_infiniband_symbol_error_total", ["device": "mlx5_2"]) == 0)
        let scratch = ["device": "nvme1n1"]
        func latency(_ a: [MetricFamily], _ b: [MetricFamily]) -> Double {
            let time =
                (Self.value(b, "node_disk_read_time_seconds_total", scratch) ?? 0)
                - (Self.value(a, "node_disk_read_time_seconds_total", scratch) ?? 0)
            let reads =
                (Self.value(b, "node_disk_reads_completed_total", scratch) ?? 0)
                - (Self.value(a, "node_disk_reads_completed_total", scratch) ?? 0)
            return time / max(1, reads)
        }
        #expect(latency(slowBefore, slowAfter) > 0.01)
        #expect(latency(before, after) < 0.001)
        fleet.clearHost(node: 4)
        #expect(fleet.activeHostFaults(node: 4).isEmpty)
    }

    @Test func clusterReadsGPUsAndHostAtTheSameMoment() throws {
        let cluster = try SimulatedCluster(nodes: 2, now: { Self.start })
        let node = cluster.nodeMetrics(node: 1)
        #expect(node.readings.count == 8)
        #expect(Self.value(node.host, "node_uname_info", ["nodename": "gpu-node-02"]) == 1)
    }
}
