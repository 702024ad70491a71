import Testing
import VigilModel
import VigilUI

@Suite struct TargetsPageTests {
    static let now: Int64 = 1_700_000_000_000
    static let hostile = "<script>alert(1)</script>"
    static let refused =
        "Get \"http://gpu-node-07:9471/metrics\": dial tcp 10.0.0.7:9471: connect: connection refused\nsecond line"

    static func page(health: TargetsPage.Health? = nil, pool: String? = nil) -> TargetsPage {
        TargetsPage(
            pools: [
                TargetsPage.Pool(
                    name: "gpu-nodes",
                    targets: [
                        TargetsPage.Target(
                            scrapeURL: "http://gpu-node-01:9471/metrics",
                            labels: ["instance": "gpu-node-01:9471", "job": "gpu-nodes"], health: .up,
                            lastScrape: now - 4_200, lastScrapeDuration: 0.0123, scrapeInterval: "15s",
                            scrapeTimeout: "10s"),
                        TargetsPage.Target(
                            scrapeURL: "http://gpu-node-07:9471/metrics",
                            labels: ["instance": "gpu-node-07:9471", "job": "gpu-nodes", "rack": hostile],
                            health: .down, lastScrape: now - 9_000, lastScrapeDuration: 0.5, lastError: refused),
                    ], droppedCount: 3),
                TargetsPage.Pool(
                    name: "vigil",
                    targets: [
                        TargetsPage.Target(
                            scrapeURL: "javascript:alert(1)", labels: ["job": "vigil"], health: .unknown)
                    ]),
            ], healthFilter: health, poolFilter: pool, now: now, refreshSeconds: 15)
    }

    @Test func everyTargetWithHealthAsShapeAndWordLabelsAndTheFullError() throws {
        let html = Self.page().render()
        #expect(html.contains("<main id=\"targets\">"))
        #expect(occurrences(of: "<tr class=\"target\"", in: html) == 3)
        #expect(html.contains("<span class=\"health up\"><span aria-hidden=\"true\">●</span> UP</span>"))
        #expect(html.contains("<span class=\"health down\"><span aria-hidden=\"true\">✕</span> DOWN</span>"))
        #expect(html.contains("<span class=\"health unknown\"><span aria-hidden=\"true\">?</span> UNKNOWN</span>"))
        // The error in full, line breaks included.
        #expect(
            html.contains(
                "<pre>Get &quot;http://gpu-node-07:9471/metrics&quot;: dial tcp 10.0.0.7:9471: connect: connection refused\nsecond line</pre>"
            ))
        #expect(html.contains("<h2>gpu-nodes <span class=\"summary\">(1/2 up)</span></h2>"))
        #expect(html.contains("data-dropped=\"3\">3 targets dropped by relabelling."))
        #expect(html.contains(">4.2 s ago</time>"))
        #expect(html.contains("<td class=\"duration\">12.3 ms</td>"))
        #expect(html.contains("<td class=\"last-scrape\">never</td>"))
        #expect(html.contains("<span class=\"label\">instance=\"gpu-node-01:9471\"</span>"))
        #expect(html.contains("var every = 15000"))
        #expect(html.contains("aria-current=\"page\">Targets</a>"))
    }

    @Test func hostileValuesAreEscapedAndOnlyHTTPURLsAreLinks() {
        let html = Self.page().render()
        #expect(!html.contains(Self.hostile))
        #expect(html.contains("rack=\"&lt;script&gt;alert(1)&lt;/script&gt;\""))
        #expect(!html.contains("href=\"javascript:"))
        #expect(html.contains("<td class=\"endpoint\">javascript:alert(1)</td>"))
        #expect(html.contains("<a href=\"http://gpu-node-01:9471/metrics\">"))
    }

    @Test func healthFilterShowsOnlyThoseTargetsAndCountsEveryHealth() throws {
        let html = Self.page(health: .down).render()
        #expect(occurrences(of: "<tr class=\"target\"", in: html) == 1)
        #expect(html.contains("data-health=\"down\""))
        #expect(html.contains("No target of this pool is down."))
        #expect(html.contains("href=\"/ui/targets?health=down&amp;refresh=15\" aria-current=\"true\">"))
        #expect(html.contains("All <span class=\"count\">3</span>"))
    }

    @Test func poolFilterShowsOnePool() {
        let html = Self.page(pool: "vigil").render()
        #expect(!html.contains("data-pool=\"gpu-nodes\""))
        #expect(html.contains("data-pool=\"vigil\""))
        #expect(html.contains("href=\"/ui/targets?pool=vigil&amp;refresh=15\" aria-current=\"true\">vigil</a>"))
    }

    @Test func noTargetsSaysWhereTheyComeFrom() {
        let html = TargetsPage(pools: [], now: Self.now).render()
        #expect(html.contains("No scrape targets."))
        #expect(html.contains("href=\"/api/v1/status/config\""))
    }
}
