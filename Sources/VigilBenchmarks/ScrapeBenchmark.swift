import Hummingbird
import Logging
import NIOCore
import Synchronization
import VigilConfig
import VigilExposition
import VigilModel
import VigilScrape
import VigilStorage

#if canImport(Glibc)
    import Glibc
#endif

/// N targets × M series scraped for real: a loopback Hummingbird exporter serves every target (the
/// blackbox pattern: `?target=tN` in the URL, `instance` from it), a ``ScrapeManager`` on the system
/// clock scrapes them into a counting appendable, and the process's CPU time is measured.
///
/// The exporter runs in the same process, so the CPU figure is an upper bound on scraping's cost.
public enum ScrapeBenchmark {
    public struct Result: Sendable {
        public var targets: Int
        public var seriesPerTarget: Int
        public var bodyBytes: Int
        public var intervalSeconds: Double
        /// The measured window (after one warm-up interval that fills the scrape caches).
        public var measuredSeconds: Double
        /// Scrapes in the window (`up` samples appended), how many of them failed, and how many the
        /// schedule called for but did not happen.
        public var scrapes: Int
        public var failedScrapes: Int
        public var missedScrapes: Int
        public var samplesAppended: Int
        /// Process CPU (user + system) in the window.
        public var cpuSeconds: Double
        /// Process CPU in the warm-up interval (first scrapes: labels built, series created).
        public var warmupCPUSeconds: Double

        public var cpuMicrosecondsPerScrape: Double { cpuSeconds * 1e6 / Double(max(scrapes, 1)) }
        /// Percent of one core.
        public var corePercent: Double { cpuSeconds / measuredSeconds * 100 }
    }

    /// Runs one warm-up interval then `intervals` measured ones.
    public static func run(
        targets: Int, seriesPerTarget: Int, intervalSeconds: Int = 15, intervals: Int = 3
    ) async throws -> Result {
        let body = exposition(series: seriesPerTarget)
        let router = Router()
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: ExpositionFormat.text.contentType],
                body: ResponseBody(byteBuffer: body))
        }
        let port = Mutex(0)
        let (started, startedSink) = AsyncStream.makeStream(of: Void.self)
        let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                port.withLock { $0 = channel.localAddress?.port ?? 0 }
                startedSink.yield()
            }, logger: quiet)
        let storage = CountingAppendable()
        let manager = ScrapeManager(appendable: storage, logger: quiet)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            for await _ in started { break }
            var config = ScrapeConfig(
                jobName: "bench", scrapeInterval: .seconds(intervalSeconds),
                scrapeTimeout: .seconds(min(intervalSeconds, 10)),
                staticConfigs: [TargetGroup(targets: (0..<targets).map { "t\($0)" })])
            config.relabelConfigs = [
                RelabelConfig(sourceLabels: ["__address__"], targetLabel: "__param_target"),
                RelabelConfig(sourceLabels: ["__param_target"], targetLabel: "instance"),
                RelabelConfig(targetLabel: "__address__", replacement: "127.0.0.1:\(port.withLock { $0 })"),
            ]
            var configuration = VigilConfiguration()
            configuration.scrapeConfigs = [config]
            group.addTask { try await manager.run() }
            await manager.apply(configuration)
            let clock = ContinuousClock()
            let interval = Duration.seconds(intervalSeconds)
            let warmupCPU = ProcessUsage.cpuSeconds()
            try await Task.sleep(for: interval)
            let before = storage.counts
            let cpuBefore = ProcessUsage.cpuSeconds()
            let start = clock.now
            try await Task.sleep(for: interval * intervals)
            let (wholeSeconds, attoseconds) = (clock.now - start).components
            let elapsed = Double(wholeSeconds) + Double(attoseconds) / 1e18
            let cpu = ProcessUsage.cpuSeconds() - cpuBefore
            let after = storage.counts
            group.cancelAll()
            let scrapes = after.up - before.up
            let expected = Int((Double(targets) * elapsed / Double(intervalSeconds)).rounded(.down))
            return Result(
                targets: targets, seriesPerTarget: seriesPerTarget, bodyBytes: body.readableBytes,
                intervalSeconds: Double(intervalSeconds), measuredSeconds: elapsed, scrapes: scrapes,
                failedScrapes: after.down - before.down, missedScrapes: max(0, expected - scrapes),
                samplesAppended: after.samples - before.samples, cpuSeconds: cpu,
                warmupCPUSeconds: cpuBefore - warmupCPU)
        }
    }

    /// M series in families of ten, shaped like node_exporter's (`bench_metric_k{cpu, mode}`).
    static func exposition(series: Int) -> ByteBuffer {
        var text = ""
        for family in 0..<(series + 9) / 10 {
            text +=
                "# HELP bench_metric_\(family)_total A benchmark counter.\n# TYPE bench_metric_\(family)_total counter\n"
            for index in 0..<min(10, series - family * 10) {
                text += "bench_metric_\(family)_total{cpu=\"\(index)\",mode=\"user\"} \(family * 1000 + index).25\n"
            }
        }
        return ByteBuffer(string: text)
    }
}

/// An appendable that stores nothing: it hands out series references and counts samples and `up`
/// values, so the benchmark measures scraping rather than a storage.
final class CountingAppendable: Appendable {
    struct Counts {
        var samples = 0
        var up = 0
        var down = 0
    }

    fileprivate struct State {
        var refs: [Labels: SeriesRef] = [:]
        var upRefs: Set<SeriesRef> = []
        var counts = Counts()
    }

    fileprivate let state = Mutex(State())

    var counts: Counts { state.withLock { $0.counts } }

    func appender() -> any Appender { CountingAppender(owner: self) }
}

private final class CountingAppender: Appender {
    let owner: CountingAppendable
    var pending: [(SeriesRef, Double)] = []

    init(owner: CountingAppendable) { self.owner = owner }

    func append(_ labels: Labels, timestamp: Int64, value: Double) throws(StorageError) -> SeriesRef {
        let ref = owner.state.withLock { state in
            if let ref = state.refs[labels] { return ref }
            let ref = SeriesRef(rawValue: UInt64(state.refs.count))
            state.refs[labels] = ref
            if labels.metricName == "up" { state.upRefs.insert(ref) }
            return ref
        }
        pending.append((ref, value))
        return ref
    }

    func append(_ ref: SeriesRef, timestamp: Int64, value: Double) throws(StorageError) {
        pending.append((ref, value))
    }

    func commit() throws(StorageError) {
        owner.state.withLock { state in
            for (ref, value) in pending {
                state.counts.samples += 1
                if state.upRefs.contains(ref) {
                    if value == 1 { state.counts.up += 1 } else if value == 0 { state.counts.down += 1 }
                }
            }
        }
        pending.removeAll()
    }

    func rollback() throws(StorageError) { pending.removeAll() }
}
