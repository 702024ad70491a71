import ArgumentParser
import Foundation
import VigilBenchmarks
import VigilPromQL
import VigilRemote
import VigilServer

/// `vigil bench scrape`: the scrape manager against a loopback exporter.
struct ScrapeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scrape",
        abstract: "Scrape N loopback targets × M series on the real clock; CPU per scrape and missed scrapes.")

    @Option(help: "Targets.") var targets = 1000
    @Option(help: "Series per target.") var series = 1000
    @Option(help: "Scrape interval in seconds.") var interval = 15
    @Option(help: "Measured intervals (after one warm-up interval).") var intervals = 3

    func validate() throws {
        guard targets > 0, series > 0, interval > 0, intervals > 0 else {
            throw ValidationError("--targets, --series, --interval and --intervals must be positive")
        }
    }

    func run() async throws {
        let result = try await ScrapeBenchmark.run(
            targets: targets, seriesPerTarget: series, intervalSeconds: interval, intervals: intervals)
        print(
            "\(result.targets) targets × \(result.seriesPerTarget) series every \(interval) s, \(result.bodyBytes) bytes each"
        )
        print(
            String(
                format: "  %d scrapes, %d failed, %d missed in %.0f s; %.2f ms CPU per scrape = %.1f %% of one core",
                result.scrapes, result.failedScrapes, result.missedScrapes, result.measuredSeconds,
                result.cpuMicrosecondsPerScrape / 1000, result.corePercent))
        print(String(format: "  first interval (series created): %.1f s CPU", result.warmupCPUSeconds))
    }
}

/// `vigil bench remote-write`: the codec and the receiver's append path.
struct RemoteWriteBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote-write",
        abstract: "remote_write encode (sender), decode and receive-into-storage throughput.")

    @Option(help: "Series per request.") var series = 1000
    @Option(help: "Samples per series per request.") var samples = 2
    @Option(help: "Requests per measurement.") var requests = 200

    func run() throws {
        let result = RemoteWriteBenchmark.run(series: series, samplesPerSeries: samples, requests: requests)
        print(
            "\(result.samplesPerRequest) samples per request, \(String(format: "%.1f", result.bytesPerSample)) bytes/sample compressed"
        )
        print(
            String(
                format: "  encode %.2f M samples/s, decode %.2f M samples/s, receive into storage %.2f M samples/s",
                result.encodeSamplesPerSecond / 1e6, result.decodeSamplesPerSecond / 1e6,
                result.receiveSamplesPerSecond / 1e6))
    }
}

/// `vigil bench api`: the API's JSON encoding of a query result.
struct APIBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api", abstract: "JSON encoding speed of a large range-query result (Prometheus's format).")

    @Option(help: "Series in the matrix.") var series = 1000
    @Option(help: "Points per series.") var points = 1000
    @Option(help: "Encodings to time.") var iterations = 5

    func run() throws {
        print(APIEncodingBenchmark.run(series: series, pointsPerSeries: points, iterations: iterations))
    }
}

/// `vigil bench tsdb`: ingest rate, head memory per series and block density.
struct TSDBBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tsdb",
        abstract: "TSDB ingest (appenders, WAL with fsync), head memory per series, block bytes per sample.",
        discussion: "DCGM-shaped series: 20 dcgm-exporter counters × 8 GPUs per node, 15 s samples.")

    @Option(help: "Nodes of 8 GPUs (160 series each).") var nodes = 16
    @Option(help: "Hours of 15 s samples (at least 4, so that a block is cut).") var hours = 6
    @Option(help: "Scratch data directory (default: a new temporary one, removed afterwards).") var dataDir: String?

    func validate() throws {
        guard nodes > 0 else { throw ValidationError("--nodes must be at least 1") }
        guard hours >= 4 else { throw ValidationError("--hours must be at least 4, e.g. --hours 6") }
    }

    func run() throws {
        let directory =
            dataDir
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-\(UUID().uuidString)").path
        defer { if dataDir == nil { try? FileManager.default.removeItem(atPath: directory) } }
        let result = try TSDBBenchmark.run(nodes: nodes, samplesPerSeries: hours * 240, directory: directory)
        print("\(result.series) series × \(result.samples / result.series) samples = \(result.samples) samples")
        print(
            String(
                format: "  ingest: %.2f M samples/s (%.1f CPU-s); head: %.0f bytes per series after 2 h",
                result.ingestSamplesPerSecond / 1e6, result.ingestCPUSeconds, result.headBytesPerSeries))
        print(
            String(
                format: "  cut into blocks in %.2f s: %.3f bytes/sample", result.cutSeconds, result.blockBytesPerSample)
        )
    }
}

/// `vigil bench promql`: the bench harness's 12 queries on its GPU-cluster data set, in memory.
struct PromQLBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promql",
        abstract: "Median latency of the bench harness's 12 PromQL queries on an in-memory GPU-cluster data set.",
        discussion: """
            The data set has the shape of ../shared/bench/gpucluster.py (DCGM gauges and counters, node series, \
            a classic histogram; 15 s samples) in a TSDB head, or with --blocks in compacted blocks as a server \
            holds imported data; the queries are bench.py's, with its ranges and steps.
            Example: vigil bench promql --nodes 4 --hours 24 --blocks
            """)

    @Option(help: "Nodes of 8 GPUs (178 series each).") var nodes = 4
    @Option(help: "Hours of 15 s samples.") var hours = 24
    @Option(help: "Timed runs per query (after one warm-up run).") var iterations = 10
    @Option(name: .customLong("query"), help: "Run only this query (Q1…Q12); repeatable.") var queries: [String] = []
    @Flag(help: "Evaluate every query step by step (the engine's reference path), for comparison.")
    var stepByStep = false
    @Flag(help: "Write the data set into blocks (a TSDB in a temporary directory, compacted) and query those.")
    var blocks = false

    func validate() throws {
        guard nodes > 0, hours > 0, iterations > 0 else {
            throw ValidationError("--nodes, --hours and --iterations must be positive, e.g. --nodes 4 --hours 24")
        }
    }

    func run() throws {
        let clock = ContinuousClock()
        let started = clock.now
        let directory = FileManager.default.temporaryDirectory.path + "/vigil-bench-promql-\(UUID().uuidString)"
        defer { if blocks { try? FileManager.default.removeItem(atPath: directory) } }
        let data = try PromQLBenchmark.makeDataSet(nodes: nodes, hours: hours, blocksIn: blocks ? directory : nil)
        let built = clock.now - started
        print("\(data.series) series × \(data.samples / max(data.series, 1)) samples, built in \(built)")
        let engine = Engine(options: Engine.Options(wholeRangeEvaluation: !stepByStep))
        let figures = try PromQLBenchmark.run(
            dataSet: data, iterations: iterations, engine: engine, only: queries.isEmpty ? nil : Set(queries))
        for figure in figures {
            let shape = "\(figure.resultSeries) series, \(figure.resultPoints) points"
            print(
                figure.query.name.padding(toLength: 4, withPad: " ", startingAt: 0)
                    + String(
                        format: " %9.3f ms median (min %8.3f)  ", figure.medianMilliseconds, figure.minMilliseconds)
                    + shape.padding(toLength: 26, withPad: " ", startingAt: 0) + figure.query.expression)
        }
    }
}

/// `vigil bench dashboard`: the built-in dashboard's server time per page over a simulated fleet.
struct DashboardBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Server time (PromQL gather + HTML render) of the dashboard's pages over N simulated nodes.",
        discussion: """
            N nodes × 8 GPUs with their hosts, as `vigil server --demo --demo-nodes N` exposes them, scraped every \
            15 s for the last --minutes into a TSDB head; then the overview, a node page, an explore graph and the \
            status page are each gathered and rendered --runs times. The issue's target: the overview of 64 nodes \
            (512 GPUs) in under 300 ms of server time.
            Example: vigil bench dashboard --nodes 64 --minutes 60
            """)

    @Option(help: "Simulated nodes of 8 GPUs.") var nodes = 64
    @Option(help: "Minutes of history at 15 s.") var minutes = 60
    @Option(help: "Renders of each page.") var runs = 10

    func validate() throws {
        guard nodes > 0, minutes > 0, runs > 0 else {
            throw ValidationError("--nodes, --minutes and --runs must be positive")
        }
    }

    func run() async throws {
        print(try await DashboardBenchmark.run(nodes: nodes, minutes: minutes, runs: runs), terminator: "")
    }
}
