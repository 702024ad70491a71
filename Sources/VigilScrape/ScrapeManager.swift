import AsyncHTTPClient
import Foundation
import Logging
public import ServiceLifecycle
public import VigilConfig
public import VigilModel
public import VigilStorage

/// Scrapes every target of the configuration into an ``Appendable``: one pool per job, one loop per
/// target, as Prometheus's scrape manager.
///
/// A ServiceLifecycle `Service`: ``run()`` runs every loop and file discovery as child tasks until
/// graceful shutdown (no detached tasks), and shuts the shared HTTP client down. ``apply(_:)`` may be
/// called before or while it runs: a job whose settings did not change keeps its loops (no gap, no
/// duplicate samples); a target that disappears stops and, two intervals later, writes staleness
/// markers for all its series.
public actor ScrapeManager: Service {
    private enum Command: Sendable {
        case loop(ScrapeLoop)
        case discovery(FileDiscovery)
    }

    /// The identity of a running target: what it scrapes and the labels it gives.
    private struct TargetKey: Hashable {
        var labels: Labels
        var url: String

        init(_ target: ScrapeTarget) {
            labels = target.allLabels
            url = target.scrapeURL
        }
    }

    private struct Pool {
        var config: ScrapeConfig
        /// Groups per `file_sd_configs` entry, as last published.
        var fileGroups: [[TargetGroup]]
        var discoveries: [StopSignal<Void>] = []
        /// Bumped when the discoveries are replaced, so a late publish of an old one is ignored.
        var discoveryGeneration = 0
        var loops: [TargetKey: TargetHandle] = [:]
        var dropped: [DroppedTargetStatus] = []
        let forcedError = ForcedError()
        /// In-process sources by target address; empty for configured jobs.
        var sources: [String: any MetricsSource] = [:]
        var sourceGroups: [TargetGroup] = []

        var isInProcess: Bool { !sources.isEmpty }
    }

    private let appendable: any Appendable
    private let clock: any ScrapeClock
    private let offsetSeed: UInt64
    private let logger: Logger
    private let commands: AsyncStream<Command>
    private let commandSink: AsyncStream<Command>.Continuation
    private var pools: [String: Pool] = [:]
    private var sourcePools: [String: Pool] = [:]

    /// - Parameters:
    ///   - appendable: where samples go (the TSDB, or a ``MemoryStorage`` in tests).
    ///   - clock: wall-clock time for scheduling and timestamps; tests pass a ``ManualScrapeClock``.
    ///   - offsetSeed: mixed into every target's phase, so that two servers scraping the same targets
    ///     do not scrape them at the same instant. Defaults to a hash of the host name.
    public init(
        appendable: any Appendable, clock: any ScrapeClock = SystemScrapeClock(), offsetSeed: UInt64? = nil,
        logger: Logger = Logger(label: "vigil.scrape")
    ) {
        self.appendable = appendable
        self.clock = clock
        self.offsetSeed = offsetSeed ?? Labels([Label("host", ProcessInfo.processInfo.hostName)]).stableHash
        self.logger = logger
        (commands, commandSink) = AsyncStream.makeStream(of: Command.self)
    }

    /// Runs the loops until graceful shutdown (or cancellation). Loops stopped by shutdown write no
    /// staleness markers: the server continues where it stopped.
    public func run() async throws {
        // Bodies are gunzipped by the scrape itself, so that body_size_limit stops reading in time.
        var configuration = HTTPClient.Configuration()
        // A refused connection or a failed TLS handshake fails the scrape with that error at once,
        // instead of being retried until scrape_timeout and reported as a timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let commands = self.commands
        let sink = self.commandSink
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await command in commands {
                    switch command {
                    case .loop(let loop): group.addTask { await loop.run(client: client) }
                    case .discovery(let discovery): group.addTask { await discovery.run() }
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            sink.finish()
        }
        try await client.shutdown()
    }

    // MARK: - Configuration

    /// Makes the running pools match `config.scrapeConfigs`.
    public func apply(_ config: VigilConfiguration) {
        var jobs = Set<String>()
        for scrape in config.scrapeConfigs {
            jobs.insert(scrape.jobName)
            guard var pool = pools[scrape.jobName] else {
                pools[scrape.jobName] = Pool(
                    config: scrape, fileGroups: Array(repeating: [], count: scrape.fileSDConfigs.count))
                startDiscoveries(job: scrape.jobName)
                sync(job: scrape.jobName)
                continue
            }
            if pool.config == scrape { continue }
            if Self.scrapeSettings(pool.config) != Self.scrapeSettings(scrape) {
                // New settings change every sample's labels or limits: new loops, new caches.
                for handle in pool.loops.values { handle.stop(.replaced) }
                pool.loops = [:]
            }
            let discoveryChanged = pool.config.fileSDConfigs != scrape.fileSDConfigs
            pool.config = scrape
            pools[scrape.jobName] = pool
            if discoveryChanged {
                stopDiscoveries(job: scrape.jobName)
                pools[scrape.jobName]?.fileGroups = Array(repeating: [], count: scrape.fileSDConfigs.count)
                startDiscoveries(job: scrape.jobName)
            }
            sync(job: scrape.jobName)
        }
        for job in pools.keys where !jobs.contains(job) {
            stopDiscoveries(job: job)
            for handle in pools[job]?.loops.values ?? [:].values { handle.stop(.removed) }
            pools[job] = nil
        }
    }

    /// Scrapes an in-process source as a target of `config.jobName`, with `labels` as its target labels
    /// (`instance` defaults to `labels["__address__"]`, else `localhost`). Everything after fetching is
    /// as for HTTP targets, with `config`'s honor_labels, metric relabelling, limits and interval.
    public func register(_ source: any MetricsSource, labels: Labels = Labels(), config: ScrapeConfig) {
        let job = config.jobName
        var pool = sourcePools[job] ?? Pool(config: config, fileGroups: [])
        if Self.scrapeSettings(pool.config) != Self.scrapeSettings(config) {
            for handle in pool.loops.values { handle.stop(.replaced) }
            pool.loops = [:]
        }
        pool.config = config
        var address = labels["__address__"] ?? labels["instance"] ?? "localhost"
        if pool.sources[address] != nil { address += "#\(pool.sources.count)" }
        pool.sources[address] = source
        pool.sourceGroups.append(
            TargetGroup(targets: [address], labels: labels.removing("__address__"), source: "in-process"))
        sourcePools[job] = pool
        sync(job: job, inProcess: true)
    }

    /// Stops the in-process targets of `job` (their series go stale as for a removed target).
    public func unregisterSources(job: String) {
        for handle in sourcePools[job]?.loops.values ?? [:].values { handle.stop(.removed) }
        sourcePools[job] = nil
    }

    /// The settings that shape every sample of a job; a change restarts its loops.
    private static func scrapeSettings(_ config: ScrapeConfig) -> ScrapeConfig {
        var settings = config
        settings.staticConfigs = []
        settings.fileSDConfigs = []
        return settings
    }

    private func startDiscoveries(job: String) {
        guard var pool = pools[job] else { return }
        pool.discoveryGeneration += 1
        let generation = pool.discoveryGeneration
        for (index, fileSD) in pool.config.fileSDConfigs.enumerated() {
            let signal = StopSignal<Void>()
            pool.discoveries.append(signal)
            let discovery = FileDiscovery(
                job: job, index: index, config: fileSD, clock: clock, logger: logger,
                publish: { [weak self] groups in
                    await self?.updateFileGroups(job: job, index: index, generation: generation, groups: groups)
                }, stopSignal: signal)
            commandSink.yield(.discovery(discovery))
        }
        pools[job] = pool
    }

    private func stopDiscoveries(job: String) {
        for signal in pools[job]?.discoveries ?? [] { signal.stop() }
        pools[job]?.discoveries = []
    }

    private func updateFileGroups(job: String, index: Int, generation: Int, groups: [TargetGroup]) {
        guard var pool = pools[job], pool.discoveryGeneration == generation, index < pool.fileGroups.count,
            pool.fileGroups[index] != groups
        else { return }
        pool.fileGroups[index] = groups
        pools[job] = pool
        sync(job: job)
    }

    /// Resolves the job's targets and starts, keeps or stops loops to match.
    private func sync(job: String, inProcess: Bool = false) {
        guard var pool = inProcess ? sourcePools[job] : pools[job] else { return }
        let config = pool.config
        let groups = inProcess ? pool.sourceGroups : config.staticConfigs + pool.fileGroups.flatMap { $0 }
        var active: [TargetKey: ScrapeTarget] = [:]
        var order: [TargetKey] = []
        var dropped: [DroppedTargetStatus] = []
        for group in groups {
            for address in group.targets {
                switch ScrapeTarget.resolve(address: address, group: group, config: config) {
                case .active(var target):
                    if inProcess { target.scrapeURL = "in-process://\(job)/\(address)" }
                    let key = TargetKey(target)
                    if active[key] == nil { order.append(key) }
                    active[key] = target
                case .dropped(let discovered):
                    dropped.append(DroppedTargetStatus(discoveredLabels: discovered, scrapePool: job))
                case .invalid(let discovered, let message):
                    logger.warning(
                        "cannot create target",
                        metadata: ["job": "\(job)", "labels": "\(discovered)", "error": "\(message)"])
                }
            }
        }
        if !inProcess, pool.loops.isEmpty, let serverName = config.httpClient.tlsConfig.serverName {
            logger.warning(
                "tls_config.server_name is not supported yet: certificates are verified against the target's host",
                metadata: ["job": "\(job)", "server_name": "\(serverName)"])
        }
        let keep = config.limits.keepDroppedTargets
        pool.dropped = keep > 0 ? Array(dropped.prefix(keep)) : dropped
        let targetLimit = config.limits.targetLimit
        if targetLimit > 0 && active.count > targetLimit {
            pool.forcedError.set(
                .limit("target_limit exceeded (number of targets: \(active.count), limit: \(targetLimit))"))
        } else {
            pool.forcedError.set(nil)
        }
        for (key, handle) in pool.loops where active[key] == nil {
            handle.stop(.removed)
            pool.loops[key] = nil
        }
        for key in order where pool.loops[key] == nil {
            guard let target = active[key] else { continue }
            let handle = TargetHandle(target: target)
            pool.loops[key] = handle
            let makeScraper: @Sendable (HTTPClient) throws(ScrapeError) -> any TargetScraper
            if inProcess, let address = target.allLabels["__address__"], let source = pool.sources[address] {
                makeScraper = { _ in SourceScraper(source: source) }
            } else {
                makeScraper = { client throws(ScrapeError) in
                    try HTTPTargetScraper(client: client, target: target, config: config)
                }
            }
            let loop = ScrapeLoop(
                handle: handle, makeScraper: makeScraper, appendable: appendable, clock: clock,
                settings: AppendSettings(
                    targetLabels: target.labels, honorLabels: config.honorLabels,
                    honorTimestamps: config.honorTimestamps,
                    trackTimestampsStaleness: config.trackTimestampsStaleness,
                    metricRelabelConfigs: config.metricRelabelConfigs,
                    limits: config.limits),
                offset: ScrapeOffset(
                    targetHash: target.hash, seed: offsetSeed,
                    intervalNanoseconds: UInt64(target.intervalMilliseconds) * 1_000_000),
                forcedError: pool.forcedError, logger: logger)
            commandSink.yield(.loop(loop))
        }
        if inProcess { sourcePools[job] = pool } else { pools[job] = pool }
    }

    // MARK: - Status

    private var allPools: [Pool] { Array(pools.values) + Array(sourcePools.values) }

    /// Every active target, by pool and URL, as `/api/v1/targets` lists them.
    public func activeTargets() -> [ActiveTargetStatus] {
        allPools.flatMap { pool in
            pool.loops.values.map { handle in
                let target = handle.target
                let health = handle.health
                return ActiveTargetStatus(
                    discoveredLabels: target.discoveredLabels, labels: target.labels, scrapePool: target.scrapePool,
                    scrapeURL: target.scrapeURL, globalURL: Self.globalURL(target.scrapeURL),
                    lastError: health.lastError ?? "", lastScrape: health.lastScrape,
                    lastScrapeDuration: health.lastScrapeDuration, health: health.health,
                    scrapeInterval: PrometheusDuration.format(milliseconds: target.intervalMilliseconds),
                    scrapeTimeout: PrometheusDuration.format(milliseconds: target.timeoutMilliseconds))
            }
        }.sorted { ($0.scrapePool, $0.scrapeURL) < ($1.scrapePool, $1.scrapeURL) }
    }

    /// Targets that relabelling dropped (at most `keep_dropped_targets` per job when set).
    public func droppedTargets() -> [DroppedTargetStatus] {
        allPools.sorted { $0.config.jobName < $1.config.jobName }.flatMap(\.dropped)
    }

    /// Metadata of every metric the targets expose, deduplicated across targets, as
    /// `/api/v1/metadata` gives it; `metric` narrows it to one family.
    public func metadata(metric: String? = nil) -> [String: [MetricMetadata]] {
        var merged: [String: Set<MetricMetadata>] = [:]
        for pool in allPools {
            for handle in pool.loops.values {
                for (name, metadata) in handle.metadata where metric == nil || metric == name {
                    merged[name, default: []].insert(metadata)
                }
            }
        }
        return merged.mapValues { set in
            set.sorted { ($0.type.rawValue, $0.help, $0.unit) < ($1.type.rawValue, $1.help, $1.unit) }
        }
    }

    /// The scrape URL with a loopback host replaced by this machine's name, as Prometheus's global URL.
    static func globalURL(_ url: String) -> String {
        for loopback in ["://localhost", "://127.0.0.1", "://[::1]"] {
            if let range = url.range(of: loopback) {
                return url.replacingCharacters(in: range, with: "://" + ProcessInfo.processInfo.hostName)
            }
        }
        return url
    }
}
