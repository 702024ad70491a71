import VigilModel

/// The time range a page's charts show and how it was asked for, so that links and the picker keep the
/// user's choice: a `range` ending now (`?range=6h`), a `range` ending at a fixed `end`, or an explicit
/// `start` and `end` (what drag-to-zoom sets). `step` is the query resolution.
///
/// The server parses the URL (`DashboardRoutes.timeRange`); this type holds the result and writes it back
/// into links and the picker form.
public struct TimeRange: Sendable, Hashable {
    /// How the range was given.
    public enum Spec: Sendable, Hashable {
        /// `range` before now (no `end` in the URL): each refresh moves the window.
        case lastDuration(milliseconds: Int64)
        /// `range` before a fixed `end`.
        case durationBefore(milliseconds: Int64, end: Int64)
        /// Explicit `start` and `end`.
        case absolute
    }

    /// Milliseconds since the epoch; `end > start`.
    public var start: Int64
    public var end: Int64
    /// Query resolution in milliseconds (positive).
    public var step: Int64
    /// True when the URL gave `step`; otherwise it follows the range (``defaultStep(for:)``).
    public var stepGiven: Bool
    public var spec: Spec

    public init(start: Int64, end: Int64, step: Int64, stepGiven: Bool = false, spec: Spec = .absolute) {
        self.start = start
        self.end = end
        self.step = step
        self.stepGiven = stepGiven
        self.spec = spec
    }

    /// The last `milliseconds` before `now` at the default step.
    public static func last(_ milliseconds: Int64, now: Int64) -> TimeRange {
        TimeRange(
            start: now - milliseconds, end: now, step: defaultStep(for: milliseconds),
            spec: .lastDuration(milliseconds: milliseconds))
    }

    /// The picker's preset ranges.
    public static let presets: [String] = ["5m", "15m", "1h", "3h", "6h", "12h", "24h", "2d", "7d"]

    /// The range when the URL gives none.
    public static let defaultDuration: Int64 = 3_600_000

    /// A readable step that gives at most about `points` points over `duration`: 1s, 2s, 5s, 10s, 15s, 30s,
    /// 1m, 2m, 5m, 10m, 15m, 30m, 1h, 2h, 3h, 6h, 12h, 1d, then whole days.
    public static func defaultStep(for duration: Int64, points: Int64 = 300) -> Int64 {
        let wanted = max(1, (duration + points - 1) / points)
        let steps: [Int64] = [
            1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
        ].map { $0 * 1000 }
        if let step = steps.first(where: { $0 >= wanted }) { return step }
        return (wanted + 86_399_999) / 86_400_000 * 86_400_000
    }

    /// The range's length in milliseconds.
    public var duration: Int64 { end - start }

    /// The URL parameters that ask for this range again, in the form the user gave it.
    public var queryItems: [(name: String, value: String)] {
        var items: [(name: String, value: String)]
        switch spec {
        case .lastDuration(let milliseconds):
            items = [("range", PrometheusDuration.format(milliseconds: milliseconds))]
        case .durationBefore(let milliseconds, let end):
            items = [("range", PrometheusDuration.format(milliseconds: milliseconds)), ("end", Self.seconds(end))]
        case .absolute:
            items = [("start", Self.seconds(start)), ("end", Self.seconds(end))]
        }
        if stepGiven { items.append(("step", PrometheusDuration.format(milliseconds: step))) }
        return items
    }

    /// Milliseconds as unix seconds with the fraction only when there is one (`1700000000`, `1700000000.5`).
    public static func seconds(_ milliseconds: Int64) -> String {
        let whole = milliseconds.quotientAndRemainder(dividingBy: 1000)
        if whole.remainder == 0 { return String(whole.quotient) }
        var fraction = String(abs(whole.remainder))
        while fraction.count < 3 { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let sign = milliseconds < 0 && whole.quotient == 0 ? "-" : ""
        return sign + String(whole.quotient) + "." + fraction
    }

    /// `path` with `items` as a percent-encoded query string.
    public static func link(_ path: String, _ items: [(name: String, value: String)]) -> String {
        guard !items.isEmpty else { return path }
        return path + "?"
            + items.map { HTMLPage.percentEncoded($0.name) + "=" + HTMLPage.percentEncoded($0.value) }.joined(
                separator: "&")
    }

    /// A one-line description, e.g. `last 1h, step 15s` or `2026-11-30 01:00:00 to 02:00:00 UTC, step 15s`.
    public var summary: String {
        let stepText = "step " + PrometheusDuration.format(milliseconds: step)
        if case .lastDuration(let milliseconds) = spec {
            return "last " + PrometheusDuration.format(milliseconds: milliseconds) + ", " + stepText
        }
        let from = CivilTime(millisecondsSinceEpoch: start).dateAndTime(separator: " ")
        let to = CivilTime(millisecondsSinceEpoch: end).dateAndTime(separator: " ")
        let sameDay = from.prefix(10) == to.prefix(10)
        return from + " to " + (sameDay ? String(to.dropFirst(11)) : to) + " UTC, " + stepText
    }

    /// The time-range picker: preset links (keeping `keeping`, e.g. the query), and a small GET form for a
    /// custom range, end and step. `path` is the page's own path.
    public func pickerHTML(path: String, keeping: [(name: String, value: String)] = []) -> String {
        var html = "<nav class=\"time-range\" aria-label=\"Time range\">"
        var currentRange: String?
        if case .lastDuration(let milliseconds) = spec {
            currentRange = PrometheusDuration.format(milliseconds: milliseconds)
        }
        for preset in Self.presets {
            var items = keeping
            items.append(("range", preset))
            if stepGiven { items.append(("step", PrometheusDuration.format(milliseconds: step))) }
            let current = currentRange == preset ? " aria-current=\"true\"" : ""
            html +=
                "<a href=\"" + HTMLPage.escape(Self.link(path, items)) + "\"\(current)>" + HTMLPage.escape(preset)
                + "</a>"
        }
        html += "<form method=\"get\" action=\"" + HTMLPage.escape(path) + "\" class=\"time-range-form\">"
        for item in keeping {
            html +=
                "<input type=\"hidden\" name=\"" + HTMLPage.escape(item.name) + "\" value=\""
                + HTMLPage.escape(item.value) + "\">"
        }
        let rangeValue = PrometheusDuration.format(milliseconds: duration)
        let endValue: String
        switch spec {
        case .lastDuration: endValue = ""
        case .durationBefore(_, let end): endValue = Self.seconds(end)
        case .absolute: endValue = Self.seconds(end)
        }
        html +=
            "<label>range <input name=\"range\" size=\"5\" value=\"" + HTMLPage.escape(rangeValue) + "\"></label>"
        html +=
            "<label>end <input name=\"end\" size=\"12\" placeholder=\"now\" value=\"" + HTMLPage.escape(endValue)
            + "\"></label>"
        let stepValue = stepGiven ? PrometheusDuration.format(milliseconds: step) : ""
        html +=
            "<label>step <input name=\"step\" size=\"4\" placeholder=\""
            + HTMLPage.escape(PrometheusDuration.format(milliseconds: step)) + "\" value=\""
            + HTMLPage.escape(stepValue) + "\"></label>"
        html += "<button type=\"submit\">Apply</button></form>"
        html += "<span class=\"range-summary\">" + HTMLPage.escape(summary) + "</span></nav>\n"
        return html
    }

    /// The picker's style, for pages that show it.
    public static let style = """
        .time-range { display: flex; flex-wrap: wrap; align-items: center; gap: 0.35rem; margin-bottom: 0.6rem; }
        .time-range a { padding: 0.1rem 0.5rem; border: 1px solid #c5ccd8; border-radius: 4px; color: #1d2330; text-decoration: none; }
        .time-range a[aria-current] { background: #1d2330; color: #fff; border-color: #1d2330; }
        .time-range-form { display: inline-flex; gap: 0.35rem; align-items: center; margin-left: 0.6rem; }
        .time-range-form input { font: inherit; padding: 0.1rem 0.3rem; }
        .range-summary { color: #555e6e; margin-left: 0.6rem; }

        """
}
