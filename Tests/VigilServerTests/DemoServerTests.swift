import Foundation
import Testing
import VigilTestSupport

/// `vigil server --demo`, the built binary: every panel of dcgm-exporter's Grafana dashboard has data from
/// the simulated cluster alone, through the real composition (in-process targets, scrape manager, TSDB,
/// API), with the template variables filled from the server as Grafana fills them.
@Suite struct DemoServerTests {
    @Test func everyDashboardPanelHasDataInDemoMode() async throws {
        guard let path = sharedFile("fixtures/grafana/dcgm-exporter-dashboard.json") else { return }
        let dashboard = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        // A one-second interval so that rate() has samples within seconds.
        let config = work.appendingPathComponent("vigil.yml")
        try "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n".write(
            to: config, atomically: true, encoding: .utf8)
        let port = ExternalTools.freePort()
        let server = try ChildProcess(
            ExternalTools.vigilBinary,
            [
                "server", "--demo", "--demo-nodes", "2", "--config", config.path, "--data-dir",
                work.appendingPathComponent("data").path, "--listen", "127.0.0.1:\(port)",
            ])
        defer { server.stop() }
        let base = "http://127.0.0.1:\(port)"
        let announcement = try await server.waitForLog(containing: "simulated cluster of 2 nodes")
        #expect(announcement.contains("listening on http://127.0.0.1:\(port)"))
        #expect(announcement.contains("data in \(work.appendingPathComponent("data").path)"))
        // Five scrapes of every GPU.
        while try await Self.json(base, "/api/v1/query?query=\(encode("count_over_time(DCGM_FI_DEV_GPU_TEMP[1m])"))")
            .flatMap(Self.firstValue).map({ $0 < 5 }) ?? true
        {
            try await Task.sleep(for: .milliseconds(200))
        }

        var values: [String: String] = [:]
        let variables = ((dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? [])
            .filter { $0["type"] as? String == "query" }
        for variable in variables {
            let name = variable["name"] as? String ?? ""
            let (metric, label) = try #require(
                GrafanaCompatibilityTests.labelValuesCall(variable["query"] as? String ?? ""))
            let answer = try await Self.json(base, "/api/v1/label/\(label)/values?match%5B%5D=\(encode(metric))")
            let options = try #require(answer?["data"] as? [String])
            #expect(!options.isEmpty, "variable \(name) has no values")
            values[name] = "(" + options.map(GrafanaCompatibilityTests.regexEscape).joined(separator: "|") + ")"
        }
        let expressions = GrafanaCompatibilityTests.panels(dashboard["panels"] as? [[String: Any]] ?? []).flatMap {
            panel in
            (panel["targets"] as? [[String: Any]] ?? []).map {
                (panel["title"] as? String ?? "?", $0["expr"] as? String ?? "")
            }
        }
        #expect(expressions.count >= 8)
        for (title, expression) in expressions {
            var expr = expression
            for (name, value) in values { expr = expr.replacingOccurrences(of: "$\(name)", with: value) }
            let answer = try await Self.json(base, "/api/v1/query?query=\(encode(expr))")
            let result = (answer?["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
            #expect(!result.isEmpty, "panel \(title) has no data in demo mode for \(expr)")
        }
    }

    static func json(_ base: String, _ path: String) async throws -> [String: Any]? {
        try JSONSerialization.jsonObject(with: Data(try await ExternalTools.get(base + path))) as? [String: Any]
    }

    /// The value of the first element of an instant vector.
    static func firstValue(_ answer: [String: Any]) -> Double? {
        guard let result = (answer["data"] as? [String: Any])?["result"] as? [[String: Any]],
            let value = result.first?["value"] as? [Any], value.count == 2, let text = value[1] as? String
        else { return nil }
        return Double(text)
    }
}
