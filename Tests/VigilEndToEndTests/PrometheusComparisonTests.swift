import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import Synchronization
import Testing
import VigilExposition
import VigilGPU
import VigilModel
import VigilTestSupport

/// `vigil server` beside Debian's real Prometheus, on the same data: the simulated GPU cluster served
/// by a loopback exporter.
///
/// Two ways into Vigil are checked at once: Vigil scraping the exporter itself, and Prometheus
/// remote-writing what it scraped into a second Vigil. Every query then runs on the three, and the
/// answers must match: labels exactly, values within 1e-6 relative, same timestamps.
///
/// So that two independent scrapers store the same samples, the exporter stamps each sample with
/// the time of the simulation's 5 s step it describes (`honor_timestamps`, Prometheus's default) and
/// both scrape every second: every step is seen by both. Queries are evaluated between sample
/// timestamps, never on one, because Prometheus 2.42 (Debian's) includes the left end of a range
/// selector and 3.x, like Vigil, excludes it (DESIGN.md).
@Suite(.serialized) struct PrometheusComparisonTests {
    static let gridMs: Int64 = 5000

    @Test func queriesAnswerAsPrometheusDoesForScrapedAndRemoteWrittenData() async throws {
        guard ExternalTools.shouldRun("prometheus") else {
            print("skipped: Debian's prometheus is not installed (apt-get install prometheus); CI always runs this")
            return
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-compare-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        let exporter = try await TimestampedSimulationExporter.start()
        defer { exporter.stop() }
        let vigilScraping = ExternalTools.freePort()
        let vigilReceiving = ExternalTools.freePort()
        let prometheusPort = ExternalTools.freePort()

        let scrapeConfig = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: gpus
                static_configs:
                  - targets: ['127.0.0.1:\(exporter.port)']
            """
        try scrapeConfig.write(to: work.appendingPathComponent("vigil.yml"), atomically: true, encoding: .utf8)
        try
            (scrapeConfig + """

                remote_write:
                  - url: http://127.0.0.1:\(vigilReceiving)/api/v1/write
                    queue_config:
                      batch_send_deadline: 1s
                """).write(to: work.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)

        let scraping = try ChildProcess(
            ExternalTools.vigilBinary,
            [
                "server", "--no-local-agent", "--config", work.appendingPathComponent("vigil.yml").path,
                "--data-dir", work.appendingPathComponent("vigil-scraping").path, "--listen",
                "127.0.0.1:\(vigilScraping)",
            ])
        defer { scraping.stop() }
        let receiving = try ChildProcess(
            ExternalTools.vigilBinary,
            [
                "server", "--no-local-agent", "--data-dir", work.appendingPathComponent("vigil-receiving").path,
                "--listen", "127.0.0.1:\(vigilReceiving)",
            ])
        defer { receiving.stop() }
        try await scraping.waitForHTTP("http://127.0.0.1:\(vigilScraping)/-/ready")
        try await receiving.waitForHTTP("http://127.0.0.1:\(vigilReceiving)/-/ready")
        let prometheus = try ChildProcess(
            ExternalTools.path(of: "prometheus") ?? "/usr/bin/prometheus",
            [
                "--config.file=" + work.appendingPathComponent("prometheus.yml").path,
                "--storage.tsdb.path=" + work.appendingPathComponent("prometheus").path,
                "--web.listen-address=127.0.0.1:\(prometheusPort)",
            ])
        defer { prometheus.stop() }
        try await prometheus.waitForHTTP("http://127.0.0.1:\(prometheusPort)/-/ready")

        // Compare from the first step both have whole: the one after Prometheus's first scrape (Vigil,
        // started earlier, holds older steps too). Then seven steps of data, and time for the last
        // remote-write batch to arrive.
        while try await QueryAnswer.fetch(
            port: prometheusPort, .instant("up{job=\"gpus\"}", at: TimestampedSimulationExporter.wallClockMs())
        ).series.isEmpty {
            try await Task.sleep(for: .milliseconds(250))
        }
        let first = exporter.gridTime() + Self.gridMs
        while exporter.gridTime() < first + 7 * Self.gridMs { try await Task.sleep(for: .milliseconds(250)) }
        try await Task.sleep(for: .seconds(3))
        let last = exporter.gridTime() - Self.gridMs
        let evaluation = last + Self.gridMs / 2

        let systems = [
            ("prometheus", prometheusPort), ("vigil (scraping)", vigilScraping),
            ("vigil (remote_write)", vigilReceiving),
        ]
        var compared = 0
        for query in Self.queries(evaluation: evaluation, first: first) {
            var answers: [(String, QueryAnswer)] = []
            for (name, port) in systems {
                answers.append((name, try await QueryAnswer.fetch(port: port, query)))
            }
            let reference = answers[0].1
            #expect(!reference.series.isEmpty, "Prometheus has no data for \(query)")
            for (name, answer) in answers.dropFirst() {
                let difference = reference.difference(from: answer)
                #expect(difference == nil, "\(name) differs from Prometheus for \(query): \(difference ?? "")")
            }
            compared += 1
        }
        #expect(compared >= 20)
    }

    /// Instant queries at `evaluation` and range queries over the data, the bench harness's among them
    /// (with its `node` label spelt `Hostname`, as dcgm-exporter writes it).
    static func queries(evaluation: Int64, first: Int64) -> [ComparedQuery] {
        let instant = [
            "DCGM_FI_DEV_GPU_UTIL",
            "avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL)",
            "sum by (Hostname) (rate(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION[20s])) / 1000",
            "max by (Hostname) (DCGM_FI_DEV_GPU_TEMP)",
            "quantile_over_time(0.95, DCGM_FI_DEV_POWER_USAGE[20s])",
            "topk(3, avg_over_time(DCGM_FI_DEV_GPU_UTIL[20s]))",
            "count(DCGM_FI_DEV_GPU_UTIL >= 0)",
            "sum(DCGM_FI_DEV_FB_USED) / (sum(DCGM_FI_DEV_FB_USED) + sum(DCGM_FI_DEV_FB_FREE))",
            "max_over_time(DCGM_FI_DEV_XID_ERRORS[30s]) >= 0",
            "increase(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION[20s])",
            "irate(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION[20s])",
            "deriv(DCGM_FI_DEV_GPU_TEMP[20s])",
            "stddev by (Hostname) (DCGM_FI_DEV_POWER_USAGE)",
            "count_values(\"temp\", DCGM_FI_DEV_GPU_TEMP)",
            "DCGM_FI_DEV_POWER_USAGE / on (UUID) DCGM_FI_DEV_GPU_TEMP",
            "label_replace(DCGM_FI_DEV_GPU_UTIL, \"node\", \"$1\", \"Hostname\", \"(.*)\")",
            "sort_desc(sum by (modelName) (DCGM_FI_DEV_FB_USED))",
            "changes(DCGM_FI_DEV_SM_CLOCK[30s])",
            "min_over_time(DCGM_FI_DEV_MEM_COPY_UTIL[30s]) + max_over_time(DCGM_FI_DEV_MEM_COPY_UTIL[30s])",
            "DCGM_FI_DEV_GPU_TEMP offset 10s",
            "avg_over_time(DCGM_FI_DEV_GPU_UTIL[30s:5s])",
        ].map { ComparedQuery.instant($0, at: evaluation) }
        let start = first + gridMs / 2
        let range = [
            "avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL)",
            "sum by (Hostname) (rate(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION[10s]))",
            "max by (Hostname) (DCGM_FI_DEV_GPU_TEMP)",
            "DCGM_FI_DEV_POWER_USAGE",
        ].map { ComparedQuery.range($0, start: start, end: evaluation, stepMs: gridMs) }
        return instant + range
    }
}

/// One query against a system's `/api/v1/query` or `/api/v1/query_range`.
struct ComparedQuery: CustomStringConvertible, Sendable {
    var expression: String
    var parameters: [(String, String)]
    var path: String

    static func instant(_ expression: String, at time: Int64) -> ComparedQuery {
        ComparedQuery(expression: expression, parameters: [("time", seconds(time))], path: "/api/v1/query")
    }

    static func range(_ expression: String, start: Int64, end: Int64, stepMs: Int64) -> ComparedQuery {
        ComparedQuery(
            expression: expression,
            parameters: [("start", seconds(start)), ("end", seconds(end)), ("step", seconds(stepMs))],
            path: "/api/v1/query_range")
    }

    static func seconds(_ milliseconds: Int64) -> String { String(format: "%.3f", Double(milliseconds) / 1000) }

    var description: String { "\(path) \(expression)" }
}

/// A query's answer reduced to what must agree: series (labels) → timestamp (ms) → value.
struct QueryAnswer {
    var resultType: String
    var series: [[String: String]: [Int64: Double]]

    static func fetch(port: Int, _ query: ComparedQuery) async throws -> QueryAnswer {
        var components = URLComponents(string: "http://127.0.0.1:\(port)\(query.path)")!
        components.queryItems =
            [URLQueryItem(name: "query", value: query.expression)]
            + query.parameters.map { URLQueryItem(name: $0.0, value: $0.1) }
        let encoded = components.percentEncodedQuery!.replacingOccurrences(of: "+", with: "%2B")
        let body = try await ExternalTools.get("http://127.0.0.1:\(port)\(query.path)?\(encoded)")
        guard let json = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            json["status"] as? String == "success", let data = json["data"] as? [String: Any],
            let resultType = data["resultType"] as? String
        else { throw TestFailure("unexpected answer to \(query): \(String(decoding: body, as: UTF8.self))") }
        var series: [[String: String]: [Int64: Double]] = [:]
        func point(_ pair: Any) -> (Int64, Double)? {
            guard let pair = pair as? [Any], pair.count == 2, let time = pair[0] as? Double,
                let text = pair[1] as? String, let value = Double(text)
            else { return nil }
            return (Int64((time * 1000).rounded()), value)
        }
        switch resultType {
        case "scalar":
            if let (time, value) = point(data["result"] as Any) { series[[:]] = [time: value] }
        default:
            for element in data["result"] as? [[String: Any]] ?? [] {
                let labels = element["metric"] as? [String: String] ?? [:]
                let points = (element["values"] as? [Any]) ?? (element["value"].map { [$0] } ?? [])
                series[labels] = Dictionary(points.compactMap(point), uniquingKeysWith: { first, _ in first })
            }
        }
        return QueryAnswer(resultType: resultType, series: series)
    }

    /// Nil when `other` agrees with this answer, else what differs first.
    func difference(from other: QueryAnswer) -> String? {
        guard resultType == other.resultType else { return "result type \(other.resultType), not \(resultType)" }
        guard Set(series.keys) == Set(other.series.keys) else {
            let missing = Set(series.keys).subtracting(other.series.keys).prefix(3)
            let extra = Set(other.series.keys).subtracting(series.keys).prefix(3)
            return "series differ: missing \(Array(missing)), extra \(Array(extra))"
        }
        for (labels, points) in series {
            let theirs = other.series[labels]!
            guard Set(points.keys) == Set(theirs.keys) else {
                return "\(labels): timestamps \(theirs.keys.sorted()), not \(points.keys.sorted())"
            }
            for (time, value) in points {
                let their = theirs[time]!
                let close =
                    value == their || (value.isNaN && their.isNaN)
                    || abs(value - their) <= 1e-6 * max(abs(value), abs(their))
                if !close { return "\(labels) at \(time): \(their), not \(value)" }
            }
        }
        return nil
    }
}

/// A loopback exporter serving a two-node simulated cluster (dcgm-exporter names), each sample
/// stamped with the start of the 5 s step it describes.
final class TimestampedSimulationExporter: Sendable {
    let port: Int
    private let task: Task<Void, any Error>
    private let grid: Int64

    private init(port: Int, task: Task<Void, any Error>, grid: Int64) {
        self.port = port
        self.task = task
        self.grid = grid
    }

    func gridTime() -> Int64 { Self.wallClockMs() / grid * grid }

    static func wallClockMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func start(grid: Int64 = PrometheusComparisonTests.gridMs) async throws -> TimestampedSimulationExporter {
        let cluster = try SimulatedCluster(
            nodes: 2, gpusPerNode: 4, seed: 42, now: { wallClockMs() / grid * grid })
        let formats = cluster.nodeNames.map { DCGMExporterFormat(hostname: $0) }
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            let stamp = wallClockMs() / grid * grid
            var families: [MetricFamily] = []
            for node in 0..<cluster.nodeNames.count {
                for var family in formats[node].metrics(for: cluster.readings(node: node)).families {
                    for index in family.samples.indices { family.samples[index].timestampMs = stamp }
                    families.append(family)
                }
            }
            // One family per name, as an exposition must have it.
            let merged = MetricSet(families).families
            let body = ExpositionEncoder.encode(merged, format: .text)
            return Response(
                status: .ok, headers: [.contentType: ExpositionFormat.text.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        let port = ExternalTools.freePort()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        let task = Task { try await app.runService() }
        let exporter = TimestampedSimulationExporter(port: port, task: task, grid: grid)
        for _ in 0..<100 {
            if (try? await ExternalTools.get("http://127.0.0.1:\(port)/metrics")) != nil { return exporter }
            try await Task.sleep(for: .milliseconds(50))
        }
        exporter.stop()
        throw TestFailure("the test exporter did not start on port \(port)")
    }

    func stop() { task.cancel() }
}
