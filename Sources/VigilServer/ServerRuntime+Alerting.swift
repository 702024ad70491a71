import Foundation
import Logging
import ServiceLifecycle
import VigilAlerting
import VigilConfig
import VigilModel
import VigilPromQL
import VigilReceivers
import VigilRules

extension ServerRuntime {
    /// The notifier's configuration without `--alertmanager-config`: every alert goes to one receiver
    /// without integrations, so alerts, groups and silences work in the API and the UI and nothing is
    /// sent anywhere.
    public static let defaultAlertmanagerYAML = """
        route:
          receiver: vigil
          group_by: [alertname]
        receivers:
          - name: vigil
        """

    /// Loads the notifier configuration `options` name (or the built-in one).
    public static func loadAlertmanagerConfiguration(_ options: ServerOptions) throws(AlertingError)
        -> AlertmanagerConfiguration
    {
        guard let path = options.alertmanagerConfigPath else {
            return try AlertmanagerConfiguration.parse(yaml: defaultAlertmanagerYAML, file: "<built-in>")
        }
        return try AlertmanagerConfiguration.load(path: path)
    }

    /// The notifier's integrations, with the templates the configuration's `templates:` files define
    /// (globs, relative to the configuration file's directory) beside Alertmanager's default ones.
    public static func integrations(
        for config: AlertmanagerConfiguration, options: ServerOptions
    ) throws(NotifyError) -> IntegrationFactory {
        let directory = options.alertmanagerConfigPath.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }
        let files = config.templates.flatMap { pattern in
            RuleManager.expandGlob(pattern.hasPrefix("/") || directory == nil ? pattern : directory! + "/" + pattern)
        }
        let templates = files.isEmpty ? NotificationTemplates.defaults : try NotificationTemplates(files: files)
        return ReceiverIntegrations.factory(templates: templates)
    }

    /// The rule files to load: the built-in GPU-cluster pack (unless turned off) and `rule_files`.
    static func ruleFiles(config: VigilConfiguration, options: ServerOptions) throws(RuleLoadError) -> [RuleFile] {
        var errors: [RulesError] = []
        var files: [RuleFile] = []
        if options.builtinRules {
            let pack = RuleFile.parse(BuiltinRulePack.gpuCluster, path: BuiltinRulePack.gpuClusterFileName)
            errors += pack.errors
            if let file = pack.file { files.append(file) }
        }
        let (configured, configuredErrors) = RuleManager.parse(paths: config.ruleFiles)
        errors += configuredErrors
        guard errors.isEmpty else { throw RuleLoadError(errors: errors) }
        return files + configured
    }

    /// What rule evaluation takes from the configuration.
    static func ruleOptions(config: VigilConfiguration, externalURL: String) -> RuleGroup.Options {
        RuleGroup.Options(
            externalLabels: config.global.externalLabels, externalURL: externalURL,
            defaultIntervalMilliseconds: PrometheusDuration.milliseconds(of: config.global.evaluationInterval),
            defaultQueryOffsetMilliseconds: PrometheusDuration.milliseconds(of: config.global.ruleQueryOffset))
    }

    /// A rule's alert as the built-in notifier takes it.
    static func notifierAlert(_ alert: NotifierAlert, receivedAt now: Date) -> VigilAlerting.Alert {
        VigilAlerting.Alert(
            labels: alert.labels, annotations: alert.annotations, startsAt: date(alert.startsAt),
            endsAt: date(alert.endsAt), generatorURL: alert.generatorURL, updatedAt: now)
    }

    /// A rule's alert as an external Alertmanager takes it.
    static func forwardedAlert(_ alert: NotifierAlert) -> ForwardedAlert {
        ForwardedAlert(
            labels: alert.labels, annotations: alert.annotations, startsAt: date(alert.startsAt),
            endsAt: date(alert.endsAt), generatorURL: alert.generatorURL)
    }

    private static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}

/// Runs the notifier's timers as a service of the server's group: until graceful shutdown.
struct AlertDispatcherService: Service {
    let dispatcher: AlertDispatcher

    func run() async throws {
        try await dispatcher.loadState()
        await cancelWhenGracefulShutdown { await dispatcher.run() }
    }
}
