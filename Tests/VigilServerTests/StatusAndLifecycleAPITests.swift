import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import VigilEncoding
import VigilExposition
import VigilModel
import VigilRemote
import VigilScrape
import VigilServer
import VigilStorage

/// Targets, rules, alerts, the status pages, `/-/*`, `/metrics`, remote write and federation.
@Suite struct StatusAndLifecycleAPITests {
    static let targets = StaticTargetsProvider(
        active: [
            ActiveTargetStatus(
                discoveredLabels: ["__address__": "b:9100", "job": "node"],
                labels: ["instance": "b:9100", "job": "node"],
                scrapePool: "node", scrapeURL: "http://b:9100/metrics?x=1&y=2", lastError: "connection refused",
                lastScrape: 1_700_000_000_250, lastScrapeDuration: 0.0125, health: .down,
                scrapeInterval: "15s", scrapeTimeout: "10s"),
            ActiveTargetStatus(
                discoveredLabels: ["__address__": "a:9090", "job": "api"],
                labels: ["instance": "a:9090", "job": "api"],
                scrapePool: "api", scrapeURL: "http://a:9090/metrics", lastScrape: 1_700_000_000_000,
                lastScrapeDuration: 0.5, health: .up, scrapeInterval: "15s", scrapeTimeout: "10s"),
        ],
        dropped: [DroppedTargetStatus(discoveredLabels: ["__address__": "c:1", "job": "node"], scrapePool: "node")])

    @Test func targetsAsPrometheusListsThem() async throws {
        let fixture = APIFixture { $0.targets = Self.targets }
        try await fixture.app.test(.router) { client in
            let all = try await client.get("/api/v1/targets")
            #expect(
                all.body
                    == #"{"status":"success","data":{"activeTargets":[{"discoveredLabels":{"__address__":"a:9090","job":"api"},"labels":{"instance":"a:9090","job":"api"},"scrapePool":"api","scrapeUrl":"http://a:9090/metrics","globalUrl":"http://a:9090/metrics","lastError":"","lastScrape":"2023-11-14T22:13:20Z","lastScrapeDuration":0.5,"health":"up","scrapeInterval":"15s","scrapeTimeout":"10s"},{"discoveredLabels":{"__address__":"b:9100","job":"node"},"labels":{"instance":"b:9100","job":"node"},"scrapePool":"node","scrapeUrl":"http://b:9100/metrics?x=1\u0026y=2","globalUrl":"http://b:9100/metrics?x=1\u0026y=2","lastError":"connection refused","lastScrape":"2023-11-14T22:13:20.25Z","lastScrapeDuration":0.0125,"health":"down","scrapeInterval":"15s","scrapeTimeout":"10s"}],"droppedTargets":[{"discoveredLabels":{"__address__":"c:1","job":"node"},"scrapePool":"node"}],"droppedTargetCounts":{"node":1}}}"#
            )
            let active = try await client.get("/api/v1/targets?state=active&scrapePool=node")
            let data = try #require(active.data as? [String: Any])
            #expect((data["activeTargets"] as? [Any])?.count == 1)
            #expect((data["droppedTargets"] as? [Any])?.isEmpty == true)
            #expect(active.body.hasSuffix(#""droppedTargets":[],"droppedTargetCounts":null}}"#))
            let dropped = try await client.get("/api/v1/targets?state=Dropped")
            #expect(dropped.body.contains(#""activeTargets":[],"droppedTargets":[{"#))
        }
    }

    @Test func rulesAndAlertsAreEmpty() async throws {
        try await APIFixture().app.test(.router) { client in
            let rules = try await client.get("/api/v1/rules")
            let alerts = try await client.get("/api/v1/alerts")
            #expect(rules.body == #"{"status":"success","data":{"groups":[]}}"#)
            #expect(alerts.body == #"{"status":"success","data":{"alerts":[]}}"#)
        }
    }

    @Test func statusPages() async throws {
        let fixture = APIFixture {
            $0.configYAML = { "global:\n  scrape_interval: 15s\n  external_labels: {a: \"<b>\"}\n" }
            $0.flags = ["web.listen-address": "127.0.0.1:9470", "storage.tsdb.path": "./vigil-data"]
            $0.buildInfo = BuildInfo(
                version: "0.1.0", revision: "abc", branch: "main", buildUser: "ci", buildDate: "20251129-10:00:00",
                goVersion: "swift6.3")
            $0.runtimeInfo = {
                RuntimeInfo(
                    startTime: 1_700_000_000_000, cwd: "/srv", hostname: "gpu-node-01", serverTime: 1_700_000_060_500,
                    lastConfigTime: 1_700_000_000_000, goroutineCount: 12, gomaxprocs: 2, storageRetention: "15d")
            }
        }
        try await fixture.app.test(.router) { client in
            let build = try await client.get("/api/v1/status/buildinfo")
            #expect(
                build.body
                    == #"{"status":"success","data":{"version":"0.1.0","revision":"abc","branch":"main","buildUser":"ci","buildDate":"20251129-10:00:00","goVersion":"swift6.3"}}"#
            )
            #expect(!build.body.contains("features"))
            let config = try await client.get("/api/v1/status/config")
            #expect(
                config.body
                    == #"{"status":"success","data":{"yaml":"global:\n  scrape_interval: 15s\n  external_labels: {a: \"\u003cb\u003e\"}\n"}}"#
            )
            let flags = try await client.get("/api/v1/status/flags")
            #expect(
                flags.body
                    == #"{"status":"success","data":{"storage.tsdb.path":"./vigil-data","web.listen-address":"127.0.0.1:9470"}}"#
            )
            let runtime = try await client.get("/api/v1/status/runtimeinfo")
            #expect(
                runtime.body
                    == #"{"status":"success","data":{"startTime":"2023-11-14T22:13:20Z","CWD":"/srv","hostname":"gpu-node-01","serverTime":"2023-11-14T22:14:20.5Z","reloadConfigSuccess":true,"lastConfigTime":"2023-11-14T22:13:20Z","corruptionCount":0,"goroutineCount":12,"GOMAXPROCS":2,"GOMEMLIMIT":9223372036854775807,"GOGC":"","GODEBUG":"","storageRetention":"15d"}}"#
            )
        }
    }

    @Test func tsdbStatusFromTheStorage() async throws {
        let fixture = APIFixture()
        try fixture.addStandardSeries()
        try await fixture.app.test(.router) { client in
            let answer = try await client.get("/api/v1/status/tsdb?limit=2")
            #expect(
                answer.body
                    == #"{"status":"success","data":{"headStats":{"numSeries":3,"numLabelPairs":7,"chunkCount":0,"minTime":1699999700000,"maxTime":1700000000000},"seriesCountByMetricName":[{"name":"up","value":2},{"name":"http_requests_total","value":1}],"labelValueCountByLabelName":[{"name":"__name__","value":2},{"name":"instance","value":2}],"memoryInBytesByLabelName":[{"name":"__name__","value":47},{"name":"instance","value":42}],"seriesCountByLabelValuePair":[{"name":"__name__=up","value":2},{"name":"instance=a:9090","value":2}]}}"#
            )
            let bad = try await client.get("/api/v1/status/tsdb?limit=0")
            #expect(bad.status == .badRequest)
            #expect(bad.error == "limit must be a positive number")
        }
    }

    @Test func healthyReadyAndNotReady() async throws {
        let readiness = ReadinessFlag(ready: false)
        let fixture = APIFixture { $0.readiness = readiness }
        try await fixture.app.test(.router) { client in
            let healthy = try await client.get("/-/healthy")
            #expect(healthy.status == .ok)
            #expect(healthy.body == "Vigil Server is Healthy.\n")
            let notReady = try await client.get("/-/ready")
            #expect(notReady.status == .serviceUnavailable)
            #expect(notReady.body == "Service Unavailable")
            // The API waits for readiness too, as Prometheus wraps it.
            let query = try await client.get("/api/v1/query?query=1")
            #expect(query.status == .serviceUnavailable)
            readiness.markReady()
            let ready = try await client.get("/-/ready")
            #expect(ready.status == .ok)
            #expect(ready.body == "Vigil Server is Ready.\n")
            let answered = try await client.get("/api/v1/query?query=1")
            #expect(answered.status == .ok)
        }
    }

    @Test func reloadByPostAndPut() async throws {
        let reloads = Mutex(0)
        let fixture = APIFixture {
            $0.reload = {
                let count = reloads.withLock { count in
                    count += 1
                    return count
                }
                if count == 3 { throw APIError(.badData, "scrape_configs[0].job_name: missing") }
            }
        }
        try await fixture.app.test(.router) { client in
            try await client.execute(uri: "/-/reload", method: .post) { #expect($0.status == .ok) }
            try await client.execute(uri: "/-/reload", method: .put) { #expect($0.status == .ok) }
            try await client.execute(uri: "/-/reload", method: .post) { response in
                #expect(response.status == .internalServerError)
                #expect(
                    String(buffer: response.body)
                        == "failed to reload config: bad_data: scrape_configs[0].job_name: missing\n")
            }
            try await client.execute(uri: "/-/reload", method: .get) { #expect($0.status != .ok) }
        }
        #expect(reloads.withLock { $0 } == 3)
        try await APIFixture().app.test(.router) { client in
            try await client.execute(uri: "/-/reload", method: .post) { response in
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body) == "Lifecycle API is not enabled.\n")
            }
        }
    }

    @Test func ownMetricsNegotiatedAndCompressed() async throws {
        let fixture = APIFixture {
            $0.ownMetrics = {
                var set = MetricSet()
                set.counter("vigil_http_requests_total", help: "Requests served.", labels: ["code": "200"], value: 7)
                return set.families
            }
        }
        try await fixture.app.test(.router) { client in
            let text = try await client.get("/metrics")
            #expect(text.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(
                text.body
                    == "# HELP vigil_http_requests_total Requests served.\n# TYPE vigil_http_requests_total counter\nvigil_http_requests_total{code=\"200\"} 7\n"
            )
            let openMetrics = try await client.get(
                "/metrics", headers: [.accept: "application/openmetrics-text;version=1.0.0"])
            #expect(openMetrics.headers[.contentType] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
            #expect(openMetrics.body.hasSuffix("# EOF\n"))
            try await client.execute(uri: "/metrics", method: .get, headers: [.acceptEncoding: "gzip"]) { response in
                #expect(response.headers[.contentEncoding] == "gzip")
                #expect(Array(response.body.readableBytesView.prefix(2)) == [0x1F, 0x8B])
            }
            // The API compresses too.
            try await client.execute(uri: "/api/v1/labels", method: .get, headers: [.acceptEncoding: "gzip"]) {
                response in
                #expect(response.headers[.contentEncoding] == "gzip")
                #expect(Array(response.body.readableBytesView.prefix(2)) == [0x1F, 0x8B])
            }
        }
    }

    // MARK: - Remote write

    func remoteWriteFixture(limit: Int = 1 << 20) -> APIFixture {
        APIFixture { api in
            let receiver = RemoteWriteReceiver(
                appendable: api.storage as! MemoryStorage, nowMilliseconds: { APIFixture.now })
            api.remoteWrite = { body, headers throws(RemoteWriteError) in
                _ = try receiver.receive(
                    body: body, contentType: headers[.contentType], contentEncoding: headers[.contentEncoding])
            }
            api.remoteWriteBodyLimit = limit
        }
    }

    static func writeRequest(samples: Int = 1) -> [UInt8] {
        let series = RemoteWriteRequest.TimeSeries(
            labels: [Label("__name__", "pushed"), Label("job", "push")],
            samples: (0..<samples).map { Sample(APIFixture.now - Int64(samples - $0) * 1000, Double($0)) })
        var protobuf: [UInt8] = []
        RemoteWriteEncoder.append(RemoteWriteRequest(timeSeries: [series]), to: &protobuf)
        return Snappy.compress(protobuf)
    }

    static let remoteWriteHeaders: HTTPFields = [
        .contentType: "application/x-protobuf", .contentEncoding: "snappy",
    ]

    @Test func remoteWriteStoresAndAnswers204() async throws {
        let fixture = remoteWriteFixture()
        try await fixture.app.test(.router) { client in
            try await client.execute(
                uri: "/api/v1/write", method: .post, headers: Self.remoteWriteHeaders,
                body: ByteBuffer(bytes: Self.writeRequest(samples: 3))
            ) { response in
                #expect(response.status == .noContent)
            }
            let answer = try await client.get("/api/v1/query?query=pushed")
            #expect(answer.body.contains(#""metric":{"__name__":"pushed","job":"push"},"value":[1700000000,"2"]"#))
        }
    }

    @Test func remoteWriteRefusals() async throws {
        try await remoteWriteFixture(limit: 64).app.test(.router) { client in
            try await client.execute(
                uri: "/api/v1/write", method: .post, headers: Self.remoteWriteHeaders,
                body: ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0x01, 0x02])
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).hasSuffix("\n"))
                #expect(!String(buffer: response.body).isEmpty)
            }
            try await client.execute(
                uri: "/api/v1/write", method: .post, headers: Self.remoteWriteHeaders,
                body: ByteBuffer(bytes: Self.writeRequest(samples: 50))
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(
                    String(buffer: response.body) == "request body is larger than the remote write limit of 64 bytes\n")
            }
        }
        // Without a receiver, as Prometheus without --web.enable-remote-write-receiver.
        try await APIFixture().app.test(.router) { client in
            try await client.execute(uri: "/api/v1/write", method: .post, body: ByteBuffer(bytes: Self.writeRequest()))
            {
                response in
                #expect(response.status == .notFound)
                #expect(
                    String(buffer: response.body)
                        == "remote write receiver needs to be enabled with --web.enable-remote-write-receiver\n")
            }
        }
    }

    // MARK: - Federation

    @Test func federationWritesTheLatestSamplesUntyped() async throws {
        let fixture = APIFixture { $0.externalLabels = ["cluster": "gpu-a"] }
        try fixture.addStandardSeries()
        try fixture.add(["__name__": "job:up:sum", "job": "api"], [(APIFixture.now - 10_000, 3)])
        // Gone stale: not federated.
        try fixture.add(
            ["__name__": "gone", "job": "api"], [(APIFixture.now - 20_000, 1), (APIFixture.now - 5_000, staleNaN)])
        // Older than the lookback delta: not federated.
        try fixture.add(["__name__": "old", "job": "api"], [(APIFixture.now - 600_000, 1)])
        try await fixture.app.test(.router) { client in
            let answer = try await client.get("/federate?match[]=\(encode(#"{job="api"}"#))&match[]=gone&match[]=old")
            #expect(answer.status == .ok)
            #expect(answer.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(
                answer.body == """
                    # TYPE http_requests_total untyped
                    http_requests_total{code="200",instance="a:9090",job="api",cluster="gpu-a"} 200 1700000000000
                    # TYPE job:up:sum untyped
                    job:up:sum{job="api",cluster="gpu-a",instance=""} 3 1699999990000
                    # TYPE up untyped
                    up{instance="a:9090",job="api",cluster="gpu-a"} 1 1700000000000

                    """)
            let bad = try await client.get("/federate?match[]=\(encode("up{"))")
            #expect(bad.status == .badRequest)
            #expect(bad.body == "1:4: parse error: unexpected end of input inside braces\n")
            let openMetrics = try await client.get(
                "/federate?match[]=up", headers: [.accept: "application/openmetrics-text;version=1.0.0"])
            #expect(openMetrics.headers[.contentType] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
            #expect(openMetrics.body.hasSuffix("# EOF\n"))
        }
    }
}
