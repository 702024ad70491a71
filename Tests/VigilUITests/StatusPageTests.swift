import Testing
import VigilModel
import VigilUI

@Suite struct StatusPageTests {
    static let now: Int64 = 1_700_000_000_000
    static let hostile = "<script>alert(1)</script>"

    static func page(storage: StatusPage.Storage? = storage(), notes: [String] = []) -> StatusPage {
        StatusPage(
            build: [StatusPage.Field("Version", "0.1.0"), StatusPage.Field("Compiler", "swift6.3")],
            runtime: [StatusPage.Field("Working directory", "/var/lib/vigil"), StatusPage.Field("Hostname", hostile)],
            flags: [StatusPage.Field("--data-dir", "/var/lib/vigil"), StatusPage.Field("--listen", "0.0.0.0:9470")],
            storage: storage,
            ruleGroups: [
                StatusPage.RuleGroup(
                    name: "gpus", file: "/etc/vigil/gpus.yml", intervalMilliseconds: 30_000, ruleCount: 12,
                    lastEvaluation: now - 12_000, evaluationSeconds: 0.0042),
                StatusPage.RuleGroup(
                    name: "broken", file: "/etc/vigil/broken.yml", intervalMilliseconds: 60_000, ruleCount: 1,
                    lastEvaluation: now - 1_000, evaluationSeconds: 1.5,
                    failures: [.init(rule: "Bad", error: "found duplicate series for the match group \(hostile)")]),
                StatusPage.RuleGroup(
                    name: "new", file: "/etc/vigil/new.yml", intervalMilliseconds: 15_000, ruleCount: 2,
                    lastEvaluation: nil, evaluationSeconds: 0),
            ], now: now, refreshSeconds: 15, notes: notes)
    }

    static func storage(blockSamples: Int? = 1_000_000, blockBytes: Int? = 1_300_000) -> StatusPage.Storage {
        StatusPage.Storage(
            headSeries: 1_234_567, labelPairs: 420, chunks: 9_001, minTime: now - 7_200_000, maxTime: now,
            headSamples: 55_000, blockSamples: blockSamples, blockBytes: blockBytes,
            seriesCountByMetricName: [.init(name: "DCGM_FI_DEV_GPU_UTIL", value: 512), .init(name: hostile, value: 2)],
            labelValueCountByLabelName: [.init(name: "UUID", value: 512)],
            memoryInBytesByLabelName: [.init(name: "UUID", value: 20_480)],
            seriesCountByLabelValuePair: [.init(name: "job=demo", value: 30_000)])
    }

    @Test func buildRuntimeFlagsAndConfigurationLink() {
        let html = Self.page().render()
        #expect(html.contains("<main id=\"status\">"))
        #expect(html.contains("<tr><th scope=\"row\">Version</th><td>0.1.0</td></tr>"))
        #expect(html.contains("<tr><th scope=\"row\">Working directory</th><td>/var/lib/vigil</td></tr>"))
        #expect(html.contains("<tr><th scope=\"row\">--listen</th><td>0.0.0.0:9470</td></tr>"))
        #expect(html.contains("<a href=\"/api/v1/status/config\">"))
        #expect(html.contains("aria-current=\"page\">Status</a>"))
    }

    @Test func storageFiguresAndBytesPerSample() {
        let html = Self.page().render()
        #expect(html.contains("<th scope=\"row\">Head series</th><td>1\u{2009}234\u{2009}567</td>"))
        #expect(html.contains("<th scope=\"row\">Head chunks</th><td>9\u{2009}001</td>"))
        #expect(html.contains("<th scope=\"row\">Head samples</th><td>55\u{2009}000</td>"))
        #expect(html.contains("<th scope=\"row\">Bytes per sample (blocks)</th><td>1.3</td>"))
        #expect(
            html.contains(
                "<th scope=\"row\">Head time range</th><td>2023-11-14 20:13:20 UTC to 2023-11-14 22:13:20 UTC</td>"))
        let none = Self.page(storage: Self.storage(blockSamples: 0, blockBytes: 0)).render()
        #expect(none.contains("<th scope=\"row\">Bytes per sample (blocks)</th><td>no blocks written yet</td>"))
    }

    @Test func topCardinalityTablesAsPrometheusShowsThem() throws {
        let html = Self.page().render()
        for id in ["top-metrics", "top-label-names", "top-label-memory", "top-label-pairs"] {
            #expect(html.contains("<table class=\"cardinality\" id=\"\(id)\">"))
        }
        #expect(html.contains("<tr><td>DCGM_FI_DEV_GPU_UTIL</td><td class=\"number\">512</td></tr>"))
        #expect(html.contains("<tr><td>job=demo</td><td class=\"number\">30\u{2009}000</td></tr>"))
        let metrics = try #require(html.firstRange(of: "Top series count by metric name"))
        let pairs = try #require(html.firstRange(of: "Top series count by label value pairs"))
        #expect(metrics.lowerBound < pairs.lowerBound)
    }

    @Test func ruleGroupsWithTheirLastEvaluationAndErrors() {
        let html = Self.page().render()
        #expect(html.contains("<tr class=\"rule-group\" data-health=\"ok\"><td>gpus</td>"))
        #expect(html.contains("<time title=\"2023-11-14 22:13:08 UTC\">12 s ago</time></td><td>4.2 ms</td>"))
        #expect(html.contains("<tr class=\"rule-group\" data-health=\"err\"><td>broken</td>"))
        #expect(html.contains("<strong>Bad</strong>: found duplicate series for the match group &lt;script&gt;"))
        #expect(html.contains("<td>never</td><td>–</td>"))
        #expect(html.contains("<td>30s</td>"))
    }

    @Test func hostileValuesAreEscaped() {
        let html = Self.page(notes: ["Could not read: \(Self.hostile)"]).render()
        #expect(!html.contains(Self.hostile))
        #expect(html.contains("<tr><td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td class=\"number\">2</td></tr>"))
    }

    @Test func unavailableStorageSaysSo() {
        let html = Self.page(storage: nil, notes: ["Could not read the storage's statistics: timeout"]).render()
        #expect(
            html.contains("The storage&#39;s statistics are not available.")
                || html.contains("The storage's statistics are not available."))
        #expect(html.contains("Could not read the storage"))
    }
}
