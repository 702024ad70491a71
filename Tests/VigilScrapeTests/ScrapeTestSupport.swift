import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import Synchronization
import VigilConfig
import VigilModel
import VigilScrape
import VigilStorage

/// A loopback exporter whose answer each test sets, and which records the requests it gets.
final class TestExporter: Sendable {
    struct Answer: Sendable {
        var body = ""
        var contentType = "text/plain; version=0.0.4; charset=utf-8"
        var status = 200
        /// gzip the body when the request accepts it.
        var gzip = false
        /// Hold the answer until ``release()``: a target slower than its timeout.
        var hold = false
    }

    let answer = Mutex(Answer())
    /// Each request's headers, names lowercased.
    let requests = Mutex<[[String: String]]>([])
    private let gate = Mutex<[CheckedContinuation<Void, Never>]>([])
    private let released = Mutex(false)

    init(body: String = "") { answer.withLock { $0.body = body } }

    func set(_ update: (inout Answer) -> Void) { answer.withLock { update(&$0) } }

    var lastRequest: [String: String]? { requests.withLock { $0.last } }

    /// Lets held answers go (and every later one).
    func release() {
        released.withLock { $0 = true }
        for continuation in gate.withLock({ list in
            defer { list = [] }; return list
        }) { continuation.resume() }
    }

    fileprivate func respond(_ request: Request) async throws -> Response {
        var fields: [String: String] = [:]
        for field in request.headers { fields[field.name.canonicalName] = field.value }
        requests.withLock { [fields] in $0.append(fields) }
        let answer = self.answer.withLock { $0 }
        if answer.hold {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let go = released.withLock { released in
                    if !released { gate.withLock { $0.append(continuation) } }
                    return released
                }
                if go { continuation.resume() }
            }
        }
        var headers: HTTPFields = [.contentType: answer.contentType]
        var body = ByteBuffer(string: answer.body)
        if answer.gzip, request.headers[.acceptEncoding]?.contains("gzip") == true {
            body = try body.compress(with: .gzip())
            headers[.contentEncoding] = "gzip"
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: headers, body: ResponseBody(byteBuffer: body))
    }
}

/// Serves `exporter` at `/metrics` on a loopback port for the duration of `body`.
func withExporters<Result: Sendable>(
    _ exporters: [TestExporter], tls: TLSConfiguration? = nil, _ body: @Sendable ([Int]) async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result?.self) { group in
        let ports = Mutex<[Int: Int]>([:])
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        for (index, exporter) in exporters.enumerated() {
            let router = Router()
            router.get("/metrics") { request, _ in try await exporter.respond(request) }
            router.get("/other/path") { request, _ in try await exporter.respond(request) }
            let app = Application(
                router: router, server: try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
                configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in
                    ports.withLock { $0[index] = channel.localAddress?.port ?? 0 }
                    continuation.yield()
                }, logger: Logger(label: "test-exporter", factory: { _ in SwiftLogNoOpLogHandler() }))
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
        }
        var started = 0
        for await _ in stream {
            started += 1
            if started == exporters.count { break }
        }
        let list = ports.withLock { map in exporters.indices.map { map[$0] ?? 0 } }
        for exporter in exporters { _ = exporter }
        let result = try await body(list)
        for exporter in exporters { exporter.release() }
        group.cancelAll()
        return result
    }
}

/// A scrape manager on a manual clock, writing into a memory storage, running for the duration of
/// `body`.
struct ScrapeHarness: Sendable {
    static let start: Int64 = 1_700_000_000_000 * 1_000_000

    let storage = MemoryStorage()
    let clock = ManualScrapeClock(now: ScrapeHarness.start)
    let manager: ScrapeManager

    init() {
        manager = ScrapeManager(
            appendable: storage, clock: clock, offsetSeed: 0,
            logger: Logger(label: "test-scrape", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    static func run<Result: Sendable>(_ body: @Sendable (ScrapeHarness) async throws -> Result) async throws -> Result {
        let harness = ScrapeHarness()
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                try await harness.manager.run()
                return nil
            }
            let result = try await body(harness)
            group.cancelAll()
            return result
        }
    }

    /// Wakes the earliest sleepers (moving the clock to their deadline plus `late` nanoseconds) and
    /// waits until `sleepers` tasks sleep again; returns the deadline.
    @discardableResult
    func step(sleepers: Int, late: Int64 = 0) async -> Int64 {
        await clock.waitForSleepers(sleepers)
        let deadline = clock.nextDeadline!
        clock.advance(to: deadline + late)
        await clock.waitForSleepers { deadlines in
            deadlines.count >= sleepers && deadlines.allSatisfy { $0 > deadline + late }
        }
        return deadline
    }

    /// Every series whose name is `name`, with their samples.
    func series(_ name: String) throws -> [Labels: [Sample]] {
        let querier = storage.querier(mint: .min, maxt: .max)
        var set = try querier.select(sorted: true, hints: nil, matchers: [try LabelMatcher(.equal, "__name__", name)])
        var result: [Labels: [Sample]] = [:]
        while let series = try set.next() {
            var iterator = series.makeSampleIterator()
            var samples: [Sample] = []
            while iterator.next() { samples.append(iterator.at()) }
            result[series.labels] = samples
        }
        return result
    }

    /// The samples of the one series `name{labels}`.
    func samples(_ name: String, _ labels: [String: String] = [:]) throws -> [Sample] {
        try series(name).first { entry in labels.allSatisfy { entry.key[$0.key] == $0.value } }?.value ?? []
    }
}

func milliseconds(_ nanoseconds: Int64) -> Int64 { nanoseconds / 1_000_000 }

/// A job scraping `ports` on loopback every 15 s.
func job(
    _ name: String, ports: [Int], path: String = "/metrics", _ configure: (inout ScrapeConfig) -> Void = { _ in }
) -> ScrapeConfig {
    var config = ScrapeConfig(
        jobName: name, scrapeInterval: .seconds(15), scrapeTimeout: .seconds(10), metricsPath: path,
        staticConfigs: [TargetGroup(targets: ports.map { "127.0.0.1:\($0)" })])
    configure(&config)
    return config
}

func configuration(_ jobs: ScrapeConfig...) -> VigilConfiguration {
    var config = VigilConfiguration()
    config.scrapeConfigs = jobs
    return config
}

/// An in-process source returning whatever the test sets.
final class TestSource: MetricsSource {
    let families: Mutex<[MetricFamily]>
    let failure = Mutex<String?>(nil)

    init(_ families: [MetricFamily]) { self.families = Mutex(families) }

    struct Failure: Error, CustomStringConvertible { var description: String }

    func collect() async throws -> [MetricFamily] {
        if let message = failure.withLock({ $0 }) { throw Failure(description: message) }
        return families.withLock { $0 }
    }
}

func gauge(_ name: String, _ samples: [(Labels, Double)], help: String = "") -> MetricFamily {
    MetricFamily(
        name: name, type: .gauge, help: help,
        samples: samples.map { MetricSample(name: name, labels: $0.0, value: $0.1) })
}
