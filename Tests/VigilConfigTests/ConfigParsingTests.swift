import Foundation
import Testing
import VigilConfig
import VigilModel

/// Prometheus's documentation example (documentation/examples/prometheus.yml), verbatim.
private let prometheusDocumentationExample = """
    # my global config
    global:
      scrape_interval: 15s # Set the scrape interval to every 15 seconds. Default is every 1 minute.
      evaluation_interval: 15s # Evaluate rules every 15 seconds. The default is every 1 minute.
      # scrape_timeout is set to the global default (10s).

    # Alertmanager configuration
    alerting:
      alertmanagers:
        - static_configs:
            - targets:
              # - alertmanager:9093

    # Load rules once and periodically evaluate them according to the global 'evaluation_interval'.
    rule_files:
      # - "first_rules.yml"
      # - "second_rules.yml"

    # A scrape configuration containing exactly one endpoint to scrape:
    # Here it's Prometheus itself.
    scrape_configs:
      # The job name is added as a label `job=<job_name>` to any timeseries scraped from this config.
      - job_name: "prometheus"

        # metrics_path defaults to '/metrics'
        # scheme defaults to 'http'.

        static_configs:
          - targets: ["localhost:9090"]
            # The label name is added as a label `label_name=<label_name>` to any timeseries scraped from this config.
            labels: 
              label_name: 'label value'
    """

private let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
private let debianConfigPath = "/etc/prometheus/prometheus.yml"

@Suite struct ConfigParsingTests {
    @Test func emptyDocumentIsTheDefault() throws {
        #expect(try VigilConfiguration.parse(yaml: "") == .default)
        #expect(try VigilConfiguration.parse(yaml: "# nothing\n") == .default)
        #expect(try VigilConfiguration.parse(yaml: "{}") == .default)
        let config = VigilConfiguration.default
        #expect(config.global.scrapeInterval == .seconds(60))
        #expect(config.global.scrapeTimeout == .seconds(10))
        #expect(config.global.evaluationInterval == .seconds(60))
        #expect(config.storage.tsdb.path == "./vigil-data")
        #expect(config.storage.tsdb.retentionTime == .seconds(15 * 86_400))
        #expect(config.localAgent.enabled && config.localAgent.gpuBackend == .auto)
        #expect(config.localAgent.scrapeInterval == .seconds(60))
    }

    @Test func prometheusDocumentationExampleParses() throws {
        let config = try VigilConfiguration.parse(yaml: prometheusDocumentationExample)
        #expect(config.global.scrapeInterval == .seconds(15))
        #expect(config.global.scrapeTimeout == .seconds(10))
        #expect(config.global.evaluationInterval == .seconds(15))
        #expect(config.ruleFiles.isEmpty)
        #expect(config.alerting.alertmanagers.count == 1)
        #expect(config.alerting.alertmanagers[0].staticConfigs == [TargetGroup(targets: [], source: "0")])
        #expect(config.alerting.alertmanagers[0].apiVersion == .v2)
        let job = try #require(config.scrapeConfigs.first)
        #expect(job.jobName == "prometheus")
        #expect(job.scrapeInterval == .seconds(15))
        #expect(job.scrapeTimeout == .seconds(10))
        #expect(job.metricsPath == "/metrics" && job.scheme == .http && job.honorTimestamps)
        #expect(
            job.staticConfigs == [
                TargetGroup(targets: ["localhost:9090"], labels: ["label_name": "label value"], source: "0")
            ])
        #expect(config.localAgent.scrapeInterval == .seconds(15))
    }

    @Test(
        .enabled(
            if: FileManager.default.fileExists(atPath: debianConfigPath) || isCI,
            "needs Debian's prometheus package (/etc/prometheus/prometheus.yml)"))
    func debianDefaultConfigParses() throws {
        let config = try VigilConfiguration.load(path: debianConfigPath)
        #expect(config.global.scrapeInterval == .seconds(15))
        #expect(config.global.externalLabels == ["monitor": "example"])
        #expect(config.scrapeConfigs.map(\.jobName) == ["prometheus", "node"])
        #expect(config.scrapeConfigs[0].scrapeInterval == .seconds(5))
        #expect(config.scrapeConfigs[0].scrapeTimeout == .seconds(5))
        #expect(config.scrapeConfigs[1].scrapeTimeout == .seconds(10))
        #expect(config.alerting.alertmanagers[0].staticConfigs[0].targets == ["localhost:9093"])
    }

    /// The two configurations ../shared/bench/bench.py writes for Prometheus and VictoriaMetrics.
    @Test func benchHarnessConfigsParse() throws {
        let empty = try VigilConfiguration.parse(yaml: "global:\n  scrape_interval: 15s\nscrape_configs: []\n")
        #expect(empty.scrapeConfigs.isEmpty && empty.global.scrapeInterval == .seconds(15))
        let live = try VigilConfiguration.parse(
            yaml: "global:\n  scrape_interval: 15s\n  scrape_timeout: 10s\nscrape_configs:\n"
                + "  - job_name: gpucluster\n    honor_labels: true\n    static_configs:\n"
                + "      - targets: ['127.0.0.1:%d']\n".replacingOccurrences(of: "%d", with: "19100"))
        let job = try #require(live.scrapeConfigs.first)
        #expect(job.jobName == "gpucluster" && job.honorLabels)
        #expect(job.staticConfigs.first?.targets == ["127.0.0.1:19100"])
        #expect(job.scrapeInterval == .seconds(15) && job.scrapeTimeout == .seconds(10))
    }

    @Test func jobsInheritGlobalsAndCapTheTimeout() throws {
        let config = try VigilConfiguration.parse(
            yaml: """
                global:
                  scrape_interval: 30s
                  scrape_timeout: 20s
                  sample_limit: 5000
                  body_size_limit: 10MB
                scrape_configs:
                  - job_name: fast
                    scrape_interval: 5s
                  - job_name: own
                    sample_limit: 100
                    body_size_limit: 512KiB
                """)
        #expect(config.scrapeConfigs[0].scrapeTimeout == .seconds(5))
        #expect(config.scrapeConfigs[0].limits.sampleLimit == 5000)
        #expect(config.scrapeConfigs[0].limits.bodySizeLimit == 10 << 20)
        #expect(config.scrapeConfigs[1].scrapeInterval == .seconds(30))
        #expect(config.scrapeConfigs[1].scrapeTimeout == .seconds(20))
        #expect(config.scrapeConfigs[1].limits.sampleLimit == 100)
        #expect(config.scrapeConfigs[1].limits.bodySizeLimit == 512 << 10)
    }

    @Test func relabelRulesGetPrometheusDefaults() throws {
        let config = try VigilConfiguration.parse(
            yaml: """
                scrape_configs:
                  - job_name: j
                    relabel_configs:
                      - source_labels: [__address__]
                        target_label: instance
                      - regex:
                        replacement: static
                        target_label: abc
                      - action: LabelMap
                        regex: __meta_(.+)
                """)
        let rules = config.scrapeConfigs[0].relabelConfigs
        #expect(rules[0] == RelabelConfig(sourceLabels: ["__address__"], targetLabel: "instance"))
        #expect(rules[1].regex.pattern == "" && rules[1].replacement == "static")
        #expect(rules[2].action == .labelmap)
        #expect(rules[2].regex.pattern == "__meta_(.+)")
    }

    @Test func bearerTokenIsAnAuthorization() throws {
        let config = try VigilConfiguration.parse(
            yaml: "scrape_configs:\n  - job_name: j\n    bearer_token: abc\n")
        #expect(config.scrapeConfigs[0].httpClient.authorization == Authorization(credentials: "abc"))
    }

    @Test func remoteWriteDefaults() throws {
        let config = try VigilConfiguration.parse(yaml: "remote_write:\n  - url: http://vm:8428/api/v1/write\n")
        let write = try #require(config.remoteWrite.first)
        #expect(write.remoteTimeout == .seconds(30))
        #expect(write.queueConfig == QueueConfig())
        #expect(write.queueConfig.capacity == 10000 && write.queueConfig.maxShards == 50)
        #expect(write.queueConfig.minBackoff == .milliseconds(30) && write.queueConfig.retryOnRateLimit)
        #expect(write.metadataConfig.send && write.metadataConfig.sendInterval == .seconds(60))
        #expect(!write.httpClient.enableHTTP2 && write.httpClient.followRedirects)
    }

    @Test func loadResolvesRelativePathsAgainstTheFile() throws {
        let directory = try TemporaryDirectory()
        try "secret\n".write(toFile: directory.path + "/password", atomically: true, encoding: .utf8)
        try """
        rule_files: ["rules/*.yml"]
        scrape_configs:
          - job_name: j
            basic_auth: {username: u, password_file: password}
            file_sd_configs:
              - files: [targets/*.json]
        """.write(toFile: directory.path + "/vigil.yml", atomically: true, encoding: .utf8)
        let config = try VigilConfiguration.load(path: directory.path + "/vigil.yml")
        #expect(config.ruleFiles == [directory.path + "/rules/*.yml"])
        #expect(config.scrapeConfigs[0].httpClient.basicAuth?.passwordFile == directory.path + "/password")
        #expect(config.scrapeConfigs[0].fileSDConfigs[0].files == [directory.path + "/targets/*.json"])
        #expect(config.scrapeConfigs[0].fileSDConfigs[0].refreshInterval == .seconds(300))
    }

    @Test func loadOfAMissingFileIsAnIOError() {
        #expect {
            try VigilConfiguration.load(path: "/nonexistent/vigil.yml")
        } throws: { error in
            (error as? ConfigError)?.code == .io && (error as? ConfigError)?.file == "/nonexistent/vigil.yml"
        }
    }
}

/// A bad document and the error it must give: code, key path, and a fragment of the message.
struct BadConfig: CustomTestStringConvertible, Sendable {
    var name: String
    var yaml: String
    var code: ConfigError.Code
    var keyPath: String
    var message: String
    var line: Int? = nil
    var column: Int? = nil
    var testDescription: String { name }
}

private let existingFile = #filePath

let badConfigs: [BadConfig] = [
    BadConfig(
        name: "YAML syntax error", yaml: "global:\n  scrape_interval: [15s\n", code: .syntax, keyPath: "",
        message: "flow sequence", line: 3, column: 1),
    BadConfig(
        name: "duplicate YAML key", yaml: "global:\n  scrape_interval: 1s\n  scrape_interval: 2s\n", code: .duplicate,
        keyPath: "", message: "\"scrape_interval\" appears more than once"),
    BadConfig(
        name: "unknown key with a suggestion", yaml: "global:\n  scrape_intervall: 15s\n", code: .unknownKey,
        keyPath: "global.scrape_intervall", message: "did you mean \"scrape_interval\"", line: 2, column: 3),
    BadConfig(
        name: "unknown top-level key", yaml: "scrape_config:\n  - job_name: a\n", code: .unknownKey,
        keyPath: "scrape_config", message: "unknown key \"scrape_config\"", line: 1, column: 1),
    BadConfig(
        name: "unsupported service discovery",
        yaml: "scrape_configs:\n  - job_name: k\n    kubernetes_sd_configs: [{role: pod}]\n", code: .unknownKey,
        keyPath: "scrape_configs[0].kubernetes_sd_configs",
        message: "is a Prometheus setting Vigil does not support yet", line: 3, column: 5),
    BadConfig(
        name: "unsupported oauth2", yaml: "scrape_configs:\n  - job_name: k\n    oauth2: {client_id: x}\n",
        code: .unknownKey, keyPath: "scrape_configs[0].oauth2", message: "does not support yet"),
    BadConfig(
        name: "unsupported remote_read", yaml: "remote_read:\n  - url: http://x\n", code: .unknownKey,
        keyPath: "remote_read", message: "does not support yet"),
    BadConfig(
        name: "wrong type for a duration", yaml: "global:\n  scrape_interval: [1, 2]\n", code: .invalidValue,
        keyPath: "global.scrape_interval", message: "expected a duration, got [1, 2]", line: 2, column: 20),
    BadConfig(
        name: "wrong type for a list", yaml: "scrape_configs: {job_name: a}\n", code: .invalidValue,
        keyPath: "scrape_configs", message: "expected a list, got {job_name: a}"),
    BadConfig(
        name: "wrong type for a bool", yaml: "scrape_configs:\n  - job_name: a\n    honor_labels: maybe\n",
        code: .invalidValue, keyPath: "scrape_configs[0].honor_labels", message: "expected true or false"),
    BadConfig(
        name: "bad duration", yaml: "global:\n  scrape_interval: 15x\n", code: .invalidValue,
        keyPath: "global.scrape_interval", message: "not a valid duration \"15x\""),
    BadConfig(
        name: "duration without unit", yaml: "scrape_configs:\n  - job_name: a\n    scrape_interval: 15\n",
        code: .invalidValue, keyPath: "scrape_configs[0].scrape_interval", message: "not a valid duration \"15\""),
    BadConfig(
        name: "bad regex",
        yaml:
            "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_labels: [x]\n        regex: '(a'\n        action: keep\n",
        code: .invalidValue, keyPath: "scrape_configs[0].relabel_configs[0].regex",
        message: "invalid regular expression \"(a\"", line: 5, column: 16),
    BadConfig(
        name: "unknown relabel action",
        yaml: "scrape_configs:\n  - job_name: a\n    metric_relabel_configs:\n      - action: remove\n",
        code: .invalidValue, keyPath: "scrape_configs[0].metric_relabel_configs[0].action",
        message: "unknown relabel action \"remove\""),
    BadConfig(
        name: "replace without target_label",
        yaml: "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_labels: [x]\n", code: .missingKey,
        keyPath: "scrape_configs[0].relabel_configs[0].target_label", message: "requires 'target_label' value"),
    BadConfig(
        name: "hashmod without modulus",
        yaml:
            "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - {source_labels: [x], target_label: s, action: hashmod}\n",
        code: .missingKey, keyPath: "scrape_configs[0].relabel_configs[0].modulus", message: "non-zero modulus"),
    BadConfig(
        name: "labeldrop with a target_label",
        yaml:
            "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - {regex: tmp_.*, target_label: x, action: labeldrop}\n",
        code: .invalidValue, keyPath: "scrape_configs[0].relabel_configs[0].target_label",
        message: "labeldrop action requires only 'regex', and no other fields"),
    BadConfig(
        name: "keepequal with a regex",
        yaml:
            "alerting:\n  alert_relabel_configs:\n    - {source_labels: [a], target_label: b, regex: x, action: keepequal}\n",
        code: .invalidValue, keyPath: "alerting.alert_relabel_configs[0].regex",
        message: "requires only 'source_labels' and 'target_label'"),
    BadConfig(
        name: "lowercase with a replacement",
        yaml:
            "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - {source_labels: [a], target_label: b, replacement: x, action: lowercase}\n",
        code: .invalidValue, keyPath: "scrape_configs[0].relabel_configs[0].replacement",
        message: "'replacement' can not be set"),
    BadConfig(
        name: "duplicate job", yaml: "scrape_configs:\n  - job_name: a\n  - job_name: b\n  - job_name: a\n",
        code: .duplicate, keyPath: "scrape_configs[2].job_name", message: "job name \"a\" (first at scrape_configs[0])"),
    BadConfig(
        name: "missing job_name", yaml: "scrape_configs:\n  - static_configs: [{targets: ['a:1']}]\n",
        code: .missingKey, keyPath: "scrape_configs[0].job_name", message: "job_name is empty"),
    BadConfig(
        name: "timeout above interval",
        yaml: "scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 10s\n",
        code: .invalidValue,
        keyPath: "scrape_configs[0].scrape_timeout", message: "scrape timeout 10s greater than scrape interval 5s",
        line: 4, column: 21),
    BadConfig(
        name: "global timeout above interval", yaml: "global:\n  scrape_interval: 5s\n  scrape_timeout: 6s\n",
        code: .invalidValue, keyPath: "global.scrape_timeout", message: "greater than scrape interval"),
    BadConfig(
        name: "target with a scheme and path",
        yaml: "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['http://h:9100/metrics']\n",
        code: .invalidValue, keyPath: "scrape_configs[0].static_configs[0].targets[0]",
        message: "is not a valid hostname"),
    BadConfig(
        name: "target with a bad port",
        yaml: "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [h:1, 'h:99999']\n",
        code: .invalidValue, keyPath: "scrape_configs[0].static_configs[0].targets[1]", message: "invalid port"),
    BadConfig(
        name: "bad scheme", yaml: "scrape_configs:\n  - job_name: a\n    scheme: ftp\n", code: .invalidValue,
        keyPath: "scrape_configs[0].scheme", message: "\"ftp\" is not one of \"http\", \"https\""),
    BadConfig(
        name: "bad size unit", yaml: "scrape_configs:\n  - job_name: a\n    body_size_limit: 10kB\n",
        code: .invalidValue, keyPath: "scrape_configs[0].body_size_limit", message: "not a valid size \"10kB\""),
    BadConfig(
        name: "negative limit", yaml: "scrape_configs:\n  - job_name: a\n    sample_limit: -1\n", code: .invalidValue,
        keyPath: "scrape_configs[0].sample_limit", message: "expected a non-negative integer"),
    BadConfig(
        name: "secret file missing",
        yaml: "scrape_configs:\n  - job_name: a\n    basic_auth: {username: u, password_file: /nonexistent/pw}\n",
        code: .io, keyPath: "scrape_configs[0].basic_auth.password_file", message: "\"/nonexistent/pw\" does not exist"),
    BadConfig(
        name: "password and password_file",
        yaml:
            "scrape_configs:\n  - job_name: a\n    basic_auth: {username: u, password: p, password_file: '\(existingFile)'}\n",
        code: .invalidValue, keyPath: "scrape_configs[0].basic_auth.password_file",
        message: "at most one of basic_auth password & password_file"),
    BadConfig(
        name: "basic_auth and authorization",
        yaml: "scrape_configs:\n  - job_name: a\n    basic_auth: {username: u}\n    authorization: {credentials: t}\n",
        code: .invalidValue, keyPath: "scrape_configs[0].authorization",
        message: "at most one of basic_auth & authorization"),
    BadConfig(
        name: "bearer token and authorization",
        yaml: "scrape_configs:\n  - job_name: a\n    bearer_token: x\n    authorization: {credentials: t}\n",
        code: .invalidValue, keyPath: "scrape_configs[0].bearer_token", message: "not compatible with bearer_token"),
    BadConfig(
        name: "authorization type basic",
        yaml: "scrape_configs:\n  - job_name: a\n    authorization: {type: Basic, credentials: t}\n",
        code: .invalidValue,
        keyPath: "scrape_configs[0].authorization.type", message: "use \"basic_auth\" instead"),
    BadConfig(
        name: "client certificate without key",
        yaml: "scrape_configs:\n  - job_name: a\n    tls_config: {cert_file: '\(existingFile)'}\n", code: .missingKey,
        keyPath: "scrape_configs[0].tls_config.key_file", message: "needs its key"),
    BadConfig(
        name: "invalid label name", yaml: "global:\n  external_labels:\n    '': x\n", code: .invalidValue,
        keyPath: "global.external_labels.", message: "\"\" is not a valid label name"),
    BadConfig(
        name: "rule file glob in a directory", yaml: "rule_files: ['rules/*/x.yml']\n", code: .invalidValue,
        keyPath: "rule_files[0]", message: "invalid rule file path"),
    BadConfig(
        name: "file_sd file with a bad extension",
        yaml: "scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: [targets.txt]}]\n", code: .invalidValue,
        keyPath: "scrape_configs[0].file_sd_configs[0].files[0]", message: "not valid for file discovery"),
    BadConfig(
        name: "file_sd without files", yaml: "scrape_configs:\n  - job_name: a\n    file_sd_configs: [{}]\n",
        code: .missingKey, keyPath: "scrape_configs[0].file_sd_configs[0].files", message: "at least one path name"),
    BadConfig(
        name: "remote_write without url", yaml: "remote_write:\n  - name: a\n", code: .missingKey,
        keyPath: "remote_write[0].url", message: "url for remote_write is empty"),
    BadConfig(
        name: "remote_write with a bad url", yaml: "remote_write:\n  - url: ftp://store/write\n", code: .invalidValue,
        keyPath: "remote_write[0].url", message: "must use http or https"),
    BadConfig(
        name: "remote_write reserved header",
        yaml: "remote_write:\n  - url: http://s/w\n    headers: {Content-Type: text/plain}\n", code: .invalidValue,
        keyPath: "remote_write[0].headers.Content-Type", message: "is a reserved header"),
    BadConfig(
        name: "remote_write duplicate name",
        yaml: "remote_write:\n  - {url: 'http://a/w', name: x}\n  - {url: 'http://b/w', name: x}\n", code: .duplicate,
        keyPath: "remote_write[1].name", message: "multiple remote write configs with name \"x\""),
    BadConfig(
        name: "queue min shards above max",
        yaml: "remote_write:\n  - url: http://a/w\n    queue_config: {min_shards: 10, max_shards: 2}\n",
        code: .invalidValue, keyPath: "remote_write[0].queue_config.min_shards", message: "above max_shards"),
    BadConfig(
        name: "alertmanager api v1", yaml: "alerting:\n  alertmanagers:\n    - api_version: v1\n", code: .invalidValue,
        keyPath: "alerting.alertmanagers[0].api_version", message: "one of [v2] but got \"v1\""),
    BadConfig(
        name: "unknown GPU backend", yaml: "local_agent:\n  gpu_backend: cuda\n", code: .invalidValue,
        keyPath: "local_agent.gpu_backend", message: "\"cuda\" is not one of"),
    BadConfig(
        name: "bad retention size", yaml: "storage:\n  tsdb:\n    retention_size: lots\n", code: .invalidValue,
        keyPath: "storage.tsdb.retention_size", message: "not a valid size"),
    BadConfig(
        name: "null scrape config", yaml: "scrape_configs:\n  -\n", code: .invalidValue, keyPath: "scrape_configs[0]",
        message: "empty or null scrape config section"),
]

@Suite struct BadConfigTests {
    @Test(arguments: badConfigs)
    func rejects(_ bad: BadConfig) {
        do {
            let config = try VigilConfiguration.parse(yaml: bad.yaml, file: "vigil.yml")
            Issue.record("parsed without error: \(config)")
        } catch {
            #expect(error.code == bad.code)
            #expect(error.keyPath == bad.keyPath)
            #expect(error.message.contains(bad.message), "message: \(error.message)")
            #expect(error.file == "vigil.yml")
            if let line = bad.line { #expect(error.line == line) }
            if let column = bad.column { #expect(error.column == column) }
        }
    }
}

/// A directory under the system's temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/vigil-config-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
