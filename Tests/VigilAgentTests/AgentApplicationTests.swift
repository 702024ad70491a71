import CompressNIO
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import VigilAgent
import VigilCollectors
import VigilExposition
import VigilModel

/// The agent's HTTP surface, in-process.
@Suite struct AgentApplicationTests {
    var app: some ApplicationProtocol {
        buildAgentApplication(
            configuration: AgentConfiguration(port: 0),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    @Test func metricsDefaultToPrometheusText() async throws {
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let families = try ExpositionParser.parseFamilies(
                    bytes: Array(response.body.readableBytesView), format: .text)
                let names = Set(families.map(\.name))
                for name in [
                    "node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_load1",
                    "vigil_collector_duration_seconds", "vigil_collector_errors_total", "vigil_build_info",
                    "process_cpu_seconds_total",
                ] {
                    #expect(names.contains(name), "missing \(name)")
                }
                #expect(families.first { $0.name == "node_cpu_seconds_total" }?.type == .counter)
            }
        }
    }

    @Test func openMetricsWhenPrometheusAsksForIt() async throws {
        let accept =
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get, headers: [.accept: accept]) { response in
                #expect(response.headers[.contentType] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
                let body = String(buffer: response.body)
                #expect(body.hasSuffix("# EOF\n"))
                #expect(body.contains("# TYPE node_cpu_seconds counter\n"))
                let families = try ExpositionParser.parseFamilies(
                    bytes: Array(response.body.readableBytesView), format: .openMetrics)
                #expect(families.contains { $0.name == "node_cpu_seconds_total" && $0.type == .counter })
            }
        }
    }

    @Test func gzipWhenAccepted() async throws {
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get, headers: [.acceptEncoding: "gzip, deflate"]) {
                response in
                #expect(response.headers[.contentEncoding] == "gzip")
                var body = response.body
                let plain = try body.decompress(with: .gzip())
                #expect(String(buffer: plain).contains("node_cpu_seconds_total{"))
            }
            try await client.execute(uri: "/metrics", method: .get, headers: [.acceptEncoding: "gzip;q=0"]) {
                response in
                #expect(response.headers[.contentEncoding] == nil)
            }
        }
    }

    @Test func healthAndIndex() async throws {
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#""status":"ok""#))
            }
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(String(buffer: response.body).contains(#"<a href="/metrics">"#))
            }
            try await client.execute(uri: "/nope", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}

/// The scrape cache: one collection per TTL, however many scrapes.
@Suite struct MetricsCacheTests {
    final class TestClock: @unchecked Sendable {
        var now = ContinuousClock.now
    }

    @Test func concurrentScrapesShareOneCollection() async throws {
        let clock = TestClock()
        let registry = CollectorRegistry(
            collectors: [LoadAverageCollector()], logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let cache = MetricsCache(registry: registry, paths: HostPaths(), ttl: .seconds(1), now: { clock.now })
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                group.addTask {
                    _ = try await cache.body(format: index % 2 == 0 ? .text : .openMetrics, gzip: index % 3 == 0)
                }
            }
            try await group.waitForAll()
        }
        #expect(await cache.collections == 1)
        clock.now += .milliseconds(999)
        _ = await cache.current()
        #expect(await cache.collections == 1)
        clock.now += .milliseconds(2)
        _ = await cache.current()
        #expect(await cache.collections == 2)
    }
}
