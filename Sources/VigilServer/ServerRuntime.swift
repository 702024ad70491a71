import Foundation
import HTTPTypes
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals
import VigilAgent
import VigilAlerting
import VigilCollectors
import VigilConfig
import VigilGPU
import VigilKubernetes
import VigilMeta
import VigilModel
import VigilPromQL
import VigilReceivers
import VigilRemote
import VigilRules
import VigilScheduler
import VigilScrape
import VigilSlurmREST
import VigilStorage
import VigilTSDB

/// What `vigil server` is told on its command line; the rest comes from the configuration file.
public struct ServerOptions: Sendable {
    /// `--config`; nil runs with ``ServerRuntime/defaultConfiguration``.
    public var configPath: String?
    /// `--data-dir`; nil takes `storage.tsdb.path` from the configuration (default `./vigil-data`).
    public var dataDirectory: String?
    public var listen: ServerListenConfiguration
    /// `--demo-nodes` when `--demo` is given: simulated machines (8 GPUs each) scraped in-process.
    public var demoNodes: Int?
    /// False with `--no-local-agent`: only what is scraped, received or imported is served.
    public var localAgent: Bool
    /// `--enable-admin-api`: deletion, tombstone cleaning and snapshots under `/api/v1/admin/tsdb/`
    /// (Prometheus's `--web.enable-admin-api`); off, they answer 503 as Prometheus does.
    public var adminAPI: Bool
    /// `--alertmanager-config`: the built-in notifier's routing, receivers and inhibition
    /// (Alertmanager's format); nil keeps alerts in the API and the UI only.
    public var alertmanagerConfigPath: String?
    /// False with `--no-builtin-rules`: only `rule_files` are evaluated.
    public var builtinRules: Bool
    /// `--web.external-url`'s equivalent: the prefix of alert generator URLs and `$externalURL`;
    /// nil derives it from the listen address.
    public var externalURL: String?
    /// The command line's flags by name, for `/api/v1/status/flags`.
    public var flags: [String: String]
    /// `--slurm`: poll Slurm's client commands (squeue, sinfo, sacct, sdiag) as the in-process
    /// target of job `slurm`; nil leaves Slurm alone.
    public var slurm: SlurmCollectionOptions?
    /// `--kubernetes`: list and watch pods and nodes as the in-process target of job `kubernetes`;
    /// nil leaves Kubernetes alone.
    public var kubernetes: KubernetesCollectionOptions?

    public init(
        configPath: String? = nil, dataDirectory: String? = nil,
        listen: ServerListenConfiguration = ServerListenConfiguration(), demoNodes: Int? = nil,
        localAgent: Bool = true, adminAPI: Bool = false, alertmanagerConfigPath: String? = nil,
        builtinRules: Bool = true, externalURL: String? = nil, flags: [String: String] = [:],
        slurm: SlurmCollectionOptions? = nil, kubernetes: KubernetesCollectionOptions? = nil
    ) {
        self.configPath = configPath
        self.dataDirectory = dataDirectory
        self.listen = listen
        self.demoNodes = demoNodes
        self.localAgent = localAgent
        self.adminAPI = adminAPI
        self.alertmanagerConfigPath = alertmanagerConfigPath
        self.builtinRules = builtinRules
        self.externalURL = externalURL
        self.flags = flags
        self.slurm = slurm
        self.kubernetes = kubernetes
    }
}

/// How `--slurm` polls Slurm: each command's time limit and how far back `sacct` looks.
public struct SlurmCollectionOptions: Sendable {
    /// `--slurm-timeout`: a command past it is killed and counted as an error.
    public var timeout: Duration
    /// `sacct --starttime` (Slurm's syntax); nil runs no `sacct`.
    public var sacctWindow: String?
    /// `--slurm-restd`: read slurmrestd with this client instead of running the commands.
    public var restClient: SlurmRESTClient?

    public init(
        timeout: Duration = .seconds(5), sacctWindow: String? = "now-1hours", restClient: SlurmRESTClient? = nil
    ) {
        self.timeout = timeout
        self.sacctWindow = sacctWindow
        self.restClient = restClient
    }
}

/// The composition root of `vigil server`: opens the TSDB, starts scraping (configured jobs, this
/// machine, the demo cluster), remote_write, and the HTTP API, as one `ServiceGroup` — storage first,
/// HTTP last, stopped in reverse on SIGTERM or SIGINT. SIGHUP and `POST /-/reload` re-read the
/// configuration; a bad one is refused with its error and the running one stays.
public enum ServerRuntime {
    /// What runs without `--config`: Prometheus's defaults, with the 15 s scrape interval of the
    /// configuration Prometheus ships, so that this machine's metrics have a useful resolution.
    public static let defaultConfigurationYAML = """
        global:
          scrape_interval: 15s
          evaluation_interval: 15s
        """

    public static var defaultConfiguration: VigilConfiguration {
        // The built-in text is valid (a test parses it).
        try! VigilConfiguration.parse(yaml: defaultConfigurationYAML, file: "<built-in>")
    }

    /// The job names of the in-process targets.
    public static let localAgentJob = "vigil-agent"
    public static let selfJob = "vigil"
    public static let demoJob = "demo"
    public static let slurmJob = "slurm"

    /// Loads the configuration `options` name (or the built-in one).
    public static func loadConfiguration(_ options: ServerOptions) throws(ConfigError) -> VigilConfiguration {
        guard let path = options.configPath else { return defaultConfiguration }
        return try VigilConfiguration.load(path: path)
    }

    /// Runs the server until SIGTERM/SIGINT. `announce` receives the startup lines (where it listens,
    /// where the data lives) once the HTTP server is up.
    public static func run(
        options: ServerOptions, logger: Logger, announce: @escaping @Sendable (String) -> Void
    ) async throws {
        let config = try loadConfiguration(options)
        let dataDirectory = options.dataDirectory ?? config.storage.tsdb.path
        let tsdb = try openTSDB(directory: dataDirectory, config: config.storage.tsdb, logger: logger)
        let state = ServerState(config: config, configPath: options.configPath)

        // remote_write: every sample stored is also queued for each remote.
        let senders = try config.remoteWrite.map { remote in
            try RemoteWriteSender(config: remote, logger: logger.with(component: "remote-write"))
        }
        let appendable: any Appendable = senders.isEmpty ? tsdb : RemoteWriteTee(inner: tsdb, sinks: senders)
        let receiver = RemoteWriteReceiver(appendable: appendable, logger: logger.with(component: "remote-write"))

        // Alerting: the built-in notifier (state in meta.sqlite), external Alertmanagers, the rules.
        let alertmanagerConfig = try loadAlertmanagerConfiguration(options)
        let host =
            options.listen.host == "0.0.0.0" || options.listen.host.isEmpty
            ? ProcessInfo.processInfo.hostName : options.listen.host
        let externalURL =
            options.externalURL ?? "http://\(host.contains(":") ? "[\(host)]" : host):\(options.listen.port)"
        let meta = try MetaDatabase(path: dataDirectory + "/meta.sqlite")
        let jobSummaries = JobSummaryStore(meta)
        let dispatcher = AlertDispatcher(
            configuration: alertmanagerConfig,
            integrations: try integrations(for: alertmanagerConfig, options: options),
            silenceStore: MetaSilenceStore(database: meta),
            notificationLogStore: MetaNotificationLogStore(database: meta),
            externalURL: externalURL)
        let forwarder: AlertmanagerForwarder? =
            config.alerting.alertmanagers.isEmpty
            ? nil : AlertmanagerForwarder(config: config.alerting, logger: logger.with(component: "notifier"))
        let rules = RuleManager(
            queryable: tsdb, appendable: appendable, logger: logger.with(component: "rules")
        ) { alerts in
            let now = Date()
            await dispatcher.put(alerts.map { Self.notifierAlert($0, receivedAt: now) })
            forwarder?.send(alerts.map(Self.forwardedAlert))
        }
        try await rules.apply(
            ruleFiles(config: config, options: options), options: ruleOptions(config: config, externalURL: externalURL))

        let scrapes = ScrapeManager(appendable: appendable, logger: logger.with(component: "scrape"))
        await scrapes.apply(config)
        let ownMetrics: @Sendable () async -> [MetricFamily] = {
            var set = MetricSet()
            set.gauge(
                "vigil_build_info", help: "Vigil's version; value is always 1.",
                labels: ["version": VigilVersion.current, "component": "server"], value: 1)
            for family in tsdb.metricFamilies() { set.append(family) }
            for family in receiver.metricFamilies() { set.append(family) }
            for sender in senders { for family in sender.metricFamilies() { set.append(family) } }
            return set.families
        }
        var slurmREST: SlurmRESTCollector?
        var slurmJobs: (any SlurmJobDirectory)?
        if let slurm = options.slurm {
            (slurmREST, slurmJobs) = await registerSlurm(slurm, config: config, on: scrapes, logger: logger)
        }
        var kubernetes: KubernetesCollector?
        if let watch = options.kubernetes {
            kubernetes = try await registerKubernetes(watch, config: config, on: scrapes, logger: logger)
        }
        // After Slurm and Kubernetes: the local agent's GPU collection names jobs and pods from them.
        if options.localAgent && config.localAgent.enabled {
            try await registerLocalAgent(
                config: config, listen: options.listen, on: scrapes, ownMetrics: ownMetrics,
                lookups: LocalAgentLookups(slurmJobs: slurmJobs, kubernetes: kubernetes), logger: logger)
        }
        var demo: SimulatedCluster?
        if let nodes = options.demoNodes {
            let cluster = try SimulatedCluster(
                nodes: nodes, gpusPerNode: 8, profile: .h100, seed: 1, scheduling: .slurm)
            let scrape = ScrapeConfig(
                jobName: demoJob, scrapeInterval: config.global.scrapeInterval,
                scrapeTimeout: min(config.global.scrapeTimeout, config.global.scrapeInterval))
            for node in 0..<nodes {
                await scrapes.register(
                    SimulatedNodeSource(cluster: cluster, node: node),
                    labels: ["__address__": "\(cluster.nodeNames[node]):\(9471)"], config: scrape)
            }
            for incident in demoIncidents(nodes: nodes) {
                cluster.withFleet { $0.inject(incident.fault, node: incident.node, gpu: incident.gpu) }
            }
            // The cluster's Slurm-like controller, as `--slurm` collects a real one (job `slurm`), unless a
            // real one is collected.
            if options.slurm == nil {
                let slurm = DemoSlurmSource(cluster: cluster)
                await scrapes.register(
                    ClosureMetricsSource { slurm.families() }, labels: ["__address__": DemoSlurmSource.address],
                    config: ScrapeConfig(
                        jobName: slurmJob, scrapeInterval: scrape.scrapeInterval, scrapeTimeout: scrape.scrapeTimeout))
            }
            demo = cluster
        }

        let readiness = ReadinessFlag(ready: false)
        let reload: @Sendable () async throws -> Void = {
            try await state.reload(
                scrapes: scrapes, rules: rules, dispatcher: dispatcher, options: options, externalURL: externalURL,
                logger: logger)
        }
        let startTime = WallClock.nowMilliseconds()
        let retention = config.storage.tsdb.retentionTime
        let api = PrometheusAPI(
            storage: tsdb,
            targets: scrapes,
            metadata: scrapes,
            tsdbStatus: TSDBHeadStatusProvider(tsdb: tsdb),
            configYAML: { state.configuration.yaml() },
            flags: options.flags,
            runtimeInfo: {
                RuntimeInfo(
                    startTime: startTime, cwd: FileManager.default.currentDirectoryPath,
                    hostname: ProcessInfo.processInfo.hostName, serverTime: WallClock.nowMilliseconds(),
                    lastConfigTime: state.loadedAt, storageRetention: PrometheusDuration.format(retention))
            },
            remoteWrite: { body, headers throws(RemoteWriteError) in
                _ = try receiver.receive(
                    body: body, contentType: headers[.contentType], contentEncoding: headers[.contentEncoding])
            },
            reload: reload,
            admin: options.adminAPI ? AdminActions(tsdb: tsdb) : nil,
            readiness: readiness,
            ownMetrics: ownMetrics,
            externalLabels: config.global.externalLabels,
            ruleGroups: { await rules.snapshots() },
            logger: logger.with(component: "api"))
        let alertmanagerAPI = AlertmanagerAPI(dispatcher: dispatcher, startedAt: Date())

        let listen = options.listen
        let demoNote =
            demo.map { " and a simulated cluster of \($0.nodeNames.count) nodes × \($0.gpusPerNode) GPUs" } ?? ""
        let ruleGroups = await rules.snapshots()
        let ruleCount = ruleGroups.reduce(0) { $0 + $1.rules.count }
        let ruleNote =
            "\(ruleCount) rules in \(ruleGroups.count) groups"
            + (options.builtinRules
                ? " (the built-in GPU-cluster pack\(config.ruleFiles.isEmpty ? "" : " and rule_files"))" : "")
        let notifyNote =
            (options.alertmanagerConfigPath.map { "routed by \($0)" } ?? "kept in the API (no --alertmanager-config)")
            + (config.alerting.alertmanagers.isEmpty ? "" : "; forwarded to alerting.alertmanagers")
        let app = buildServerApplication(
            api: api, alertmanager: alertmanagerAPI, jobSummaries: jobSummaries, listen: listen,
            logger: logger.with(component: "http")
        ) { port in
            readiness.markReady()
            let host = listen.host.contains(":") ? "[\(listen.host)]" : listen.host
            announce(
                """
                vigil server \(VigilVersion.current) listening on http://\(host):\(port) (API, /metrics)
                data in \(dataDirectory) (retention \(PrometheusDuration.format(retention)))\
                \(options.localAgent && config.localAgent.enabled ? "; collecting this machine" : "")\(demoNote)
                \(ruleNote); alerts \(notifyNote)
                """)
        }
        var services: [any Service] = [TSDBService(tsdb: tsdb, logger: logger.with(component: "tsdb"))]
        services.append(contentsOf: senders as [any Service])
        if let forwarder { services.append(forwarder) }
        services.append(AlertDispatcherService(dispatcher: dispatcher))
        if let kubernetes { services.append(kubernetes) }
        if let slurmREST { services.append(slurmREST) }
        services.append(scrapes)
        services.append(rules)
        services.append(HangupReloadService(reload: reload, logger: logger))
        services.append(
            JobsRecorder(
                storage: tsdb, store: jobSummaries, now: { WallClock.nowMilliseconds() },
                logger: logger.with(component: "jobs")))
        services.append(app)
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }

    /// What the simulated cluster of `--demo` starts with, so that the rule pack, the notifier and the
    /// views have something to show: an application XID (a ticket), a PCIe replay storm, a GPU whose
    /// cooling fails (heat, then thermal throttling) and a single-bit ECC storm, on different nodes.
    public static func demoIncidents(nodes: Int) -> [(node: Int, gpu: Int, fault: SimulatedFault)] {
        [
            (0, 3, .xid(13)),
            (1 % nodes, 5, .pcieReplayStorm),
            (2 % nodes, 0, .coolingFailure),
            (3 % nodes, 6, .eccSingleBitStorm),
        ]
    }

    static func openTSDB(directory: String, config: TSDBConfig, logger: Logger) throws(StorageError) -> TSDB {
        var options = TSDB.Options()
        options.retention = PrometheusDuration.milliseconds(of: config.retentionTime)
        options.maxBytes = config.retentionSize > 0 ? Int(config.retentionSize) : nil
        let tsdb = try TSDB.open(directory: directory, options: options)
        if let recovery = tsdb.head.recovery, recovery.damage != nil {
            logger.warning("WAL repaired at startup", metadata: ["report": "\(recovery)"])
        }
        for damaged in tsdb.quarantined {
            logger.error(
                "damaged block moved aside", metadata: ["path": "\(damaged.path)", "error": "\(damaged.error)"])
        }
        return tsdb
    }

    /// This machine (host collectors, its GPUs) and the server's own metrics as in-process targets.
    static func registerLocalAgent(
        config: VigilConfiguration, listen: ServerListenConfiguration, on scrapes: ScrapeManager,
        ownMetrics: @escaping @Sendable () async -> [MetricFamily], lookups: LocalAgentLookups = LocalAgentLookups(),
        logger: Logger
    ) async throws {
        let agent = config.localAgent
        let hostname = ProcessInfo.processInfo.hostName
        let collectors = try localAgentCollectors(
            config: agent, hostname: hostname, lookups: lookups, logger: logger)
        let registry = CollectorRegistry(collectors: collectors, logger: logger.with(component: "collectors"))
        let interval = agent.scrapeInterval
        let timeout = min(config.global.scrapeTimeout, interval)
        await scrapes.register(
            LocalAgentSource(registry: registry, paths: HostPaths()), labels: ["__address__": hostname],
            config: ScrapeConfig(jobName: localAgentJob, scrapeInterval: interval, scrapeTimeout: timeout))
        await scrapes.register(
            ClosureMetricsSource(ownMetrics), labels: ["__address__": "\(listen.host):\(listen.port)"],
            config: ScrapeConfig(jobName: selfJob, scrapeInterval: interval, scrapeTimeout: timeout))
    }
}

extension ServerRuntime {
    /// Slurm's queue, nodes and scheduler, polled in-process as the target of job `slurm` at the
    /// local agent's interval; it runs with or without the local agent.
    static func registerSlurm(
        _ options: SlurmCollectionOptions, config: VigilConfiguration, on scrapes: ScrapeManager, logger: Logger
    ) async -> (service: SlurmRESTCollector?, jobs: any SlurmJobDirectory) {
        let interval = config.localAgent.scrapeInterval
        if let client = options.restClient {
            let collector = SlurmRESTCollector(client: client, interval: interval)
            let registry = CollectorRegistry(collectors: [collector], logger: logger.with(component: "slurm"))
            await scrapes.register(
                LocalAgentSource(registry: registry, paths: HostPaths()),
                labels: ["__address__": ProcessInfo.processInfo.hostName],
                config: ScrapeConfig(
                    jobName: slurmJob, scrapeInterval: interval,
                    scrapeTimeout: min(config.global.scrapeTimeout, interval)))
            logger.info("Slurm collection on", metadata: ["job": "\(slurmJob)", "slurmrestd": "\(client.baseURL)"])
            return (collector, collector)
        }
        let collector = SlurmCollector(timeout: options.timeout, sacctWindow: options.sacctWindow)
        let registry = CollectorRegistry(collectors: [collector], logger: logger.with(component: "slurm"))
        // A round runs up to four commands, each limited to options.timeout.
        let timeout = min(max(config.global.scrapeTimeout, options.timeout * 4), interval)
        await scrapes.register(
            LocalAgentSource(registry: registry, paths: HostPaths()),
            labels: ["__address__": ProcessInfo.processInfo.hostName],
            config: ScrapeConfig(jobName: slurmJob, scrapeInterval: interval, scrapeTimeout: timeout))
        logger.info("Slurm collection on", metadata: ["job": "\(slurmJob)", "command_timeout": "\(options.timeout)"])
        return (nil, collector.poller)
    }
}

/// The configuration now in force, replaced by reloads.
final class ServerState: Sendable {
    private struct Current {
        var config: VigilConfiguration
        var loadedAt: Int64
    }

    private let current: Mutex<Current>
    let configPath: String?

    init(config: VigilConfiguration, configPath: String?) {
        current = Mutex(Current(config: config, loadedAt: WallClock.nowMilliseconds()))
        self.configPath = configPath
    }

    var configuration: VigilConfiguration { current.withLock { $0.config } }
    var loadedAt: Int64 { current.withLock { $0.loadedAt } }

    /// Re-reads the configuration file and applies its scrape jobs; a file that does not load leaves
    /// everything as it was and throws why. Settings that need a restart (storage, remote_write) are
    /// logged as such.
    func reload(
        scrapes: ScrapeManager, rules: RuleManager, dispatcher: AlertDispatcher, options: ServerOptions,
        externalURL: String, logger: Logger
    ) async throws {
        let fresh: VigilConfiguration
        do {
            fresh = try configPath.map(VigilConfiguration.load(path:)) ?? ServerRuntime.defaultConfiguration
        } catch {
            logger.error("reload refused; the running configuration stays", metadata: ["error": "\(error)"])
            throw error
        }
        let previous = configuration
        let alertmanagerConfig: AlertmanagerConfiguration
        let integrations: IntegrationFactory
        do {
            alertmanagerConfig = try ServerRuntime.loadAlertmanagerConfiguration(options)
            integrations = try ServerRuntime.integrations(for: alertmanagerConfig, options: options)
        } catch {
            logger.error(
                "reload refused: bad Alertmanager configuration; the running one stays", metadata: ["error": "\(error)"]
            )
            throw error
        }
        do {
            try await rules.apply(
                ServerRuntime.ruleFiles(config: fresh, options: options),
                options: ServerRuntime.ruleOptions(config: fresh, externalURL: externalURL))
        } catch {
            logger.error("reload refused: bad rule files; the running rules stay", metadata: ["error": "\(error)"])
            throw error
        }
        await dispatcher.apply(alertmanagerConfig, integrations: integrations)
        await scrapes.apply(fresh)
        current.withLock { $0 = Current(config: fresh, loadedAt: WallClock.nowMilliseconds()) }
        if fresh.storage != previous.storage || fresh.remoteWrite != previous.remoteWrite
            || fresh.localAgent != previous.localAgent
        {
            logger.warning("reload: storage, remote_write and local_agent changes take effect at the next start")
        }
        logger.info("configuration reloaded", metadata: ["file": "\(configPath ?? "<built-in>")"])
    }
}

/// Reloads the configuration on SIGHUP, as Prometheus does.
struct HangupReloadService: Service {
    let reload: @Sendable () async throws -> Void
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            logger.info("SIGHUP: reloading the configuration")
            try? await reload()
        }
    }
}

extension Logger {
    /// The same logger with a `component` metadata value.
    func with(component: String) -> Logger {
        var copy = self
        copy[metadataKey: "component"] = "\(component)"
        return copy
    }
}
