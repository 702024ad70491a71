import ArgumentParser
import Foundation
import VigilBenchmarks
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
