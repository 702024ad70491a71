import VigilModel

/// The whole configuration of a Vigil server: Prometheus's configuration file format
/// (`global`, `scrape_configs`, `rule_files`, `alerting`, `remote_write`, `storage`) plus Vigil's
/// own `local_agent` section.
///
/// Every value is the *effective* one: defaults are filled in and per-job settings that inherit from
/// `global` hold the inherited value, as Prometheus's `/api/v1/status/config` shows them. Relative
/// file paths are resolved against the configuration file's directory.
public struct VigilConfiguration: Sendable, Hashable {
    /// `global:` — defaults for the other sections and labels added to everything sent out.
    public var global: GlobalConfig
    /// `scrape_configs:` — one entry per job; job names are unique.
    public var scrapeConfigs: [ScrapeConfig]
    /// `rule_files:` — paths or globs (only the last path element may hold a `*`) of rule files.
    public var ruleFiles: [String]
    /// `alerting:` — where alerts go and how their labels are rewritten first.
    public var alerting: AlertingConfig
    /// `remote_write:` — stores that receive a copy of every sample.
    public var remoteWrite: [RemoteWriteConfig]
    /// `storage:` — the embedded TSDB.
    public var storage: StorageConfig
    /// `local_agent:` — Vigil's in-process collection of this host and its GPUs.
    public var localAgent: LocalAgentConfig

    public init(
        global: GlobalConfig = GlobalConfig(),
        scrapeConfigs: [ScrapeConfig] = [],
        ruleFiles: [String] = [],
        alerting: AlertingConfig = AlertingConfig(),
        remoteWrite: [RemoteWriteConfig] = [],
        storage: StorageConfig = StorageConfig(),
        localAgent: LocalAgentConfig = LocalAgentConfig()
    ) {
        self.global = global
        self.scrapeConfigs = scrapeConfigs
        self.ruleFiles = ruleFiles
        self.alerting = alerting
        self.remoteWrite = remoteWrite
        self.storage = storage
        self.localAgent = localAgent
    }

    /// The configuration `vigil server` runs with when given no file: what an empty document parses to.
    public static let `default` = VigilConfiguration()
}

/// `global:` — Prometheus's global settings, with its defaults.
public struct GlobalConfig: Sendable, Hashable {
    /// How often targets are scraped unless their job says otherwise (default 1m).
    public var scrapeInterval: Duration
    /// How long a scrape may take unless its job says otherwise (default 10s, never above the interval).
    public var scrapeTimeout: Duration
    /// How often rule groups are evaluated unless they say otherwise (default 1m).
    public var evaluationInterval: Duration
    /// How far into the past rule evaluation is shifted by default (default 0).
    public var ruleQueryOffset: Duration
    /// Labels added to series and alerts that leave this server (remote_write, Alertmanager, federation).
    public var externalLabels: Labels
    /// Per-scrape limits every job inherits unless it sets its own; 0 means no limit.
    public var limits: ScrapeLimits

    public init(
        scrapeInterval: Duration = .seconds(60),
        scrapeTimeout: Duration = .seconds(10),
        evaluationInterval: Duration = .seconds(60),
        ruleQueryOffset: Duration = .zero,
        externalLabels: Labels = Labels(),
        limits: ScrapeLimits = ScrapeLimits()
    ) {
        self.scrapeInterval = scrapeInterval
        self.scrapeTimeout = scrapeTimeout
        self.evaluationInterval = evaluationInterval
        self.ruleQueryOffset = ruleQueryOffset
        self.externalLabels = externalLabels
        self.limits = limits
    }
}

/// Limits on one scrape (or one job's targets). Zero means "no limit", as in Prometheus; a job's
/// zero inherits the global value.
public struct ScrapeLimits: Sendable, Hashable {
    /// `body_size_limit`: uncompressed response bytes; a larger body fails the scrape.
    public var bodySizeLimit: Int64
    /// `sample_limit`: samples after metric relabelling; more fail the scrape.
    public var sampleLimit: Int
    /// `label_limit`: labels per series after metric relabelling.
    public var labelLimit: Int
    /// `label_name_length_limit`: bytes in a label name.
    public var labelNameLengthLimit: Int
    /// `label_value_length_limit`: bytes in a label value.
    public var labelValueLengthLimit: Int
    /// `target_limit`: targets of the job after target relabelling; more fail all its scrapes.
    public var targetLimit: Int
    /// `keep_dropped_targets`: how many dropped targets the job remembers for the targets page.
    public var keepDroppedTargets: Int

    public init(
        bodySizeLimit: Int64 = 0, sampleLimit: Int = 0, labelLimit: Int = 0, labelNameLengthLimit: Int = 0,
        labelValueLengthLimit: Int = 0, targetLimit: Int = 0, keepDroppedTargets: Int = 0
    ) {
        self.bodySizeLimit = bodySizeLimit
        self.sampleLimit = sampleLimit
        self.labelLimit = labelLimit
        self.labelNameLengthLimit = labelNameLengthLimit
        self.labelValueLengthLimit = labelValueLengthLimit
        self.targetLimit = targetLimit
        self.keepDroppedTargets = keepDroppedTargets
    }

    /// These limits with every zero replaced by `fallback`'s value (how a job inherits `global`).
    public func inheriting(_ fallback: ScrapeLimits) -> ScrapeLimits {
        ScrapeLimits(
            bodySizeLimit: bodySizeLimit == 0 ? fallback.bodySizeLimit : bodySizeLimit,
            sampleLimit: sampleLimit == 0 ? fallback.sampleLimit : sampleLimit,
            labelLimit: labelLimit == 0 ? fallback.labelLimit : labelLimit,
            labelNameLengthLimit: labelNameLengthLimit == 0 ? fallback.labelNameLengthLimit : labelNameLengthLimit,
            labelValueLengthLimit: labelValueLengthLimit == 0
                ? fallback.labelValueLengthLimit : labelValueLengthLimit,
            targetLimit: targetLimit == 0 ? fallback.targetLimit : targetLimit,
            keepDroppedTargets: keepDroppedTargets == 0 ? fallback.keepDroppedTargets : keepDroppedTargets
        )
    }
}
