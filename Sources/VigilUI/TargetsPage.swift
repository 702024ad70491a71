import VigilModel

/// The scrape targets by pool (the same data as `/api/v1/targets`): each target's health as a shape and a word
/// (never colour alone), labels, last scrape, its duration and the last error in full; how many targets
/// relabelling dropped per pool. `?health=` and `?pool=` filter; the page refreshes in place.
public struct TargetsPage: Sendable, Hashable {
    /// A target's health, as Prometheus reports it.
    public enum Health: String, Sendable, Hashable, CaseIterable {
        case up
        case down
        case unknown

        /// The shape shown beside the word: a filled circle, a cross, a question mark.
        public var symbol: String {
            switch self {
            case .up: "●"
            case .down: "✕"
            case .unknown: "?"
            }
        }
    }

    /// One scrape target.
    public struct Target: Sendable, Hashable {
        public var scrapeURL: String
        /// The target's labels after relabelling (what its series carry).
        public var labels: Labels
        public var health: Health
        /// When the last scrape started (milliseconds since the epoch); nil before the first.
        public var lastScrape: Int64?
        /// Seconds the last scrape took.
        public var lastScrapeDuration: Double
        /// The last scrape's error, empty when it succeeded.
        public var lastError: String
        public var scrapeInterval: String
        public var scrapeTimeout: String

        public init(
            scrapeURL: String, labels: Labels, health: Health, lastScrape: Int64? = nil, lastScrapeDuration: Double = 0,
            lastError: String = "", scrapeInterval: String = "", scrapeTimeout: String = ""
        ) {
            self.scrapeURL = scrapeURL
            self.labels = labels
            self.health = health
            self.lastScrape = lastScrape
            self.lastScrapeDuration = lastScrapeDuration
            self.lastError = lastError
            self.scrapeInterval = scrapeInterval
            self.scrapeTimeout = scrapeTimeout
        }
    }

    /// A scrape pool (a job): its targets and how many targets relabelling dropped.
    public struct Pool: Sendable, Hashable {
        public var name: String
        public var targets: [Target]
        public var droppedCount: Int

        public init(name: String, targets: [Target], droppedCount: Int = 0) {
            self.name = name
            self.targets = targets
            self.droppedCount = droppedCount
        }
    }

    public var pools: [Pool]
    /// Only targets of this health (`?health=`); nil: all.
    public var healthFilter: Health?
    /// Only this pool (`?pool=`); nil: all.
    public var poolFilter: String?
    /// The time "ago" is measured from (milliseconds since the epoch).
    public var now: Int64
    public var refreshSeconds: Int?
    /// Problems the server met gathering the page (shown as banners).
    public var notes: [String]

    public static let path = "/ui/targets"

    public init(
        pools: [Pool], healthFilter: Health? = nil, poolFilter: String? = nil, now: Int64, refreshSeconds: Int? = nil,
        notes: [String] = []
    ) {
        self.pools = pools
        self.healthFilter = healthFilter
        self.poolFilter = poolFilter
        self.now = now
        self.refreshSeconds = refreshSeconds
        self.notes = notes
    }

    /// The whole HTML document.
    public func render() -> String {
        var html = HTMLPage.header(
            title: "Targets", refreshSeconds: refreshSeconds, style: Self.style, current: Self.path)
        html += renderMain()
        html += HTMLPage.footer(refreshSeconds: refreshSeconds)
        return html
    }

    func link(health: Health?, pool: String?) -> String {
        var items: [(name: String, value: String)] = []
        if let pool { items.append(("pool", pool)) }
        if let health { items.append(("health", health.rawValue)) }
        if let refreshSeconds { items.append(("refresh", String(refreshSeconds))) }
        return TimeRange.link(Self.path, items)
    }

    /// The `main` element alone: what a refresh replaces.
    public func renderMain() -> String {
        var html = "<main id=\"targets\">\n"
        for note in notes {
            html += "<p class=\"banner warning\" role=\"status\">" + HTMLPage.escape(note) + "</p>\n"
        }
        let inPool = pools.filter { poolFilter == nil || $0.name == poolFilter }
        let all = inPool.flatMap(\.targets)
        html += "<nav class=\"filters\" aria-label=\"Filter by health\">"
        let allCurrent = healthFilter == nil ? " aria-current=\"true\"" : ""
        html +=
            "<a href=\"" + HTMLPage.escape(link(health: nil, pool: poolFilter)) + "\"\(allCurrent)>All "
            + "<span class=\"count\">\(all.count)</span></a>"
        for health in Health.allCases {
            let current = health == healthFilter ? " aria-current=\"true\"" : ""
            let count = all.filter { $0.health == health }.count
            html +=
                "<a class=\"health \(health.rawValue)\" href=\""
                + HTMLPage.escape(link(health: health, pool: poolFilter))
                + "\"\(current)><span aria-hidden=\"true\">\(health.symbol)</span> \(health.rawValue) "
                + "<span class=\"count\">\(count)</span></a>"
        }
        html += "</nav>\n"
        if pools.count > 1 || poolFilter != nil {
            html += "<nav class=\"filters pools\" aria-label=\"Filter by pool\">"
            let current = poolFilter == nil ? " aria-current=\"true\"" : ""
            html +=
                "<a href=\"" + HTMLPage.escape(link(health: healthFilter, pool: nil)) + "\"\(current)>all pools</a>"
            for pool in pools {
                let current = pool.name == poolFilter ? " aria-current=\"true\"" : ""
                html +=
                    "<a href=\"" + HTMLPage.escape(link(health: healthFilter, pool: pool.name)) + "\"\(current)>"
                    + HTMLPage.escape(pool.name) + "</a>"
            }
            html += "</nav>\n"
        }
        if pools.isEmpty {
            html +=
                "<p class=\"none\">No scrape targets. The configuration's <code>scrape_configs</code> list what "
                + "Vigil scrapes; see <a href=\"/api/v1/status/config\">the configuration</a>.</p>\n"
        }
        for pool in inPool {
            html += poolHTML(pool)
        }
        let time = CivilTime(millisecondsSinceEpoch: now).dateAndTime(separator: " ")
        html += "<p class=\"updated\">As of <time>\(HTMLPage.escape(time)) UTC</time>"
        if let refreshSeconds, refreshSeconds > 0 { html += ", refreshed every \(refreshSeconds) s" }
        html += "</p>\n</main>\n"
        return html
    }

    func poolHTML(_ pool: Pool) -> String {
        let up = pool.targets.filter { $0.health == .up }.count
        let shown = pool.targets.filter { healthFilter == nil || $0.health == healthFilter }
        var html = "<section class=\"pool\" data-pool=\"" + HTMLPage.escape(pool.name) + "\">\n"
        html +=
            "<h2>" + HTMLPage.escape(pool.name)
            + " <span class=\"summary\">(\(up)/\(pool.targets.count) up)</span></h2>\n"
        if pool.droppedCount > 0 {
            let noun = pool.droppedCount == 1 ? "target" : "targets"
            html +=
                "<p class=\"dropped\" data-dropped=\"\(pool.droppedCount)\">\(pool.droppedCount) \(noun) dropped by "
                + "relabelling.</p>\n"
        }
        guard !shown.isEmpty else {
            let what = healthFilter.map { "No target of this pool is \($0.rawValue)." } ?? "This pool has no targets."
            return html + "<p class=\"none\">" + what + "</p>\n</section>\n"
        }
        html += "<table class=\"targets\">\n<thead><tr><th scope=\"col\">Endpoint</th><th scope=\"col\">State</th>"
        html += "<th scope=\"col\">Labels</th><th scope=\"col\">Last scrape</th><th scope=\"col\">Duration</th>"
        html += "<th scope=\"col\">Error</th></tr></thead>\n<tbody>\n"
        for target in shown {
            html += "<tr class=\"target\" data-health=\"\(target.health.rawValue)\">"
            let url = HTMLPage.escape(target.scrapeURL)
            if target.scrapeURL.hasPrefix("http://") || target.scrapeURL.hasPrefix("https://") {
                html += "<td class=\"endpoint\"><a href=\"\(url)\">\(url)</a></td>"
            } else {
                html += "<td class=\"endpoint\">\(url)</td>"
            }
            html +=
                "<td><span class=\"health \(target.health.rawValue)\"><span aria-hidden=\"true\">"
                + target.health.symbol + "</span> " + target.health.rawValue.uppercased() + "</span></td>"
            html += "<td class=\"labels\">"
            for label in target.labels {
                html +=
                    "<span class=\"label\">" + HTMLPage.escape(label.name) + "=\"" + HTMLPage.escape(label.value)
                    + "\"</span> "
            }
            html += "</td>"
            if let last = target.lastScrape {
                let time = CivilTime(millisecondsSinceEpoch: last).dateAndTime(separator: " ") + " UTC"
                let ago = ChartUnit.seconds.format(Double(max(0, now - last)) / 1000) + " ago"
                html +=
                    "<td class=\"last-scrape\"><time data-ms=\"\(last)\" title=\"" + HTMLPage.escape(time) + "\">"
                    + HTMLPage.escape(ago) + "</time></td>"
                html += "<td class=\"duration\">" + HTMLPage.escape(ChartUnit.seconds.format(target.lastScrapeDuration))
                html += "</td>"
            } else {
                html += "<td class=\"last-scrape\">never</td><td class=\"duration\">–</td>"
            }
            if target.lastError.isEmpty {
                html += "<td class=\"error\"></td>"
            } else {
                html += "<td class=\"error\"><pre>" + HTMLPage.escape(target.lastError) + "</pre></td>"
            }
            html += "</tr>\n"
        }
        html += "</tbody>\n</table>\n</section>\n"
        return html
    }

    /// The page's own style. Health reads from the word and the shape; the colours only add to them.
    public static let style = """
        .filters { display: flex; flex-wrap: wrap; gap: 0.4rem; margin-bottom: 0.6rem; }
        .filters a { padding: 0.15rem 0.6rem; border: 1px solid #c5ccd8; border-radius: 4px; color: #1d2330; text-decoration: none; }
        .filters a[aria-current] { background: #1d2330; color: #fff; border-color: #1d2330; }
        .filters .count { font-weight: bold; }
        .pool h2 .summary { font-weight: normal; color: #555e6e; }
        .dropped { color: #555e6e; margin: 0 0 0.4rem; }
        table.targets { border-collapse: collapse; width: 100%; }
        table.targets th, table.targets td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid #e3e6eb; vertical-align: top; }
        table.targets .label { display: inline-block; background: #eef1f6; border-radius: 3px; padding: 0 0.3rem; margin: 0.1rem 0; font-size: 0.85rem; }
        table.targets td.error pre { margin: 0; white-space: pre-wrap; word-break: break-word; color: #7a1a12; font-size: 0.85rem; }
        .health { font-weight: bold; white-space: nowrap; }
        .health.up { color: #2a7f62; }
        .health.down { color: #b42318; }
        .health.unknown { color: #555e6e; }
        tr.target[data-health="down"] td:first-child { border-left: 4px double #b42318; }

        """
}
