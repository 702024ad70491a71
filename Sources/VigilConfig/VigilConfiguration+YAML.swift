import VigilModel
import Yams

extension VigilConfiguration {
    /// The effective configuration as YAML, defaults filled in, as Prometheus's
    /// `/api/v1/status/config` shows it. With `redactingSecrets` (the default), passwords and
    /// credentials read `<secret>`. Parsing the result gives back an equal configuration (except for
    /// the redacted secrets).
    public func yaml(redactingSecrets: Bool = true) -> String {
        let writer = YAMLWriter(redacting: redactingSecrets)
        var root: [(String, Node)] = [("global", writer.global(global))]
        if !ruleFiles.isEmpty { root.append(("rule_files", writer.list(ruleFiles))) }
        if !scrapeConfigs.isEmpty {
            root.append(("scrape_configs", .sequence(.init(scrapeConfigs.map(writer.scrape)))))
        }
        if !alerting.alertmanagers.isEmpty || !alerting.alertRelabelConfigs.isEmpty {
            root.append(("alerting", writer.alerting(alerting)))
        }
        if !remoteWrite.isEmpty { root.append(("remote_write", .sequence(.init(remoteWrite.map(writer.remoteWrite))))) }
        root.append(("storage", writer.storage(storage)))
        root.append(("local_agent", writer.localAgent(localAgent)))
        do {
            return try Yams.serialize(node: writer.mapping(root), width: -1, allowUnicode: true)
        } catch {
            // The tree is built from strings and scalars only; libyaml cannot refuse it.
            preconditionFailure("serialising the configuration failed: \(error)")
        }
    }
}

/// Builds the YAML tree in Prometheus's key order.
private struct YAMLWriter {
    let redacting: Bool

    func mapping(_ pairs: [(String, Node)]) -> Node {
        .mapping(.init(pairs.map { (string($0.0), $0.1) }))
    }

    func string(_ text: String) -> Node { .scalar(text.represented()) }
    func bool(_ value: Bool) -> Node { .scalar(.init(value ? "true" : "false")) }
    func number(_ value: some BinaryInteger) -> Node { .scalar(.init(String(value))) }
    func duration(_ value: Duration) -> Node { .scalar(.init(PrometheusDuration.format(value))) }
    func list(_ values: [String]) -> Node { .sequence(.init(values.map(string))) }
    func secret(_ value: String) -> Node { string(redacting ? "<secret>" : value) }

    func labels(_ labels: Labels) -> Node { mapping(labels.map { ($0.name, string($0.value)) }) }

    func global(_ global: GlobalConfig) -> Node {
        var pairs: [(String, Node)] = [
            ("scrape_interval", duration(global.scrapeInterval)),
            ("scrape_timeout", duration(global.scrapeTimeout)),
            ("evaluation_interval", duration(global.evaluationInterval)),
        ]
        if global.ruleQueryOffset != .zero { pairs.append(("rule_query_offset", duration(global.ruleQueryOffset))) }
        if !global.externalLabels.isEmpty { pairs.append(("external_labels", labels(global.externalLabels))) }
        pairs += limits(global.limits)
        return mapping(pairs)
    }

    func limits(_ limits: ScrapeLimits) -> [(String, Node)] {
        var pairs: [(String, Node)] = []
        if limits.bodySizeLimit != 0 {
            pairs.append(("body_size_limit", .scalar(.init(ByteSize.format(limits.bodySizeLimit)))))
        }
        let counts: [(String, Int)] = [
            ("sample_limit", limits.sampleLimit), ("label_limit", limits.labelLimit),
            ("label_name_length_limit", limits.labelNameLengthLimit),
            ("label_value_length_limit", limits.labelValueLengthLimit), ("target_limit", limits.targetLimit),
            ("keep_dropped_targets", limits.keepDroppedTargets),
        ]
        for (key, value) in counts where value != 0 { pairs.append((key, number(value))) }
        return pairs
    }

    func scrape(_ scrape: ScrapeConfig) -> Node {
        var pairs: [(String, Node)] = [
            ("job_name", string(scrape.jobName)),
            ("honor_labels", bool(scrape.honorLabels)),
            ("honor_timestamps", bool(scrape.honorTimestamps)),
            ("track_timestamps_staleness", bool(scrape.trackTimestampsStaleness)),
        ]
        if !scrape.params.isEmpty {
            pairs.append(("params", mapping(scrape.params.sorted { $0.key < $1.key }.map { ($0.key, list($0.value)) })))
        }
        pairs += [
            ("scrape_interval", duration(scrape.scrapeInterval)),
            ("scrape_timeout", duration(scrape.scrapeTimeout)),
            ("metrics_path", string(scrape.metricsPath)),
            ("scheme", string(scrape.scheme.rawValue)),
            ("enable_compression", bool(scrape.enableCompression)),
        ]
        pairs += limits(scrape.limits)
        pairs += httpClient(scrape.httpClient)
        if !scrape.staticConfigs.isEmpty { pairs.append(("static_configs", targetGroups(scrape.staticConfigs))) }
        if !scrape.fileSDConfigs.isEmpty { pairs.append(("file_sd_configs", fileSD(scrape.fileSDConfigs))) }
        if !scrape.relabelConfigs.isEmpty { pairs.append(("relabel_configs", relabel(scrape.relabelConfigs))) }
        if !scrape.metricRelabelConfigs.isEmpty {
            pairs.append(("metric_relabel_configs", relabel(scrape.metricRelabelConfigs)))
        }
        return mapping(pairs)
    }

    func targetGroups(_ groups: [TargetGroup]) -> Node {
        .sequence(
            .init(
                groups.map { group in
                    var pairs: [(String, Node)] = [("targets", list(group.targets))]
                    if !group.labels.isEmpty { pairs.append(("labels", labels(group.labels))) }
                    return mapping(pairs)
                }))
    }

    func fileSD(_ configs: [FileSDConfig]) -> Node {
        .sequence(
            .init(
                configs.map {
                    mapping([("files", list($0.files)), ("refresh_interval", duration($0.refreshInterval))])
                }))
    }

    func relabel(_ rules: [RelabelConfig]) -> Node {
        .sequence(
            .init(
                rules.map { rule in
                    var pairs: [(String, Node)] = []
                    if !rule.sourceLabels.isEmpty {
                        pairs.append(
                            ("source_labels", .sequence(.init(rule.sourceLabels.map(string), .implicit, .flow))))
                    }
                    pairs += [("separator", string(rule.separator)), ("regex", string(rule.regex.pattern))]
                    if rule.modulus != 0 { pairs.append(("modulus", number(rule.modulus))) }
                    if !rule.targetLabel.isEmpty { pairs.append(("target_label", string(rule.targetLabel))) }
                    pairs += [("replacement", string(rule.replacement)), ("action", string(rule.action.rawValue))]
                    return mapping(pairs)
                }))
    }

    func httpClient(_ client: HTTPClientConfig) -> [(String, Node)] {
        var pairs: [(String, Node)] = []
        if let basic = client.basicAuth {
            var auth: [(String, Node)] = [("username", string(basic.username))]
            if let password = basic.password { auth.append(("password", secret(password))) }
            if let file = basic.passwordFile { auth.append(("password_file", string(file))) }
            pairs.append(("basic_auth", mapping(auth)))
        }
        if let authorization = client.authorization {
            var auth: [(String, Node)] = [("type", string(authorization.type))]
            if let credentials = authorization.credentials { auth.append(("credentials", secret(credentials))) }
            if let file = authorization.credentialsFile { auth.append(("credentials_file", string(file))) }
            pairs.append(("authorization", mapping(auth)))
        }
        let tls = client.tlsConfig
        var tlsPairs: [(String, Node)] = []
        if let file = tls.caFile { tlsPairs.append(("ca_file", string(file))) }
        if let file = tls.certFile { tlsPairs.append(("cert_file", string(file))) }
        if let file = tls.keyFile { tlsPairs.append(("key_file", string(file))) }
        if let name = tls.serverName { tlsPairs.append(("server_name", string(name))) }
        tlsPairs.append(("insecure_skip_verify", bool(tls.insecureSkipVerify)))
        pairs.append(("tls_config", mapping(tlsPairs)))
        pairs.append(("follow_redirects", bool(client.followRedirects)))
        pairs.append(("enable_http2", bool(client.enableHTTP2)))
        return pairs
    }

    func alerting(_ alerting: AlertingConfig) -> Node {
        var pairs: [(String, Node)] = []
        if !alerting.alertRelabelConfigs.isEmpty {
            pairs.append(("alert_relabel_configs", relabel(alerting.alertRelabelConfigs)))
        }
        if !alerting.alertmanagers.isEmpty {
            pairs.append(("alertmanagers", .sequence(.init(alerting.alertmanagers.map(alertmanager)))))
        }
        return mapping(pairs)
    }

    func alertmanager(_ manager: AlertmanagerConfig) -> Node {
        var pairs: [(String, Node)] = []
        pairs += httpClient(manager.httpClient)
        pairs += [
            ("scheme", string(manager.scheme.rawValue)),
            ("path_prefix", string(manager.pathPrefix)),
            ("timeout", duration(manager.timeout)),
            ("api_version", string(manager.apiVersion.rawValue)),
        ]
        if !manager.staticConfigs.isEmpty { pairs.append(("static_configs", targetGroups(manager.staticConfigs))) }
        if !manager.fileSDConfigs.isEmpty { pairs.append(("file_sd_configs", fileSD(manager.fileSDConfigs))) }
        if !manager.relabelConfigs.isEmpty { pairs.append(("relabel_configs", relabel(manager.relabelConfigs))) }
        return mapping(pairs)
    }

    func remoteWrite(_ write: RemoteWriteConfig) -> Node {
        var pairs: [(String, Node)] = [("url", string(write.url))]
        if !write.name.isEmpty { pairs.append(("name", string(write.name))) }
        pairs.append(("remote_timeout", duration(write.remoteTimeout)))
        if !write.headers.isEmpty {
            pairs.append(
                ("headers", mapping(write.headers.sorted { $0.key < $1.key }.map { ($0.key, string($0.value)) })))
        }
        if !write.writeRelabelConfigs.isEmpty {
            pairs.append(("write_relabel_configs", relabel(write.writeRelabelConfigs)))
        }
        let queue = write.queueConfig
        pairs.append(
            (
                "queue_config",
                mapping([
                    ("capacity", number(queue.capacity)),
                    ("max_shards", number(queue.maxShards)),
                    ("min_shards", number(queue.minShards)),
                    ("max_samples_per_send", number(queue.maxSamplesPerSend)),
                    ("batch_send_deadline", duration(queue.batchSendDeadline)),
                    ("min_backoff", duration(queue.minBackoff)),
                    ("max_backoff", duration(queue.maxBackoff)),
                    ("retry_on_http_429", bool(queue.retryOnRateLimit)),
                    ("sample_age_limit", duration(queue.sampleAgeLimit)),
                ])
            ))
        let metadata = write.metadataConfig
        pairs.append(
            (
                "metadata_config",
                mapping([
                    ("send", bool(metadata.send)),
                    ("send_interval", duration(metadata.sendInterval)),
                    ("max_samples_per_send", number(metadata.maxSamplesPerSend)),
                ])
            ))
        pairs += httpClient(write.httpClient)
        return mapping(pairs)
    }

    func storage(_ storage: StorageConfig) -> Node {
        var tsdb: [(String, Node)] = [
            ("path", string(storage.tsdb.path)),
            ("retention_time", duration(storage.tsdb.retentionTime)),
        ]
        if storage.tsdb.retentionSize != 0 {
            tsdb.append(("retention_size", .scalar(.init(ByteSize.format(storage.tsdb.retentionSize)))))
        }
        tsdb.append(("out_of_order_time_window", duration(storage.tsdb.outOfOrderTimeWindow)))
        return mapping([
            ("tsdb", mapping(tsdb)),
            ("exemplars", mapping([("max_exemplars", number(storage.exemplars.maxExemplars))])),
        ])
    }

    func localAgent(_ agent: LocalAgentConfig) -> Node {
        var pairs: [(String, Node)] = [
            ("enabled", bool(agent.enabled)),
            ("scrape_interval", duration(agent.scrapeInterval)),
            ("gpu_backend", string(agent.gpuBackend.rawValue)),
        ]
        if !agent.disabledCollectors.isEmpty { pairs.append(("disabled_collectors", list(agent.disabledCollectors))) }
        return mapping(pairs)
    }
}
