import ArgumentParser
import Foundation
import Logging
import VigilBenchmarks
import VigilCollectors
import VigilEncoding
import VigilExposition
import VigilGPU
import VigilModel

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark programs for Vigil's hot paths (figures go in docs/benchmarks.md).",
        discussion: "Build with -c release before measuring: swift run -c release vigil bench host",
        subcommands: [
            HostBench.self, GPUBench.self, ExpositionBench.self, ChunksBench.self, ScrapeBench.self,
            RemoteWriteBench.self, APIBench.self, TSDBBench.self, PromQLBench.self, RulesBench.self,
            DashboardBench.self,
        ]
    )
}

struct HostBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "host", abstract: "Time one full host collection plus text encoding.")

    @Option(help: "Collections to time.") var iterations = 1000
    @Flag(help: "Print the result as JSON.") var json = false

    func validate() throws {
        guard iterations > 0 else { throw ValidationError("--iterations must be at least 1, e.g. --iterations 1000") }
    }

    func run() throws {
        let result = HostCollectionBenchmark.run(iterations: iterations)
        if json {
            let object: [String: Any] = [
                "iterations": result.iterations, "samples": result.samples, "encoded_bytes": result.encodedBytes,
                "mean_us": result.meanMicroseconds, "p50_us": result.p50Microseconds, "p99_us": result.p99Microseconds,
                "cpu_us_per_collection": result.cpuMicrosecondsPerCollection,
                "core_percent_at_1s": result.corePercent(atInterval: 1),
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print(
            "host collection + text encoding, \(result.iterations) runs, \(result.samples) samples, \(result.encodedBytes) bytes"
        )
        print(
            String(
                format: "  wall: mean %.0f µs, p50 %.0f µs, p99 %.0f µs", result.meanMicroseconds,
                result.p50Microseconds, result.p99Microseconds))
        print(
            String(
                format: "  cpu:  %.0f µs per collection = %.3f %% of one core at a 1 s interval",
                result.cpuMicrosecondsPerCollection, result.corePercent(atInterval: 1)))
    }
}

struct ExpositionBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exposition",
        abstract: "Parser throughput on an exposition file (default: this host's own metrics, repeated to ~10 MB).")

    @Option(help: "A Prometheus text or OpenMetrics file to parse.") var file: String?
    @Option(help: "Format of --file: text or openmetrics.") var format = "text"
    @Option(help: "Seconds to run.") var seconds = 3.0

    func run() throws {
        let parseFormat: ExpositionFormat = format == "openmetrics" ? .openMetrics : .text
        let input: [UInt8]
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read --file \(file)")
            }
            input = Array(data)
        } else {
            let registry = CollectorRegistry(
                collectors: HostCollectors.make(enabled: Set(HostCollectors.allNames)), logger: .init(label: "bench"))
            let families = registry.collect(paths: HostPaths()).families
            input = ExpositionInput.repeated(families, format: parseFormat, toBytes: 10_000_000)
        }
        let result = ExpositionBenchmark.run(input: input, format: parseFormat, seconds: seconds)
        print(
            String(
                format: "parsed %d bytes (%d samples) repeatedly: %.1f MB/s, %.2f M samples/s",
                input.count, result.samples, result.bytesPerSecond / 1e6, result.samplesPerSecond / 1e6))
    }
}

struct GPUBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpu",
        abstract: "Time one GPU backend read plus dcgm-exporter mapping and encoding.",
        discussion: "NVML against the test suite's fake library: scripts/bench-gpu.sh builds it and runs this.")

    @OptionGroup var gpu: GPUOptions
    @Option(help: "Collections to time.") var iterations = 1000

    func run() throws {
        guard let backend = try gpu.makeBackend(logger: Logger(label: "bench")) else {
            throw ValidationError("no GPU backend on this machine; use --gpu-backend sim, or nvml with --nvml-library")
        }
        let result = try GPUCollectionBenchmark.run(backend: backend, iterations: iterations)
        print("\(backend.name): \(result.gpus) GPUs, \(result.samples) samples, \(result.iterations) runs")
        print(
            String(
                format: "  wall: mean %.1f µs (p99 %.1f µs) = %.1f µs per GPU, of which the backend read %.1f µs",
                result.meanMicroseconds, result.p99Microseconds, result.microsecondsPerGPU,
                result.readMicrosecondsPerGPU))
        print(
            String(
                format: "  cpu:  %.1f µs per collection = %.3f %% of one core at a 1 s interval",
                result.cpuMicrosecondsPerCollection, result.cpuMicrosecondsPerCollection / 1e4))
    }
}

struct ChunksBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chunks",
        abstract:
            "XOR and packed chunks: bytes per sample and encode/decode speed on DCGM-like series; snappy and CRC32C speed."
    )

    @Option(help: "Seconds per measurement.") var seconds = 1.0

    func run() {
        for encoding in EncodingBenchmark.ChunkEncoding.allCases {
            print(
                "\(encoding.rawValue) chunks of \(encoding.defaultSamplesPerChunk) samples, 15 s step"
                    + "\nseries                 bytes/sample  encode M/s  decode M/s")
            for kind in EncodingBenchmark.SeriesKind.allCases {
                let figures = EncodingBenchmark.chunks(kind, encoding: encoding, seconds: seconds)
                print(
                    kind.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)
                        + String(
                            format: " %12.2f %11.1f %11.1f", figures.bytesPerSample,
                            figures.encodeSamplesPerSecond / 1e6, figures.decodeSamplesPerSecond / 1e6))
            }
            print(
                String(
                    format: "20-metric DCGM mix: %.3f bytes/sample exact 15 s, %.3f with ±2 ms scrape jitter\n",
                    EncodingBenchmark.dcgmMixBytesPerSample(encoding: encoding),
                    EncodingBenchmark.dcgmMixBytesPerSample(encoding: encoding, jitterMs: 2)))
        }
        let text = EncodingBenchmark.generateMetricsText(byteCount: 1 << 20)
        let snappy = EncodingBenchmark.snappy(text, seconds: seconds)
        print(
            String(
                format: "snappy on 1 MiB of metrics text: %.1f %% of input, compress %.0f MB/s, decompress %.0f MB/s",
                Double(snappy.compressedBytes) / Double(snappy.inputBytes) * 100,
                snappy.compressMegabytesPerSecond, snappy.decompressMegabytesPerSecond))
        print(String(format: "crc32c: %.0f MB/s", EncodingBenchmark.crc32c(text, seconds: seconds).megabytesPerSecond))
    }
}

/// `vigil bench rules`: alerting-rule evaluation over the demo cluster's data, and the notifier's latency.
struct RulesBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract:
            "CPU per 15 s round of N alerting rules (plus the built-in pack) over the demo cluster; notifier latency.",
        discussion: """
            The data set is the one of `vigil bench promql` (K nodes × 8 GPUs, 1 h of 15 s samples) in a TSDB head; \
            the rules are generated (thresholds, rate, max_over_time, avg by, predict_linear, histogram_quantile; a \
            third with `for`), 20 per group at 15 s, and evaluated for M rounds ending at the last sample. Then \
            --alerts firing alerts are routed and grouped, and the flush at group_wait is timed.
            Example: vigil bench rules --rules 1000 --rounds 20 --nodes 8
            """)

    @Option(help: "Generated alerting rules.") var rules = 1000
    @Option(help: "Evaluation rounds, 15 s apart.") var rounds = 20
    @Option(help: "Nodes of 8 GPUs (178 series each).") var nodes = 8
    @Option(help: "Firing alerts for the notifier benchmark (0 to skip it).") var alerts = 10_000
    @Flag(help: "Leave out the built-in GPU-cluster rule pack.") var noBuiltinRules = false
    @Flag(help: "Print the result as JSON.") var json = false

    func validate() throws {
        guard rules >= 0, rounds > 0, nodes > 0, alerts >= 0 else {
            throw ValidationError("--rounds and --nodes must be positive, --rules and --alerts not negative")
        }
    }

    func run() async throws {
        let r = try RulesBenchmark.run(nodes: nodes, rules: rules, rounds: rounds, builtinPack: !noBuiltinRules)
        let n = alerts > 0 ? try await RulesBenchmark.runNotifier(alerts: alerts) : nil
        if json {
            var object: [String: Any] = [
                "nodes": r.nodes, "series": r.series, "generated_rules": r.generatedRules,
                "builtin_rules": r.builtinRules, "groups": r.groups, "rounds": r.rounds,
                "rules_evaluated": r.rulesEvaluated, "rule_failures": r.ruleFailures,
                "samples_written": r.samplesWritten, "alerts_sent": r.alertsSent, "pending_alerts": r.pendingAlerts,
                "firing_alerts": r.firingAlerts, "cpu_seconds_per_round": r.cpuSecondsPerRound,
                "wall_seconds_per_round": r.wallSecondsPerRound, "core_percent_at_15s": r.corePercent(atInterval: 15),
                "group_p50_ms": r.groupMedianMilliseconds, "group_p99_ms": r.groupP99Milliseconds,
                "group_max_ms": r.groupMaxMilliseconds,
            ]
            if let n {
                object["notifier_alerts"] = n.alerts
                object["notifier_ingest_seconds"] = n.ingestSeconds
                object["notifier_flush_seconds"] = n.flushSeconds
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print(
            "\(r.generatedRules) generated + \(r.builtinRules) built-in alerting rules in \(r.groups) groups over "
                + "\(r.series) series (\(r.nodes) nodes × 8 GPUs, \(r.loadedSamples) samples), \(r.rounds) rounds of 15 s"
        )
        print(
            "  \(r.rulesEvaluated) rule evaluations, \(r.ruleFailures) failed; \(r.samplesWritten) samples written; "
                + "\(r.alertsSent) alerts sent; \(r.firingAlerts) firing and \(r.pendingAlerts) pending at the end")
        print(
            String(
                format: "  cpu:  %.3f s per round = %.2f %% of one core at a 15 s interval (wall %.3f s per round)",
                r.cpuSecondsPerRound, r.corePercent(atInterval: 15), r.wallSecondsPerRound))
        print(
            String(
                format: "  group evaluation: median %.2f ms, p99 %.2f ms, max %.2f ms", r.groupMedianMilliseconds,
                r.groupP99Milliseconds, r.groupMaxMilliseconds))
        if let n {
            print(
                String(
                    format:
                        "notifier: %d firing alerts routed and grouped in %.3f s; group_wait to notifications computed: %.3f s",
                    n.alerts, n.ingestSeconds, n.flushSeconds))
        }
    }
}
