import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VigilGPU
import VigilModel
import VigilScrape
import VigilServer
import VigilStorage

/// What Grafana's Prometheus data source sends (grafana/grafana `pkg/promlib` and
/// `packages/grafana-prometheus`), replayed against the API, and the dcgm-exporter dashboard run end to end.
@Suite struct GrafanaCompatibilityTests {
    /// One hour of a simulated GPU fleet at 15 s, appended as scraping the agents would: dcgm-exporter's
    /// families (the agent's `GPUCollector` path) with the `instance` and `job` labels a scrape adds.
    /// With `hosts`, each node's simulated host (node_exporter's families) is appended with the same labels.
    static func gpuFixture(nodes: Int = 2, gpusPerNode: Int = 4, hosts: Bool = false) throws -> APIFixture {
        let fixture = APIFixture {
            $0.metadata = StaticMetadataProvider([
                "DCGM_FI_DEV_GPU_TEMP": [MetricMetadata(type: .gauge, help: "GPU temperature (in C).", unit: "")]
            ])
        }
        let end = APIFixture.now
        let start = end - 3_600_000
        var fleet = SimulatedFleet(nodes: nodes, gpusPerNode: gpusPerNode, profile: .h100, seed: 7, startMs: start)
        let formats = fleet.nodeNames.map { DCGMExporterFormat(hostname: $0) }
        let appender = fixture.storage.appender()
        for time in stride(from: start, through: end, by: 15_000) {
            fleet.advance(toMs: time)
            for node in 0..<fleet.nodeCount {
                let metrics = formats[node].metrics(for: fleet.readings(node: node))
                for family in metrics.families + (hosts ? fleet.hostMetrics(node: node) : []) {
                    for sample in family.samples {
                        let labels = sample.labels
                            .setting(metricNameLabel, to: sample.name)
                            .setting("instance", to: "\(fleet.nodeNames[node]):9471")
                            .setting("job", to: "vigil-agent")
                        try appender.append(labels, timestamp: time, value: sample.value)
                    }
                }
            }
        }
        try appender.commit()
        return fixture
    }

    /// Grafana's "Save & test": an instant `1+1` at time 4 (POST by default), then buildinfo to tell
    /// Prometheus from Mimir: no `features` means Prometheus.
    @Test func healthCheckAndBuildInfo() async throws {
        try await APIFixture().app.test(.router) { client in
            let health = try await client.postForm("/api/v1/query", "query=1%2B1&time=4")
            #expect(health.status == .ok)
            #expect(health.body == #"{"status":"success","data":{"resultType":"scalar","result":[4,"2"]}}"#)
            let get = try await client.get("/api/v1/query?query=1%2B1&time=4")
            #expect(get.body == health.body)
            let build = try await client.get("/api/v1/status/buildinfo")
            let data = try #require(build.data as? [String: Any])
            #expect(data["features"] == nil)
            #expect(data["version"] as? String == "0.1.0")
        }
    }

    /// The metrics browser and query editor: labels and series by POST (GET when POST fails), label values
    /// and metadata by GET, each with Grafana's `limit=40000` and whole-second times.
    @Test func metricsBrowserRequests() async throws {
        let fixture = try Self.gpuFixture(nodes: 1, gpusPerNode: 2)
        let start = (APIFixture.now - 3_600_000) / 1000
        let end = APIFixture.now / 1000
        try await fixture.app.test(.router) { client in
            let labels = try await client.postForm("/api/v1/labels", "limit=40000&start=\(start)&end=\(end)")
            let labelNames = try #require(labels.data as? [String])
            #expect(labelNames.contains("gpu") && labelNames.contains("instance") && labelNames.contains("UUID"))
            let labelsByGet = try await client.get("/api/v1/labels?limit=40000&start=\(start)&end=\(end)")
            #expect(labelsByGet.body == labels.body)

            let names = try await client.get("/api/v1/label/__name__/values?start=\(start)&end=\(end)&limit=40000")
            let metricNames = try #require(names.data as? [String])
            #expect(metricNames.contains("DCGM_FI_DEV_GPU_TEMP"))
            #expect(metricNames == metricNames.sorted())

            let series = try await client.postForm(
                "/api/v1/series", "start=\(start)&end=\(end)&match%5B%5D=\(encode(#"{__name__!=""}"#))&limit=40000")
            let seriesList = try #require(series.data as? [[String: String]])
            #expect(seriesList.count > 10)
            #expect(Set(seriesList.compactMap { $0["__name__"] }) == Set(metricNames))

            let gpus = try await client.get(
                "/api/v1/label/gpu/values?match%5B%5D=DCGM_FI_DEV_GPU_TEMP&start=\(start)&end=\(end)&limit=40000")
            #expect(gpus.body == #"{"status":"success","data":["0","1"]}"#)

            let metadata = try await client.get("/api/v1/metadata")
            #expect(
                metadata.body.contains(
                    #""DCGM_FI_DEV_GPU_TEMP":[{"type":"gauge","help":"GPU temperature (in C).","unit":""}]"#))
            let oneMetric = try await client.get("/api/v1/metadata?metric=DCGM_FI_DEV_GPU_TEMP")
            #expect(oneMetric.body == metadata.body)
        }
    }

    /// Every panel of dcgm-exporter's Grafana dashboard returns data, with its template variables expanded as
    /// Grafana expands them ("All" of a multi-value variable becomes a regex alternation).
    @Test func dcgmExporterDashboardHasDataInEveryPanel() async throws {
        guard let path = sharedFile("fixtures/grafana/dcgm-exporter-dashboard.json") else { return }
        let dashboard = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let fixture = try Self.gpuFixture()
        let step: Int64 = 15
        // Grafana aligns a range query's start and end to the step.
        let end = APIFixture.now / 1000 / step * step
        let start = (APIFixture.now - 3_600_000) / 1000 / step * step
        let variables = ((dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? [])
            .filter { $0["type"] as? String == "query" }
            .map { (name: $0["name"] as? String ?? "", query: $0["query"] as? String ?? "") }
        let targets = Self.panels(dashboard["panels"] as? [[String: Any]] ?? []).flatMap { panel in
            (panel["targets"] as? [[String: Any]] ?? []).map { target in
                PanelTarget(
                    title: panel["title"] as? String ?? "?", expr: target["expr"] as? String ?? "",
                    instant: target["instant"] as? Bool == true && target["range"] as? Bool != true,
                    legendFormat: target["legendFormat"] as? String ?? "")
            }
        }
        #expect(targets.count >= 8)
        try await fixture.app.test(.router) { client in
            // Template variables: `label_values(metric, label)` is a label-values call with match[].
            var values: [String: String] = [:]
            for (name, query) in variables {
                let (metric, label) = try #require(Self.labelValuesCall(query))
                let answer = try await client.get(
                    "/api/v1/label/\(label)/values?match%5B%5D=\(encode(metric))&start=\(start)&end=\(end)")
                let options = try #require(answer.data as? [String])
                #expect(!options.isEmpty, "variable \(name) has no values")
                values[name] = "(" + options.map(Self.regexEscape).joined(separator: "|") + ")"
            }
            #expect(values.keys.sorted() == ["gpu", "instance"])

            for target in targets {
                var expr = target.expr
                for (name, value) in values { expr = expr.replacingOccurrences(of: "$\(name)", with: value) }
                let answer =
                    target.instant
                    ? try await client.postForm("/api/v1/query", "query=\(encode(expr))&time=\(end)")
                    : try await client.postForm(
                        "/api/v1/query_range", "query=\(encode(expr))&start=\(start)&end=\(end)&step=\(step)")
                #expect(answer.status == .ok, "\(target.title): \(answer.body)")
                let data = try #require(answer.data as? [String: Any], "\(target.title)")
                let result = data["result"] as? [[String: Any]] ?? []
                #expect(!result.isEmpty, "panel \(target.title) has no data for \(expr)")
                if !target.instant {
                    for series in result {
                        #expect((series["values"] as? [Any])?.count ?? 0 > 200, "\(target.title)")
                    }
                }
                if target.legendFormat.contains("{{gpu}}") {
                    for series in result {
                        #expect((series["metric"] as? [String: String])?["gpu"] != nil, "\(target.title) lacks gpu")
                    }
                }
            }
        }
    }

    struct PanelTarget: Sendable {
        var title: String
        var expr: String
        var instant: Bool
        var legendFormat: String
    }

    /// Panels, including those nested in rows.
    static func panels(_ list: [[String: Any]]) -> [[String: Any]] {
        list.flatMap { [$0] + panels($0["panels"] as? [[String: Any]] ?? []) }
    }

    /// `label_values(metric, label)` → (metric, label).
    static func labelValuesCall(_ query: String) -> (String, String)? {
        guard query.hasPrefix("label_values("), query.hasSuffix(")") else { return nil }
        let arguments = query.dropFirst("label_values(".count).dropLast().split(separator: ",")
        guard arguments.count == 2 else { return nil }
        return (
            arguments[0].trimmingCharacters(in: .whitespaces), arguments[1].trimmingCharacters(in: .whitespaces)
        )
    }

    /// Grafana's `prometheusSpecialRegexEscape` for values of multi-value variables.
    static func regexEscape(_ value: String) -> String {
        var out = ""
        for character in value {
            if "\\$^*+?.()|{}[]".contains(character) { out.append("\\\\") }
            out.append(character)
        }
        return out
    }
}
