import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VigilModel
import VigilRules
import VigilScrape
import VigilServer

/// The targets and status pages served in-process over the API fixture.
@Suite struct DashboardStatusTests {
    static let hostile = "<script>alert(1)</script>"
    static let refused =
        "Get \"http://gpu-node-07:9471/metrics\": dial tcp 10.0.0.7:9471: connect: connection refused"

    static func targets() -> StaticTargetsProvider {
        func target(_ host: String, pool: String, health: TargetHealth, error: String = "") -> ActiveTargetStatus {
            let url = "http://\(host):9471/metrics"
            return ActiveTargetStatus(
                discoveredLabels: ["__address__": "\(host):9471"],
                labels: ["instance": "\(host):9471", "job": pool], scrapePool: pool, scrapeURL: url,
                lastError: error, lastScrape: health == .unknown ? nil : APIFixture.now - 5_000,
                lastScrapeDuration: 0.02, health: health, scrapeInterval: "15s", scrapeTimeout: "10s")
        }
        return StaticTargetsProvider(
            active: [
                target("gpu-node-01", pool: "gpu-nodes", health: .up),
                target("gpu-node-07", pool: "gpu-nodes", health: .down, error: refused),
                target(hostile, pool: "slurm", health: .unknown),
            ], droppedCounts: ["gpu-nodes": 2])
    }

    @Test func targetsPageShowsADownTargetAndItsError() async throws {
        let fixture = APIFixture { $0.targets = Self.targets() }
        try await fixture.app.test(.router) { client in
            let page = try await client.get("/ui/targets")
            #expect(page.status == .ok)
            #expect(page.headers[.init("Server-Timing")!]?.hasPrefix("render;dur=") == true)
            let html = page.body
            #expect(html.contains("<main id=\"targets\">"))
            #expect(html.components(separatedBy: "<tr class=\"target\"").count - 1 == 3)
            #expect(html.contains("<span aria-hidden=\"true\">✕</span> DOWN"))
            #expect(
                html.contains(
                    "<pre>Get &quot;http://gpu-node-07:9471/metrics&quot;: dial tcp 10.0.0.7:9471: connect: connection refused</pre>"
                ))
            #expect(html.contains("(1/2 up)"))
            #expect(html.contains("2 targets dropped by relabelling."))
            #expect(html.contains(">5 s ago</time>"))
            #expect(html.contains("var every = 15000"))
            #expect(!html.contains(Self.hostile))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            // gpu-nodes before slurm.
            let gpu = try #require(html.firstRange(of: "data-pool=\"gpu-nodes\""))
            let slurm = try #require(html.firstRange(of: "data-pool=\"slurm\""))
            #expect(gpu.lowerBound < slurm.lowerBound)
        }
    }

    @Test func targetsFilterByHealthAndPool() async throws {
        let fixture = APIFixture { $0.targets = Self.targets() }
        try await fixture.app.test(.router) { client in
            let down = try await client.get("/ui/targets?health=down")
            #expect(down.status == .ok)
            #expect(down.body.components(separatedBy: "<tr class=\"target\"").count - 1 == 1)
            #expect(down.body.contains("data-health=\"down\""))

            let pool = try await client.get("/ui/targets?pool=slurm")
            #expect(pool.body.components(separatedBy: "<tr class=\"target\"").count - 1 == 1)
            #expect(!pool.body.contains("data-pool=\"gpu-nodes\""))

            let unknownPool = try await client.get("/ui/targets?pool=%3Cb%3Enope")
            #expect(unknownPool.status == .notFound)
            #expect(unknownPool.body.contains("No scrape pool is called &quot;&lt;b&gt;nope&quot;."))
            #expect(unknownPool.body.contains("<a href=\"/ui/targets?pool=gpu-nodes\">gpu-nodes</a>"))

            let badHealth = try await client.get("/ui/targets?health=sick")
            #expect(badHealth.status == .badRequest)
            #expect(badHealth.body.contains("health must be one of up, down, unknown"))
        }
    }

    @Test func noTargetsSaysSo() async throws {
        let fixture = APIFixture()
        try await fixture.app.test(.router) { client in
            let page = try await client.get("/ui/targets")
            #expect(page.status == .ok)
            #expect(page.body.contains("No scrape targets."))
        }
    }

    static let rules = """
        groups:
          - name: gpus
            interval: 30s
            rules:
              - record: job:up:sum
                expr: sum by (job) (up)
              - alert: Broken
                expr: up * on () group_left up
        """

    @Test func statusShowsBuildRuntimeTopCardinalityAndRuleGroups() async throws {
        var fixture = APIFixture {
            $0.flags = ["data-dir": "/var/lib/vigil", "listen": "127.0.0.1:9470"]
        }
        try fixture.addStandardSeries()
        let file = try #require(RuleFile.parse(Self.rules, path: "/etc/vigil/gpus.yml").file)
        var group = try RuleGroup(file.groups[0], file: file.path)
        _ = group.evaluate(at: APIFixture.now, on: fixture.storage, appendingTo: fixture.storage)
        let snapshot = group.snapshot
        fixture.api.ruleGroups = { [snapshot] }
        try await fixture.app.test(.router) { client in
            let page = try await client.get("/ui/status")
            #expect(page.status == .ok)
            let html = page.body
            #expect(html.contains("<main id=\"status\">"))
            #expect(html.contains("<tr><th scope=\"row\">Version</th><td>"))
            #expect(html.contains("<tr><th scope=\"row\">Start time</th><td>"))
            #expect(html.contains("<tr><th scope=\"row\">--listen</th><td>127.0.0.1:9470</td></tr>"))
            // Top cardinality: up has two series (and the recording rule's output one per job).
            #expect(html.contains("<table class=\"cardinality\" id=\"top-metrics\">"))
            #expect(html.contains("<tr><td>up</td><td class=\"number\">2</td></tr>"))
            #expect(html.contains("<tr><td>job=api</td><td class=\"number\">"))
            #expect(html.contains("<th scope=\"row\">Head series</th><td>"))
            #expect(html.contains("<a href=\"/api/v1/status/config\">"))
            // The rule group's last evaluation and the failing rule's error.
            #expect(
                html.contains(
                    "<tr class=\"rule-group\" data-health=\"err\"><td>gpus</td><td class=\"file\">/etc/vigil/gpus.yml</td><td>30s</td>"
                ))
            #expect(html.contains("<strong>Broken</strong>: "))
        }
    }
}
