import Foundation
import Testing
import VigilTestSupport
import VigilExposition
import VigilModel

/// The built `vigil agent` binary, scraped over real HTTP and checked by Prometheus's own promtool.
@Suite(.serialized) struct AgentProcessTests {
    static let openMetricsAccept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"

    @Test func binaryAnswersVersionAndHelp() throws {
        let version = try ExternalTools.run(ExternalTools.vigilBinary, ["--version"])
        #expect(version.status == 0)
        #expect(version.output.trimmingCharacters(in: .whitespacesAndNewlines) == VigilVersion.current)
        let help = try ExternalTools.run(ExternalTools.vigilBinary, ["agent", "--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("--listen"))
        #expect(help.output.contains("--log-format"))
    }

    @Test(arguments: [
        (["agent", "--listen", "nonsense"], "--listen"),
        (["agent", "--host-collectors", "cpu,gpuz"], "unknown collector 'gpuz'; choose from: cpu"),
        (["agent", "--gpu-backend", "cuda"], "--gpu-backend"),
        (["agent", "--sim-gpus", "0"], "--sim-gpus must be 1 to 32"),
        (["agent", "--sim-profile", "v100"], "valid profiles: a100, h100, h200, l40s"),
        (["agent", "--hostname-label", "host"], "--hostname-label must be Hostname or hostname"),
        (["smi", "3"], "an interval goes with --watch"),
        (["smi", "--watch", "--json"], "don't go together"),
        (["agent", "--no-collector", "bogus"], "unknown collector 'bogus'"),
        (["agent", "--cache-ttl", "soon"], "write e.g. 1s"),
        (["agent", "--log-format", "xml"], "--log-format"),
        (["frobnicate"], "Unexpected argument"),
    ])
    func badUsageExitsTwoWithAHint(arguments: [String], hint: String) throws {
        let result = try ExternalTools.run(ExternalTools.vigilBinary, arguments)
        #expect(result.status == 2)
        #expect(result.output.contains(hint), "\(result.output)")
    }

    @Test func servesMetricsOverHTTP() async throws {
        let (agent, base) = try await ChildProcess.agent(["--log-format", "json"])
        defer { agent.stop() }
        let text = try await ExternalTools.get(base + "/metrics")
        let families = try ExpositionParser.parseFamilies(bytes: text, format: .text)
        #expect(families.contains { $0.name == "node_cpu_seconds_total" })
        let openMetrics = try await ExternalTools.get(base + "/metrics", accept: Self.openMetricsAccept)
        #expect(try ExpositionParser.parseFamilies(bytes: openMetrics, format: .openMetrics).count == families.count)
        #expect(agent.log.contains("\"level\":\"warning\"") || getuid() != 0, "root warning logged as JSON")
    }

    /// promtool's only complaint may be the one it makes of node_exporter too: meminfo's field names
    /// (`node_memory_MemAvailable_bytes`) are CamelCase. Vigil keeps them, because every node_exporter
    /// dashboard and alert uses exactly those names.
    static func isNodeExporterNamingLint(_ line: Substring) -> Bool {
        line.hasPrefix("node_memory_")
            && line.hasSuffix("metric names should be written in 'snake_case' not 'camelCase'")
    }

    @Test(.enabled(if: ExternalTools.shouldRun("promtool"), "promtool not installed (apt-get install prometheus)"))
    func promtoolFindsNoProblemsInTextFormat() async throws {
        let promtool = try #require(ExternalTools.path(of: "promtool"), "promtool must be installed in CI")
        let (agent, base) = try await ChildProcess.agent()
        defer { agent.stop() }
        let body = try await ExternalTools.get(base + "/metrics")
        let result = try ExternalTools.run(promtool, ["check", "metrics"], input: body)
        let problems = result.output.split(separator: "\n").filter { !Self.isNodeExporterNamingLint($0) }
        #expect(problems.isEmpty, "promtool check metrics:\n\(problems.joined(separator: "\n"))")
        // 0: clean; 3: only lint findings (the CamelCase ones above). 1 would be a format error.
        #expect(result.status == 0 || result.status == 3, "promtool exited \(result.status)")
    }

    /// promtool 2.42 reads only text 0.0.4, so OpenMetrics is proven by Prometheus itself: it scrapes the
    /// agent (asking for OpenMetrics first, as it always does), parses it with its strict OpenMetrics
    /// parser, and records the counter families under their OpenMetrics names.
    @Test(.enabled(if: ExternalTools.shouldRun("prometheus"), "prometheus not installed (apt-get install prometheus)"))
    func prometheusScrapesOpenMetrics() async throws {
        let prometheusPath = try #require(ExternalTools.path(of: "prometheus"), "prometheus must be installed in CI")
        let (agent, base) = try await ChildProcess.agent()
        defer { agent.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-prom-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let target = base.replacingOccurrences(of: "http://", with: "")
        let config = """
            global: { scrape_interval: 1s, scrape_timeout: 1s }
            scrape_configs:
              - job_name: vigil
                static_configs: [{ targets: ["\(target)"] }]
            """
        try config.write(to: directory.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        let port = ExternalTools.freePort()
        let prometheus = try ChildProcess(
            prometheusPath,
            [
                "--config.file=\(directory.path)/prometheus.yml", "--storage.tsdb.path=\(directory.path)/data",
                "--web.listen-address=127.0.0.1:\(port)",
            ])
        defer { prometheus.stop() }
        let api = "http://127.0.0.1:\(port)/api/v1"
        var target_: [String: Any] = [:]
        for _ in 0..<300 {
            if let body = try? await ExternalTools.get(api + "/targets"),
                let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
                let data = json["data"] as? [String: Any], let active = data["activeTargets"] as? [[String: Any]],
                let first = active.first, first["health"] as? String != "unknown"
            {
                target_ = first
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(target_["health"] as? String == "up", "scrape failed: \(target_["lastError"] ?? "no scrape yet")")
        #expect(target_["lastError"] as? String == "")
        let metadata = try await ExternalTools.get(api + "/targets/metadata?metric=node_cpu_seconds")
        let json = try JSONSerialization.jsonObject(with: Data(metadata)) as? [String: Any]
        let entries = json?["data"] as? [[String: Any]] ?? []
        #expect(entries.first?["type"] as? String == "counter", "counter metadata under its OpenMetrics family name")
    }

    @Test(
        .enabled(
            if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
                && Self.othersCanExecute(ExternalTools.vigilBinary),
            "needs root, setpriv, and a build folder that user nobody may enter"))
    func runsAsAnUnprivilegedUser() async throws {
        try await startAsNobodyAndScrape()
    }

    /// Every folder on the way to `path` and the file itself are executable by others.
    static func othersCanExecute(_ path: String) -> Bool {
        var url = URL(fileURLWithPath: path)
        while url.path != "/" {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
                let mode = attributes[.posixPermissions] as? Int, mode & 0o001 != 0
            else { return false }
            url.deleteLastPathComponent()
        }
        return true
    }

    func startAsNobodyAndScrape() async throws {
        let (agent, base) = try await ChildProcess.agent(
            launcher: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
        defer { agent.stop() }
        let families = try ExpositionParser.parseFamilies(
            bytes: try await ExternalTools.get(base + "/metrics"), format: .text)
        let errors = families.first { $0.name == "vigil_collector_errors_total" }?.samples ?? []
        #expect(families.contains { $0.name == "node_filesystem_avail_bytes" })
        #expect(families.contains { $0.name == "node_disk_reads_completed_total" })
        #expect(errors.allSatisfy { $0.value == 0 }, "collector errors as nobody: \(errors)")
        #expect(!agent.log.contains("running as root"))
    }
}
