import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VigilServer

/// Vigil's own Grafana dashboards (docs/grafana/): well-formed for provisioning, and every panel's query
/// answered by Vigil's Prometheus API over a simulated fleet with its hosts, with the template variables
/// expanded as Grafana expands them.
@Suite struct VigilDashboardsTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/grafana")
    static let files = ["vigil-fleet.json", "vigil-node.json"]

    /// Panels that list problems or alerts: a healthy simulated fleet may leave them empty, so they are only
    /// required to run without error.
    static let mayBeEmpty: Set<String> = [
        "GPUs unhealthy", "Firing alerts by severity", "Firing alerts", "Unhealthy GPUs", "XID errors in the last hour",
        "XID errors (this range)",
        "Clock-event (throttle) reasons", "ECC errors (volatile)", "NVLink and PCIe errors",
        "Network and InfiniBand errors",
    ]

    static func load(_ file: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(file))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(file) is not an object")
    }

    @Test(arguments: files)
    func wellFormedForProvisioning(file: String) throws {
        let dashboard = try Self.load(file)
        #expect((dashboard["uid"] as? String)?.hasPrefix("vigil-") == true)
        #expect((dashboard["schemaVersion"] as? Int ?? 0) >= 36)
        #expect(dashboard["id"] == nil, "a provisioned dashboard must not carry a database id")
        let variables = (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        #expect(variables.first?["type"] as? String == "datasource")
        let panels = GrafanaCompatibilityTests.panels(dashboard["panels"] as? [[String: Any]] ?? [])
        let ids = panels.compactMap { $0["id"] as? Int }
        #expect(ids.count == panels.count && Set(ids).count == ids.count, "panel ids must be unique")
        var titles = Set<String>()
        for panel in panels where panel["type"] as? String != "row" {
            let title = panel["title"] as? String ?? "?"
            #expect(titles.insert(title).inserted, "\(file): duplicate title \(title)")
            let grid = try #require(panel["gridPos"] as? [String: Int], "\(title) has no gridPos")
            #expect((grid["x"] ?? -1) >= 0 && (grid["x"] ?? 0) + (grid["w"] ?? 0) <= 24, "\(title) overflows the grid")
            #expect((panel["datasource"] as? [String: String])?["uid"] == "${datasource}", "\(title)")
            let targets = panel["targets"] as? [[String: Any]] ?? []
            #expect(!targets.isEmpty, "\(title) has no query")
            #expect(Set(targets.compactMap { $0["refId"] as? String }).count == targets.count, "\(title)")
        }
    }

    @Test func fleetAndNodeDashboardsUseDistinctUIDs() throws {
        let uids = try Self.files.map { try Self.load($0)["uid"] as? String ?? "" }
        #expect(Set(uids).count == uids.count)
    }

    /// Every panel runs; those that are not lists of problems return data.
    @Test(arguments: files)
    func everyPanelRunsOnASimulatedFleet(file: String) async throws {
        let fixture = try GrafanaCompatibilityTests.gpuFixture(hosts: true)
        let step: Int64 = 15
        let end = APIFixture.now / 1000 / step * step
        let start = (APIFixture.now - 3_600_000) / 1000 / step * step
        try await fixture.app.test(.router) { client in
            let dashboard = try Self.load(file)
            let variables = ((dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? [])
                .filter { $0["type"] as? String == "query" }
            let panels = GrafanaCompatibilityTests.panels(dashboard["panels"] as? [[String: Any]] ?? [])
                .filter { $0["type"] as? String != "row" }
            // Grafana's built-ins at a 1h range and 15 s scrapes, then the dashboard's variables in order.
            var values = ["__rate_interval": "1m", "__range": "1h", "__interval": "15s"]
            func expand(_ text: String) -> String {
                var text = text
                for (name, value) in values.sorted(by: { $0.key.count > $1.key.count }) {
                    text = text.replacingOccurrences(of: "${\(name)}", with: value)
                    text = text.replacingOccurrences(of: "$\(name)", with: value)
                }
                return text
            }
            for variable in variables {
                let name = variable["name"] as? String ?? ""
                let query = (variable["query"] as? [String: Any])?["query"] as? String ?? variable["query"] as? String
                let (metric, label) = try #require(GrafanaCompatibilityTests.labelValuesCall(expand(query ?? "")))
                let answer = try await client.get(
                    "/api/v1/label/\(label)/values?match%5B%5D=\(encode(metric))&start=\(start)&end=\(end)")
                let options = try #require(answer.data as? [String], "\(file): variable \(name): \(answer.body)")
                #expect(!options.isEmpty, "\(file): variable \(name) has no values")
                // "All" of a multi-value variable is its allValue; a single-value one takes the first option.
                if variable["includeAll"] as? Bool == true, let all = variable["allValue"] as? String {
                    values[name] = all
                } else {
                    values[name] = options.first.map(GrafanaCompatibilityTests.regexEscape) ?? ""
                }
            }
            for panel in panels {
                let title = panel["title"] as? String ?? "?"
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    let expr = expand(target["expr"] as? String ?? "")
                    #expect(!expr.contains("$"), "\(title): a variable is left in \(expr)")
                    let instant = target["instant"] as? Bool == true
                    let answer =
                        instant
                        ? try await client.postForm("/api/v1/query", "query=\(encode(expr))&time=\(end)")
                        : try await client.postForm(
                            "/api/v1/query_range", "query=\(encode(expr))&start=\(start)&end=\(end)&step=\(step)")
                    #expect(answer.status == .ok, "\(file) \(title): \(answer.body)")
                    let result = (answer.data as? [String: Any])?["result"] as? [Any] ?? []
                    if !Self.mayBeEmpty.contains(title) {
                        #expect(!result.isEmpty, "\(file): panel \(title) has no data for \(expr)")
                    }
                }
            }
        }
    }
}
