/// `alerting:` — Alertmanagers to notify and how alert labels are rewritten before.
public struct AlertingConfig: Sendable, Hashable {
    /// `alert_relabel_configs`: applied to every alert before it is sent; a dropped alert is not sent.
    public var alertRelabelConfigs: [RelabelConfig]
    /// `alertmanagers`.
    public var alertmanagers: [AlertmanagerConfig]

    public init(alertRelabelConfigs: [RelabelConfig] = [], alertmanagers: [AlertmanagerConfig] = []) {
        self.alertRelabelConfigs = alertRelabelConfigs
        self.alertmanagers = alertmanagers
    }
}

/// One `alerting.alertmanagers` entry.
public struct AlertmanagerConfig: Sendable, Hashable {
    /// `static_configs`: Alertmanager `host:port` addresses.
    public var staticConfigs: [TargetGroup]
    /// `file_sd_configs`.
    public var fileSDConfigs: [FileSDConfig]
    /// `relabel_configs`: applied to each discovered Alertmanager.
    public var relabelConfigs: [RelabelConfig]
    /// `scheme` (default http).
    public var scheme: URLScheme
    /// `path_prefix`: put before `/api/v2/alerts` (default empty).
    public var pathPrefix: String
    /// `timeout`: one push's deadline (default 10s).
    public var timeout: Duration
    /// `api_version`: only `v2` (Alertmanager removed v1).
    public var apiVersion: AlertmanagerAPIVersion
    /// `basic_auth`, `authorization`, `tls_config`, `follow_redirects`, `enable_http2`.
    public var httpClient: HTTPClientConfig

    public init(
        staticConfigs: [TargetGroup] = [], fileSDConfigs: [FileSDConfig] = [], relabelConfigs: [RelabelConfig] = [],
        scheme: URLScheme = .http, pathPrefix: String = "", timeout: Duration = .seconds(10),
        apiVersion: AlertmanagerAPIVersion = .v2, httpClient: HTTPClientConfig = HTTPClientConfig()
    ) {
        self.staticConfigs = staticConfigs
        self.fileSDConfigs = fileSDConfigs
        self.relabelConfigs = relabelConfigs
        self.scheme = scheme
        self.pathPrefix = pathPrefix
        self.timeout = timeout
        self.apiVersion = apiVersion
        self.httpClient = httpClient
    }
}

/// The Alertmanager API version alerts are pushed with.
public enum AlertmanagerAPIVersion: String, Sendable, Hashable, CaseIterable {
    case v2
}
