import Hummingbird
import Logging
import VigilAlerting
import VigilMeta

/// Where the server listens.
public struct ServerListenConfiguration: Sendable, Hashable {
    public var host: String
    public var port: Int

    public init(host: String = "127.0.0.1", port: Int = 9470) {
        self.host = host
        self.port = port
    }

    /// `host:port` as `--listen` takes it (``ServerDefaults/listenAddress`` by default); nil when malformed.
    public init?(address: String) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.init(host: host.isEmpty ? "0.0.0.0" : host, port: port)
    }
}

/// Builds the server's HTTP application with the Prometheus API and the dashboard: what `vigil server` runs as the last service
/// of its group, and what tests call in-process with `app.test(.router)`.
public func buildServerApplication(
    api: PrometheusAPI, alertmanager: AlertmanagerAPI? = nil, jobSummaries: JobSummaryStore? = nil,
    listen: ServerListenConfiguration = ServerListenConfiguration(), logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = Router()
    addPrometheusAPI(to: router, api: api)
    addDashboard(to: router, api: api, alertmanager: alertmanager)
    JobsAPI(api: api, store: jobSummaries).register(on: router)
    DashboardRoutes(api: api, alertmanager: alertmanager).registerJobs(on: router, store: jobSummaries)
    if let alertmanager { addAlertmanagerAPI(to: router, api: alertmanager) }
    return Application(
        router: router,
        configuration: ApplicationConfiguration(
            address: .hostname(listen.host, port: listen.port), serverName: "vigil-server"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? listen.port) },
        logger: logger)
}
