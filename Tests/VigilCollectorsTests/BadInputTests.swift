import Logging
import Testing
import VigilCollectors
import VigilModel

/// Malformed lines, missing files and vanished devices: the affected metric is skipped, an issue names
/// the file, and everything else is still collected.
@Suite struct BadInputTests {
    let host = FixtureHost("broken-node")

    @Test func malformedCPULinesAreSkippedOthersKept() {
        let output = host.run(CPUCollector())
        #expect(output.metrics.value("node_cpu_seconds_total", ["cpu": "0", "mode": "user"]) == 1)
        #expect(output.metrics.samples("node_cpu_seconds_total", ["cpu": "1"]).isEmpty)
        #expect(output.issues.count == 2)
        #expect(output.issues.allSatisfy { $0.path.hasSuffix("/proc/stat") })
        #expect(output.issues[0].message.contains("line 3"))
        #expect(output.issues[1].message.contains("line 4"))
    }

    @Test func nonNumericStatValue() {
        let output = host.run(StatCollector())
        #expect(output.metrics.value("node_boot_time_seconds") == 1_700_000_000)
        #expect(output.metrics.value("node_context_switches_total") == nil)
        #expect(output.issues.map(\.message) == ["line 5: non-numeric ctxt value \"notanumber\""])
    }

    @Test func missingRequiredFileIsAnIssue() {
        let output = host.run(LoadAverageCollector())
        #expect(output.metrics.families.isEmpty)
        #expect(output.issues.count == 1)
        #expect(output.issues[0].path.hasSuffix("/proc/loadavg"))
        #expect(output.issues[0].message == "No such file or directory")
    }

    @Test func missingOptionalFilesAreNotIssues() {
        // broken-node has no /proc/pressure/io or memory, no InfiniBand ports listing for some, no hwmon device.
        let output = host.run(PressureCollector())
        #expect(output.issues.count == 1, "only the cpu file without total= is an issue")
        #expect(output.issues[0].message.contains("no numeric total="))
        #expect(FixtureHost("gpu-node").run(InfiniBandCollector()).issues.isEmpty)
    }

    @Test func meminfoGarbageAndUnknownUnits() {
        let output = host.run(MemoryCollector())
        #expect(output.metrics.value("node_memory_MemTotal_bytes") == 16_000_000.0 * 1024)
        #expect(output.metrics.value("node_memory_MemAvailable_bytes") == 8_000_000.0 * 1024)
        #expect(output.metrics.families.count == 2)
        #expect(
            output.issues.map(\.message) == [
                "line 2: malformed line \"this line is garbage\"",
                "line 3: malformed line \"MemFree:        x kB\"",
                "line 5: unknown unit \"MB\"",
            ])
    }

    @Test func diskstatsShortAndNonNumericLines() {
        let output = host.run(DiskStatsCollector())
        #expect(output.metrics.value("node_disk_reads_completed_total", ["device": "nvme0n1"]) == 1)
        #expect(output.metrics.samples("node_disk_reads_completed_total").count == 1)
        #expect(output.issues.count == 2)
        #expect(output.issues[0].message == "line 2: expected at least 14 fields, got 5")
        #expect(output.issues[1].message.hasPrefix("line 3: non-numeric field"))
    }

    @Test func vanishedMountReportsDeviceError() {
        let output = host.run(FilesystemCollector())
        #expect(output.metrics.value("node_filesystem_device_error", ["mountpoint": "/mnt/vanished"]) == 1)
        #expect(output.metrics.value("node_filesystem_size_bytes", ["mountpoint": "/mnt/vanished"]) == nil)
        #expect(output.metrics.value("node_filesystem_device_error", ["mountpoint": "/"]) == 0)
        #expect(output.issues.count == 2)
        #expect(output.issues.contains { $0.message == "line 3: expected at least 4 fields, got 1" })
        #expect(output.issues.contains { $0.path.hasSuffix("/mnt/vanished") && $0.message.hasPrefix("statvfs:") })
    }

    @Test func netdevBadLines() {
        let output = host.run(NetworkDeviceCollector())
        #expect(output.metrics.value("node_network_transmit_compressed_total", ["device": "eth0"]) == 16)
        #expect(output.metrics.samples("node_network_receive_bytes_total").count == 1)
        #expect(
            output.issues.map(\.message) == [
                "line 4: no ':' after the interface name", "line 5: expected 16 numbers for eth2",
            ])
    }

    @Test func vanishedInterfaceAndNonNumericAttribute() {
        let output = host.run(NetworkClassCollector())
        #expect(output.metrics.value("node_network_up", ["device": "eth0"]) == 1)
        #expect(output.metrics.value("node_network_mtu_bytes", ["device": "eth0"]) == nil)
        #expect(output.metrics.samples("node_network_up", ["device": "eth9"]).isEmpty)
        #expect(output.issues.count == 2)
        #expect(output.issues.contains { $0.path.hasSuffix("eth9/operstate") && $0.message.contains("vanished") })
        #expect(output.issues.contains { $0.path.hasSuffix("eth0/mtu") && $0.message == "not a number: \"abc\"" })
    }

    @Test func vanishedInfiniBandDeviceAndPort() {
        let output = host.run(InfiniBandCollector())
        #expect(output.issues.count == 2)
        #expect(output.issues.contains { $0.path.hasSuffix("mlx5_0/ports") })
        #expect(output.issues.contains { $0.path.hasSuffix("mlx5_1/ports/1/state") })
        #expect(output.metrics.samples("node_infiniband_info").count == 1)
    }

    @Test func hwmonNonNumericSensorSkipped() {
        let output = host.run(HwmonCollector())
        #expect(output.metrics.value("node_hwmon_temp_celsius", ["chip": "nvme", "sensor": "temp2"]) == 33.85)
        #expect(output.metrics.value("node_hwmon_temp_celsius", ["chip": "nvme", "sensor": "temp1"]) == nil)
        #expect(output.issues.map(\.message) == ["not a number: \"hot\""])
    }

    @Test func missingOSReleaseIsNotAnIssue() {
        let output = host.run(OSReleaseCollector())
        #expect(output.issues.isEmpty)
        #expect(output.metrics.families.isEmpty)
    }
}

/// The registry: counts issues per collector, adds its own metrics, logs at most once per file and interval.
@Suite struct CollectorRegistryTests {
    final class Clock: @unchecked Sendable {
        var now = ContinuousClock.now
    }

    @Test func errorsAreCountedPerCollectorAndAccumulate() {
        let registry = CollectorRegistry(
            collectors: [CPUCollector(), LoadAverageCollector(), UnameCollector()],
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let paths = FixtureHost("broken-node").paths
        _ = registry.collect(paths: paths)
        let metrics = registry.collect(paths: paths)
        #expect(metrics.value("vigil_collector_errors_total", ["collector": "cpu"]) == 4)
        #expect(metrics.value("vigil_collector_errors_total", ["collector": "loadavg"]) == 2)
        #expect(metrics.value("vigil_collector_errors_total", ["collector": "uname"]) == 0)
        #expect(metrics.samples("vigil_collector_duration_seconds").count == 3)
        #expect(metrics.family("vigil_collector_errors_total")?.type == .counter)
        #expect(metrics.value("node_cpu_seconds_total", ["cpu": "0", "mode": "idle"]) == 10)
    }

    @Test func logLinesAreRateLimitedPerFile() {
        let lines = LogCapture()
        let clock = Clock()
        let registry = CollectorRegistry(
            collectors: [LoadAverageCollector()], logger: Logger(label: "test", factory: { _ in lines }),
            logInterval: .seconds(600), now: { clock.now })
        let paths = FixtureHost("broken-node").paths
        for _ in 0..<5 { _ = registry.collect(paths: paths) }
        #expect(lines.messages.count == 1)
        clock.now += .seconds(601)
        _ = registry.collect(paths: paths)
        #expect(lines.messages.count == 2)
        #expect(lines.entries.last?["suppressed_since_last"] == "4")
        #expect(lines.entries.last?["path"]?.hasSuffix("/proc/loadavg") == true)
    }
}

/// A log handler that keeps what it is given.
final class LogCapture: LogHandler, @unchecked Sendable {
    var messages: [String] = []
    var entries: [[String: String]] = []
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        messages.append("\(event.message)")
        entries.append((event.metadata ?? [:]).mapValues { "\($0)" })
    }
}
