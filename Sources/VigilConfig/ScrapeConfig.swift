import VigilModel

/// One `scrape_configs` entry: a job, its targets (static or from files) and how they are scraped.
///
/// Intervals, timeouts and limits hold effective values: what the job set, or what it inherited
/// from ``GlobalConfig``.
public struct ScrapeConfig: Sendable, Hashable {
    /// `job_name`: the `job` label of every target unless relabelling changes it; unique per file.
    public var jobName: String
    /// `honor_labels`: on a clash, keep the scraped label instead of the target's (default false).
    public var honorLabels: Bool
    /// `honor_timestamps`: keep timestamps the target exposes (default true).
    public var honorTimestamps: Bool
    /// `track_timestamps_staleness`: mark series with explicit timestamps stale when they vanish (default false).
    public var trackTimestampsStaleness: Bool
    /// `scrape_interval` (inherits `global.scrape_interval`).
    public var scrapeInterval: Duration
    /// `scrape_timeout` (inherits `global.scrape_timeout`, capped at the interval); never above the interval.
    public var scrapeTimeout: Duration
    /// `metrics_path` (default `/metrics`).
    public var metricsPath: String
    /// `scheme` (default http).
    public var scheme: URLScheme
    /// `params`: URL query parameters sent with every scrape; a name may repeat.
    public var params: [String: [String]]
    /// `static_configs`: targets listed in the file.
    public var staticConfigs: [TargetGroup]
    /// `file_sd_configs`: targets read from JSON or YAML files (see ``FileSD``).
    public var fileSDConfigs: [FileSDConfig]
    /// `relabel_configs`: applied to each target's labels before scraping.
    public var relabelConfigs: [RelabelConfig]
    /// `metric_relabel_configs`: applied to each scraped series before it is stored.
    public var metricRelabelConfigs: [RelabelConfig]
    /// `basic_auth`, `authorization`, `tls_config`, `follow_redirects`, `enable_http2`.
    public var httpClient: HTTPClientConfig
    /// `enable_compression`: ask targets for gzip (default true).
    public var enableCompression: Bool
    /// `sample_limit`, `label_limit`, … , `body_size_limit`, `target_limit` (each inherits `global`).
    public var limits: ScrapeLimits

    public init(
        jobName: String,
        honorLabels: Bool = false,
        honorTimestamps: Bool = true,
        trackTimestampsStaleness: Bool = false,
        scrapeInterval: Duration = .seconds(60),
        scrapeTimeout: Duration = .seconds(10),
        metricsPath: String = "/metrics",
        scheme: URLScheme = .http,
        params: [String: [String]] = [:],
        staticConfigs: [TargetGroup] = [],
        fileSDConfigs: [FileSDConfig] = [],
        relabelConfigs: [RelabelConfig] = [],
        metricRelabelConfigs: [RelabelConfig] = [],
        httpClient: HTTPClientConfig = HTTPClientConfig(),
        enableCompression: Bool = true,
        limits: ScrapeLimits = ScrapeLimits()
    ) {
        self.jobName = jobName
        self.honorLabels = honorLabels
        self.honorTimestamps = honorTimestamps
        self.trackTimestampsStaleness = trackTimestampsStaleness
        self.scrapeInterval = scrapeInterval
        self.scrapeTimeout = scrapeTimeout
        self.metricsPath = metricsPath
        self.scheme = scheme
        self.params = params
        self.staticConfigs = staticConfigs
        self.fileSDConfigs = fileSDConfigs
        self.relabelConfigs = relabelConfigs
        self.metricRelabelConfigs = metricRelabelConfigs
        self.httpClient = httpClient
        self.enableCompression = enableCompression
        self.limits = limits
    }
}

/// `http` or `https`.
public enum URLScheme: String, Sendable, Hashable, CaseIterable {
    case http
    case https
}

/// A set of targets sharing labels: one `static_configs` entry, or one entry of a file_sd file.
public struct TargetGroup: Sendable, Hashable {
    /// `host:port` addresses (the `__address__` label of each target).
    public var targets: [String]
    /// Labels every target of the group gets (before relabelling).
    public var labels: Labels
    /// Where the group came from: `"0"`, `"1"`, … for static configs, `"<file>:<index>"` for file_sd.
    public var source: String

    public init(targets: [String], labels: Labels = Labels(), source: String = "") {
        self.targets = targets
        self.labels = labels
        self.source = source
    }
}

/// One `file_sd_configs` entry.
public struct FileSDConfig: Sendable, Hashable {
    /// `files`: paths whose last element may be a glob (`targets/*.json`); `.json`, `.yml` or `.yaml`.
    public var files: [String]
    /// `refresh_interval`: how often the files are re-read even without a change event (default 5m).
    public var refreshInterval: Duration

    public init(files: [String], refreshInterval: Duration = .seconds(300)) {
        self.files = files
        self.refreshInterval = refreshInterval
    }
}

/// The HTTP client settings Prometheus shares between scraping, Alertmanager and remote_write.
public struct HTTPClientConfig: Sendable, Hashable {
    /// `basic_auth`.
    public var basicAuth: BasicAuth?
    /// `authorization` (an `Authorization:` header, `Bearer` by default).
    public var authorization: Authorization?
    /// `tls_config`.
    public var tlsConfig: TLSConfig
    /// `follow_redirects` (default true).
    public var followRedirects: Bool
    /// `enable_http2` (default true; false for remote_write, as in Prometheus).
    public var enableHTTP2: Bool

    public init(
        basicAuth: BasicAuth? = nil, authorization: Authorization? = nil, tlsConfig: TLSConfig = TLSConfig(),
        followRedirects: Bool = true, enableHTTP2: Bool = true
    ) {
        self.basicAuth = basicAuth
        self.authorization = authorization
        self.tlsConfig = tlsConfig
        self.followRedirects = followRedirects
        self.enableHTTP2 = enableHTTP2
    }
}

/// `basic_auth`: a user name and either a password or a file holding it (not both).
public struct BasicAuth: Sendable, Hashable {
    public var username: String
    /// The password itself; shown as `<secret>` in ``VigilConfiguration/yaml(redactingSecrets:)``.
    public var password: String?
    /// A file whose content (trailing newline trimmed) is the password, read at each request.
    public var passwordFile: String?

    public init(username: String, password: String? = nil, passwordFile: String? = nil) {
        self.username = username
        self.password = password
        self.passwordFile = passwordFile
    }
}

/// `authorization`: sends `Authorization: <type> <credentials>`.
public struct Authorization: Sendable, Hashable {
    /// The scheme (default `Bearer`); `Basic` is refused (use `basic_auth`).
    public var type: String
    /// The credentials; shown as `<secret>` in ``VigilConfiguration/yaml(redactingSecrets:)``.
    public var credentials: String?
    /// A file whose content (trailing newline trimmed) is the credentials.
    public var credentialsFile: String?

    public init(type: String = "Bearer", credentials: String? = nil, credentialsFile: String? = nil) {
        self.type = type
        self.credentials = credentials
        self.credentialsFile = credentialsFile
    }
}

/// `tls_config`.
public struct TLSConfig: Sendable, Hashable {
    /// CA certificates (PEM) to verify the server with; the system's when nil.
    public var caFile: String?
    /// Client certificate (PEM), with ``keyFile``.
    public var certFile: String?
    /// Client key (PEM), with ``certFile``.
    public var keyFile: String?
    /// The name the server's certificate must carry (and the SNI sent).
    public var serverName: String?
    /// Accept any server certificate (for tests and labs only).
    public var insecureSkipVerify: Bool

    public init(
        caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, serverName: String? = nil,
        insecureSkipVerify: Bool = false
    ) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.serverName = serverName
        self.insecureSkipVerify = insecureSkipVerify
    }
}
