import Foundation
import Logging
import Synchronization
import Testing
import VigilTestSupport
import VigilConfig
import VigilModel
import VigilRemote
import VigilStorage

/// remote_write against Debian's real Prometheus (2.42), both ways: Vigil's sender into Prometheus's
/// receiver, and Prometheus's sender into Vigil's receiver. Skipped when `prometheus` is not installed,
/// except in CI, where it is.
@Suite("remote_write with a real Prometheus", .serialized, .timeLimit(.minutes(3)))
struct PrometheusPeerTests {
    /// A Prometheus on a free loopback port with its own data directory, receiving remote writes.
    final class Prometheus: Sendable {
        let child: ChildProcess
        let directory: URL
        let base: String

        init(config: String) async throws {
            let path = try #require(ExternalTools.path(of: "prometheus"), "prometheus must be installed in CI")
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-rw-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try config.write(to: directory.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
            let port = ExternalTools.freePort()
            base = "http://127.0.0.1:\(port)"
            child = try ChildProcess(
                path,
                [
                    "--config.file=\(directory.path)/prometheus.yml", "--storage.tsdb.path=\(directory.path)/data",
                    "--web.listen-address=127.0.0.1:\(port)", "--web.enable-remote-write-receiver",
                ])
            do {
                try await child.waitForHTTP(base + "/-/ready")
            } catch {
                stop()
                throw error
            }
        }

        func stop() {
            child.stop()
            try? FileManager.default.removeItem(at: directory)
        }

        /// The series and samples of a range-vector query, as Prometheus returns them.
        func matrix(_ query: String, at time: Double) async throws -> [Labels: [Sample]] {
            var components = URLComponents(string: base + "/api/v1/query")!
            components.queryItems = [
                URLQueryItem(name: "query", value: query), URLQueryItem(name: "time", value: "\(time)"),
            ]
            let body = try await ExternalTools.get(components.url!.absoluteString)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
            let data = try #require(json["data"] as? [String: Any], "\(json)")
            #expect(data["resultType"] as? String == "matrix")
            var result: [Labels: [Sample]] = [:]
            for series in data["result"] as? [[String: Any]] ?? [] {
                let metric = series["metric"] as? [String: String] ?? [:]
                let labels = Labels(metric.map { Label($0.key, $0.value) })
                result[labels] = (series["values"] as? [[Any]] ?? []).map { pair in
                    let seconds = (pair[0] as? NSNumber)?.doubleValue ?? 0
                    let value = Double(pair[1] as? String ?? "") ?? .nan
                    return Sample(Int64((seconds * 1000).rounded()), value)
                }
            }
            return result
        }
    }

    @Test(.enabled(if: ExternalTools.shouldRun("prometheus"), "prometheus not installed (apt-get install prometheus)"))
    func vigilSenderWritesIntoPrometheus() async throws {
        let prometheus = try await Prometheus(config: "global: { scrape_interval: 1m }\n")
        defer { prometheus.stop() }
        let config = RemoteWriteConfig(
            url: prometheus.base + "/api/v1/write", name: "prometheus",
            queueConfig: QueueConfig(maxSamplesPerSend: 7, batchSendDeadline: .milliseconds(20)))
        let sender = try RemoteWriteSender(config: config, logger: quietLogger)
        // Ten samples per series, 1 s apart, ending a minute ago; odd values Go and Swift print alike.
        let end = (WallClock.nowMilliseconds() / 1000 - 60) * 1000
        let series: [Labels] = [
            ["__name__": "vigil_rw_test", "gpu": "0", "modelName": "NVIDIA H100 80GB HBM3"],
            ["__name__": "vigil_rw_test", "gpu": "1", "note": "ünïcödé \"quoted\""],
            ["__name__": "vigil_rw_other", "job": "sender"],
        ]
        var expected: [Labels: [Sample]] = [:]
        var samples: [RemoteWriteSample] = []
        for (index, labels) in series.enumerated() {
            for step in 0..<10 {
                let sample = Sample(end - Int64(9 - step) * 1000, Double(index) * 1.5 + Double(step) / 3 - 2)
                expected[labels, default: []].append(sample)
                samples.append(RemoteWriteSample(labels: labels, timestamp: sample.timestamp, value: sample.value))
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await sender.run() }
            sender.enqueue(samples)
            try await waitUntil("30 samples sent") {
                sender.metricFamilies().first { $0.name == "vigil_remote_write_sent_samples_total" }?.samples.first?
                    .value == 30
            }
            group.cancelAll()
        }
        let stored = try await prometheus.matrix(#"{__name__=~"vigil_rw_.*"}[1m]"#, at: Double(end) / 1000 + 0.5)
        #expect(stored.count == 3)
        for (labels, samples) in expected {
            let got = stored[labels] ?? []
            #expect(got.count == samples.count, "\(labels)")
            for (ours, theirs) in zip(samples, got) {
                #expect(ours.timestamp == theirs.timestamp)
                #expect(abs(ours.value - theirs.value) <= 1e-12 * max(1, abs(ours.value)), "\(labels)")
            }
        }
    }

    @Test(.enabled(if: ExternalTools.shouldRun("prometheus"), "prometheus not installed (apt-get install prometheus)"))
    func prometheusSenderWritesIntoVigil() async throws {
        let receiver = LoopbackReceiver()
        receiver.exposition.withLock {
            $0 = """
                # HELP gpu_energy_joules_total Energy.
                # TYPE gpu_energy_joules_total counter
                gpu_energy_joules_total{gpu="0"} 123456.5
                gpu_energy_joules_total{gpu="1"} 7.25e+06
                # TYPE gpu_temperature_celsius gauge
                gpu_temperature_celsius{gpu="0",modelName="NVIDIA H200"} 41
                gpu_temperature_celsius{gpu="1",modelName="NVIDIA H200"} NaN

                """
        }
        try await receiver.serve { url in
            let target = url.replacingOccurrences(of: "http://", with: "").replacingOccurrences(
                of: "/api/v1/write", with: "")
            let prometheus = try await Prometheus(
                config: """
                    global: { scrape_interval: 1s, scrape_timeout: 1s }
                    scrape_configs:
                      - job_name: exporter
                        static_configs: [{ targets: ["\(target)"] }]
                    remote_write:
                      - url: "\(url)"
                        queue_config: { batch_send_deadline: 100ms, min_backoff: 10ms, max_backoff: 100ms }
                    """)
            defer { prometheus.stop() }
            // Three scrapes' worth reach Vigil.
            try await waitUntil("three scrapes received") {
                ((try? contents(of: receiver.storage)[["__name__": "up", "instance": target, "job": "exporter"]])??
                    .count ?? 0) >= 3
            }
            let now = Double(WallClock.nowMilliseconds()) / 1000
            let stored = try await prometheus.matrix(#"{job="exporter"}[1h]"#, at: now)
            #expect(stored.keys.contains { $0.metricName == "gpu_temperature_celsius" })
            #expect(stored.count >= 9, "4 exposed series and 5 synthetic ones (up, scrape_*)")
            // Everything Prometheus stored is in Vigil's storage (waiting for what it had not sent yet).
            var missing: [String] = []
            for _ in 0..<100 {
                let ours = try contents(of: receiver.storage)
                missing = stored.flatMap { labels, samples in
                    samples.filter { sample in
                        // The API prints every NaN as "NaN"; Go's NaN has other bits than Swift's parse of it.
                        !(ours[labels] ?? []).contains {
                            $0.timestamp == sample.timestamp
                                && ($0.value == sample.value || ($0.value.isNaN && sample.value.isNaN))
                        }
                    }.map { "\(labels) \($0)" }
                }
                if missing.isEmpty { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(missing.isEmpty, "not received: \(missing.prefix(5))")
            let requests = receiver.receiver.metricFamilies().first {
                $0.name == "vigil_remote_write_received_requests_total"
            }
            #expect(
                requests?.samples.allSatisfy { $0.labels["code"] == "204" } == true, "\(String(describing: requests))")
        }
    }
}
