import VigilModel

/// The dashboard's alerts page: the rule manager's firing and pending alerts grouped by severity and
/// alertname, the alerts the Alertmanager inhibits (with the alert that inhibits each), the silences, and a
/// form that creates one.
///
/// The page takes plain values (the server gathers them from the rule manager and the built-in
/// Alertmanager) and filters and orders them itself. The filter form, the silence form and its result sit
/// outside the `main` element, so the refresh in place (which swaps `main`) never clears what a person
/// types; the silence form works without script (a form POST to `/ui/alerts/silences`) and with it (a
/// `POST /api/v2/silences` and the `main` element fetched again).
public struct AlertsPage: Sendable, Hashable {
    /// An alert's state as the rule manager reports it (inactive alerts are not shown).
    public enum State: String, Sendable, Hashable, CaseIterable {
        case firing
        case pending
    }

    /// One alert of an alerting rule.
    public struct Item: Sendable, Hashable {
        public var state: State
        /// The alert's labels (`alertname` included).
        public var labels: Labels
        public var annotations: Labels
        /// When the condition started to hold, in milliseconds since the epoch.
        public var activeAt: Int64
        /// The expression's value at the last evaluation.
        public var value: Double
        /// The ids of the silences that mute the alert.
        public var silencedBy: [String]
        /// The alerts that inhibit this one.
        public var inhibitedBy: [Source]

        public init(
            state: State, labels: Labels, annotations: Labels = Labels(), activeAt: Int64, value: Double,
            silencedBy: [String] = [], inhibitedBy: [Source] = []
        ) {
            self.state = state
            self.labels = labels
            self.annotations = annotations
            self.activeAt = activeAt
            self.value = value
            self.silencedBy = silencedBy
            self.inhibitedBy = inhibitedBy
        }

        public var alertname: String { labels["alertname"] ?? "" }
        /// The `severity` label, `none` without one.
        public var severity: String { labels["severity"] ?? "none" }
    }

    /// An inhibiting alert: its fingerprint (16 hex digits) and, when the Alertmanager still holds it, its labels.
    public struct Source: Sendable, Hashable {
        public var fingerprint: String
        public var labels: Labels?

        public init(fingerprint: String, labels: Labels?) {
            self.fingerprint = fingerprint
            self.labels = labels
        }
    }

    /// An alert the Alertmanager holds and inhibits.
    public struct InhibitedAlert: Sendable, Hashable {
        public var labels: Labels
        public var annotations: Labels
        /// When the alert started, in milliseconds since the epoch.
        public var startsAt: Int64
        public var inhibitedBy: [Source]

        public init(labels: Labels, annotations: Labels = Labels(), startsAt: Int64, inhibitedBy: [Source]) {
            self.labels = labels
            self.annotations = annotations
            self.startsAt = startsAt
            self.inhibitedBy = inhibitedBy
        }
    }

    /// Where a silence is in its life.
    public enum SilenceState: String, Sendable, Hashable, CaseIterable {
        case active
        case pending
        case expired
    }

    /// One silence, times in milliseconds since the epoch.
    public struct SilenceRow: Sendable, Hashable {
        public var id: String
        public var state: SilenceState
        /// Each matcher as Alertmanager prints it (`alertname="GPULost"`).
        public var matchers: [String]
        public var startsAt: Int64
        public var endsAt: Int64
        public var createdBy: String
        public var comment: String

        public init(
            id: String, state: SilenceState, matchers: [String], startsAt: Int64, endsAt: Int64, createdBy: String,
            comment: String
        ) {
            self.id = id
            self.state = state
            self.matchers = matchers
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.createdBy = createdBy
            self.comment = comment
        }
    }

    /// What the URL selects: `state`, `severity` and `filter` (a matcher list, kept as typed for the links).
    public struct Filter: Sendable, Hashable {
        public var state: State?
        public var severity: String?
        /// The `filter` parameter as given.
        public var text: String
        /// `text` parsed (by the server, with Alertmanager's matcher syntax).
        public var matchers: [LabelMatcher]

        public init(state: State? = nil, severity: String? = nil, text: String = "", matchers: [LabelMatcher] = []) {
            self.state = state
            self.severity = severity
            self.text = text
            self.matchers = matchers
        }

        /// Whether `item` passes every part of the filter.
        public func admits(_ item: Item) -> Bool {
            if let state, item.state != state { return false }
            if let severity, !severity.isEmpty, item.severity != severity { return false }
            return matchers.allSatisfy { $0.matches(item.labels) }
        }
    }

    /// A problem with the silence form's input: the field (`matchers`, `duration`, `startsAt`, `createdBy`,
    /// `comment`, or empty for the whole silence), a message and, for matchers, the byte offset in the field.
    public struct FormError: Sendable, Hashable {
        public var field: String
        public var message: String
        public var position: Int?

        public init(field: String, message: String, position: Int? = nil) {
            self.field = field
            self.message = message
            self.position = position
        }
    }

    /// The silence form's values (kept when the server shows it again with an error).
    public struct SilenceForm: Sendable, Hashable {
        public var matchers: String
        public var duration: String
        public var startsAt: String
        public var createdBy: String
        public var comment: String
        public var error: FormError?

        public init(
            matchers: String = "", duration: String = "2h", startsAt: String = "", createdBy: String = "",
            comment: String = "", error: FormError? = nil
        ) {
            self.matchers = matchers
            self.duration = duration
            self.startsAt = startsAt
            self.createdBy = createdBy
            self.comment = comment
            self.error = error
        }
    }

    public var alerts: [Item]
    public var filter: Filter
    /// The silences (every state); nil when no Alertmanager is configured.
    public var silences: [SilenceRow]?
    public var inhibited: [InhibitedAlert]
    public var form: SilenceForm
    /// The silence just created (`?created=`), shown in `#silence-result`.
    public var createdSilenceID: String?
    /// The silence just expired (`?expired=`).
    public var expiredSilenceID: String?
    /// When the values were read, in milliseconds since the epoch.
    public var generatedAt: Int64
    /// Seconds between refreshes in place; nil or 0 turns refreshing off.
    public var refreshSeconds: Int?
    /// Problems gathering the values or reading the URL, shown as banners.
    public var notes: [String]

    public init(
        alerts: [Item], filter: Filter = Filter(), silences: [SilenceRow]?, inhibited: [InhibitedAlert] = [],
        form: SilenceForm = SilenceForm(), createdSilenceID: String? = nil, expiredSilenceID: String? = nil,
        generatedAt: Int64, refreshSeconds: Int? = 15, notes: [String] = []
    ) {
        self.alerts = alerts
        self.filter = filter
        self.silences = silences
        self.inhibited = inhibited
        self.form = form
        self.createdSilenceID = createdSilenceID
        self.expiredSilenceID = expiredSilenceID
        self.generatedAt = generatedAt
        self.refreshSeconds = refreshSeconds
        self.notes = notes
    }

    /// The page's path.
    public static let path = "/ui/alerts"

    /// One severity's alerts, by alertname.
    public struct SeverityGroup: Sendable, Hashable {
        public var severity: String
        public var alertnames: [AlertnameGroup]
    }

    /// One alertname's alerts.
    public struct AlertnameGroup: Sendable, Hashable {
        public var name: String
        public var items: [Item]
    }

    /// The alerts the filter admits, grouped: severities in the order an operator reads them (critical, page,
    /// error, warning, ticket, info, then others alphabetically, `none` last); within one, alertnames
    /// alphabetically; within one, firing before pending, then the longest active first, then by labels.
    public var groups: [SeverityGroup] {
        var bySeverity: [String: [String: [Item]]] = [:]
        for item in alerts where filter.admits(item) {
            bySeverity[item.severity, default: [:]][item.alertname, default: []].append(item)
        }
        return bySeverity.keys.sorted(by: Self.severityBefore).map { severity in
            let names = bySeverity[severity] ?? [:]
            return SeverityGroup(
                severity: severity,
                alertnames: names.keys.sorted(by: HTMLPage.naturalOrder).map { name in
                    AlertnameGroup(name: name, items: (names[name] ?? []).sorted(by: Self.itemBefore))
                })
        }
    }

    static func severityBefore(_ a: String, _ b: String) -> Bool {
        func rank(_ severity: String) -> Int {
            if severity == "none" { return Int.max }
            return OverviewPage.severityOrder.firstIndex(of: severity) ?? OverviewPage.severityOrder.count
        }
        let (ra, rb) = (rank(a), rank(b))
        return ra != rb ? ra < rb : a < b
    }

    static func itemBefore(_ a: Item, _ b: Item) -> Bool {
        if a.state != b.state { return a.state == .firing }
        if a.activeAt != b.activeAt { return a.activeAt < b.activeAt }
        return a.labels.map { "\($0.name)=\($0.value)" }.lexicographicallyPrecedes(
            b.labels.map { "\($0.name)=\($0.value)" })
    }

    /// The page's URL with the given filter (empty parts left out), so that every link keeps the others.
    public static func link(state: State?, severity: String?, filter: String, extra: [(String, String)] = []) -> String
    {
        var parts: [String] = []
        if let state { parts.append("state=" + state.rawValue) }
        if let severity, !severity.isEmpty { parts.append("severity=" + HTMLPage.percentEncoded(severity)) }
        if !filter.isEmpty { parts.append("filter=" + HTMLPage.percentEncoded(filter)) }
        for (name, value) in extra { parts.append(name + "=" + HTMLPage.percentEncoded(value)) }
        return parts.isEmpty ? path : path + "?" + parts.joined(separator: "&")
    }

    /// The current filter's link, with `extra` parameters added.
    func link(state: State?? = .none, severity: String?? = .none, extra: [(String, String)] = []) -> String {
        Self.link(
            state: state ?? filter.state, severity: severity ?? filter.severity, filter: filter.text, extra: extra)
    }

    /// A matcher list that selects exactly `labels` (`alertname="GPULost", Hostname="node-1"`), in
    /// Alertmanager's syntax, for the silence form.
    public static func matcherText(_ labels: Labels) -> String {
        labels.map { label in
            var quoted = "\""
            for character in label.value {
                switch character {
                case "\\": quoted += "\\\\"
                case "\"": quoted += "\\\""
                case "\n": quoted += "\\n"
                default: quoted.append(character)
                }
            }
            return label.name + "=" + quoted + "\""
        }.joined(separator: ", ")
    }

    /// Whether `url` may become a link: `http:` or `https:` only (no `javascript:`, `data:`, relative or
    /// protocol-relative URLs), and no whitespace or control characters.
    public static func isSafeLink(_ url: String) -> Bool {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return false }
        let rest = lower.drop { $0 != ":" }.dropFirst(3)
        guard let first = rest.first, first != "/" else { return false }
        return !url.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7f }
    }

    /// An age as a person reads it: the two largest units (`45s`, `12m`, `12m30s`, `3h12m`, `2d3h`).
    public static func age(milliseconds: Int64) -> String {
        let seconds = max(0, milliseconds / 1000)
        let units: [(String, Int64)] = [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)]
        guard let first = units.firstIndex(where: { seconds >= $0.1 }) else { return "0s" }
        var text = "\(seconds / units[first].1)\(units[first].0)"
        if first + 1 < units.count {
            let next = seconds % units[first].1 / units[first + 1].1
            if next > 0 { text += "\(next)\(units[first + 1].0)" }
        }
        return text
    }

    /// A time as UTC text (`2023-11-14 22:13:20 UTC`) and its `datetime` attribute.
    static func time(_ milliseconds: Int64) -> String {
        let civil = CivilTime(millisecondsSinceEpoch: milliseconds)
        return
            "<time datetime=\"\(civil.dateAndTime(separator: "T"))Z\">\(civil.dateAndTime(separator: " ")) UTC</time>"
    }

    /// A sample value: up to six significant digits, Prometheus's spelling of the special values.
    static func valueText(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), value.magnitude < 1e15 { return String(Int64(value)) }
        return NumberText.significant(value, digits: 6)
    }

    /// The shape that marks a severity, so that it never depends on colour alone.
    static func severitySymbol(_ severity: String) -> String {
        switch severity {
        case "critical", "page": "▲"
        case "error": "■"
        case "warning": "◆"
        case "ticket", "info": "●"
        default: "○"
        }
    }

    /// The severity's CSS class (a fixed set, so that no label value reaches the class attribute).
    static func severityClass(_ severity: String) -> String {
        switch severity {
        case "critical", "page": "sev-critical"
        case "error": "sev-error"
        case "warning": "sev-warning"
        case "ticket", "info": "sev-info"
        default: "sev-other"
        }
    }
}
