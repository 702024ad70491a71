import Foundation
import VigilModel
import Yams

extension VigilConfiguration {
    /// Reads and parses a configuration file; relative paths in it (rule files, secret files,
    /// certificates, file_sd files) are resolved against the file's directory.
    public static func load(path: String) throws(ConfigError) -> VigilConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(.io, keyPath: "", "cannot read the configuration file", file: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(.syntax, keyPath: "", "the configuration file is not UTF-8 text", file: path)
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses a configuration document strictly: unknown keys, wrong types and invalid values are
    /// errors that name the key path and the line and column. `file`, when given, is named in errors
    /// and is the directory relative paths are resolved against; otherwise they stay relative to the
    /// working directory. Files the configuration names (secrets, certificates) must exist.
    public static func parse(yaml: String, file: String? = nil) throws(ConfigError) -> VigilConfiguration {
        let root = try YAMLCursor.document(yaml, file: file)
        var parser = ConfigParser(file: file)
        return try parser.configuration(root)
    }
}

extension ConfigError {
    /// A Yams syntax error, with the position libyaml reported.
    init(yamlError: YamlError, file: String?) {
        switch yamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let text = context.map { "\($0.text): " } ?? ""
            self.init(.syntax, keyPath: "", text + problem, line: mark.line, column: mark.column, file: file)
        case .duplicatedKeysInMapping(let duplicates, let context):
            self.init(
                .duplicate, keyPath: "",
                "key \(duplicates.map(quoted).joined(separator: ", ")) appears more than once in one mapping",
                line: context.mark.line, column: context.mark.column, file: file)
        case .reader(let problem, _, _, _):
            self.init(.syntax, keyPath: "", problem, file: file)
        default:
            self.init(.syntax, keyPath: "", "\(yamlError)", file: file)
        }
    }
}

/// Prometheus settings Vigil recognises but does not implement; they fail with a message that says so.
private enum Unsupported {
    static let root = ["remote_read", "tracing", "otlp", "runtime", "scrape_config_files"]
    static let global = [
        "query_log_file", "scrape_failure_log_file", "scrape_protocols", "metric_name_validation_scheme",
        "metric_name_escaping_scheme", "scrape_native_histograms", "convert_classic_histograms_to_nhcb",
        "always_scrape_classic_histograms", "extra_scrape_metrics",
    ]
    static let serviceDiscovery = [
        "azure_sd_configs", "consul_sd_configs", "digitalocean_sd_configs", "docker_sd_configs",
        "dockerswarm_sd_configs", "dns_sd_configs", "ec2_sd_configs", "eureka_sd_configs", "gce_sd_configs",
        "hetzner_sd_configs", "http_sd_configs", "ionos_sd_configs", "kubernetes_sd_configs", "kuma_sd_configs",
        "lightsail_sd_configs", "linode_sd_configs", "marathon_sd_configs", "nerve_sd_configs", "nomad_sd_configs",
        "openstack_sd_configs", "ovhcloud_sd_configs", "puppetdb_sd_configs", "scaleway_sd_configs",
        "serverset_sd_configs", "stackit_sd_configs", "triton_sd_configs", "uyuni_sd_configs", "vultr_sd_configs",
    ]
    static let httpClient = [
        "oauth2", "proxy_url", "no_proxy", "proxy_from_environment", "proxy_connect_header", "http_headers",
    ]
    static let scrape = [
        "scrape_protocols", "fallback_scrape_protocol", "scrape_native_histograms", "always_scrape_classic_histograms",
        "convert_classic_histograms_to_nhcb", "native_histogram_bucket_limit", "native_histogram_min_bucket_factor",
        "metric_name_validation_scheme", "metric_name_escaping_scheme", "scrape_failure_log_file",
        "extra_scrape_metrics",
    ]
    static let tls = ["ca", "cert", "key", "ca_ref", "cert_ref", "key_ref", "min_version", "max_version"]
    static let remoteWrite = [
        "protobuf_message", "send_exemplars", "send_native_histograms", "round_robin_dns", "sigv4", "azuread",
        "google_iam",
    ]
}

private let httpClientKeys = [
    "basic_auth", "authorization", "tls_config", "follow_redirects", "enable_http2", "bearer_token",
    "bearer_token_file",
]

/// Headers remote_write sets itself (Prometheus's `reservedHeaders`).
private let reservedHeaders: Set<String> = [
    "host", "content-encoding", "content-length", "content-type", "user-agent", "connection", "keep-alive",
    "proxy-authenticate", "proxy-authorization", "www-authenticate", "accept-encoding",
    "x-prometheus-remote-write-version", "x-prometheus-remote-read-version", "x-amz-date", "x-amz-security-token",
    "x-amz-content-sha256",
]

/// Walks the YAML tree section by section, filling defaults and validating as Prometheus does.
struct ConfigParser {
    let file: String?
    /// The directory relative paths are resolved against (the file's); nil keeps them as written.
    let directory: String?

    init(file: String?) {
        self.file = file
        directory = file.map { file in
            guard let slash = file.lastIndex(of: "/") else { return "." }
            return slash == file.startIndex ? "/" : String(file[..<slash])
        }
    }

    mutating func configuration(_ cursor: YAMLCursor?) throws(ConfigError) -> VigilConfiguration {
        var config = VigilConfiguration()
        guard let cursor else { return config }
        let map = try cursor.mapping(
            known: [
                "global", "scrape_configs", "rule_files", "alerting", "remote_write", "storage", "local_agent",
            ],
            unsupported: Unsupported.root)
        if let global = map["global"] { config.global = try self.global(global) }
        if let files = map["rule_files"] {
            for element in try files.sequence() {
                let pattern = try element.string()
                if !isValidGlobPath(pattern) {
                    throw element.error(
                        .invalidValue,
                        "invalid rule file path \(quoted(pattern)) (only the last path element may hold a *)")
                }
                config.ruleFiles.append(resolve(pattern))
            }
        }
        if let scrapes = map["scrape_configs"] {
            var seen: [String: Int] = [:]
            for element in try scrapes.sequence() {
                let scrape = try scrapeConfig(element, global: config.global)
                if let first = seen[scrape.jobName] {
                    throw element.error(
                        .duplicate,
                        "found multiple scrape configs with job name \(quoted(scrape.jobName)) (first at scrape_configs[\(first)])",
                        at: "job_name")
                }
                seen[scrape.jobName] = config.scrapeConfigs.count
                config.scrapeConfigs.append(scrape)
            }
        }
        if let alerting = map["alerting"] { config.alerting = try self.alerting(alerting) }
        if let remote = map["remote_write"] {
            var names: Set<String> = []
            for element in try remote.sequence() {
                let write = try remoteWrite(element)
                if !write.name.isEmpty && !names.insert(write.name).inserted {
                    throw element.error(
                        .duplicate, "found multiple remote write configs with name \(quoted(write.name))", at: "name")
                }
                config.remoteWrite.append(write)
            }
        }
        if let storage = map["storage"] { config.storage = try self.storage(storage) }
        config.localAgent.scrapeInterval = config.global.scrapeInterval
        if let agent = map["local_agent"] { config.localAgent = try localAgent(agent, global: config.global) }
        return config
    }

    // MARK: global

    func global(_ cursor: YAMLCursor) throws(ConfigError) -> GlobalConfig {
        let map = try cursor.mapping(
            known: [
                "scrape_interval", "scrape_timeout", "evaluation_interval", "rule_query_offset", "external_labels",
            ] + limitKeys + ["keep_dropped_targets"],
            unsupported: Unsupported.global)
        var global = GlobalConfig()
        if let value = map["scrape_interval"] { global.scrapeInterval = try nonZero(value.duration()) ?? .seconds(60) }
        if let value = map["scrape_timeout"] {
            let timeout = try value.duration()
            if timeout > global.scrapeInterval {
                throw value.error(
                    .invalidValue,
                    "global scrape timeout \(PrometheusDuration.format(timeout)) greater than scrape interval \(PrometheusDuration.format(global.scrapeInterval))"
                )
            }
            global.scrapeTimeout = timeout == .zero ? min(.seconds(10), global.scrapeInterval) : timeout
        } else {
            global.scrapeTimeout = min(.seconds(10), global.scrapeInterval)
        }
        if let value = map["evaluation_interval"] {
            global.evaluationInterval = try nonZero(value.duration()) ?? .seconds(60)
        }
        if let value = map["rule_query_offset"] { global.ruleQueryOffset = try value.duration() }
        if let value = map["external_labels"] { global.externalLabels = try labels(value) }
        global.limits = try limits(map)
        return global
    }

    private var limitKeys: [String] {
        [
            "body_size_limit", "sample_limit", "label_limit", "label_name_length_limit", "label_value_length_limit",
            "target_limit",
        ]
    }

    private func limits(_ map: YAMLMapping) throws(ConfigError) -> ScrapeLimits {
        var limits = ScrapeLimits()
        if let value = map["body_size_limit"] { limits.bodySizeLimit = try value.byteSize() }
        if let value = map["sample_limit"] { limits.sampleLimit = try value.count() }
        if let value = map["label_limit"] { limits.labelLimit = try value.count() }
        if let value = map["label_name_length_limit"] { limits.labelNameLengthLimit = try value.count() }
        if let value = map["label_value_length_limit"] { limits.labelValueLengthLimit = try value.count() }
        if let value = map["target_limit"] { limits.targetLimit = try value.count() }
        if let value = map["keep_dropped_targets"] { limits.keepDroppedTargets = try value.count() }
        return limits
    }

    // MARK: scrape_configs

    func scrapeConfig(_ cursor: YAMLCursor, global: GlobalConfig) throws(ConfigError) -> ScrapeConfig {
        if cursor.isNull { throw cursor.error(.invalidValue, "empty or null scrape config section") }
        let map = try cursor.mapping(
            known: [
                "job_name", "honor_labels", "honor_timestamps", "track_timestamps_staleness", "scrape_interval",
                "scrape_timeout", "metrics_path", "scheme", "params", "static_configs", "file_sd_configs",
                "relabel_configs", "metric_relabel_configs", "enable_compression", "keep_dropped_targets",
            ] + limitKeys + httpClientKeys,
            unsupported: Unsupported.scrape + Unsupported.serviceDiscovery + Unsupported.httpClient)
        guard let jobCursor = map["job_name"], case let jobName = try jobCursor.string(), !jobName.isEmpty else {
            throw map.error(.missingKey, "job_name", "job_name is empty (every scrape config needs one)")
        }
        var scrape = ScrapeConfig(jobName: jobName)
        if let value = map["honor_labels"] { scrape.honorLabels = try value.bool() }
        if let value = map["honor_timestamps"] { scrape.honorTimestamps = try value.bool() }
        if let value = map["track_timestamps_staleness"] { scrape.trackTimestampsStaleness = try value.bool() }
        scrape.scrapeInterval = global.scrapeInterval
        if let value = map["scrape_interval"], let interval = nonZero(try value.duration()) {
            scrape.scrapeInterval = interval
        }
        if let value = map["scrape_timeout"], case let timeout = try value.duration(), timeout != .zero {
            if timeout > scrape.scrapeInterval {
                throw value.error(
                    .invalidValue,
                    "scrape timeout \(PrometheusDuration.format(timeout)) greater than scrape interval \(PrometheusDuration.format(scrape.scrapeInterval)) for job \(quoted(jobName))"
                )
            }
            scrape.scrapeTimeout = timeout
        } else {
            scrape.scrapeTimeout = min(global.scrapeTimeout, scrape.scrapeInterval)
        }
        if let value = map["metrics_path"] { scrape.metricsPath = try value.string() }
        if let value = map["scheme"] { scrape.scheme = try value.oneOf(URLScheme.self) }
        if let value = map["params"] {
            for (name, values) in try value.freeMapping() { scrape.params[name] = try values.stringList() }
        }
        if let value = map["enable_compression"] { scrape.enableCompression = try value.bool() }
        scrape.limits = try limits(map).inheriting(global.limits)
        scrape.httpClient = try httpClient(map, defaults: HTTPClientConfig())
        if let value = map["relabel_configs"] { scrape.relabelConfigs = try relabelConfigs(value) }
        if let value = map["metric_relabel_configs"] { scrape.metricRelabelConfigs = try relabelConfigs(value) }
        if let value = map["static_configs"] {
            scrape.staticConfigs = try staticConfigs(value, checkTargets: scrape.relabelConfigs.isEmpty)
        }
        if let value = map["file_sd_configs"] { scrape.fileSDConfigs = try fileSDConfigs(value) }
        return scrape
    }

    func staticConfigs(_ cursor: YAMLCursor, checkTargets: Bool) throws(ConfigError) -> [TargetGroup] {
        var groups: [TargetGroup] = []
        for (index, element) in try cursor.sequence().enumerated() {
            let map = try element.mapping(known: ["targets", "labels"])
            var group = TargetGroup(targets: [], source: String(index))
            if let targets = map["targets"] {
                for target in try targets.sequence() {
                    let address = try target.string()
                    if checkTargets, let problem = targetAddressProblem(address) {
                        throw target.error(.invalidValue, problem)
                    }
                    group.targets.append(address)
                }
            }
            if let labels = map["labels"] { group.labels = try self.labels(labels) }
            groups.append(group)
        }
        return groups
    }

    func fileSDConfigs(_ cursor: YAMLCursor) throws(ConfigError) -> [FileSDConfig] {
        var configs: [FileSDConfig] = []
        for element in try cursor.sequence() {
            let map = try element.mapping(known: ["files", "refresh_interval"])
            var config = FileSDConfig(files: [])
            guard let files = map["files"], case let patterns = try files.sequence(), !patterns.isEmpty else {
                throw map.error(
                    .missingKey, "files", "file service discovery config must contain at least one path name")
            }
            for pattern in patterns {
                let path = try pattern.string()
                if !isValidFileSDPath(path) {
                    throw pattern.error(
                        .invalidValue,
                        "path name \(quoted(path)) is not valid for file discovery (a .json, .yml or .yaml file; only the last element may hold a *)"
                    )
                }
                config.files.append(resolve(path))
            }
            if let value = map["refresh_interval"] { config.refreshInterval = try value.duration() }
            configs.append(config)
        }
        return configs
    }

    // MARK: relabelling

    func relabelConfigs(_ cursor: YAMLCursor) throws(ConfigError) -> [RelabelConfig] {
        var rules: [RelabelConfig] = []
        for element in try cursor.sequence() { rules.append(try relabelConfig(element)) }
        return rules
    }

    func relabelConfig(_ cursor: YAMLCursor) throws(ConfigError) -> RelabelConfig {
        if cursor.isNull { throw cursor.error(.invalidValue, "empty or null relabeling rule") }
        let map = try cursor.mapping(
            known: ["source_labels", "separator", "regex", "modulus", "target_label", "replacement", "action"])
        var rule = RelabelConfig()
        if let value = map["source_labels"] { rule.sourceLabels = try value.stringList() }
        if let value = map["separator"] { rule.separator = try value.string() }
        if map.contains("regex") {
            // A null `regex:` is the empty regex, as in Prometheus (not the default).
            let pattern = try map["regex"]?.string() ?? ""
            do {
                rule.regex = try RelabelRegex(pattern)
            } catch {
                throw map.error(.invalidValue, "regex", "invalid regular expression \(quoted(pattern))")
            }
        }
        if let value = map["modulus"] { rule.modulus = try value.uint64() }
        if let value = map["target_label"] { rule.targetLabel = try value.string() }
        if let value = map["replacement"] { rule.replacement = try value.string() }
        if let value = map["action"] {
            let text = try value.string()
            guard let action = RelabelAction(rawValue: text.lowercased()) else {
                let choices = RelabelAction.allCases.map(\.rawValue).joined(separator: ", ")
                throw value.error(.invalidValue, "unknown relabel action \(quoted(text)) (one of \(choices))")
            }
            rule.action = action
        }
        do {
            try rule.validate()
        } catch {
            let key = error.keyPath.prefix { $0 != "[" }
            throw map.contains(String(key))
                ? YAMLCursor(node: map.values[String(key)]!.node, path: join(cursor.path, error.keyPath), file: file)
                    .error(error.code, error.message)
                : cursor.error(error.code, error.message, at: error.keyPath)
        }
        return rule
    }

    // MARK: HTTP client

    func httpClient(_ map: YAMLMapping, defaults: HTTPClientConfig) throws(ConfigError) -> HTTPClientConfig {
        var client = defaults
        if let value = map["follow_redirects"] { client.followRedirects = try value.bool() }
        if let value = map["enable_http2"] { client.enableHTTP2 = try value.bool() }
        if let value = map["tls_config"] { client.tlsConfig = try tlsConfig(value) }
        if let value = map["basic_auth"] {
            let auth = try value.mapping(
                known: ["username", "password", "password_file"],
                unsupported: ["username_file", "username_ref", "password_ref"])
            var basic = BasicAuth(username: try auth["username"]?.string() ?? "")
            basic.password = try auth["password"]?.string()
            if let file = auth["password_file"] { basic.passwordFile = try existingFile(file) }
            if basic.password != nil && basic.passwordFile != nil {
                throw auth.error(
                    .invalidValue, "password_file",
                    "at most one of basic_auth password & password_file must be configured")
            }
            client.basicAuth = basic
        }
        if let value = map["authorization"] {
            let auth = try value.mapping(
                known: ["type", "credentials", "credentials_file"], unsupported: ["credentials_ref"])
            var authorization = Authorization()
            if let type = auth["type"] {
                authorization.type = try type.string()
                if authorization.type.lowercased() == "basic" {
                    throw type.error(
                        .invalidValue, "authorization type cannot be set to \"basic\", use \"basic_auth\" instead")
                }
            }
            authorization.credentials = try auth["credentials"]?.string()
            if let file = auth["credentials_file"] { authorization.credentialsFile = try existingFile(file) }
            if authorization.credentials != nil && authorization.credentialsFile != nil {
                throw auth.error(
                    .invalidValue, "credentials_file",
                    "at most one of authorization credentials & credentials_file must be configured")
            }
            client.authorization = authorization
        }
        // `bearer_token` and `bearer_token_file` are Prometheus's older spelling of `authorization`.
        let bearerKey = map.contains("bearer_token") ? "bearer_token" : "bearer_token_file"
        if map["bearer_token"] != nil || map["bearer_token_file"] != nil {
            if map["bearer_token"] != nil && map["bearer_token_file"] != nil {
                throw map.error(
                    .invalidValue, "bearer_token_file",
                    "at most one of bearer_token & bearer_token_file must be configured")
            }
            if client.authorization != nil {
                throw map.error(
                    .invalidValue, bearerKey, "authorization is not compatible with bearer_token & bearer_token_file")
            }
            if client.basicAuth != nil {
                throw map.error(
                    .invalidValue, bearerKey,
                    "at most one of basic_auth, bearer_token & bearer_token_file must be configured")
            }
            client.authorization = Authorization(
                credentials: try map["bearer_token"]?.string(),
                credentialsFile: try map["bearer_token_file"].map { file throws(ConfigError) in try existingFile(file) }
            )
        }
        if client.basicAuth != nil && client.authorization != nil {
            throw map.error(
                .invalidValue, "authorization", "at most one of basic_auth & authorization must be configured")
        }
        return client
    }

    func tlsConfig(_ cursor: YAMLCursor) throws(ConfigError) -> TLSConfig {
        let map = try cursor.mapping(
            known: ["ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify"],
            unsupported: Unsupported.tls)
        var tls = TLSConfig()
        if let file = map["ca_file"] { tls.caFile = try existingFile(file) }
        if let file = map["cert_file"] { tls.certFile = try existingFile(file) }
        if let file = map["key_file"] { tls.keyFile = try existingFile(file) }
        if let value = map["server_name"] { tls.serverName = try value.string() }
        if let value = map["insecure_skip_verify"] { tls.insecureSkipVerify = try value.bool() }
        if tls.certFile != nil && tls.keyFile == nil {
            throw map.error(.missingKey, "key_file", "a client certificate (cert_file) needs its key (key_file)")
        }
        if tls.keyFile != nil && tls.certFile == nil {
            throw map.error(.missingKey, "cert_file", "a client key (key_file) needs its certificate (cert_file)")
        }
        return tls
    }

    // MARK: alerting

    func alerting(_ cursor: YAMLCursor) throws(ConfigError) -> AlertingConfig {
        let map = try cursor.mapping(known: ["alertmanagers", "alert_relabel_configs"])
        var alerting = AlertingConfig()
        if let value = map["alert_relabel_configs"] { alerting.alertRelabelConfigs = try relabelConfigs(value) }
        if let value = map["alertmanagers"] {
            for element in try value.sequence() { alerting.alertmanagers.append(try alertmanager(element)) }
        }
        return alerting
    }

    func alertmanager(_ cursor: YAMLCursor) throws(ConfigError) -> AlertmanagerConfig {
        let map = try cursor.mapping(
            known: [
                "static_configs", "file_sd_configs", "relabel_configs", "scheme", "path_prefix", "timeout",
                "api_version",
            ] + httpClientKeys,
            unsupported: Unsupported.serviceDiscovery + Unsupported.httpClient + ["sigv4", "alert_relabel_configs"])
        var manager = AlertmanagerConfig()
        if let value = map["scheme"] { manager.scheme = try value.oneOf(URLScheme.self) }
        if let value = map["path_prefix"] { manager.pathPrefix = try value.string() }
        if let value = map["timeout"] { manager.timeout = try value.duration() }
        if let value = map["api_version"] {
            let version = try value.string()
            guard let parsed = AlertmanagerAPIVersion(rawValue: version) else {
                throw value.error(
                    .invalidValue,
                    "expected Alertmanager api version to be one of [v2] but got \(quoted(version))")
            }
            manager.apiVersion = parsed
        }
        manager.httpClient = try httpClient(map, defaults: HTTPClientConfig())
        if let value = map["relabel_configs"] { manager.relabelConfigs = try relabelConfigs(value) }
        if let value = map["static_configs"] {
            manager.staticConfigs = try staticConfigs(value, checkTargets: manager.relabelConfigs.isEmpty)
        }
        if let value = map["file_sd_configs"] { manager.fileSDConfigs = try fileSDConfigs(value) }
        return manager
    }

    // MARK: remote_write

    func remoteWrite(_ cursor: YAMLCursor) throws(ConfigError) -> RemoteWriteConfig {
        if cursor.isNull { throw cursor.error(.invalidValue, "empty or null remote write config section") }
        let map = try cursor.mapping(
            known: [
                "url", "name", "remote_timeout", "headers", "write_relabel_configs", "queue_config", "metadata_config",
            ] + httpClientKeys,
            unsupported: Unsupported.remoteWrite + Unsupported.httpClient)
        guard let urlCursor = map["url"], case let url = try urlCursor.string(), !url.isEmpty else {
            throw map.error(.missingKey, "url", "url for remote_write is empty")
        }
        if let problem = urlProblem(url) { throw urlCursor.error(.invalidValue, problem) }
        var write = RemoteWriteConfig(url: url)
        if let value = map["name"] { write.name = try value.string() }
        if let value = map["remote_timeout"] { write.remoteTimeout = try value.duration() }
        write.httpClient = try httpClient(map, defaults: HTTPClientConfig(enableHTTP2: false))
        if let value = map["headers"] {
            for (name, header) in try value.freeMapping() {
                let lower = name.lowercased()
                if reservedHeaders.contains(lower) {
                    throw header.error(.invalidValue, "\(name) is a reserved header. It must not be changed")
                }
                if lower == "authorization" {
                    throw header.error(
                        .invalidValue,
                        "authorization header must be changed via the basic_auth or authorization parameter")
                }
                write.headers[name] = try header.string()
            }
        }
        if let value = map["write_relabel_configs"] { write.writeRelabelConfigs = try relabelConfigs(value) }
        if let value = map["queue_config"] { write.queueConfig = try queueConfig(value) }
        if let value = map["metadata_config"] {
            let meta = try value.mapping(known: ["send", "send_interval", "max_samples_per_send"])
            if let send = meta["send"] { write.metadataConfig.send = try send.bool() }
            if let interval = meta["send_interval"] {
                write.metadataConfig.sendInterval = try nonZero(interval.duration()) ?? .seconds(60)
            }
            if let count = meta["max_samples_per_send"] { write.metadataConfig.maxSamplesPerSend = try count.count() }
        }
        return write
    }

    func queueConfig(_ cursor: YAMLCursor) throws(ConfigError) -> QueueConfig {
        let map = try cursor.mapping(known: [
            "capacity", "max_shards", "min_shards", "max_samples_per_send", "batch_send_deadline", "min_backoff",
            "max_backoff", "retry_on_http_429", "sample_age_limit",
        ])
        var queue = QueueConfig()
        if let value = map["capacity"] { queue.capacity = try value.count() }
        if let value = map["max_shards"] { queue.maxShards = try value.count() }
        if let value = map["min_shards"] { queue.minShards = try value.count() }
        if let value = map["max_samples_per_send"] { queue.maxSamplesPerSend = try value.count() }
        if let value = map["batch_send_deadline"] { queue.batchSendDeadline = try value.duration() }
        if let value = map["min_backoff"] { queue.minBackoff = try value.duration() }
        if let value = map["max_backoff"] { queue.maxBackoff = try value.duration() }
        if let value = map["retry_on_http_429"] { queue.retryOnRateLimit = try value.bool() }
        if let value = map["sample_age_limit"] { queue.sampleAgeLimit = try value.duration() }
        if queue.minShards > queue.maxShards {
            throw map.error(
                .invalidValue, "min_shards", "min_shards \(queue.minShards) is above max_shards \(queue.maxShards)")
        }
        if queue.minBackoff > queue.maxBackoff {
            throw map.error(.invalidValue, "min_backoff", "min_backoff is above max_backoff")
        }
        return queue
    }

    // MARK: storage and local_agent

    func storage(_ cursor: YAMLCursor) throws(ConfigError) -> StorageConfig {
        let map = try cursor.mapping(known: ["tsdb", "exemplars"])
        var storage = StorageConfig()
        if let tsdb = map["tsdb"] {
            let tsdbMap = try tsdb.mapping(
                known: ["path", "retention_time", "retention_size", "out_of_order_time_window"],
                unsupported: ["retention"])
            if let value = tsdbMap["path"] {
                let path = try value.string()
                if path.isEmpty { throw value.error(.invalidValue, "the data path must not be empty") }
                storage.tsdb.path = resolve(path)
            }
            if let value = tsdbMap["retention_time"] { storage.tsdb.retentionTime = try value.duration() }
            if let value = tsdbMap["retention_size"] { storage.tsdb.retentionSize = try value.byteSize() }
            if let value = tsdbMap["out_of_order_time_window"] {
                storage.tsdb.outOfOrderTimeWindow = try value.duration()
            }
        }
        if let exemplars = map["exemplars"] {
            let exemplarMap = try exemplars.mapping(known: ["max_exemplars"])
            if let value = exemplarMap["max_exemplars"] { storage.exemplars.maxExemplars = try value.int64() }
        }
        return storage
    }

    func localAgent(_ cursor: YAMLCursor, global: GlobalConfig) throws(ConfigError) -> LocalAgentConfig {
        let map = try cursor.mapping(known: ["enabled", "scrape_interval", "gpu_backend", "disabled_collectors"])
        var agent = LocalAgentConfig(scrapeInterval: global.scrapeInterval)
        if let value = map["enabled"] { agent.enabled = try value.bool() }
        if let value = map["scrape_interval"] {
            agent.scrapeInterval = try nonZero(value.duration()) ?? global.scrapeInterval
        }
        if let value = map["gpu_backend"] { agent.gpuBackend = try value.oneOf(GPUBackendSetting.self) }
        if let value = map["disabled_collectors"] { agent.disabledCollectors = try value.stringList() }
        return agent
    }

    // MARK: shared values

    /// A label set (`external_labels`, static `labels`); names must be valid, values are any scalar.
    func labels(_ cursor: YAMLCursor) throws(ConfigError) -> Labels {
        var pairs: [Label] = []
        for (name, value) in try cursor.freeMapping() {
            if !isValidLabelName(name) {
                throw value.error(.invalidValue, "\(quoted(name)) is not a valid label name")
            }
            pairs.append(Label(name, try value.string()))
        }
        return Labels(pairs)
    }

    /// A path to a file that must exist now (secrets, certificates), resolved like the others.
    func existingFile(_ cursor: YAMLCursor) throws(ConfigError) -> String {
        let path = resolve(try cursor.string())
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw cursor.error(.io, "file \(quoted(path)) does not exist or is not a regular file")
        }
        return path
    }

    /// `path` joined to the configuration file's directory when relative, as Prometheus's `SetDirectory`.
    func resolve(_ path: String) -> String {
        guard let directory, !path.isEmpty, !path.hasPrefix("/") else { return path }
        return directory == "." ? path : directory + "/" + path
    }
}

/// Zero durations mean "unset, use the default" in Prometheus's configuration.
private func nonZero(_ duration: Duration) -> Duration? { duration == .zero ? nil : duration }

/// Why a static target is not a `host[:port]` address, or nil when it is one.
func targetAddressProblem(_ address: String) -> String? {
    if address.isEmpty { return "a target address must not be empty" }
    if address.contains("/") {
        return "\(quoted(address)) is not a valid hostname (targets are host:port, without scheme or path)"
    }
    var host = Substring(address)
    var port: Substring?
    if host.hasPrefix("[") {
        guard let close = host.firstIndex(of: "]") else { return "\(quoted(address)) has an unclosed IPv6 bracket" }
        let rest = host[host.index(after: close)...]
        host = host[host.index(after: host.startIndex)..<close]
        if !rest.isEmpty {
            guard rest.hasPrefix(":") else { return "\(quoted(address)) is not a valid host:port" }
            port = rest.dropFirst()
        }
    } else if let colon = host.lastIndex(of: ":") {
        if host[..<colon].contains(":") {
            return "\(quoted(address)) is not a valid host:port (write IPv6 addresses in brackets: [::1]:9100)"
        }
        port = host[host.index(after: colon)...]
        host = host[..<colon]
    }
    if host.isEmpty || host.contains(where: \.isWhitespace) { return "\(quoted(address)) has no valid host" }
    if let port, !(port.allSatisfy { $0.isASCII && $0.isNumber } && (Int(port).map { 1...65535 ~= $0 } ?? false)) {
        return "\(quoted(address)) has an invalid port \(quoted(String(port))) (1-65535)"
    }
    return nil
}

/// Why a remote_write URL is unusable, or nil.
private func urlProblem(_ url: String) -> String? {
    guard let components = URLComponents(string: url), let scheme = components.scheme else {
        return "\(quoted(url)) is not a valid URL"
    }
    guard scheme == "http" || scheme == "https" else {
        return "\(quoted(url)) must use http or https, not \(quoted(scheme))"
    }
    guard let host = components.host, !host.isEmpty else { return "\(quoted(url)) has no host" }
    return nil
}

/// Prometheus's `patRulePath`: no `*` except in the last path element.
private func isValidGlobPath(_ path: String) -> Bool {
    guard let star = path.firstIndex(of: "*") else { return true }
    return !path[star...].contains("/")
}

/// Prometheus's `patFileSDName`: a glob only in the last element, and a JSON or YAML extension.
private func isValidFileSDPath(_ path: String) -> Bool {
    guard isValidGlobPath(path) else { return false }
    return [".json", ".yml", ".yaml", ".JSON", ".YML", ".YAML"].contains { path.hasSuffix($0) }
}

extension HTTPClientConfig {
    /// An `http_config` block (Alertmanager's name for Prometheus's HTTP client settings) read with the
    /// same rules as in `vigil.yml`: auth, TLS and their validation; files resolved against `file`'s
    /// directory and required to exist.
    package static func parse(
        _ cursor: YAMLCursor, defaults: HTTPClientConfig, file: String?
    ) throws(ConfigError) -> HTTPClientConfig {
        let parser = ConfigParser(file: file)
        let map = try cursor.mapping(
            known: httpClientKeys, unsupported: Unsupported.httpClient + ["proxy_connect_header"])
        return try parser.httpClient(map, defaults: defaults)
    }
}

extension TLSConfig {
    /// A `tls_config` block read as in `vigil.yml` (files resolved against `file`'s directory and required
    /// to exist).
    package static func parse(_ cursor: YAMLCursor, file: String?) throws(ConfigError) -> TLSConfig {
        try ConfigParser(file: file).tlsConfig(cursor)
    }
}
