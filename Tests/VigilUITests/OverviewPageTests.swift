import Testing
import VigilModel
import VigilUI

@Suite struct OverviewPageTests {
    /// 64 nodes × 8 GPUs; GPU 3 of node-5 unhealthy, GPU 7 of node-63 without data.
    static func fleet(metric: OverviewPage.HeatmapMetric = .utilization) -> OverviewPage {
        var gpus: [OverviewPage.GPU] = []
        for node in 0..<64 {
            for gpu in 0..<8 {
                let missing = node == 63 && gpu == 7
                gpus.append(
                    OverviewPage.GPU(
                        hostname: "node-\(node)", gpu: String(gpu), value: missing ? nil : Double((node + gpu) % 100),
                        unhealthy: node == 5 && gpu == 3, labels: ["modelName": "NVIDIA H100 80GB HBM3"]))
            }
        }
        return OverviewPage(
            counts: OverviewPage.GPUCounts(busy: 400, idle: 111, unhealthy: 1), powerWatts: 183_400,
            firingAlerts: ["ticket": 3, "page": 1, "custom": 2, "warning": 0], metric: metric, gpus: gpus,
            generatedAt: 1_700_000_000_000)
    }

    @Test func sixtyFourNodesOfEightGPUsMake512Cells() throws {
        let html = try Self.fleet().render()
        let cells = occurrences(of: "<rect class=\"cell\"", in: html)
        let unhealthy = occurrences(of: "<rect class=\"cell unhealthy\"", in: html)
        #expect(cells + unhealthy == 512)
        #expect(unhealthy == 1)
        #expect(html.contains("node-63 · GPU 7: no data"))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.hasSuffix("</html>\n"))
    }

    @Test func countersPowerAndAlertsBySeverity() throws {
        let html = try Self.fleet().render()
        #expect(html.contains("data-count=\"busy\">400<"))
        #expect(html.contains("data-count=\"idle\">111<"))
        #expect(html.contains("data-count=\"unhealthy\">1<"))
        #expect(html.contains("data-count=\"total\">512<"))
        #expect(!html.contains("data-count=\"allocated-idle\""), "no job data: no allocated-but-idle counter")
        #expect(html.contains("data-watts=\"183400.0\">183 kW<"))
        // Page before ticket, unknown severities after the known ones, zero counts left out.
        let page = try #require(html.firstRange(of: "data-severity=\"page\""))
        let ticket = try #require(html.firstRange(of: "data-severity=\"ticket\""))
        let custom = try #require(html.firstRange(of: "data-severity=\"custom\""))
        #expect(page.lowerBound < ticket.lowerBound && ticket.lowerBound < custom.lowerBound)
        #expect(!html.contains("data-severity=\"warning\""))
        #expect(html.contains("2023-11-14 22:13:20 UTC"))
    }

    @Test func allocatedButIdleCounterOnceJobsExist() throws {
        var page = Self.fleet()
        page.counts.allocatedIdle = 37
        let html = try page.render()
        #expect(html.contains("data-count=\"allocated-idle\">37</span><span class=\"label\">allocated but idle"))
        page.counts.allocatedIdle = 0
        #expect(try page.render().contains("data-count=\"allocated-idle\">0<"))
    }

    @Test func noAlertsAndNoGPUsSayso() throws {
        let page = OverviewPage(
            counts: OverviewPage.GPUCounts(busy: 0, idle: 0, unhealthy: 0), powerWatts: nil, firingAlerts: [:],
            gpus: [], generatedAt: 0, notes: ["Could not read power draw: timeout"])
        let html = try page.render()
        #expect(html.contains("No alerts firing."))
        #expect(html.contains("No GPU reports DCGM metrics yet."))
        #expect(html.contains(">no data</span><span class=\"label\">power draw"))
        #expect(html.contains("Could not read power draw: timeout"))
    }

    @Test(arguments: OverviewPage.HeatmapMetric.allCases)
    func metricSwitchMarksTheCurrentMetric(metric: OverviewPage.HeatmapMetric) throws {
        let page = Self.fleet(metric: metric)
        let html = try page.render()
        #expect(html.contains("href=\"/?metric=\(metric.rawValue)\" aria-current=\"page\""))
        // One in the heatmap's switch, one on the navigation bar's "Fleet overview".
        #expect(occurrences(of: "aria-current=", in: try page.renderMain()) == 1)
        #expect(html.contains("<a href=\"/\" aria-current=\"page\">Fleet overview</a>"))
        #expect(html.contains("data-unit=\"\(metric.unit.rawValue)\""))
        #expect(html.contains("\(metric.title) of 512 GPUs"))
    }

    @Test func hostileHostnamesAreEscapedAndLinksEncoded() throws {
        let hostile = "<script>alert(1)</script>\"'&"
        let page = OverviewPage(
            counts: OverviewPage.GPUCounts(busy: 1, idle: 0, unhealthy: 0), powerWatts: 300,
            firingAlerts: ["<b>sev</b>": 1],
            gpus: [OverviewPage.GPU(hostname: hostile, gpu: "<i>0", value: 50, labels: ["UUID": "<img src=x>"])],
            generatedAt: 0, notes: ["<script>note</script>"])
        let html = try page.render()
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("<b>sev"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<i>0"))
        #expect(!html.contains("<script>note"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"))
        #expect(html.contains("href=\"/ui/node/%3Cscript%3Ealert%281%29%3C%2Fscript%3E%22%27%26\""))
        // The page's own script is the only one.
        #expect(occurrences(of: "<script>", in: html) == 1)
    }

    @Test func refreshScriptOnlyWhenRefreshing() throws {
        var page = Self.fleet()
        page.refreshSeconds = 30
        let refreshing = try page.render()
        #expect(refreshing.contains("var every = 30000;"))
        #expect(refreshing.contains("<meta http-equiv=\"refresh\" content=\"30\">"))
        page.refreshSeconds = 0
        let still = try page.render()
        #expect(!still.contains("<script>"))
        #expect(!still.contains("http-equiv"))
    }

    @Test(arguments: [
        ("node-2", "node-10", true), ("node-10", "node-2", false), ("a", "b", true), ("gpu7", "gpu12", true),
        ("n01", "n1", false), ("n1", "n01", true), ("x", "x", false), ("x", "x1", true), ("10", "9", false),
    ])
    func naturalOrder(a: String, b: String, before: Bool) {
        #expect(HTMLPage.naturalOrder(a, b) == before)
    }

    @Test func heatmapRowsInNaturalOrderAndCellsLinkTheNode() {
        let page = OverviewPage(
            counts: OverviewPage.GPUCounts(busy: 0, idle: 3, unhealthy: 0), powerWatts: nil, firingAlerts: [:],
            gpus: [
                OverviewPage.GPU(hostname: "node-10", gpu: "0", value: 1),
                OverviewPage.GPU(hostname: "node-2", gpu: "10", value: 2),
                OverviewPage.GPU(hostname: "node-2", gpu: "2", value: 3),
            ], generatedAt: 0)
        let chart = page.heatmap()
        #expect(chart.rows.map(\.label) == ["node-2", "node-10"])
        #expect(chart.columnLabels == ["0", "2", "10"])
        #expect(chart.rows[1].cells.count == 1)  // node-10 lacks GPUs 2 and 10: no trailing empty cells
        #expect(chart.rows[0].cells[0].value == nil && chart.rows[0].cells[1].value == 3)
        #expect(chart.rows[0].cells[1].href == "/ui/node/node-2")
    }

    @Test func errorPageEscapesAndLinks() {
        let html = HTMLPage.errorPage(
            title: "Node <x>", message: "No GPU reports \"<x>\".", links: [("/?a=1&b=2", "Fleet overview")])
        #expect(html.contains("<title>Node &lt;x&gt; · Vigil</title>"))
        #expect(html.contains("No GPU reports &quot;&lt;x&gt;&quot;."))
        #expect(html.contains("<a href=\"/?a=1&amp;b=2\">Fleet overview</a>"))
    }
}
