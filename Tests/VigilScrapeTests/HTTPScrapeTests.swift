import Foundation
import Testing
import VigilConfig
import VigilModel
import VigilScrape

private let exposition = """
    # HELP node_load1 1m load average.
    # TYPE node_load1 gauge
    node_load1 0.5
    # TYPE http_requests_total counter
    http_requests_total{code="200"} 10
    http_requests_total{code="500"} 1

    """

@Suite("HTTP scraping")
struct HTTPScrapeTests {
    @Test("samples, target labels and metadata from a loopback exporter; Prometheus's request headers")
    func scrapeOverHTTP() async throws {
        let exporter = TestExporter(body: exposition)
        try await withExporters([exporter]) { ports async throws in
            try await ScrapeHarness.run { harness async throws in
                await harness.manager.apply(configuration(job("node", ports: ports)))
                let first = await harness.step(sleepers: 1)
                let instance = "127.0.0.1:\(ports[0])"
                #expect(
                    try harness.series("http_requests_total")[
                        ["__name__": "http_requests_total", "code": "500", "instance": instance, "job": "node"]]
                        == [Sample(milliseconds(first), 1)])
                #expect(try harness.samples("up", ["instance": instance]) == [Sample(milliseconds(first), 1)])
                #expect(try harness.samples("scrape_samples_scraped") == [Sample(milliseconds(first), 3)])
                let request = try #require(exporter.lastRequest)
                #expect(request["accept"]?.hasPrefix("application/openmetrics-text;version=1.0.0") == true)
                #expect(request["accept"]?.contains("text/plain;version=0.0.4;q=0.3") == true)
                #expect(request["user-agent"] == "Vigil/\(VigilVersion.current)")
                #expect(request["accept-encoding"] == "gzip")
                #expect(request["x-prometheus-scrape-timeout-seconds"] == "10")
                let target = try #require(await harness.manager.activeTargets().first)
                #expect(target.scrapeURL == "http://\(instance)/metrics")
                #expect(target.globalURL == "http://\(ProcessInfo.processInfo.hostName):\(ports[0])/metrics")
                #expect(target.health == .up)
                #expect(target.discoveredLabels["__address__"] == instance)
                #expect(
                    await harness.manager.metadata()["node_load1"]
                        == [MetricMetadata(type: .gauge, help: "1m load average.", unit: "")])
                #expect(await harness.manager.metadata()["http_requests_total"]?.first?.type == .counter)
            }
        }
    }

    @Test("an OpenMetrics answer is parsed as OpenMetrics")
    func openMetrics() async throws {
        let exporter = TestExporter(body: "# TYPE build info\nbuild_info{version=\"1\"} 1\n# EOF\n")
        exporter.set { $0.contentType = "application/openmetrics-text; version=1.0.0; charset=utf-8" }
        try await withExporters([exporter]) { ports async throws in
            try await ScrapeHarness.run { harness async throws in
                await harness.manager.apply(configuration(job("om", ports: ports)))
                await harness.step(sleepers: 1)
                #expect(try harness.samples("build_info").map(\.value) == [1])
                #expect(await harness.manager.metadata()["build"]?.first?.type == .info)
            }
        }
    }

    @Test("a gzip body is decompressed")
    func gzip() async throws {
        let exporter = TestExporter(body: exposition)
        exporter.set { $0.gzip = true }
        try await withExporters([exporter]) { ports async throws in
            try await ScrapeHarness.run { harness async throws in
                await harness.manager.apply(configuration(job("gz", ports: ports)))
                await harness.step(sleepers: 1)
                #expect(try harness.samples("node_load1").map(\.value) == [0.5])
                #expect(try harness.samples("up").map(\.value) == [1])
            }
        }
    }

    @Test("a malformed body fails only its target, with line and column, and stores nothing of it")
    func malformedBody() async throws {
        let bad = TestExporter(body: "good_metric 1\nbad_metric{x=\"1\" 2\n")
        let good = TestExporter(body: exposition)
        try await withExporters([bad, good]) { ports async throws in
            try await ScrapeHarness.run { harness async throws in
                await harness.manager.apply(configuration(job("mixed", ports: ports)))
                await harness.step(sleepers: 2)
                await harness.step(sleepers: 2)
                #expect(try harness.series("good_metric").isEmpty)
                #expect(try harness.samples("node_load1").count == 1)
                let targets = await harness.manager.activeTargets()
                let failed = try #require(targets.first { $0.scrapeURL.contains(":\(ports[0])/") })
                #expect(failed.health == .down)
                #expect(failed.lastError.contains("at 2:"))
                #expect(try harness.samples("up", ["instance": "127.0.0.1:\(ports[0])"]).map(\.value) == [0])
                #expect(try harness.samples("up", ["instance": "127.0.0.1:\(ports[1])"]).map(\.value) == [1])
            }
        }
    }

    @Test("a non-200 answer fails the scrape with the status")
    func httpStatus() async throws {
        let exporter = TestExporter(body: "oops\n")
        exporter.set { $0.status = 404 }
        try await withExporters([exporter]) { ports async throws in
            try await ScrapeHarness.run { harness async throws in
                await harness.manager.apply(configuration(job("missing", ports: ports)))
                await harness.step(sleepers: 1)
                let target = try #require(await harness.manager.activeTargets().first)
                #expect(target.lastError == "server returned HTTP status 404 Not Found")
            }
        }
    }

    @Test("body_size_limit stops reading and fails the scrape")
    func bodySizeLimit() async throws {
        let exporter = TestExporter(body: exposition)
        try await withExporters([exporter]) { ports async throws in
            try await ScrapeHarness.run { harness async throws in
                await harness.manager.apply(
                    configuration(job("big", ports: ports) { $0.limits = ScrapeLimits(bodySizeLimit: 40) }))
                await harness.step(sleepers: 1)
                #expect(try harness.series("node_load1").isEmpty)
                let target = try #require(await harness.manager.activeTargets().first)
                #expect(target.lastError.contains("body_size_limit"))
                #expect(try harness.samples("up").map(\.value) == [0])
            }
        }
    }

    @Test("scrape_timeout fails a target that answers too slowly")
    func timeout() async throws {
        let exporter = TestExporter(body: exposition)
        exporter.set { $0.hold = true }
        try await withExporters([exporter]) { ports async throws in
            try await ScrapeHarness.run { harness async throws in
                await harness.manager.apply(
                    configuration(job("slow", ports: ports) { $0.scrapeTimeout = .milliseconds(200) }))
                await harness.step(sleepers: 1)
                let target = try #require(await harness.manager.activeTargets().first)
                #expect(target.lastError == "scrape timed out after 200ms (scrape_timeout)")
                #expect(target.scrapeTimeout == "200ms")
            }
        }
    }

    @Test("basic_auth, authorization and credentials_file become the Authorization header")
    func authorization() async throws {
        let exporter = TestExporter(body: exposition)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-token-\(UUID().uuidString)")
        try "file-token\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let cases: [(HTTPClientConfig, String)] = [
            (HTTPClientConfig(basicAuth: BasicAuth(username: "vigil", password: "s3cret")), "Basic dmlnaWw6czNjcmV0"),
            (HTTPClientConfig(authorization: Authorization(credentials: "abc")), "Bearer abc"),
            (HTTPClientConfig(authorization: Authorization(credentialsFile: file.path)), "Bearer file-token"),
        ]
        try await withExporters([exporter]) { ports async throws in
            for (http, expected) in cases {
                try await ScrapeHarness.run { harness async throws in
                    await harness.manager.apply(configuration(job("auth", ports: ports) { $0.httpClient = http }))
                    await harness.step(sleepers: 1)
                    #expect(exporter.lastRequest?["authorization"] == expected)
                }
            }
        }
    }

    @Test("metrics_path and params make the scrape URL")
    func pathAndParams() async throws {
        let exporter = TestExporter(body: exposition)
        try await withExporters([exporter]) { ports async throws in
            try await ScrapeHarness.run { harness async throws in
                await harness.manager.apply(
                    configuration(
                        job("params", ports: ports, path: "/other/path") {
                            $0.params = ["module": ["gpu"], "a b": ["c&d"]]
                        }))
                await harness.step(sleepers: 1)
                let target = try #require(await harness.manager.activeTargets().first)
                #expect(target.scrapeURL == "http://127.0.0.1:\(ports[0])/other/path?a+b=c%26d&module=gpu")
                #expect(target.health == .up)
            }
        }
    }
}
