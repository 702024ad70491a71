import Foundation
import Testing
import VigilTestSupport
import VigilExposition
import VigilModel

/// `vigil agent` beside Debian's real node_exporter on the same host: every metric name both expose has
/// the same type and label names, gauges agree within a tolerance, and counters sit between two
/// node_exporter scrapes taken before and after Vigil's.
@Suite(.serialized) struct NodeExporterComparisonTests {
    /// Metrics any Linux host exposes through both: the comparison must cover at least these.
    static let required = [
        "node_cpu_seconds_total", "node_boot_time_seconds", "node_context_switches_total", "node_forks_total",
        "node_intr_total", "node_procs_running", "node_load1", "node_load5", "node_load15",
        "node_memory_MemTotal_bytes", "node_memory_MemAvailable_bytes", "node_memory_Cached_bytes",
        "node_filesystem_size_bytes", "node_filesystem_avail_bytes", "node_filesystem_files",
        "node_network_receive_bytes_total", "node_network_transmit_packets_total", "node_network_up",
        "node_network_mtu_bytes", "node_network_info", "node_uname_info", "node_os_info", "node_time_seconds",
        "process_cpu_seconds_total", "process_resident_memory_bytes",
    ]

    /// Value checks that can't hold between two processes or two moments, and why.
    static let notComparedByValue: [String: String] = [
        "process_": "describes each exporter's own process",
        "node_procs_running": "changes from one instant to the next",
        "node_procs_blocked": "changes from one instant to the next",
        "node_disk_io_now": "in-flight I/O changes from one instant to the next",
    ]

    /// (absolute, relative) tolerance for gauges that legitimately move between the scrapes.
    static func tolerance(for name: String) -> (absolute: Double, relative: Double) {
        switch name {
        case "node_time_seconds": (30, 0)
        case _ where name.hasPrefix("node_load"): (4, 0)
        case _ where name.hasPrefix("node_memory_"): (512 * 1024 * 1024, 0.10)
        case _ where name.hasPrefix("node_filesystem_"): (2 * 1024 * 1024 * 1024, 0.05)
        default: (0, 1e-9)
        }
    }

    typealias Scrape = [String: (type: MetricType, series: [Labels: Double])]

    static func scrape(_ url: String) async throws -> Scrape {
        var result: Scrape = [:]
        for family in try ExpositionParser.parseFamilies(bytes: try await ExternalTools.get(url), format: .text) {
            for sample in family.samples {
                result[sample.name, default: (family.type, [:])].series[sample.labels] = sample.value
            }
        }
        return result
    }

    /// Debian's node_exporter on a free loopback port, answering.
    static func startNodeExporter() async throws -> (ChildProcess, String) {
        let path = try #require(
            ExternalTools.path(of: "prometheus-node-exporter"), "prometheus-node-exporter must be installed in CI")
        let port = ExternalTools.freePort()
        let exporter = try ChildProcess(path, ["--web.listen-address=127.0.0.1:\(port)"])
        let url = "http://127.0.0.1:\(port)/metrics"
        do {
            try await exporter.waitForHTTP(url)
        } catch {
            exporter.stop()
            throw error
        }
        return (exporter, url)
    }

    @Test(
        .enabled(
            if: ExternalTools.shouldRun("prometheus-node-exporter"),
            "node_exporter not installed (apt-get install prometheus-node-exporter)"))
    func sharedMetricsAgreeWithNodeExporter() async throws {
        let (exporter, exporterURL) = try await Self.startNodeExporter()
        defer { exporter.stop() }
        let (agent, base) = try await ChildProcess.agent()
        defer { agent.stop() }

        let before = try await Self.scrape(exporterURL)
        let ours = try await Self.scrape(base + "/metrics")
        let after = try await Self.scrape(exporterURL)

        let shared = Set(ours.keys).intersection(before.keys)
        let missing = Self.required.filter { !shared.contains($0) }
        #expect(missing.isEmpty, "not exposed by both: \(missing)")

        var comparedSeries = 0
        for name in shared.sorted() {
            let (ourType, ourSeries) = ours[name]!
            let (theirType, theirSeries) = before[name]!
            #expect(ourType == theirType, "\(name): type \(ourType) vs node_exporter's \(theirType)")
            let ourLabelNames = Set(ourSeries.keys.map { $0.map(\.name) })
            let theirLabelNames = Set(theirSeries.keys.map { $0.map(\.name) })
            #expect(ourLabelNames == theirLabelNames, "\(name): label names \(ourLabelNames) vs \(theirLabelNames)")
            if Self.notComparedByValue.keys.contains(where: { name.hasPrefix($0) }) { continue }
            for (labels, value) in ourSeries {
                guard let first = theirSeries[labels], let last = after[name]?.series[labels] else { continue }
                comparedSeries += 1
                if ourType == .counter {
                    let slack = 1e-9 * max(abs(first), abs(last)) + 1e-9
                    #expect(
                        first - slack <= value && value <= last + slack,
                        "\(name)\(labels): \(value) not between node_exporter's \(first) and \(last)")
                } else {
                    let (absolute, relative) = Self.tolerance(for: name)
                    let allowed = max(absolute, relative * max(abs(first), abs(last), abs(value)))
                    let distance = min(abs(value - first), abs(value - last))
                    let between = min(first, last) <= value && value <= max(first, last)
                    #expect(
                        between || distance <= allowed,
                        "\(name)\(labels): \(value) vs node_exporter's \(first)…\(last) (allowed ±\(allowed))")
                }
            }
        }
        #expect(comparedSeries > 100, "compared only \(comparedSeries) series")
    }

    /// node_exporter's live output, parsed and encoded again by Vigil, comes out byte for byte the same:
    /// the parser loses nothing and the encoder writes what Go's client library writes (floats, escaping).
    @Test(
        .enabled(
            if: ExternalTools.shouldRun("prometheus-node-exporter"),
            "node_exporter not installed (apt-get install prometheus-node-exporter)"))
    func nodeExporterOutputRoundTripsByteForByte() async throws {
        let (exporter, url) = try await Self.startNodeExporter()
        defer { exporter.stop() }
        let original = try await ExternalTools.get(url)
        let families = try ExpositionParser.parseFamilies(bytes: original, format: .text)
        #expect(families.count > 100)
        var encoded: [UInt8] = []
        ExpositionEncoder.encode(families, format: .text, into: &encoded)
        let originalLines = String(decoding: original, as: UTF8.self).split(separator: "\n")
        let encodedLines = String(decoding: encoded, as: UTF8.self).split(separator: "\n")
        let differing = zip(originalLines, encodedLines).filter { $0 != $1 }.prefix(5).map { "\($0.0)\n  vs \($0.1)" }
        #expect(differing.isEmpty, "first differences:\n\(differing.joined(separator: "\n"))")
        #expect(originalLines.count == encodedLines.count)
    }
}
