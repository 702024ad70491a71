import Foundation
import VigilConfig
import VigilModel

/// An Alertmanager configuration (`alertmanager.yml`), parsed strictly and validated as Alertmanager
/// does; see ``AlertmanagerConfiguration/parse(yaml:file:)``.
public struct AlertmanagerConfiguration: Sendable {
    public var global: AlertmanagerGlobalConfig
    /// The routing tree, defaults inherited.
    public var route: Route
    public var receivers: [ReceiverConfig]
    public var inhibitRules: [InhibitRule]
    /// `time_intervals` and the deprecated `mute_time_intervals`, by name.
    public var timeIntervals: [String: [TimeIntervalSpec]]
    /// `templates`: file globs, as written.
    public var templates: [String]
    /// The text the configuration was parsed from (`config.original` of `/api/v2/status`).
    public var original: String

    public init(
        global: AlertmanagerGlobalConfig, route: Route, receivers: [ReceiverConfig], inhibitRules: [InhibitRule] = [],
        timeIntervals: [String: [TimeIntervalSpec]] = [:], templates: [String] = [], original: String = ""
    ) {
        self.global = global
        self.route = route
        self.receivers = receivers
        self.inhibitRules = inhibitRules
        self.timeIntervals = timeIntervals
        self.templates = templates
        self.original = original
    }

    /// The receiver named `name`.
    public func receiver(named name: String) -> ReceiverConfig? { receivers.first { $0.name == name } }
}

/// `global:` — defaults for receivers and the resolve timeout.
public struct AlertmanagerGlobalConfig: Sendable, Hashable {
    /// An alert posted without `endsAt` resolves this long after it was last received (default 5m).
    public var resolveTimeout: Duration = .seconds(300)
    public var smtpFrom: String = ""
    public var smtpSmarthost: String = ""
    public var smtpHello: String = "localhost"
    public var smtpAuthUsername: String = ""
    public var smtpAuthPassword: String = ""
    public var smtpAuthIdentity: String = ""
    public var smtpAuthSecret: String = ""
    public var smtpRequireTLS: Bool = true
    public var slackAPIURL: String = ""
    public var httpConfig: HTTPClientConfig = HTTPClientConfig()

    public init() {}
}

/// One `inhibit_rules` entry: firing alerts matching ``sourceMatchers`` mute alerts matching
/// ``targetMatchers`` that carry the same values for every label of ``equal``.
public struct InhibitRule: Sendable, Hashable {
    public var sourceMatchers: [LabelMatcher]
    public var targetMatchers: [LabelMatcher]
    public var equal: [String]

    public init(sourceMatchers: [LabelMatcher], targetMatchers: [LabelMatcher], equal: [String]) {
        self.sourceMatchers = sourceMatchers
        self.targetMatchers = targetMatchers
        self.equal = equal
    }
}
