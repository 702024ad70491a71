import Foundation
import Hummingbird
import NIOCore
import VigilAlerting
import VigilModel
import VigilPromQL
import VigilRules
import VigilUI

/// The built-in dashboard's pages, gathered with PromQL in-process against the API's storage and rendered
/// by VigilUI: the fleet overview at `/` and `/ui/overview` (this file), a node's page, alerts and silences,
/// explore, targets and status (one `DashboardRoutes+Page.swift` file each), and helpful 404 pages.
///
/// Definitions the overview's counters use (one GPU is one `(Hostname, gpu)` pair of dcgm-exporter's labels):
/// - **unhealthy**: the GPU fell off the bus (`vigil_gpu_lost == 1`), had an uncorrectable ECC error or a
///   reset/reboot/hardware XID in the last hour, or has a row-remap failure — the signals of the rule pack's
///   paging GPU rules (docs/rules.md: `GPULost`, `GPUDoubleBitECCError`, `GPURowRemapFailure`,
///   `GPUXidResetRequired`, `GPUXidRebootRequired`, `GPUXidHardwareFault`);
/// - **busy**: healthy and `DCGM_FI_DEV_GPU_UTIL > 10` (percent);
/// - **idle**: healthy and at most 10 % utilised;
/// - **allocated but idle**: idle, and a Slurm job or Kubernetes pod holds it (`vigil_gpu_job_info`); shown
///   only when some GPU reports a job.
public struct DashboardRoutes: Sendable {
    public var api: PrometheusAPI
    /// The built-in Alertmanager, for the alerts page's silences and inhibited alerts; nil without one.
    public var alertmanager: AlertmanagerAPI?
    /// Seconds between refreshes in place when the URL has no `refresh` parameter.
    public var defaultRefreshSeconds: Int

    public init(api: PrometheusAPI, alertmanager: AlertmanagerAPI? = nil, defaultRefreshSeconds: Int = 15) {
        self.api = api
        self.alertmanager = alertmanager
        self.defaultRefreshSeconds = defaultRefreshSeconds
    }

    /// Utilisation above this percentage counts a GPU as busy.
    static let busyThreshold = 10.0

    /// The XIDs whose GPU needs a reset, a reboot or hardware service (the rule pack's paging XID classes).
    static let seriousXIDs = "8|38|48|56|61|62|95|120|140|32|79|119|121|54|57|64|74|143"

    /// One value per unhealthy GPU (see the type's documentation).
    static let unhealthyQuery = """
        max by (Hostname, hostname, instance, gpu) (
            vigil_gpu_lost == 1
          or increase(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL[1h]) > 0
          or DCGM_FI_DEV_ROW_REMAP_FAILURE > 0
          or increase(vigil_gpu_xid_errors_total{xid=~"\(seriousXIDs)"}[1h]) > 0
          or (vigil_gpu_xid_errors_total{xid=~"\(seriousXIDs)"} > 0
              unless vigil_gpu_xid_errors_total{xid=~"\(seriousXIDs)"} offset 1h)
        )
        """

    static let utilizationQuery = "DCGM_FI_DEV_GPU_UTIL"
    /// One value per GPU that a Slurm job or Kubernetes pod holds.
    static let allocatedQuery = "max by (Hostname, hostname, instance, gpu) (vigil_gpu_job_info)"
    static let powerQuery = "sum(DCGM_FI_DEV_POWER_USAGE)"

    /// The heatmap's query per metric (memory as the percentage of framebuffer used).
    static func heatmapQuery(_ metric: OverviewPage.HeatmapMetric) -> String {
        switch metric {
        case .utilization: utilizationQuery
        case .temperature: "DCGM_FI_DEV_GPU_TEMP"
        case .power: "DCGM_FI_DEV_POWER_USAGE"
        case .memory: "100 * DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE)"
        }
    }

    /// A GPU's place: dcgm-exporter's `Hostname` (or `hostname`, else the scrape's `instance`) and `gpu`.
    struct GPUKey: Hashable {
        var hostname: String
        var gpu: String

        init?(_ labels: Labels) {
            guard let gpu = labels["gpu"] else { return nil }
            hostname = labels["Hostname"] ?? labels["hostname"] ?? labels["instance"] ?? ""
            self.gpu = gpu
        }
    }

    /// Adds the dashboard's pages to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        let dashboard = self
        router.get("/") { request, _ in await dashboard.overviewResponse(request, path: "/") }
        router.get("/ui/overview") { request, _ in await dashboard.overviewResponse(request, path: "/ui/overview") }
        router.get("/ui/node/{name}") { request, _ in await dashboard.nodeResponse(request) }
        router.get("/ui/alerts") { request, _ in await dashboard.alertsResponse(request) }
        registerAlertsActions(on: router)
        router.get("/ui/explore") { request, _ in await dashboard.exploreResponse(request) }
        router.get("/ui/targets") { request, _ in await dashboard.targetsResponse(request) }
        router.get("/ui/status") { request, _ in await dashboard.statusResponse(request) }
        router.get("/ui/{page}") { request, _ in
            Self.html(
                .notFound,
                HTMLPage.errorPage(
                    title: "Page not found",
                    message: "There is no dashboard page at \(request.uri.path). The fleet overview is the first page.",
                    links: [("/", "Fleet overview")]))
        }
    }

    /// Gathers the overview's values at the API's current time. A query that fails leaves its part empty
    /// and adds a note that the page shows.
    public func overview(
        metric: OverviewPage.HeatmapMetric = .utilization, refreshSeconds: Int? = nil, path: String = "/"
    ) async -> OverviewPage {
        let time = api.now()
        let engine = Engine(options: api.engineOptions)
        let storage = api.storage
        let queries = [
            Self.utilizationQuery, Self.unhealthyQuery, Self.powerQuery, Self.allocatedQuery,
            metric == .utilization ? nil : Self.heatmapQuery(metric),
        ]
        let results: [Result<QueryValue, any Error>]
        do {
            results = try await QueryExecutor.run {
                queries.map { query in
                    guard let query else { return .success(.vector([])) }
                    return Result { try engine.instantQuery(query, at: time, on: storage).value }
                }
            }
        } catch {
            results = queries.map { _ in .failure(error) }
        }
        var notes: [String] = []
        func vector(_ index: Int, _ what: String) -> [VectorSample] {
            switch results[index] {
            case .success(.vector(let samples)): return samples
            case .success: return []
            case .failure(let error):
                notes.append("Could not read \(what): \(error)")
                return []
            }
        }
        let utilization = vector(0, "GPU utilisation")
        let unhealthy = Set(vector(1, "GPU health").compactMap { GPUKey($0.labels) })
        let power = vector(2, "power draw").first?.value
        let allocated = Set(vector(3, "job allocations").compactMap { GPUKey($0.labels) })
        let heatmapValues = metric == .utilization ? utilization : vector(4, metric.title.lowercased())

        var busy = 0
        var idle = 0
        var allocatedIdle = 0
        var gpus: [GPUKey: OverviewPage.GPU] = [:]
        for sample in utilization {
            guard let key = GPUKey(sample.labels) else { continue }
            if unhealthy.contains(key) {
                // Counted below with every unhealthy GPU, whether it still reports utilisation or not.
            } else if sample.value > Self.busyThreshold {
                busy += 1
            } else {
                idle += 1
                if allocated.contains(key) { allocatedIdle += 1 }
            }
            gpus[key] = OverviewPage.GPU(
                hostname: key.hostname, gpu: key.gpu, value: nil, unhealthy: unhealthy.contains(key),
                labels: Self.tooltipLabels(sample.labels))
        }
        for key in unhealthy where gpus[key] == nil {
            gpus[key] = OverviewPage.GPU(hostname: key.hostname, gpu: key.gpu, value: nil, unhealthy: true)
        }
        for sample in heatmapValues {
            guard let key = GPUKey(sample.labels) else { continue }
            if gpus[key] == nil {
                gpus[key] = OverviewPage.GPU(
                    hostname: key.hostname, gpu: key.gpu, value: nil, labels: Self.tooltipLabels(sample.labels))
            }
            gpus[key]?.value = sample.value
        }

        var firing: [String: Int] = [:]
        for group in await api.ruleGroups() {
            for rule in group.rules {
                for alert in rule.alerts where alert.state == .firing {
                    firing[alert.labels["severity"] ?? "none", default: 0] += 1
                }
            }
        }
        return OverviewPage(
            counts: OverviewPage.GPUCounts(
                busy: busy, idle: idle, unhealthy: unhealthy.count,
                allocatedIdle: allocated.isEmpty ? nil : allocatedIdle),
            powerWatts: power,
            firingAlerts: firing, metric: metric, gpus: Array(gpus.values), generatedAt: time,
            refreshSeconds: refreshSeconds ?? defaultRefreshSeconds, notes: notes, path: path)
    }

    /// The labels a cell's tooltip shows: the model and the UUID, when present.
    static func tooltipLabels(_ labels: Labels) -> Labels {
        Labels(labels.filter { $0.name == "modelName" || $0.name == "UUID" })
    }

    func overviewResponse(_ request: Request, path: String) async -> Response {
        let started = ContinuousClock.now
        let metricText = request.uri.queryParameters["metric"].map(String.init) ?? "utilization"
        guard let metric = OverviewPage.HeatmapMetric(rawValue: metricText) else {
            let names = OverviewPage.HeatmapMetric.allCases.map(\.rawValue)
            return Self.html(
                .badRequest,
                HTMLPage.errorPage(
                    title: "Unknown heatmap metric",
                    message:
                        "The heatmap cannot show \"\(metricText)\"; metric must be one of \(names.joined(separator: ", ")).",
                    links: names.map { ("\(path)?metric=\($0)", $0) }))
        }
        let refresh: Int?
        do {
            refresh = try Self.refresh(
                request.uri.queryParameters["refresh"].map(String.init),
                back: (path, "Fleet overview, refreshed every \(defaultRefreshSeconds) s"))
        } catch {
            return error.response
        }
        let page = await overview(metric: metric, refreshSeconds: refresh, path: path)
        do {
            return Self.timed(Self.html(.ok, try page.render()), since: started)
        } catch {
            return Self.html(
                .internalServerError,
                HTMLPage.errorPage(
                    title: "Overview failed", message: "The overview could not be drawn: \(error)",
                    links: [(path, "Try again")]))
        }
    }

    /// A page parameter that cannot be used: the 400 page that names it and links back.
    struct BadPageParameter: Error {
        var response: Response
    }

    /// The `refresh` parameter's seconds (nil when absent or empty), or the 400 page that explains the
    /// accepted forms and links to `back`.
    static func refresh(_ text: String?, back: (href: String, text: String)) throws(BadPageParameter) -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard let seconds = refreshSeconds(text) else {
            throw BadPageParameter(
                response: html(
                    .badRequest,
                    HTMLPage.errorPage(
                        title: "Bad refresh interval",
                        message:
                            "refresh=\"\(text)\" is not an interval: give whole seconds from 1 to 3600 (e.g. 15s or 15), or off.",
                        links: [back])))
        }
        return seconds
    }

    /// `15s`, `15` → 15; `off`, `0` → 0 (no refresh); nil for anything else or outside 1…3600 seconds.
    static func refreshSeconds(_ text: String) -> Int? {
        if text == "off" || text == "0" || text == "0s" { return 0 }
        let digits = text.hasSuffix("s") ? String(text.dropLast()) : text
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let seconds = Int(digits), (1...3600).contains(seconds)
        else { return nil }
        return seconds
    }

    /// `response` with a `Server-Timing` header (`render;dur=12.3`) for the milliseconds since `started`.
    static func timed(_ response: Response, since started: ContinuousClock.Instant) -> Response {
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3
        var response = response
        response.headers[.init("Server-Timing")!] = "render;dur=" + String(format: "%.1f", milliseconds)
        return response
    }

    static func html(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .xContentTypeOptions: "nosniff",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Adds the built-in dashboard's pages to `router`.
public func addDashboard<Context: RequestContext>(
    to router: Router<Context>, api: PrometheusAPI, alertmanager: AlertmanagerAPI? = nil
) {
    DashboardRoutes(api: api, alertmanager: alertmanager).register(on: router)
}
