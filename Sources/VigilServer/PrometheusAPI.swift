import Hummingbird
import Logging
import NIOCore
import VigilModel
import VigilPromQL
import VigilRemote
import VigilRules
import VigilStorage

/// Receives one remote-write request: the raw (snappy-compressed) body and the request's headers. Throws
/// ``RemoteWriteError`` for a request it refuses, which the API turns into Prometheus's status codes.
public typealias RemoteWriteHandler =
    @Sendable (_ body: [UInt8], _ headers: HTTPFields) async throws(RemoteWriteError) -> Void

/// The Prometheus HTTP API of a Vigil server: `/api/v1/*`, `/federate`, `/-/healthy`, `/-/ready`,
/// `/-/reload` and `/metrics`, answering exactly as Prometheus 3.5 does.
///
/// Everything the API needs comes in as values and small protocols, so that tests run it in-process on an
/// in-memory storage and the composition root adapts the real scrape manager, TSDB and remote-write receiver:
///
/// ```swift
/// let api = PrometheusAPI(storage: storage, readiness: ReadinessFlag(ready: true))
/// let router = Router()
/// api.register(on: router)
/// ```
public struct PrometheusAPI: Sendable {
    /// Where queries, series and label lookups read.
    public var storage: any Queryable
    /// The query engine's settings; a request's `timeout` can only shorten ``Engine/Options/timeoutSeconds``.
    public var engineOptions: Engine.Options
    public var targets: any TargetsProvider
    public var metadata: any MetadataProvider
    public var tsdbStatus: any TSDBStatusProvider
    /// The configuration file's text, for `/api/v1/status/config`.
    public var configYAML: @Sendable () -> String
    /// Command-line flags by name (without dashes), for `/api/v1/status/flags`.
    public var flags: [String: String]
    public var buildInfo: BuildInfo
    public var runtimeInfo: @Sendable () -> RuntimeInfo
    /// The remote-write receiver; nil answers 404 as Prometheus does without `--web.enable-remote-write-receiver`.
    public var remoteWrite: RemoteWriteHandler?
    /// The largest remote-write body accepted, in bytes (413 above it).
    public var remoteWriteBodyLimit: Int
    /// Reloads the configuration (`POST /-/reload`); nil answers 403 as Prometheus does without
    /// `--web.enable-lifecycle`.
    public var reload: (@Sendable () async throws -> Void)?
    /// The admin endpoints' actions (`/api/v1/admin/tsdb/*`); nil answers 503 "admin APIs disabled" as
    /// Prometheus does without `--web.enable-admin-api`.
    public var admin: AdminActions?
    /// Until ready, `/-/ready`, the API and `/federate` answer 503.
    public var readiness: ReadinessFlag
    /// The server's own metrics, for `/metrics`.
    public var ownMetrics: @Sendable () async -> [MetricFamily]
    /// Added by `/federate` to series that lack them (`instance` is always among them, empty by default).
    public var externalLabels: Labels
    /// The rule groups as they stand, for `/api/v1/rules` and `/api/v1/alerts` (none without rules).
    public var ruleGroups: @Sendable () async -> [RuleGroupSnapshot]
    /// The current time in milliseconds since the epoch: queries without `time`, `/federate`.
    public var now: @Sendable () -> Int64
    /// How `/-/healthy` and `/-/ready` name the server ("Vigil Server is Healthy.").
    public var appName: String
    public var logger: Logger

    public init(
        storage: any Queryable,
        engineOptions: Engine.Options = Engine.Options(),
        targets: any TargetsProvider = StaticTargetsProvider(),
        metadata: any MetadataProvider = StaticMetadataProvider(),
        tsdbStatus: (any TSDBStatusProvider)? = nil,
        configYAML: @escaping @Sendable () -> String = { "" },
        flags: [String: String] = [:],
        buildInfo: BuildInfo = BuildInfo(),
        runtimeInfo: (@Sendable () -> RuntimeInfo)? = nil,
        remoteWrite: RemoteWriteHandler? = nil,
        remoteWriteBodyLimit: Int = 32 << 20,
        reload: (@Sendable () async throws -> Void)? = nil,
        admin: AdminActions? = nil,
        readiness: ReadinessFlag = ReadinessFlag(ready: true),
        ownMetrics: @escaping @Sendable () async -> [MetricFamily] = { [] },
        externalLabels: Labels = Labels(),
        ruleGroups: @escaping @Sendable () async -> [RuleGroupSnapshot] = { [] },
        now: @escaping @Sendable () -> Int64 = WallClock.nowMilliseconds,
        appName: String = "Vigil Server",
        logger: Logger = Logger(label: "vigil.server.api")
    ) {
        self.storage = storage
        self.engineOptions = engineOptions
        self.targets = targets
        self.metadata = metadata
        self.tsdbStatus = tsdbStatus ?? QueryableTSDBStatus(storage: storage)
        self.configYAML = configYAML
        self.flags = flags
        self.buildInfo = buildInfo
        let startTime = now()
        self.runtimeInfo =
            runtimeInfo ?? {
                RuntimeInfo(
                    startTime: startTime, cwd: "", hostname: "", serverTime: now(), lastConfigTime: startTime,
                    storageRetention: "")
            }
        self.remoteWrite = remoteWrite
        self.remoteWriteBodyLimit = remoteWriteBodyLimit
        self.reload = reload
        self.admin = admin
        self.readiness = readiness
        self.ownMetrics = ownMetrics
        self.externalLabels = externalLabels
        self.ruleGroups = ruleGroups
        self.now = now
        self.appName = appName
        self.logger = logger
    }

    /// Adds every endpoint to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        let api = self
        for method in [HTTPRequest.Method.get, .post] {
            router.on("/api/v1/query", method: method) {
                try await api.respond($0, $1) { try await api.query($0, &$1) }
            }
            router.on("/api/v1/query_range", method: method) {
                try await api.respond($0, $1) { try await api.queryRange($0, &$1) }
            }
            router.on("/api/v1/query_exemplars", method: method) {
                try await api.respond($0, $1) { try await api.queryExemplars($0, &$1) }
            }
            router.on("/api/v1/series", method: method) {
                try await api.respond($0, $1) { try await api.series($0, &$1) }
            }
            router.on("/api/v1/labels", method: method) {
                try await api.respond($0, $1) { try await api.labelNames($0, &$1) }
            }
            router.on("/api/v1/format_query", method: method) {
                try await api.respond($0, $1) { try await api.formatQuery($0, &$1) }
            }
            router.on("/federate", method: method) { request, _ in try await api.federate(request) }
        }
        router.get("/api/v1/label/{name}/values") { request, context in
            let name = context.parameters[raw: "name"]
            return try await api.respond(request, context) { try await api.labelValues($0, &$1, rawName: name) }
        }
        router.get("/api/v1/metadata") { try await api.respond($0, $1) { try await api.metricMetadata($0, &$1) } }
        router.get("/api/v1/targets") { try await api.respond($0, $1) { try await api.targetList($0, &$1) } }
        router.get("/api/v1/rules") { try await api.respond($0, $1) { try await api.ruleList($0, &$1) } }
        router.get("/api/v1/alerts") { try await api.respond($0, $1) { try await api.alertList($0, &$1) } }
        router.get("/api/v1/status/buildinfo") {
            try await api.respond($0, $1) { _, out in api.writeBuildInfo(to: &out) }
        }
        router.get("/api/v1/status/config") {
            try await api.respond($0, $1) { _, out in
                out.raw("{")
                out.key("yaml")
                out.string(api.configYAML())
                out.raw("}")
            }
        }
        router.get("/api/v1/status/flags") { try await api.respond($0, $1) { _, out in api.writeFlags(to: &out) } }
        router.get("/api/v1/status/runtimeinfo") {
            try await api.respond($0, $1) { _, out in api.writeRuntimeInfo(to: &out) }
        }
        router.get("/api/v1/status/tsdb") { try await api.respond($0, $1) { try await api.tsdbStatus($0, &$1) } }
        router.post("/api/v1/write") { request, _ in try await api.receiveRemoteWrite(request) }
        router.get("/-/healthy") { _, _ in api.plainText(.ok, "\(api.appName) is Healthy.\n") }
        router.head("/-/healthy") { _, _ in api.plainText(.ok, "") }
        router.get("/-/ready") { _, _ in api.readyResponse() }
        router.head("/-/ready") { _, _ in api.readiness.isReady ? api.plainText(.ok, "") : api.notReady() }
        for method in [HTTPRequest.Method.post, .put] {
            router.on("/api/v1/admin/tsdb/delete_series", method: method) { request, _ in
                try await api.adminResponse(request) { try await api.deleteSeries($0, $1) }
            }
            router.on("/api/v1/admin/tsdb/clean_tombstones", method: method) { request, _ in
                try await api.adminResponse(request) { try await api.cleanTombstones($0, $1) }
            }
            router.on("/api/v1/admin/tsdb/snapshot", method: method) { request, _ in
                try await api.adminResponse(request) { try await api.snapshot($0, $1) }
            }
        }
        router.post("/-/reload") { _, _ in try await api.reloadResponse() }
        router.put("/-/reload") { _, _ in try await api.reloadResponse() }
        router.get("/metrics") { request, _ in try await api.metricsResponse(request) }
    }
}

/// Adds the Prometheus API's endpoints to `router` (Hummingbird's builder style).
public func addPrometheusAPI<Context: RequestContext>(to router: Router<Context>, api: PrometheusAPI) {
    api.register(on: router)
}

extension Parameters {
    /// A path parameter as it appears in the URL, still percent-encoded.
    fileprivate subscript(raw name: String) -> Substring { self[name[...]] ?? "" }
}
