import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import VigilAlerting
import VigilConfig
import VigilModel

/// Sends alerts to the Alertmanagers of `alerting.alertmanagers`, as Prometheus's notifier manager does:
/// `alert_relabel_configs` first, then a bounded queue (10,000 alerts, oldest dropped), batches of up to
/// 256 POSTed to `/api/v2/alerts` of every Alertmanager at once, each push retried with backoff within
/// the Alertmanager's `timeout`.
///
/// Alertmanagers come from `static_configs` and from `file_sd_configs` files (read once at start; globs
/// and later changes are not followed), each relabelled with the entry's `relabel_configs` over
/// `__address__`, `__scheme__` and `__alerts_path__`.
public final class AlertmanagerForwarder: Service, Sendable {
    /// One Alertmanager to push to.
    struct Target: Sendable, Hashable {
        var url: String
        var endpoint: HTTPEndpoint

        static func == (lhs: Target, rhs: Target) -> Bool { lhs.url == rhs.url }
        func hash(into hasher: inout Hasher) { hasher.combine(url) }
    }

    private struct State: Sendable {
        var queue: AlertQueue
        var statistics: AlertmanagerForwarderStatistics
    }

    public static let defaultQueueCapacity = 10_000
    public static let maximumBatchSize = 256

    private let relabelConfigs: [RelabelConfig]
    let targets: [Target]
    private let state: Mutex<State>
    private let wakeUp: AsyncStream<Void>
    private let wakeUpContinuation: AsyncStream<Void>.Continuation
    private let logger: Logger
    private let sleep: @Sendable (Duration) async throws -> Void
    private let initialBackoff: Duration

    /// `sleep` waits out the retries' backoff (tests pass one that returns at once). Alertmanagers whose
    /// address or TLS files are unusable are logged and left out.
    public init(
        config: AlertingConfig, client: HTTPClient = ReceiverHTTPClient.shared, logger: Logger,
        queueCapacity: Int = AlertmanagerForwarder.defaultQueueCapacity,
        initialBackoff: Duration = .milliseconds(100),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.relabelConfigs = config.alertRelabelConfigs
        self.logger = logger
        self.sleep = sleep
        self.initialBackoff = initialBackoff
        var targets: [Target] = []
        for alertmanager in config.alertmanagers {
            for url in Self.discover(alertmanager, logger: logger) {
                do {
                    let endpoint = try HTTPEndpoint(
                        url: url, httpConfig: alertmanager.httpClient, timeout: alertmanager.timeout, client: client)
                    let target = Target(url: url, endpoint: endpoint)
                    if !targets.contains(target) { targets.append(target) }
                } catch {
                    logger.error("Alertmanager left out", metadata: ["url": "\(url)", "error": "\(error.message)"])
                }
            }
        }
        self.targets = targets
        let capacity = max(1, queueCapacity)
        self.state = Mutex(
            State(
                queue: AlertQueue(capacity: capacity),
                statistics: AlertmanagerForwarderStatistics(
                    sent: Dictionary(uniqueKeysWithValues: targets.map { ($0.url, 0) }),
                    errors: Dictionary(uniqueKeysWithValues: targets.map { ($0.url, 0) }),
                    queueCapacity: capacity, alertmanagers: targets.count)))
        (wakeUp, wakeUpContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The URLs alerts are POSTed to, in configuration order.
    public var alertmanagerURLs: [String] { targets.map(\.url) }

    /// The counters as they are now.
    public var statistics: AlertmanagerForwarderStatistics {
        state.withLock { state in
            var statistics = state.statistics
            statistics.queueLength = state.queue.count
            return statistics
        }
    }

    /// Relabels and queues `alerts`; returns at once. Alerts the relabelling drops are not sent.
    public func send(_ alerts: [ForwardedAlert]) {
        var relabelled: [ForwardedAlert] = []
        relabelled.reserveCapacity(alerts.count)
        for var alert in alerts {
            if !relabelConfigs.isEmpty {
                guard let labels = Relabeling.process(alert.labels, with: relabelConfigs), !labels.isEmpty else {
                    continue
                }
                alert.labels = labels
            }
            relabelled.append(alert)
        }
        guard !relabelled.isEmpty else { return }
        let dropped = state.withLock { state in
            let dropped = state.queue.enqueue(relabelled)
            state.statistics.dropped += dropped
            return dropped
        }
        if dropped > 0 {
            logger.warning("Alert queue full, dropped the oldest alerts", metadata: ["dropped": "\(dropped)"])
        }
        wakeUpContinuation.yield()
    }

    /// Sends batches until graceful shutdown, then sends what is still queued once more.
    public func run() async throws {
        for await _ in wakeUp.cancelOnGracefulShutdown() {
            await drain()
        }
        await drain()
    }

    /// Sends every queued alert, batch by batch.
    func drain() async {
        while true {
            let batch = state.withLock { $0.queue.dequeue(maximum: Self.maximumBatchSize) }
            if batch.isEmpty { return }
            await sendBatch(batch)
        }
    }

    private func sendBatch(_ batch: [ForwardedAlert]) async {
        guard !targets.isEmpty else {
            state.withLock { $0.statistics.dropped += batch.count }
            return
        }
        let body = ForwardedAlert.encode(batch)
        let delivered = await withTaskGroup(of: Bool.self, returning: Int.self) { group in
            for target in targets {
                group.addTask { await self.push(body, to: target, count: batch.count) }
            }
            var delivered = 0
            for await success in group where success { delivered += 1 }
            return delivered
        }
        if delivered == 0 {
            state.withLock { $0.statistics.dropped += batch.count }
        }
    }

    /// One Alertmanager: POST, retried with doubling backoff while the Alertmanager's timeout allows
    /// and the failure is retryable.
    private func push(_ body: [UInt8], to target: Target, count: Int) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: Self.duration(target.endpoint.timeout))
        var backoff = initialBackoff
        while true {
            do {
                try await target.endpoint.post(
                    body, contentType: "application/json", userAgent: "Vigil/\(VigilVersion.current)",
                    what: "Alertmanager")
                state.withLock { $0.statistics.sent[target.url, default: 0] += count }
                return true
            } catch {
                let canRetry =
                    error.retryable && !Task.isCancelled
                    && clock.now.advanced(by: backoff) < deadline
                if !canRetry {
                    state.withLock { $0.statistics.errors[target.url, default: 0] += count }
                    logger.error(
                        "Sending alerts to Alertmanager failed",
                        metadata: ["alertmanager": "\(target.url)", "count": "\(count)", "error": "\(error.message)"])
                    return false
                }
                try? await sleep(backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    private static func duration(_ amount: TimeAmount) -> Duration { .nanoseconds(amount.nanoseconds) }

    /// The push URLs of one `alertmanagers` entry, after its `relabel_configs`.
    static func discover(_ config: AlertmanagerConfig, logger: Logger) -> [String] {
        var groups = config.staticConfigs
        for fileSD in config.fileSDConfigs {
            for file in fileSD.files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    logger.error("file_sd file for Alertmanagers cannot be read", metadata: ["file": "\(file)"])
                    continue
                }
                do {
                    groups += try FileSD.parse(Array(data), path: file)
                } catch {
                    logger.error("file_sd file for Alertmanagers is invalid", metadata: ["error": "\(error)"])
                }
            }
        }
        var urls: [String] = []
        for group in groups {
            for address in group.targets {
                var labels = group.labels
                labels = labels.setting("__address__", to: address)
                labels = labels.setting("__scheme__", to: config.scheme.rawValue)
                labels = labels.setting("__alerts_path__", to: alertsPath(prefix: config.pathPrefix))
                if !config.relabelConfigs.isEmpty {
                    guard let relabelled = Relabeling.process(labels, with: config.relabelConfigs) else { continue }
                    labels = relabelled
                }
                guard let address = labels["__address__"], !address.isEmpty else { continue }
                let scheme = labels["__scheme__"] ?? config.scheme.rawValue
                let path = labels["__alerts_path__"] ?? alertsPath(prefix: config.pathPrefix)
                urls.append("\(scheme)://\(address)\(path)")
            }
        }
        return urls
    }

    /// `path_prefix` + `/api/v2/alerts`, with exactly one slash between.
    static func alertsPath(prefix: String) -> String {
        var prefix = prefix
        while prefix.hasSuffix("/") { prefix.removeLast() }
        if !prefix.isEmpty && !prefix.hasPrefix("/") { prefix = "/" + prefix }
        return prefix + "/api/v2/alerts"
    }
}
