import Foundation
import Testing
import VigilTestSupport
import VigilExposition
import VigilModel

/// The agent with GPUs: the simulated backend end to end through the real binary, as Prometheus and
/// Grafana's DCGM dashboard would see it.
@Suite(.serialized) struct AgentGPUTests {
    static func scrape(_ arguments: [String]) async throws -> [MetricFamily] {
        let (agent, base) = try await ChildProcess.agent(arguments)
        defer { agent.stop() }
        return try ExpositionParser.parseFamilies(bytes: try await ExternalTools.get(base + "/metrics"), format: .text)
    }

    @Test func simulatedGPUsWithDCGMExporterNamesAndLabels() async throws {
        let families = try await Self.scrape(["--gpu-backend", "sim", "--sim-gpus", "4", "--sim-profile", "h200"])
        let util = try #require(families.first { $0.name == "DCGM_FI_DEV_GPU_UTIL" })
        #expect(util.samples.count == 4)
        #expect(util.samples.map { $0.labels["gpu"] } == ["0", "1", "2", "3"])
        let labels = util.samples[0].labels
        #expect(
            labels.map(\.name).sorted() == [
                "DCGM_FI_DRIVER_VERSION", "Hostname", "UUID", "device", "gpu", "modelName", "pci_bus_id",
            ])
        #expect(labels["modelName"] == "NVIDIA H200")
        #expect(labels["device"] == "nvidia0")
        #expect(families.contains { $0.name == "vigil_gpu_clock_event_reason" })
        #expect(
            families.first { $0.name == "vigil_collector_errors_total" }?.samples.first {
                $0.labels["collector"] == "gpu"
            }?.value == 0)
    }

    /// Every metric NVIDIA's DCGM Grafana dashboard (12239) queries is served by the simulated backend.
    @Test(.enabled(if: SharedFolder.available, "../shared is absent: Grafana dashboard check skipped"))
    func everyMetricOfTheDCGMDashboard() async throws {
        let dashboard = try String(
            contentsOf: SharedFolder.root.appendingPathComponent("fixtures/grafana/dcgm-exporter-dashboard.json"),
            encoding: .utf8)
        let used = Set(dashboard.matches(of: /DCGM_FI_[A-Z0-9_]+/).map { String($0.output) })
        #expect(used.count >= 5)
        let served = Set(try await Self.scrape(["--gpu-backend", "sim", "--sim-gpus", "2"]).map(\.name))
        #expect(used.subtracting(served).isEmpty, "not served: \(used.subtracting(served).sorted())")
    }

    @Test func hostnameLabelAndCountersFile() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vigil-counters-\(UUID().uuidString).csv")
        try
            "# ours\nDCGM_FI_DEV_GPU_TEMP, gauge, GPU temperature (in C).\nDCGM_FI_PROF_SM_ACTIVE, gauge, not supplied\n"
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let families = try await Self.scrape([
            "--gpu-backend", "sim", "--sim-gpus", "1", "--collectors", file.path, "--hostname-label", "hostname",
        ])
        let dcgm = families.filter { $0.name.hasPrefix("DCGM_") }.map(\.name)
        #expect(dcgm == ["DCGM_FI_DEV_GPU_TEMP"])
        #expect(families.first { $0.name == "DCGM_FI_DEV_GPU_TEMP" }?.samples.first?.labels["hostname"] != nil)
    }

    @Test func badCountersFileStopsTheAgentWithTheLine() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vigil-counters-\(UUID().uuidString).csv")
        try "DCGM_FI_DEV_GPU_TEMP, sometimes, x\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try ExternalTools.run(
            ExternalTools.vigilBinary,
            ["agent", "--listen", "127.0.0.1:0", "--gpu-backend", "sim", "--collectors", file.path])
        #expect(result.status == 1)
        #expect(result.output.contains("line 1: type \"sometimes\" is not gauge, counter or label"), "\(result.output)")
    }

    @Test func explicitBackendThatCannotWorkIsAnError() throws {
        let result = try ExternalTools.run(
            ExternalTools.vigilBinary,
            [
                "agent", "--listen", "127.0.0.1:0", "--gpu-backend", "nvml", "--nvml-library",
                "/nonexistent/libnvidia-ml.so.1",
            ])
        #expect(result.status == 1)
        #expect(result.output.contains("--gpu-backend nvml"), "\(result.output)")
    }

    @Test(.enabled(if: ExternalTools.shouldRun("promtool"), "promtool not installed (apt-get install prometheus)"))
    func promtoolAcceptsTheGPUMetrics() async throws {
        let promtool = try #require(ExternalTools.path(of: "promtool"), "promtool must be installed in CI")
        let (agent, base) = try await ChildProcess.agent(["--gpu-backend", "sim", "--host-collectors", "cpu"])
        defer { agent.stop() }
        let body = try await ExternalTools.get(base + "/metrics")
        let result = try ExternalTools.run(promtool, ["check", "metrics"], input: body)
        // dcgm-exporter's names break promtool's naming lints (DCGM_FI_* upper case, counters without
        // _total, labels UUID/modelName/Hostname), by NVIDIA's choice that every DCGM dashboard depends on.
        // Those are promtool's only complaints; any format error or other lint fails the test.
        let dcgmNamingLints = [
            "should be written in 'snake_case' not 'camelCase'", "counter metrics should have \"_total\" suffix",
            "metric name should not include type 'counter'",
        ]
        let problems = result.output.split(separator: "\n").filter { line in
            let isDCGMName = line.hasPrefix("DCGM_FI_") || line.hasPrefix("vigil_gpu_")
            return !(isDCGMName && dcgmNamingLints.contains { line.hasSuffix($0) })
        }
        #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))")
        #expect(result.status == 0 || result.status == 3)
    }

    @Test func smiShowsSimulatedGPUsAndJSON() throws {
        let text = try ExternalTools.run(ExternalTools.vigilBinary, ["smi", "--gpu-backend", "sim", "--sim-gpus", "2"])
        #expect(text.status == 0)
        #expect(text.output.contains("2 GPU(s)"))
        #expect(text.output.contains("Health"))
        let json = try ExternalTools.run(
            ExternalTools.vigilBinary, ["smi", "--gpu-backend", "sim", "--sim-gpus", "2", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        #expect((object?["gpus"] as? [Any])?.count == 2)
    }

    @Test(.enabled(if: SharedFolder.available, "../shared is absent: nvidia-smi XML fixture skipped"))
    func smiReadsAnXMLCapture() throws {
        let path = SharedFolder.root.appendingPathComponent("fixtures/gpu/nvidia-smi/xml/telegraf__a100-sxm4-v12.xml")
            .path
        let result = try ExternalTools.run(ExternalTools.vigilBinary, ["smi", "--from-xml", path])
        #expect(result.status == 0)
        #expect(result.output.contains("NVIDIA A100-SXM4-80GB"))
        let bad = try ExternalTools.run(ExternalTools.vigilBinary, ["smi", "--from-xml", "/etc/hostname"])
        #expect(bad.status == 1)
    }
}

/// ../shared beside the checkout (fixtures are read in place, never copied).
enum SharedFolder {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")
    static var available: Bool { FileManager.default.fileExists(atPath: root.path) }
}
