import Foundation
import VigilConfig
import VigilModel

extension AlertmanagerConfiguration {
    /// Reads and validates `alertmanager.yml`.
    public static func load(path: String) throws(AlertingError) -> AlertmanagerConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw AlertingError(.config, "cannot read the configuration: \(error.localizedDescription)", file: path)
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses an Alertmanager configuration strictly (unknown keys are errors) and validates it as
    /// Alertmanager does; errors carry the key path and line:column.
    public static func parse(yaml: String, file: String? = nil) throws(AlertingError) -> AlertmanagerConfiguration {
        do throws(ConfigError) {
            guard let root = try YAMLCursor.document(yaml, file: file) else {
                throw ConfigError(.missingKey, keyPath: "route", "no routes provided", file: file)
            }
            var config = try AlertmanagerConfigParser().configuration(root)
            config.original = yaml
            return config
        } catch {
            throw AlertingError(error)
        }
    }
}

struct AlertmanagerConfigParser {
    func configuration(_ root: YAMLCursor) throws(ConfigError) -> AlertmanagerConfiguration {
        let map = try root.mapping(
            known: [
                "global", "route", "receivers", "inhibit_rules", "mute_time_intervals", "time_intervals", "templates",
            ])
        let global =
            try map["global"].map { cursor throws(ConfigError) in try self.global(cursor) }
            ?? AlertmanagerGlobalConfig()

        var intervals: [String: [TimeIntervalSpec]] = [:]
        for key in ["mute_time_intervals", "time_intervals"] {
            for entry in try map[key]?.sequence() ?? [] {
                let entryMap = try entry.mapping(known: ["name", "time_intervals"])
                guard let nameCursor = entryMap["name"], case let name = try nameCursor.string(), !name.isEmpty else {
                    throw entryMap.error(.missingKey, "name", "missing name in time interval")
                }
                if intervals[name] != nil {
                    throw nameCursor.error(.duplicate, "time interval \"\(name)\" is not unique")
                }
                var specs: [TimeIntervalSpec] = []
                for element in try entryMap["time_intervals"]?.sequence() ?? [] {
                    specs.append(try timeInterval(element))
                }
                intervals[name] = specs
            }
        }

        var receivers: [ReceiverConfig] = []
        for cursor in try map["receivers"]?.sequence() ?? [] {
            let receiver = try self.receiver(cursor, global: global)
            if receivers.contains(where: { $0.name == receiver.name }) {
                throw cursor.error(
                    .duplicate, "notification config name \"\(receiver.name)\" is not unique", at: "name")
            }
            receivers.append(receiver)
        }

        guard let routeCursor = map["route"] else {
            throw map.error(.missingKey, "route", "no routes provided")
        }
        let route = try rootRoute(routeCursor, receivers: Set(receivers.map(\.name)), intervals: intervals)

        var inhibitRules: [InhibitRule] = []
        for cursor in try map["inhibit_rules"]?.sequence() ?? [] { inhibitRules.append(try inhibitRule(cursor)) }

        return AlertmanagerConfiguration(
            global: global, route: route, receivers: receivers, inhibitRules: inhibitRules, timeIntervals: intervals,
            templates: try map["templates"]?.stringList() ?? [])
    }

    // MARK: global

    func global(_ cursor: YAMLCursor) throws(ConfigError) -> AlertmanagerGlobalConfig {
        let map = try cursor.mapping(
            known: [
                "resolve_timeout", "smtp_from", "smtp_smarthost", "smtp_hello", "smtp_auth_username",
                "smtp_auth_password", "smtp_auth_identity", "smtp_auth_secret", "smtp_require_tls", "slack_api_url",
                "http_config",
            ],
            unsupported: [
                "smtp_auth_password_file", "slack_api_url_file", "pagerduty_url", "opsgenie_api_url",
                "opsgenie_api_key", "opsgenie_api_key_file", "wechat_api_url", "wechat_api_secret",
                "wechat_api_corp_id", "victorops_api_url", "victorops_api_key", "victorops_api_key_file",
                "telegram_api_url", "webex_api_url",
            ])
        var global = AlertmanagerGlobalConfig()
        if let value = map["resolve_timeout"] { global.resolveTimeout = try value.duration() }
        if let value = map["smtp_from"] { global.smtpFrom = try value.string() }
        if let value = map["smtp_smarthost"] { global.smtpSmarthost = try hostPort(value) }
        if let value = map["smtp_hello"] { global.smtpHello = try value.string() }
        if let value = map["smtp_auth_username"] { global.smtpAuthUsername = try value.string() }
        if let value = map["smtp_auth_password"] { global.smtpAuthPassword = try value.string() }
        if let value = map["smtp_auth_identity"] { global.smtpAuthIdentity = try value.string() }
        if let value = map["smtp_auth_secret"] { global.smtpAuthSecret = try value.string() }
        if let value = map["smtp_require_tls"] { global.smtpRequireTLS = try value.bool() }
        if let value = map["slack_api_url"] { global.slackAPIURL = try url(value) }
        if let value = map["http_config"] { global.httpConfig = try httpConfig(value, defaults: HTTPClientConfig()) }
        return global
    }

    // MARK: route

    func rootRoute(_ cursor: YAMLCursor, receivers: Set<String>, intervals: [String: [TimeIntervalSpec]])
        throws(ConfigError) -> Route
    {
        let map = try cursor.mapping(known: routeKeys)
        guard let receiver = try map["receiver"]?.string(), !receiver.isEmpty else {
            throw map.error(.missingKey, "receiver", "root route must specify a default receiver")
        }
        for key in ["matchers", "match", "match_re"] where map[key] != nil {
            throw map.error(.invalidValue, key, "root route must not have any matchers")
        }
        if map["continue"] != nil, try map["continue"]!.bool() {
            throw map.error(.invalidValue, "continue", "cannot have continue in root route")
        }
        if map["mute_time_intervals"] != nil {
            throw map.error(.invalidValue, "mute_time_intervals", "root route must not have any mute time intervals")
        }
        if map["active_time_intervals"] != nil {
            throw map.error(
                .invalidValue, "active_time_intervals", "root route must not have any active time intervals")
        }
        let defaults = Route(receiver: receiver)
        return try route(cursor, parent: defaults, parentKey: nil, receivers: receivers, intervals: intervals)
            .numbered().0
    }

    private var routeKeys: [String] {
        [
            "receiver", "group_by", "continue", "matchers", "match", "match_re", "group_wait", "group_interval",
            "repeat_interval", "mute_time_intervals", "active_time_intervals", "routes",
        ]
    }

    func route(
        _ cursor: YAMLCursor, parent: Route, parentKey: String?, receivers: Set<String>,
        intervals: [String: [TimeIntervalSpec]]
    ) throws(ConfigError) -> Route {
        let map = try cursor.mapping(known: routeKeys)
        var route = parent
        route.routes = []
        route.continue = try map["continue"]?.bool() ?? false
        route.muteTimeIntervals = []
        route.activeTimeIntervals = []
        if let value = map["receiver"] { route.receiver = try value.string() }
        if !receivers.contains(route.receiver) {
            throw map.error(.invalidValue, "receiver", "undefined receiver \"\(route.receiver)\" used in route")
        }
        if let value = map["group_by"] {
            let names = try value.stringList()
            route.groupByAll = false
            route.groupBy = []
            for (index, name) in names.enumerated() {
                let at = index
                if name == "..." {
                    guard names.count == 1 else {
                        _ = at
                        throw value.error(
                            .invalidValue,
                            "cannot have wildcard group_by (`...`) and other other labels at the same time")
                    }
                    route.groupByAll = true
                } else {
                    guard isValidLabelName(name) else {
                        throw value.error(.invalidValue, "invalid label name \"\(name)\" in group_by list")
                    }
                    if route.groupBy.contains(name) {
                        throw value.error(.duplicate, "duplicated label \"\(name)\" in group_by")
                    }
                    route.groupBy.append(name)
                }
            }
        }
        var matchers: [LabelMatcher] = []
        for (index, element) in try (map["matchers"]?.sequence() ?? []).enumerated() {
            do {
                matchers.append(contentsOf: try AlertMatchers.parseList(try element.string()))
            } catch let error as AlertingError {
                throw element.error(.invalidValue, error.message + " (matchers[\(index)])")
            } catch let error as ConfigError {
                throw error
            } catch {
                throw element.error(.invalidValue, "\(error)")
            }
        }
        matchers += try legacyMatchers(map, equalKey: "match", regexKey: "match_re")
        route.matchers = AlertMatchers.sorted(matchers)
        if let value = map["group_wait"] { route.groupWait = try value.duration() }
        if let value = map["group_interval"] {
            route.groupInterval = try value.duration()
            if route.groupInterval == .zero { throw value.error(.invalidValue, "group_interval cannot be zero") }
        }
        if let value = map["repeat_interval"] {
            route.repeatInterval = try value.duration()
            if route.repeatInterval == .zero { throw value.error(.invalidValue, "repeat_interval cannot be zero") }
        }
        for key in ["mute_time_intervals", "active_time_intervals"] {
            guard let value = map[key] else { continue }
            let names = try value.stringList()
            for name in names where intervals[name] == nil {
                throw value.error(.invalidValue, "undefined time interval \"\(name)\" used in route")
            }
            if key == "mute_time_intervals" {
                route.muteTimeIntervals = names
            } else {
                route.activeTimeIntervals = names
            }
        }
        route.key = (parentKey.map { $0 + "/" } ?? "") + AlertMatchers.format(route.matchers)
        var children: [Route] = []
        for child in try map["routes"]?.sequence() ?? [] {
            children.append(
                try self.route(child, parent: route, parentKey: route.key, receivers: receivers, intervals: intervals))
        }
        route.routes = children
        return route
    }

    /// The deprecated `match` (equality) and `match_re` (regex) maps as matchers.
    func legacyMatchers(_ map: YAMLMapping, equalKey: String, regexKey: String) throws(ConfigError) -> [LabelMatcher] {
        var matchers: [LabelMatcher] = []
        for (kind, key) in [(LabelMatcher.Kind.equal, equalKey), (.regexMatch, regexKey)] {
            for (name, value) in try map[key]?.freeMapping() ?? [] {
                guard isValidLabelName(name) else {
                    throw value.error(.invalidValue, "invalid label name \"\(name)\"")
                }
                do {
                    matchers.append(try LabelMatcher(kind, name, try value.string()))
                } catch let error as LabelMatcherError {
                    throw value.error(.invalidValue, error.message)
                } catch let error as ConfigError {
                    throw error
                } catch {
                    throw value.error(.invalidValue, "\(error)")
                }
            }
        }
        return matchers
    }

    // MARK: inhibit rules

    func inhibitRule(_ cursor: YAMLCursor) throws(ConfigError) -> InhibitRule {
        let map = try cursor.mapping(
            known: [
                "source_matchers", "target_matchers", "equal", "source_match", "source_match_re", "target_match",
                "target_match_re",
            ])
        func matchers(_ key: String) throws(ConfigError) -> [LabelMatcher] {
            var out: [LabelMatcher] = []
            for element in try map[key]?.sequence() ?? [] {
                do {
                    out.append(contentsOf: try AlertMatchers.parseList(try element.string()))
                } catch let error as AlertingError {
                    throw element.error(.invalidValue, error.message)
                } catch let error as ConfigError {
                    throw error
                } catch {
                    throw element.error(.invalidValue, "\(error)")
                }
            }
            return out
        }
        let source =
            try matchers("source_matchers")
            + legacyMatchers(map, equalKey: "source_match", regexKey: "source_match_re")
        let target =
            try matchers("target_matchers")
            + legacyMatchers(map, equalKey: "target_match", regexKey: "target_match_re")
        let equal = try map["equal"]?.stringList() ?? []
        for name in equal where !isValidLabelName(name) {
            throw map.error(.invalidValue, "equal", "invalid label name \"\(name)\" in equal list")
        }
        return InhibitRule(sourceMatchers: source, targetMatchers: target, equal: equal)
    }

    // MARK: receivers

    func receiver(_ cursor: YAMLCursor, global: AlertmanagerGlobalConfig) throws(ConfigError) -> ReceiverConfig {
        let map = try cursor.mapping(
            known: ["name", "webhook_configs", "slack_configs", "email_configs"],
            unsupported: [
                "pagerduty_configs", "opsgenie_configs", "wechat_configs", "pushover_configs", "victorops_configs",
                "sns_configs", "telegram_configs", "webex_configs", "discord_configs", "msteams_configs",
            ])
        guard let name = try map["name"]?.string(), !name.isEmpty else {
            throw map.error(.missingKey, "name", "missing name in receiver")
        }
        var receiver = ReceiverConfig(name: name)
        for element in try map["webhook_configs"]?.sequence() ?? [] {
            receiver.webhookConfigs.append(try webhook(element, global: global))
        }
        for element in try map["slack_configs"]?.sequence() ?? [] {
            receiver.slackConfigs.append(try slack(element, global: global))
        }
        for element in try map["email_configs"]?.sequence() ?? [] {
            receiver.emailConfigs.append(try email(element, global: global))
        }
        return receiver
    }

    func webhook(_ cursor: YAMLCursor, global: AlertmanagerGlobalConfig) throws(ConfigError) -> WebhookReceiverConfig {
        let map = try cursor.mapping(
            known: ["send_resolved", "url", "max_alerts", "timeout", "http_config"], unsupported: ["url_file"])
        guard let urlCursor = map["url"] else {
            throw map.error(.missingKey, "url", "one of url or url_file must be configured")
        }
        var config = WebhookReceiverConfig(url: try url(urlCursor), httpConfig: global.httpConfig)
        if let value = map["send_resolved"] { config.sendResolved = try value.bool() }
        if let value = map["max_alerts"] { config.maxAlerts = try value.count() }
        if let value = map["timeout"] { config.timeout = try value.duration() }
        if let value = map["http_config"] { config.httpConfig = try httpConfig(value, defaults: global.httpConfig) }
        return config
    }

    func slack(_ cursor: YAMLCursor, global: AlertmanagerGlobalConfig) throws(ConfigError) -> SlackReceiverConfig {
        let map = try cursor.mapping(
            known: [
                "send_resolved", "api_url", "channel", "username", "color", "title", "title_link", "pretext", "text",
                "footer", "fallback", "icon_emoji", "icon_url", "link_names", "http_config",
            ],
            unsupported: [
                "api_url_file", "fields", "short_fields", "callback_id", "image_url", "thumb_url", "mrkdwn_in",
                "actions",
            ])
        var apiURL = global.slackAPIURL
        if let value = map["api_url"] { apiURL = try url(value) }
        guard !apiURL.isEmpty else { throw map.error(.missingKey, "api_url", "no global Slack API URL set") }
        var config = SlackReceiverConfig(apiURL: apiURL, httpConfig: global.httpConfig)
        if let value = map["send_resolved"] { config.sendResolved = try value.bool() }
        if let value = map["channel"] { config.channel = try value.string() }
        if let value = map["username"] { config.username = try value.string() }
        if let value = map["color"] { config.color = try value.string() }
        if let value = map["title"] { config.title = try value.string() }
        if let value = map["title_link"] { config.titleLink = try value.string() }
        if let value = map["pretext"] { config.pretext = try value.string() }
        if let value = map["text"] { config.text = try value.string() }
        if let value = map["footer"] { config.footer = try value.string() }
        if let value = map["fallback"] { config.fallback = try value.string() }
        if let value = map["icon_emoji"] { config.iconEmoji = try value.string() }
        if let value = map["icon_url"] { config.iconURL = try value.string() }
        if let value = map["link_names"] { config.linkNames = try value.bool() }
        if let value = map["http_config"] { config.httpConfig = try httpConfig(value, defaults: global.httpConfig) }
        return config
    }

    func email(_ cursor: YAMLCursor, global: AlertmanagerGlobalConfig) throws(ConfigError) -> EmailReceiverConfig {
        let map = try cursor.mapping(
            known: [
                "send_resolved", "to", "from", "smarthost", "hello", "auth_username", "auth_password", "auth_identity",
                "auth_secret", "require_tls", "tls_config", "headers", "html", "text",
            ],
            unsupported: ["auth_password_file"])
        guard let to = try map["to"]?.string(), !to.isEmpty else {
            throw map.error(.missingKey, "to", "missing to address in email config")
        }
        let smarthost =
            try map["smarthost"].map { value throws(ConfigError) in try hostPort(value) }
            ?? global.smtpSmarthost
        guard !smarthost.isEmpty else { throw map.error(.missingKey, "smarthost", "no global SMTP smarthost set") }
        let from = try map["from"]?.string() ?? global.smtpFrom
        guard !from.isEmpty else { throw map.error(.missingKey, "from", "no global mail from address set") }
        var config = EmailReceiverConfig(
            to: to, from: from, smarthost: smarthost, hello: global.smtpHello, authUsername: global.smtpAuthUsername,
            authPassword: global.smtpAuthPassword, authIdentity: global.smtpAuthIdentity,
            authSecret: global.smtpAuthSecret, requireTLS: global.smtpRequireTLS)
        if let value = map["send_resolved"] { config.sendResolved = try value.bool() }
        if let value = map["hello"] { config.hello = try value.string() }
        if let value = map["auth_username"] { config.authUsername = try value.string() }
        if let value = map["auth_password"] { config.authPassword = try value.string() }
        if let value = map["auth_identity"] { config.authIdentity = try value.string() }
        if let value = map["auth_secret"] { config.authSecret = try value.string() }
        if let value = map["require_tls"] { config.requireTLS = try value.bool() }
        if let value = map["tls_config"] { config.tlsConfig = try tlsConfig(value) }
        if let value = map["html"] { config.html = try value.string() }
        if let value = map["text"] { config.text = try value.string() }
        var seen: Set<String> = []
        for (name, value) in try map["headers"]?.freeMapping() ?? [] {
            let normalized = name.lowercased()
            if seen.contains(normalized) {
                throw value.error(.duplicate, "duplicate header \"\(name)\" in email config")
            }
            seen.insert(normalized)
            config.headers[canonicalHeader(name)] = try value.string()
        }
        return config
    }

    // MARK: HTTP client

    /// `http_config`, read as `vigil.yml` reads its HTTP client settings.
    func httpConfig(_ cursor: YAMLCursor, defaults: HTTPClientConfig) throws(ConfigError) -> HTTPClientConfig {
        try HTTPClientConfig.parse(cursor, defaults: defaults, file: cursor.file)
    }

    func tlsConfig(_ cursor: YAMLCursor) throws(ConfigError) -> TLSConfig {
        try TLSConfig.parse(cursor, file: cursor.file)
    }

    // MARK: values

    func url(_ cursor: YAMLCursor) throws(ConfigError) -> String {
        let text = try cursor.string()
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host != nil
        else {
            throw cursor.error(
                .invalidValue, "unsupported scheme or invalid URL \"\(text)\" (want http:// or https://)")
        }
        return text
    }

    func hostPort(_ cursor: YAMLCursor) throws(ConfigError) -> String {
        let text = try cursor.string()
        guard let colon = text.lastIndex(of: ":"), !text[text.index(after: colon)...].isEmpty,
            Int(text[text.index(after: colon)...]) != nil
        else {
            throw cursor.error(.invalidValue, "address \(text): missing port in address (want host:port)")
        }
        return text
    }

    /// Go's `textproto.CanonicalMIMEHeaderKey`: `content-type` → `Content-Type`.
    func canonicalHeader(_ name: String) -> String {
        name.split(separator: "-", omittingEmptySubsequences: false).map {
            $0.prefix(1).uppercased() + $0.dropFirst().lowercased()
        }
        .joined(separator: "-")
    }

    // MARK: time intervals

    func timeInterval(_ cursor: YAMLCursor) throws(ConfigError) -> TimeIntervalSpec {
        let map = try cursor.mapping(known: ["times", "weekdays", "days_of_month", "months", "years", "location"])
        var spec = TimeIntervalSpec()
        if let value = map["times"] {
            var times: [ClosedRange<Int>] = []
            for element in try value.sequence() {
                let range = try element.mapping(known: ["start_time", "end_time"])
                guard let startCursor = range["start_time"], let endCursor = range["end_time"] else {
                    throw element.error(.missingKey, "both start and end times must be provided")
                }
                let start = try minutes(startCursor)
                let end = try minutes(endCursor)
                guard start < end else {
                    throw element.error(.invalidValue, "start time cannot be equal or greater than end time")
                }
                times.append(start...end)
            }
            spec.times = times
        }
        if let value = map["weekdays"] {
            spec.weekdays = try ranges(value, what: "weekday") { text in
                ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"].firstIndex(
                    of: text.lowercased())
            }
        }
        if let value = map["months"] {
            spec.months = try ranges(value, what: "month") { text in
                if let number = Int(text), (1...12).contains(number) { return number }
                return [
                    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                    "november", "december",
                ].firstIndex(of: text.lowercased()).map { $0 + 1 }
            }
        }
        if let value = map["years"] {
            spec.years = try ranges(value, what: "year") { text in Int(text).flatMap { $0 > 0 ? $0 : nil } }
        }
        if let value = map["days_of_month"] {
            var days: [TimeIntervalSpec.DayRange] = []
            for element in try value.sequence() {
                let text = try element.string()
                let parts = text.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count <= 2, let begin = Int(parts[0]), let end = Int(parts.last!),
                    (1...31).contains(abs(begin)), (1...31).contains(abs(end))
                else {
                    throw element.error(.invalidValue, "\(text) is not a valid day of the month (1..31 or -31..-1)")
                }
                if begin > 0 && end < 0 {
                } else if begin < 0 && end > 0 {
                    throw element.error(.invalidValue, "end day must be negative if start day is negative")
                } else if begin > end {
                    throw element.error(.invalidValue, "start day cannot be greater than end day")
                }
                days.append(.init(begin: begin, end: end))
            }
            spec.daysOfMonth = days
        }
        if let value = map["location"] {
            let name = try value.string()
            let zone = name == "Local" ? TimeZone.current : TimeZone(identifier: name)
            guard let zone else { throw value.error(.invalidValue, "unknown time zone \"\(name)\"") }
            spec.location = zone
        }
        return spec
    }

    private func minutes(_ cursor: YAMLCursor) throws(ConfigError) -> Int {
        let text = try cursor.string()
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let hours = Int(parts[0]),
            let minutes = Int(parts[1]), (0...24).contains(hours), (0...59).contains(minutes),
            hours < 24 || minutes == 0
        else { throw cursor.error(.invalidValue, "couldn't parse timestamp \(text), invalid format (want HH:MM)") }
        return hours * 60 + minutes
    }

    private func ranges(_ cursor: YAMLCursor, what: String, _ value: (String) -> Int?) throws(ConfigError)
        -> [ClosedRange<Int>]
    {
        var out: [ClosedRange<Int>] = []
        for element in try cursor.sequence() {
            let text = try element.string()
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= 2, let begin = value(parts[0]), let end = value(parts.last!) else {
                throw element.error(.invalidValue, "\(text) is not a valid \(what) or \(what) range")
            }
            guard begin <= end else {
                throw element.error(.invalidValue, "start \(what) cannot be after end \(what) in \(text)")
            }
            out.append(begin...end)
        }
        return out
    }
}
