import VigilModel

/// The server's status: build and runtime information, command-line flags, the storage (head series, chunks,
/// samples, bytes per sample and the cardinality top lists Prometheus's `/tsdb-status` shows) and the rule
/// groups' last evaluation. Links to the configuration as the API serves it.
public struct StatusPage: Sendable, Hashable {
    /// One row of a name/value table.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// One entry of a cardinality top list.
    public struct Stat: Sendable, Hashable {
        public var name: String
        public var value: UInt64

        public init(name: String, value: UInt64) {
            self.name = name
            self.value = value
        }
    }

    /// The storage's figures; the optional ones are nil when the storage cannot report them.
    public struct Storage: Sendable, Hashable {
        public var headSeries: UInt64
        public var labelPairs: Int
        public var chunks: Int64
        /// The head's oldest and newest sample (milliseconds since the epoch); nil when it is empty.
        public var minTime: Int64?
        public var maxTime: Int64?
        /// Samples held in the head, and in the on-disk blocks.
        public var headSamples: Int?
        public var blockSamples: Int?
        /// Bytes of the on-disk blocks.
        public var blockBytes: Int?
        public var seriesCountByMetricName: [Stat]
        public var labelValueCountByLabelName: [Stat]
        public var memoryInBytesByLabelName: [Stat]
        public var seriesCountByLabelValuePair: [Stat]

        public init(
            headSeries: UInt64, labelPairs: Int, chunks: Int64, minTime: Int64? = nil, maxTime: Int64? = nil,
            headSamples: Int? = nil, blockSamples: Int? = nil, blockBytes: Int? = nil,
            seriesCountByMetricName: [Stat] = [], labelValueCountByLabelName: [Stat] = [],
            memoryInBytesByLabelName: [Stat] = [], seriesCountByLabelValuePair: [Stat] = []
        ) {
            self.headSeries = headSeries
            self.labelPairs = labelPairs
            self.chunks = chunks
            self.minTime = minTime
            self.maxTime = maxTime
            self.headSamples = headSamples
            self.blockSamples = blockSamples
            self.blockBytes = blockBytes
            self.seriesCountByMetricName = seriesCountByMetricName
            self.labelValueCountByLabelName = labelValueCountByLabelName
            self.memoryInBytesByLabelName = memoryInBytesByLabelName
            self.seriesCountByLabelValuePair = seriesCountByLabelValuePair
        }

        /// Bytes on disk per sample in the blocks; nil when there are no block samples or no sizes.
        public var bytesPerSample: Double? {
            guard let blockSamples, let blockBytes, blockSamples > 0 else { return nil }
            return Double(blockBytes) / Double(blockSamples)
        }
    }

    /// A rule group's last evaluation and the rules whose last evaluation failed.
    public struct RuleGroup: Sendable, Hashable {
        public struct RuleFailure: Sendable, Hashable {
            public var rule: String
            public var error: String

            public init(rule: String, error: String) {
                self.rule = rule
                self.error = error
            }
        }

        public var name: String
        public var file: String
        public var intervalMilliseconds: Int64
        public var ruleCount: Int
        /// Milliseconds since the epoch; nil before the first evaluation.
        public var lastEvaluation: Int64?
        public var evaluationSeconds: Double
        public var failures: [RuleFailure]

        public init(
            name: String, file: String, intervalMilliseconds: Int64, ruleCount: Int, lastEvaluation: Int64?,
            evaluationSeconds: Double, failures: [RuleFailure] = []
        ) {
            self.name = name
            self.file = file
            self.intervalMilliseconds = intervalMilliseconds
            self.ruleCount = ruleCount
            self.lastEvaluation = lastEvaluation
            self.evaluationSeconds = evaluationSeconds
            self.failures = failures
        }
    }

    public var build: [Field]
    public var runtime: [Field]
    /// The command line's flags, in the order to list them.
    public var flags: [Field]
    /// Nil when the storage could not be read (a note says why).
    public var storage: Storage?
    public var ruleGroups: [RuleGroup]
    public var now: Int64
    public var refreshSeconds: Int?
    public var notes: [String]

    public static let path = "/ui/status"

    public init(
        build: [Field], runtime: [Field], flags: [Field], storage: Storage?, ruleGroups: [RuleGroup], now: Int64,
        refreshSeconds: Int? = nil, notes: [String] = []
    ) {
        self.build = build
        self.runtime = runtime
        self.flags = flags
        self.storage = storage
        self.ruleGroups = ruleGroups
        self.now = now
        self.refreshSeconds = refreshSeconds
        self.notes = notes
    }

    /// The whole HTML document.
    public func render() -> String {
        var html = HTMLPage.header(
            title: "Status", refreshSeconds: refreshSeconds, style: Self.style, current: Self.path)
        html += renderMain()
        html += HTMLPage.footer(refreshSeconds: refreshSeconds)
        return html
    }

    /// The `main` element alone: what a refresh replaces.
    public func renderMain() -> String {
        var html = "<main id=\"status\">\n"
        for note in notes {
            html += "<p class=\"banner warning\" role=\"status\">" + HTMLPage.escape(note) + "</p>\n"
        }
        html += "<div class=\"panels\">\n"
        html += fieldsSection(id: "build", title: "Build information", build)
        html += fieldsSection(id: "runtime", title: "Runtime information", runtime)
        html += "</div>\n"
        html += storageSection()
        html += rulesSection()
        html += fieldsSection(id: "flags", title: "Command-line flags", flags, empty: "No flags given.")
        html +=
            "<section id=\"configuration\"><h2>Configuration</h2><p>The configuration in effect: "
            + "<a href=\"/api/v1/status/config\">/api/v1/status/config</a> (YAML in the API's JSON envelope).</p>"
            + "</section>\n"
        let time = CivilTime(millisecondsSinceEpoch: now).dateAndTime(separator: " ")
        html += "<p class=\"updated\">As of <time>\(HTMLPage.escape(time)) UTC</time>"
        if let refreshSeconds, refreshSeconds > 0 { html += ", refreshed every \(refreshSeconds) s" }
        html += "</p>\n</main>\n"
        return html
    }

    func fieldsSection(id: String, title: String, _ fields: [Field], empty: String = "Nothing to show.") -> String {
        var html = "<section id=\"\(id)\"><h2>" + HTMLPage.escape(title) + "</h2>\n"
        guard !fields.isEmpty else { return html + "<p class=\"none\">" + HTMLPage.escape(empty) + "</p></section>\n" }
        html += "<table class=\"fields\"><tbody>\n"
        for field in fields {
            html +=
                "<tr><th scope=\"row\">" + HTMLPage.escape(field.name) + "</th><td>" + HTMLPage.escape(field.value)
                + "</td></tr>\n"
        }
        return html + "</tbody></table></section>\n"
    }

    /// A time as the page writes it: `2023-11-14 22:13:20 UTC`.
    public static func time(_ milliseconds: Int64) -> String {
        CivilTime(millisecondsSinceEpoch: milliseconds).dateAndTime(separator: " ") + " UTC"
    }

    static func count(_ value: some BinaryInteger) -> String {
        // Thousands separated by a thin space: 1 234 567.
        let digits = "\(value.magnitude)"
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "\u{2009}" }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    func storageSection() -> String {
        var html = "<section id=\"tsdb\"><h2>Storage</h2>\n"
        guard let storage else {
            return html + "<p class=\"none\">The storage's statistics are not available.</p></section>\n"
        }
        var fields = [
            Field("Head series", Self.count(storage.headSeries)),
            Field("Head chunks", Self.count(storage.chunks)),
            Field("Label pairs", Self.count(storage.labelPairs)),
        ]
        if let headSamples = storage.headSamples { fields.append(Field("Head samples", Self.count(headSamples))) }
        if let minTime = storage.minTime, let maxTime = storage.maxTime, minTime <= maxTime {
            fields.append(Field("Head time range", Self.time(minTime) + " to " + Self.time(maxTime)))
        }
        if let blockSamples = storage.blockSamples { fields.append(Field("Block samples", Self.count(blockSamples))) }
        if let blockBytes = storage.blockBytes {
            fields.append(Field("Block bytes", ChartUnit.bytes.format(Double(blockBytes))))
        }
        if let bytesPerSample = storage.bytesPerSample {
            fields.append(Field("Bytes per sample (blocks)", NumberText.significant(bytesPerSample)))
        } else {
            fields.append(Field("Bytes per sample (blocks)", "no blocks written yet"))
        }
        html += "<table class=\"fields\" id=\"head-stats\"><tbody>\n"
        for field in fields {
            html +=
                "<tr><th scope=\"row\">" + HTMLPage.escape(field.name) + "</th><td>" + HTMLPage.escape(field.value)
                + "</td></tr>\n"
        }
        html += "</tbody></table>\n<div class=\"top-lists\">\n"
        html += topList(
            id: "top-metrics", title: "Top series count by metric name", column: "Name", valueColumn: "Count",
            storage.seriesCountByMetricName)
        html += topList(
            id: "top-label-names", title: "Top label names with value count", column: "Name",
            valueColumn: "Count", storage.labelValueCountByLabelName)
        html += topList(
            id: "top-label-memory", title: "Top label names with high memory usage", column: "Name",
            valueColumn: "Bytes", storage.memoryInBytesByLabelName)
        html += topList(
            id: "top-label-pairs", title: "Top series count by label value pairs", column: "Name",
            valueColumn: "Count", storage.seriesCountByLabelValuePair)
        html += "</div>\n</section>\n"
        return html
    }

    func topList(id: String, title: String, column: String, valueColumn: String, _ stats: [Stat]) -> String {
        var html = "<div class=\"top-list\"><h3>" + HTMLPage.escape(title) + "</h3>\n"
        guard !stats.isEmpty else { return html + "<p class=\"none\">No series.</p></div>\n" }
        html += "<table class=\"cardinality\" id=\"\(id)\"><thead><tr><th scope=\"col\">\(column)</th>"
        html += "<th scope=\"col\" class=\"number\">\(valueColumn)</th></tr></thead><tbody>\n"
        for stat in stats {
            html +=
                "<tr><td>" + HTMLPage.escape(stat.name) + "</td><td class=\"number\">" + Self.count(stat.value)
                + "</td></tr>\n"
        }
        return html + "</tbody></table></div>\n"
    }

    func rulesSection() -> String {
        var html = "<section id=\"rule-groups\"><h2>Rule groups</h2>\n"
        guard !ruleGroups.isEmpty else { return html + "<p class=\"none\">No rule groups are loaded.</p></section>\n" }
        html += "<table class=\"rules\"><thead><tr><th scope=\"col\">Group</th><th scope=\"col\">File</th>"
        html += "<th scope=\"col\">Interval</th><th scope=\"col\" class=\"number\">Rules</th>"
        html += "<th scope=\"col\">Last evaluation</th><th scope=\"col\">Took</th><th scope=\"col\">Errors</th>"
        html += "</tr></thead><tbody>\n"
        for group in ruleGroups {
            let state = group.failures.isEmpty ? "ok" : "err"
            html += "<tr class=\"rule-group\" data-health=\"\(state)\"><td>" + HTMLPage.escape(group.name) + "</td>"
            html += "<td class=\"file\">" + HTMLPage.escape(group.file) + "</td>"
            html +=
                "<td>" + HTMLPage.escape(PrometheusDuration.format(milliseconds: group.intervalMilliseconds)) + "</td>"
            html += "<td class=\"number\">\(group.ruleCount)</td>"
            if let last = group.lastEvaluation {
                let ago = ChartUnit.seconds.format(Double(max(0, now - last)) / 1000) + " ago"
                html +=
                    "<td><time title=\"" + HTMLPage.escape(Self.time(last)) + "\">" + HTMLPage.escape(ago)
                    + "</time></td>"
                html += "<td>" + HTMLPage.escape(ChartUnit.seconds.format(group.evaluationSeconds)) + "</td>"
            } else {
                html += "<td>never</td><td>–</td>"
            }
            if group.failures.isEmpty {
                html += "<td class=\"ok\"><span aria-hidden=\"true\">●</span> none</td>"
            } else {
                html += "<td class=\"err\"><ul>"
                for failure in group.failures {
                    html +=
                        "<li><span aria-hidden=\"true\">✕</span> <strong>" + HTMLPage.escape(failure.rule)
                        + "</strong>: " + HTMLPage.escape(failure.error) + "</li>"
                }
                html += "</ul></td>"
            }
            html += "</tr>\n"
        }
        return html + "</tbody></table></section>\n"
    }

    /// The page's own style.
    public static let style = """
        #status .panels > section { flex: 1 1 24rem; }
        table.fields { border-collapse: collapse; }
        table.fields th { text-align: left; font-weight: normal; color: #555e6e; padding: 0.15rem 1.2rem 0.15rem 0; vertical-align: top; }
        table.fields td { font-family: ui-monospace, monospace; padding: 0.15rem 0; word-break: break-all; }
        .top-lists { display: flex; flex-wrap: wrap; gap: 1rem; margin-top: 0.6rem; }
        .top-list { flex: 1 1 22rem; }
        .top-list h3 { font-size: 0.95rem; margin: 0.3rem 0; }
        table.cardinality, table.rules { border-collapse: collapse; width: 100%; }
        table.cardinality th, table.cardinality td, table.rules th, table.rules td { text-align: left; padding: 0.2rem 0.5rem; border-bottom: 1px solid #e3e6eb; vertical-align: top; }
        table.cardinality td { font-family: ui-monospace, monospace; word-break: break-all; }
        .number { text-align: right !important; font-variant-numeric: tabular-nums; }
        table.rules ul { margin: 0; padding-left: 0; list-style: none; }
        table.rules .err { color: #b42318; }
        table.rules .ok { color: #2a7f62; }

        """
}
