import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import VigilModel
import VigilRules
import VigilServer

/// The dashboard's pages served in-process from an in-memory storage holding dcgm-exporter series.
@Suite struct DashboardTests {
    static let hostile = "<script>alert(1)</script>"
    static let nodes = ["node-0", "node-1", "node-2", hostile]

    static let rules = """
        groups:
          - name: gpus
            rules:
              - alert: GPUBusy
                expr: DCGM_FI_DEV_GPU_UTIL > 50
                labels: {severity: ticket}
              - alert: GPULost
                expr: vigil_gpu_lost == 1
                labels: {severity: page}
        """

    /// 4 nodes × 8 GPUs, every 15 s over the ten minutes before now: GPUs 0–3 at 80 %, 4–7 at 5 %, 300 W
    /// each, half of the framebuffer used. node-1's GPU 2 is lost (no utilisation, `vigil_gpu_lost` 1) and
    /// node-2's GPU 6 had an uncorrectable ECC error five minutes ago. The rules are evaluated once at now.
    static func fixture() throws -> APIFixture {
        var fixture = APIFixture()
        let times = stride(from: APIFixture.now - 600_000, through: APIFixture.now, by: 15_000).map { $0 }
        for node in nodes {
            for gpu in 0..<8 {
                let lost = node == "node-1" && gpu == 2
                var labels: Labels = [
                    "Hostname": node, "gpu": String(gpu), "UUID": "GPU-\(node)-\(gpu)",
                    "modelName": "NVIDIA H100 80GB HBM3", "instance": "\(node):9471", "job": "demo",
                ]
                func add(_ name: String, _ value: (Int64) -> Double) throws {
                    labels = labels.setting("__name__", to: name)
                    try fixture.add(labels, times.map { ($0, value($0)) })
                }
                try add("vigil_gpu_lost") { _ in lost ? 1 : 0 }
                if node == "node-0" && gpu < 6 {
                    labels = labels.setting("job_id", to: "4242").setting("user", to: "ana")
                    try add("vigil_gpu_job_info") { _ in 1 }
                    labels = labels.removing("job_id").removing("user")
                }
                try add("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL") { time in
                    node == "node-2" && gpu == 6 && time >= APIFixture.now - 300_000 ? 1 : 0
                }
                if lost { continue }
                try add("DCGM_FI_DEV_GPU_UTIL") { _ in gpu < 4 ? 80 : 5 }
                try add("DCGM_FI_DEV_GPU_TEMP") { _ in 40 + Double(gpu) }
                try add("DCGM_FI_DEV_POWER_USAGE") { _ in 300 }
                try add("DCGM_FI_DEV_FB_USED") { _ in 40_000 }
                try add("DCGM_FI_DEV_FB_FREE") { _ in 40_000 }
            }
        }
        let file = try #require(RuleFile.parse(rules, path: "/etc/vigil/gpus.yml").file)
        var group = try RuleGroup(file.groups[0], file: file.path)
        _ = group.evaluate(at: APIFixture.now, on: fixture.storage, appendingTo: fixture.storage)
        let snapshot = group.snapshot
        fixture.api.ruleGroups = { [snapshot] }
        return fixture
    }

    static func cellCount(_ html: String) -> Int {
        html.components(separatedBy: "<rect class=\"cell\"").count - 1
            + html.components(separatedBy: "<rect class=\"cell unhealthy\"").count - 1
    }

    @Test func overviewCountsGPUsPowerAndAlerts() async throws {
        let fixture = try Self.fixture()
        try await fixture.app.test(.router) { client in
            let page = try await client.get("/")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.init("Server-Timing")!]?.hasPrefix("render;dur=") == true)
            let html = page.body
            #expect(html.contains("data-count=\"busy\">15<"), "\(html.prefix(3000))")
            #expect(html.contains("data-count=\"idle\">15<"))
            #expect(html.contains("data-count=\"unhealthy\">2<"))
            // node-0's job holds GPUs 0–5, of which 4 and 5 idle.
            #expect(html.contains("data-count=\"allocated-idle\">2<"))
            #expect(html.contains("data-count=\"total\">32<"))
            #expect(html.contains(">9.3 kW<"))
            #expect(html.contains("data-severity=\"page\"><span class=\"count\">1</span>"))
            #expect(html.contains("data-severity=\"ticket\"><span class=\"count\">15</span>"))
            #expect(Self.cellCount(html) == 32)
            #expect(html.components(separatedBy: "<rect class=\"cell unhealthy\"").count - 1 == 2)
            #expect(html.contains("node-1 · GPU 2: no data (unhealthy)"))
            #expect(html.contains("node-2 · GPU 6: 5% (unhealthy)"))
            #expect(html.contains("node-0 · GPU 0: 80%\n{UUID=&quot;GPU-node-0-0&quot;"))
            #expect(html.contains("href=\"/ui/node/node-0\""))
            #expect(html.contains("var every = 15000;"))
        }
    }

    @Test func hostileHostnameIsEscapedEverywhere() async throws {
        let fixture = try Self.fixture()
        try await fixture.app.test(.router) { client in
            for path in ["/", "/ui/overview?metric=memory", "/ui/node/%3Cscript%3Ealert(1)%3C%2Fscript%3E"] {
                let page = try await client.get(path)
                #expect(!page.body.contains(Self.hostile), "\(path)")
                #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(path)")
            }
            let overview = try await client.get("/")
            #expect(overview.body.contains("href=\"/ui/node/%3Cscript%3Ealert%281%29%3C%2Fscript%3E\""))
        }
    }

    @Test(arguments: [
        ("temperature", "node-0 · GPU 7: 47 °C"), ("power", "node-0 · GPU 7: 300 W"),
        ("memory", "node-0 · GPU 7: 50%"), ("utilization", "node-0 · GPU 7: 5%"),
    ])
    func heatmapSwitchesMetric(metric: String, tooltip: String) async throws {
        let fixture = try Self.fixture()
        try await fixture.app.test(.router) { client in
            let page = try await client.get("/ui/overview?metric=\(metric)")
            #expect(page.status == .ok)
            #expect(page.body.contains(tooltip))
            #expect(page.body.contains("href=\"/ui/overview?metric=\(metric)\" aria-current=\"page\""))
            #expect(Self.cellCount(page.body) == 32)
        }
    }

    @Test func badParametersAndUnknownPagesGetHelpfulPages() async throws {
        let fixture = try Self.fixture()
        try await fixture.app.test(.router) { client in
            let metric = try await client.get("/?metric=%3Cb%3Efan")
            #expect(metric.status == .badRequest)
            #expect(metric.body.contains("cannot show &quot;&lt;b&gt;fan&quot;; metric must be one of utilization"))
            #expect(metric.body.contains("<a href=\"/?metric=temperature\">temperature</a>"))

            let refresh = try await client.get("/?refresh=fast")
            #expect(refresh.status == .badRequest)
            #expect(refresh.body.contains("give whole seconds from 1 to 3600"))
            let still = try await client.get("/?refresh=off")
            #expect(still.status == .ok)
            #expect(!still.body.contains("<script>"))
            let slow = try await client.get("/?refresh=60s")
            #expect(slow.body.contains("var every = 60000;"))

            let known = try await client.get("/ui/node/node-0")
            #expect(known.status == .ok)
            #expect(known.body.contains("<main id=\"node\""))
            let unknown = try await client.get("/ui/node/ghost")
            #expect(unknown.status == .notFound)
            #expect(unknown.body.contains("No GPU reports Hostname &quot;ghost&quot;"))
            #expect(unknown.body.contains("<a href=\"/\">Fleet overview</a>"))
            let page = try await client.get("/ui/nothing")
            #expect(page.status == .notFound)
            #expect(page.body.contains("There is no dashboard page at /ui/nothing"))
        }
    }

    @Test func emptyStorageSaysNoGPUs() async throws {
        let fixture = APIFixture()
        try await fixture.app.test(.router) { client in
            let page = try await client.get("/")
            #expect(page.status == .ok)
            #expect(page.body.contains("No GPU reports DCGM metrics yet."))
            #expect(page.body.contains("No alerts firing."))
            #expect(page.body.contains("data-count=\"total\">0<"))
        }
    }
}
