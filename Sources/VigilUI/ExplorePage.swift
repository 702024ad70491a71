import VigilModel

/// The explore page: a PromQL editor, a time range, and the result as a graph (a range query) or a table (an
/// instant query at the range's end); a query that fails shows its error, a parse error with a caret under its
/// position in the query text.
///
/// Everything the page shows is in its URL (`query`, `view`, the time range, `refresh`), so a view can be
/// shared; the editor is a plain GET form. The editor sits outside the page's `main` element, which a refresh
/// in place (only when the URL asks for one) replaces, so that a refresh never loses what the user typed.
public struct ExplorePage: Sendable, Hashable {
    /// How the result is shown (`?view=`).
    public enum View: String, Sendable, Hashable, CaseIterable {
        case graph
        case table

        public var title: String {
            switch self {
            case .graph: "Graph"
            case .table: "Table"
            }
        }
    }

    /// A query that failed, as the engine said it.
    public struct Failure: Sendable, Hashable {
        /// What failed: the query's text (`parse`), or its evaluation (the other kinds).
        public enum Kind: String, Sendable, Hashable {
            case parse
            case execution
            case timeout
            case tooManySamples = "too_many_samples"
            case canceled
        }

        public var kind: Kind
        /// The message as the API reports it, e.g. `1:14: parse error: unexpected "}" …`.
        public var message: String
        /// The UTF-8 byte range of the query the error is about (parse errors); nil when it has none.
        public var position: Range<Int>?

        public init(kind: Kind, message: String, position: Range<Int>? = nil) {
            self.kind = kind
            self.message = message
            self.position = position
        }
    }

    /// One row of the table: a series and its value (an instant vector), or its samples (a range vector).
    public struct Row: Sendable, Hashable {
        public var labels: Labels
        public var samples: [Sample]

        public init(labels: Labels, samples: [Sample]) {
            self.labels = labels
            self.samples = samples
        }
    }

    /// What the query gave.
    public enum Outcome: Sendable, Hashable {
        /// No query yet.
        case empty
        /// A range query's series (graph view).
        case series([ChartSeries])
        /// An instant query's vector or matrix (table view).
        case rows([Row])
        case scalar(Double, timestamp: Int64)
        case string(String, timestamp: Int64)
        case failure(Failure)
    }

    public var query: String
    public var view: View
    public var timeRange: TimeRange
    public var outcome: Outcome
    /// The engine's warnings and infos about the result.
    public var warnings: [String]
    /// Queries offered as links under the editor.
    public var examples: [String]
    /// Metric names offered for completion (a `datalist`); empty for none.
    public var metricNames: [String]
    /// Seconds between refreshes in place; nil or 0: none (the default, the user is typing).
    public var refreshSeconds: Int?
    /// The graph draws at most this many series, the table lists at most ``maxRows`` rows.
    public var maxSeries: Int
    public var maxRows: Int
    /// Problems the server met gathering the page (shown as banners).
    public var notes: [String]
    /// When the result was computed (milliseconds since the epoch).
    public var generatedAt: Int64

    public static let path = "/ui/explore"

    public init(
        query: String, view: View = .graph, timeRange: TimeRange, outcome: Outcome = .empty, warnings: [String] = [],
        examples: [String] = [], metricNames: [String] = [], refreshSeconds: Int? = nil, maxSeries: Int = 200,
        maxRows: Int = 1000, notes: [String] = [], generatedAt: Int64
    ) {
        self.query = query
        self.view = view
        self.timeRange = timeRange
        self.outcome = outcome
        self.warnings = warnings
        self.examples = examples
        self.metricNames = metricNames
        self.refreshSeconds = refreshSeconds
        self.maxSeries = maxSeries
        self.maxRows = maxRows
        self.notes = notes
        self.generatedAt = generatedAt
    }

    /// The parameters that ask for this page again with another `view` (and the same query, range, refresh).
    func items(view: View? = nil, query: String? = nil, withRange: Bool = true) -> [(name: String, value: String)] {
        var items: [(name: String, value: String)] = [
            ("query", query ?? self.query), ("view", (view ?? self.view).rawValue),
        ]
        if withRange { items += timeRange.queryItems }
        if let refreshSeconds, refreshSeconds > 0 { items.append(("refresh", String(refreshSeconds))) }
        return items
    }

    /// A link to the explore page for `query` in this page's view and range.
    public func link(query: String) -> String { TimeRange.link(Self.path, items(query: query)) }

    /// The whole HTML document.
    public func render() -> String {
        var html = HTMLPage.header(
            title: "Explore", refreshSeconds: refreshSeconds, style: Self.style + TimeRange.style,
            current: Self.path)
        html += editorHTML()
        html += renderMain()
        html += HTMLPage.footer(refreshSeconds: refreshSeconds)
        return html
    }

    /// The editor: query, view, time range. Outside `main`, so that a refresh in place keeps what was typed.
    func editorHTML() -> String {
        var html = "<section class=\"editor\" aria-label=\"Query\">\n"
        html +=
            "<form id=\"query-form\" method=\"get\" action=\"" + Self.path + "\">\n"
            + "<label for=\"query\" class=\"visually-hidden\">PromQL expression</label>\n"
            + "<textarea id=\"query\" name=\"query\" rows=\"3\" spellcheck=\"false\" autocomplete=\"off\" "
            + "autocapitalize=\"off\" placeholder=\"PromQL expression, e.g. DCGM_FI_DEV_GPU_UTIL\">"
            + HTMLPage.escape(query) + "</textarea>\n"
        html += "<div class=\"editor-actions\">"
        html += "<fieldset class=\"view-switch\"><legend class=\"visually-hidden\">View</legend>"
        for option in View.allCases {
            let checked = option == view ? " checked" : ""
            html +=
                "<label><input type=\"radio\" name=\"view\" value=\"\(option.rawValue)\"\(checked)> "
                + option.title + "</label>"
        }
        html += "</fieldset>"
        for item in timeRange.queryItems {
            html +=
                "<input type=\"hidden\" name=\"" + HTMLPage.escape(item.name) + "\" value=\""
                + HTMLPage.escape(item.value) + "\">"
        }
        if let refreshSeconds, refreshSeconds > 0 {
            html += "<input type=\"hidden\" name=\"refresh\" value=\"\(refreshSeconds)\">"
        }
        html += "<button type=\"submit\">Execute</button>"
        if !metricNames.isEmpty {
            // A datalist cannot complete inside a textarea: a separate field lists the names to copy from.
            html +=
                "<label class=\"metric-names\">metrics <input id=\"metric-name\" list=\"metric-name-list\" "
                + "placeholder=\"find a metric name\" size=\"28\"></label><datalist id=\"metric-name-list\">"
            for name in metricNames { html += "<option value=\"" + HTMLPage.escape(name) + "\">" }
            html += "</datalist>"
        }
        html += "</div>\n</form>\n"
        var keeping: [(name: String, value: String)] = [("query", query), ("view", view.rawValue)]
        if let refreshSeconds, refreshSeconds > 0 { keeping.append(("refresh", String(refreshSeconds))) }
        html += timeRange.pickerHTML(path: Self.path, keeping: keeping)
        if !examples.isEmpty {
            html += "<p class=\"examples\">Examples: "
            html += examples.map { example in
                "<a href=\"" + HTMLPage.escape(link(query: example)) + "\"><code>" + HTMLPage.escape(example)
                    + "</code></a>"
            }.joined(separator: " · ")
            html += "</p>\n"
        }
        html += "</section>\n"
        return html
    }

    /// The `main` element alone: what a refresh replaces.
    public func renderMain() -> String {
        var html = "<main id=\"explore\" data-view=\"\(view.rawValue)\">\n"
        for note in notes {
            html += "<p class=\"banner warning\" role=\"status\">" + HTMLPage.escape(note) + "</p>\n"
        }
        html += "<nav class=\"view-tabs\" aria-label=\"View\">"
        for option in View.allCases {
            let current = option == view ? " aria-current=\"page\"" : ""
            html +=
                "<a href=\"" + HTMLPage.escape(TimeRange.link(Self.path, items(view: option))) + "\"\(current)>"
                + option.title + "</a>"
        }
        html += "</nav>\n"
        if case .failure(let failure) = outcome {
            html += failureHTML(failure)
        }
        if !warnings.isEmpty {
            html += "<ul class=\"query-warnings\">"
            for warning in warnings { html += "<li>" + HTMLPage.escape(warning) + "</li>" }
            html += "</ul>\n"
        }
        html += "<div id=\"result\">\n"
        switch outcome {
        case .empty:
            html +=
                "<p class=\"none\">Enter a PromQL expression and press Execute, or start from one of the examples.</p>\n"
        case .failure:
            break
        case .series(let series):
            html += graphHTML(series)
        case .rows(let rows):
            html += tableHTML(rows)
        case .scalar(let value, let timestamp):
            html += singleValueTable(kind: "scalar", value: Self.valueText(value), timestamp: timestamp)
        case .string(let value, let timestamp):
            html += singleValueTable(kind: "string", value: value, timestamp: timestamp)
        }
        html += "</div>\n"
        let time = CivilTime(millisecondsSinceEpoch: generatedAt).dateAndTime(separator: " ")
        html += "<p class=\"updated\">Evaluated at <time>\(HTMLPage.escape(time)) UTC</time>"
        if let refreshSeconds, refreshSeconds > 0 { html += ", refreshed every \(refreshSeconds) s" }
        html += "</p>\n</main>\n"
        return html
    }
}
