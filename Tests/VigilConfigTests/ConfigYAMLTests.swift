import Testing
import VigilConfig
import VigilModel

/// A configuration touching every section and most keys.
private let richConfig = """
    global:
      scrape_interval: 15s
      scrape_timeout: 5s
      evaluation_interval: 30s
      rule_query_offset: 1m
      external_labels: {cluster: "gpu-a", "utf-8.label": "true", empty_looking: "null"}
      body_size_limit: 1GB512MB
      sample_limit: 50000
      keep_dropped_targets: 10
    rule_files: [/etc/vigil/rules/*.yml]
    scrape_configs:
      - job_name: dcgm
        honor_labels: true
        honor_timestamps: false
        track_timestamps_staleness: true
        scrape_interval: 1h30m
        scrape_timeout: 1m
        metrics_path: /probe
        scheme: https
        params: {module: [gpu, "1"], target: ["a b"]}
        enable_compression: false
        label_limit: 64
        label_name_length_limit: 128
        label_value_length_limit: 1024
        target_limit: 5
        basic_auth: {username: admin, password: "p@ss: word"}
        tls_config:
          ca_file: \(#filePath)
          cert_file: \(#filePath)
          key_file: \(#filePath)
          server_name: gpu.example
          insecure_skip_verify: true
        follow_redirects: false
        enable_http2: false
        static_configs:
          - targets: ["[::1]:9400", "node-1:9400"]
            labels: {rack: a3, "utf-8 name": ok}
          - targets: []
        file_sd_configs:
          - files: [/etc/vigil/targets/*.json, other.yml]
            refresh_interval: 30s
        relabel_configs:
          - source_labels: [__address__, rack]
            separator: "|"
            regex: "([^:]+):.*\\\\|(.*)"
            target_label: instance
            replacement: "${1}-$2 $$"
          - {source_labels: [__address__], modulus: 4, target_label: __tmp_shard, action: hashmod}
          - {source_labels: [__tmp_shard], regex: "0", action: keep}
          - {regex: "", replacement: "", target_label: empty}
          - {regex: "__meta_(.+)", replacement: "m_$1", action: labelmap}
        metric_relabel_configs:
          - {regex: "tmp_.*", action: labeldrop}
          - {source_labels: [a], target_label: b, action: dropequal}
      - job_name: "1234"
        authorization: {type: Token, credentials_file: \(#filePath)}
    alerting:
      alert_relabel_configs:
        - {source_labels: [severity], target_label: severity, action: lowercase}
      alertmanagers:
        - scheme: https
          path_prefix: /am
          timeout: 3s
          static_configs: [{targets: ["am:9093"]}]
          authorization: {credentials: secret-token}
          relabel_configs: [{source_labels: [x], regex: y, action: drop}]
    remote_write:
      - url: https://vm.example/api/v1/write
        name: vm
        remote_timeout: 10s
        headers: {X-Scope-OrgID: tenant-1}
        write_relabel_configs: [{source_labels: [__name__], regex: "go_.*", action: drop}]
        basic_auth: {username: w, password_file: \(#filePath)}
        queue_config:
          capacity: 2500
          max_shards: 200
          min_shards: 2
          max_samples_per_send: 500
          batch_send_deadline: 1s
          min_backoff: 100ms
          max_backoff: 10s
          retry_on_http_429: false
          sample_age_limit: 5m
        metadata_config: {send: false, send_interval: 2m, max_samples_per_send: 100}
      - url: http://mimir:9009/api/v1/push
    storage:
      tsdb: {path: /var/lib/vigil, retention_time: 90d, retention_size: 512GiB, out_of_order_time_window: 10m}
      exemplars: {max_exemplars: 0}
    local_agent:
      enabled: false
      scrape_interval: 5s
      gpu_backend: nvidia-smi
      disabled_collectors: [infiniband, hwmon]
    """

@Suite struct ConfigYAMLTests {
    @Test func richConfigParsesAsWritten() throws {
        let config = try VigilConfiguration.parse(yaml: richConfig)
        let job = config.scrapeConfigs[0]
        #expect(config.global.limits.bodySizeLimit == (1 << 30) + (512 << 20))
        #expect(config.global.externalLabels["empty_looking"] == "null")
        #expect(job.scrapeInterval == .seconds(5400) && job.scrapeTimeout == .seconds(60))
        #expect(job.params == ["module": ["gpu", "1"], "target": ["a b"]])
        #expect(job.limits.sampleLimit == 50000 && job.limits.labelLimit == 64 && job.limits.keepDroppedTargets == 10)
        #expect(job.httpClient.basicAuth == BasicAuth(username: "admin", password: "p@ss: word"))
        #expect(job.staticConfigs[0].labels == ["rack": "a3", "utf-8 name": "ok"])
        #expect(job.relabelConfigs[0].regex.pattern == "([^:]+):.*\\|(.*)")
        #expect(job.relabelConfigs[0].replacement == "${1}-$2 $$")
        #expect(config.scrapeConfigs[1].jobName == "1234")
        #expect(config.scrapeConfigs[1].httpClient.authorization?.type == "Token")
        #expect(config.remoteWrite[0].queueConfig.sampleAgeLimit == .seconds(300))
        #expect(config.storage.tsdb.retentionSize == 512 << 30)
        #expect(
            config.localAgent
                == LocalAgentConfig(
                    enabled: false, scrapeInterval: .seconds(5), gpuBackend: .nvidiaSMI,
                    disabledCollectors: ["infiniband", "hwmon"]))
    }

    @Test func unredactedYAMLParsesBackEqual() throws {
        let config = try VigilConfiguration.parse(yaml: richConfig)
        let text = config.yaml(redactingSecrets: false)
        #expect(try VigilConfiguration.parse(yaml: text) == config, "\(text)")
    }

    @Test func redactedYAMLHidesSecretsAndOtherwiseParsesBackEqual() throws {
        var config = try VigilConfiguration.parse(yaml: richConfig)
        let text = config.yaml()
        #expect(!text.contains("p@ss"))
        #expect(!text.contains("secret-token"))
        #expect(text.contains("<secret>"))
        config.scrapeConfigs[0].httpClient.basicAuth?.password = "<secret>"
        config.alerting.alertmanagers[0].httpClient.authorization?.credentials = "<secret>"
        #expect(try VigilConfiguration.parse(yaml: text) == config)
    }

    @Test func defaultConfigurationRoundTrips() throws {
        let text = VigilConfiguration.default.yaml()
        #expect(text.hasPrefix("global:\n  scrape_interval: 1m\n  scrape_timeout: 10s\n  evaluation_interval: 1m\n"))
        #expect(text.contains("retention_time: 15d"))
        #expect(try VigilConfiguration.parse(yaml: text) == .default)
    }

    @Test func durationsPrintAsPrometheusDoes() throws {
        let config = try VigilConfiguration.parse(
            yaml:
                "global:\n  scrape_interval: 90s\n  evaluation_interval: 14d\nstorage:\n  tsdb:\n    retention_time: 1y\n"
        )
        let text = config.yaml()
        #expect(text.contains("scrape_interval: 1m30s"))
        #expect(text.contains("evaluation_interval: 2w"))
        #expect(text.contains("retention_time: 1y"))
    }
}

@Suite struct ByteSizeTests {
    static let valid: [(String, Int64)] = [
        ("0", 0), ("1B", 1), ("512KiB", 512 << 10), ("10MB", 10 << 20), ("1.5GB", 3 << 29),
        ("1GiB512MiB", (1 << 30) + (512 << 20)), ("2TB", 2 << 40), ("+3KB", 3 << 10),
    ]

    @Test(arguments: valid)
    func parses(_ text: String, _ bytes: Int64) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test(arguments: ["", "10", "10kB", "1KiB1KB", "-1KB", "MB", "1.KB.", "1 MB", "99999999999EB"])
    func rejects(_ text: String) {
        #expect(ByteSize.parse(text) == nil)
    }

    static let sizes: [Int64] = [0, 1, 1023, 1024, 10 << 20, (1 << 30) + (512 << 20) + 7]

    @Test(arguments: sizes)
    func formatsAndParsesBack(_ bytes: Int64) {
        #expect(ByteSize.parse(ByteSize.format(bytes)) == bytes)
    }
}
