import VigilModel

extension ExplorePage {
    /// Where a parse error points in the query: the line it is on, and the caret line under it.
    public struct Caret: Sendable, Hashable {
        /// 1-based line and column (characters, not bytes) of the error's start.
        public var line: Int
        public var column: Int
        /// The query's line the error is on.
        public var text: String
        /// Spaces (tabs kept, so that the caret lines up) up to the error, then `^` and a `~` for each
        /// further character of the error's range on that line.
        public var marker: String
    }

    /// The caret for the byte range `position` of `query`; offsets outside the query are clamped to it, an
    /// offset inside a multi-byte character counts as that character.
    public static func caret(for position: Range<Int>, in query: String) -> Caret {
        let bytes = Array(query.utf8)
        let start = min(max(position.lowerBound, 0), bytes.count)
        let newline = UInt8(ascii: "\n")
        var lineStart = start
        while lineStart > 0 && bytes[lineStart - 1] != newline { lineStart -= 1 }
        var lineEnd = start
        while lineEnd < bytes.count && bytes[lineEnd] != newline { lineEnd += 1 }
        let line = bytes[..<lineStart].reduce(1) { $0 + ($1 == newline ? 1 : 0) }
        // Back up to a character boundary (UTF-8 continuation bytes are 10xxxxxx).
        var boundary = start
        while boundary > lineStart && boundary < bytes.count && bytes[boundary] & 0xC0 == 0x80 { boundary -= 1 }
        let before = String(decoding: bytes[lineStart..<boundary], as: UTF8.self)
        let end = min(max(position.upperBound, boundary), lineEnd)
        let covered = String(decoding: bytes[boundary..<end], as: UTF8.self).count
        var marker = ""
        for character in before { marker.append(character == "\t" ? "\t" : " ") }
        marker += "^" + String(repeating: "~", count: max(0, covered - 1))
        var text = String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        return Caret(line: line, column: before.count + 1, text: text, marker: marker)
    }

    func failureHTML(_ failure: Failure) -> String {
        var html = "<div id=\"query-error\" class=\"query-error\" role=\"alert\" data-kind=\"\(failure.kind.rawValue)\""
        if let position = failure.position {
            html += " data-position=\"\(max(0, position.lowerBound))\""
        }
        html += ">\n<p><strong>" + Self.failureTitle(failure.kind) + "</strong> "
        html += "<span class=\"message\">" + HTMLPage.escape(failure.message) + "</span></p>\n"
        if let position = failure.position, !query.isEmpty {
            let caret = Self.caret(for: position, in: query)
            html +=
                "<pre class=\"caret\" aria-label=\"line \(caret.line), column \(caret.column)\">"
                + HTMLPage.escape(caret.text) + "\n<span class=\"marker\">" + HTMLPage.escape(caret.marker)
                + "</span></pre>\n"
        }
        if let hint = Self.failureHint(failure.kind, view: view) {
            html += "<p class=\"hint\">" + HTMLPage.escape(hint) + "</p>\n"
        }
        html += "</div>\n"
        return html
    }

    static func failureTitle(_ kind: Failure.Kind) -> String {
        switch kind {
        case .parse: "The query does not parse:"
        case .execution: "The query failed:"
        case .timeout: "The query timed out:"
        case .tooManySamples: "The query needs too many samples:"
        case .canceled: "The query was cancelled:"
        }
    }

    static func failureHint(_ kind: Failure.Kind, view: View) -> String? {
        switch kind {
        case .timeout, .tooManySamples:
            view == .graph
                ? "Try a shorter range, a larger step, or fewer series (a label matcher, topk, an aggregation)."
                : "Try fewer series (a label matcher, topk, an aggregation) or a shorter range selector."
        case .parse, .execution, .canceled: nil
        }
    }

    func graphHTML(_ all: [ChartSeries]) -> String {
        guard !all.isEmpty else {
            return "<p class=\"none\">The query returned no data between "
                + HTMLPage.escape(TimeRange.seconds(timeRange.start)) + " and "
                + HTMLPage.escape(TimeRange.seconds(timeRange.end)) + " (unix seconds).</p>\n"
        }
        let sorted = all.sorted { HTMLPage.naturalOrder($0.displayName, $1.displayName) }
        let (shown, common) = Self.legendNames(Array(sorted.prefix(max(0, maxSeries))))
        let title = query.count > 120 ? String(query.prefix(119)) + "…" : query
        let chart = TimeSeriesChart(
            title: title.replacingNewlines(), series: shown, start: timeRange.start, end: timeRange.end,
            step: timeRange.step, unit: Self.unit(forQuery: query), width: 1100, height: 360, idPrefix: "explore",
            maxLegendEntries: 40)
        var html = ""
        if sorted.count > shown.count {
            html +=
                "<p class=\"note\" data-series-shown=\"\(shown.count)\" data-series-total=\"\(sorted.count)\">"
                + "Drawing the first \(shown.count) of \(sorted.count) series; narrow the query (a label matcher, "
                + "topk, an aggregation) or use the table view to see the rest.</p>\n"
        }
        do {
            let rendering = try chart.render()
            if rendering.downsampled {
                html +=
                    "<p class=\"note\" data-downsampled=\"true\">\(rendering.inputPoints) points reduced to "
                    + "\(rendering.drawnPoints) for display (lowest and highest value per pixel column); a larger "
                    + "step or a shorter range shows every point.</p>\n"
            }
            html += "<div class=\"chart\">" + rendering.svg + "</div>\n"
            if !common.isEmpty {
                html +=
                    "<p class=\"note common-labels\">Every series has " + HTMLPage.escape(common.description) + "</p>\n"
            }
        } catch {
            html += "<p class=\"banner warning\" role=\"status\">The graph cannot be drawn: "
            html += HTMLPage.escape(error.description) + "</p>\n"
        }
        return html
    }

    /// Legend names without the labels every series shares (returned apart), so that what tells the series
    /// apart shows: `{gpu="3"}` instead of ten labels of which nine are the same. One series keeps its name.
    static func legendNames(_ series: [ChartSeries]) -> (series: [ChartSeries], common: Labels) {
        guard series.count > 1, let first = series.first else { return (series, Labels()) }
        let common = first.labels.filter { label in
            label.name != metricNameLabel && series.allSatisfy { $0.labels[label.name] == label.value }
        }
        guard !common.isEmpty else { return (series, Labels()) }
        let names = Set(common.map(\.name))
        let named = series.map { item -> ChartSeries in
            var copy = item
            if copy.name == nil { copy.name = seriesText(Labels(item.labels.filter { !names.contains($0.name) })) }
            return copy
        }
        return (named, Labels(common))
    }

    func tableHTML(_ all: [Row]) -> String {
        guard !all.isEmpty else {
            return "<p class=\"none\">The query returned no data at "
                + HTMLPage.escape(TimeRange.seconds(timeRange.end)) + " (unix seconds).</p>\n"
        }
        let sorted = all.sorted { HTMLPage.naturalOrder($0.labels.description, $1.labels.description) }
        let shown = sorted.prefix(max(0, maxRows))
        var html = ""
        if sorted.count > shown.count {
            html +=
                "<p class=\"note\" data-rows-shown=\"\(shown.count)\" data-rows-total=\"\(sorted.count)\">"
                + "Listing the first \(shown.count) of \(sorted.count) series; narrow the query to see the rest.</p>\n"
        }
        html += "<table id=\"result-table\" class=\"result\">\n<thead><tr><th scope=\"col\">Series</th>"
        html += "<th scope=\"col\">Value</th></tr></thead>\n<tbody>\n"
        for row in shown {
            html +=
                "<tr><td class=\"series\">" + HTMLPage.escape(Self.seriesText(row.labels)) + "</td><td class=\"value\">"
            if row.samples.count == 1, let sample = row.samples.first {
                html += HTMLPage.escape(Self.valueText(sample.value))
            } else {
                html += row.samples.map { sample in
                    HTMLPage.escape(Self.valueText(sample.value)) + " @"
                        + HTMLPage.escape(TimeRange.seconds(sample.timestamp))
                }.joined(separator: "<br>")
            }
            html += "</td></tr>\n"
        }
        html += "</tbody>\n</table>\n"
        return html
    }

    func singleValueTable(kind: String, value: String, timestamp: Int64) -> String {
        "<table id=\"result-table\" class=\"result\" data-result-type=\"\(kind)\">\n<thead><tr><th scope=\"col\">"
            + (kind == "scalar" ? "Scalar" : "String") + "</th><th scope=\"col\">Value</th></tr></thead>\n<tbody>\n"
            + "<tr><td class=\"series\">" + kind + " @" + HTMLPage.escape(TimeRange.seconds(timestamp))
            + "</td><td class=\"value\">" + HTMLPage.escape(value) + "</td></tr>\n</tbody>\n</table>\n"
    }

    /// A label set as PromQL writes it: `up{job="api"}`, `{job="api"}` without a name, `{}` when empty.
    static func seriesText(_ labels: Labels) -> String {
        let name = labels.metricName ?? ""
        let rest = labels.removing(metricNameLabel)
        if rest.isEmpty { return name.isEmpty ? "{}" : name }
        return name + rest.description
    }

    /// A sample value as Prometheus's API writes it: `1`, `0.25`, `1e-05`, `NaN`, `+Inf`, `-Inf`.
    public static func valueText(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), value.magnitude < 1e15 { return String(Int64(value)) }
        return value.description
    }

    /// The unit a query's values most likely have, from the metric names in it (string literals skipped):
    /// `_bytes` → bytes (per second under `rate`, `irate` or `deriv`), `_seconds` → seconds, `_celsius` and
    /// DCGM's `…_TEMP` → °C, `_watts` and DCGM's `…_POWER_USAGE` → W, `_percent` and DCGM's `…_UTIL` → %,
    /// `_ratio` → a fraction as %, a `_total` counter under `rate` → per second. When the names disagree, or
    /// a division mixes them, the unit is plain.
    public static func unit(forQuery query: String) -> ChartUnit {
        let names = identifiers(in: query)
        let lowered = query.lowercased()
        let perSecond = ["rate(", "irate(", "deriv("].contains { lowered.contains($0) }
        var units = Set<ChartUnit>()
        for name in names {
            if let unit = unit(forMetric: name, perSecond: perSecond) { units.insert(unit) }
        }
        guard units.count == 1, let unit = units.first else { return .none }
        // a_bytes / b_bytes is a ratio, not bytes; a / scalar keeps the unit but cannot be told apart here.
        if query.contains("/") && names.filter({ Self.unit(forMetric: $0, perSecond: perSecond) != nil }).count > 1 {
            return .none
        }
        return unit
    }

    static func unit(forMetric name: String, perSecond: Bool) -> ChartUnit? {
        let upper = name.uppercased()
        if name.hasSuffix("_bytes") || name.hasSuffix("_bytes_total") { return perSecond ? .bytesPerSecond : .bytes }
        if name.hasSuffix("_seconds") { return .seconds }
        if name.hasSuffix("_celsius") || upper.hasSuffix("_TEMP") { return .celsius }
        if name.hasSuffix("_watts") || upper.hasSuffix("_POWER_USAGE") { return .watts }
        if name.hasSuffix("_percent") || upper.hasSuffix("_UTIL") { return .percent }
        if name.hasSuffix("_ratio") { return .ratio }
        if name.hasSuffix("_total") && perSecond { return .perSecond }
        return nil
    }

    /// The identifiers of `query` outside string literals and label matchers' values.
    static func identifiers(in query: String) -> [String] {
        var names: [String] = []
        var current = ""
        var quote: Character?
        var escaped = false
        func flush() {
            if !current.isEmpty, let first = current.first, !first.isNumber { names.append(current) }
            current = ""
        }
        for character in query {
            if let open = quote {
                if escaped {
                    escaped = false
                } else if character == "\\" && open != "`" {
                    escaped = true
                } else if character == open {
                    quote = nil
                }
                continue
            }
            if character == "\"" || character == "'" || character == "`" {
                flush()
                quote = character
            } else if character.isASCII
                && (character.isLetter || character.isNumber || character == "_" || character == ":")
            {
                current.append(character)
            } else {
                flush()
            }
        }
        flush()
        return names
    }

    /// The page's own style.
    public static let style = """
        .editor { display: flex; flex-direction: column; gap: 0.4rem; margin: 1rem 1.2rem 0; }
        .editor textarea { width: 100%; box-sizing: border-box; font: 0.95rem ui-monospace, monospace; padding: 0.4rem; border: 1px solid #c5ccd8; border-radius: 4px; resize: vertical; }
        .editor-actions { display: flex; flex-wrap: wrap; align-items: center; gap: 0.8rem; margin-top: 0.4rem; }
        .editor-actions button { font: inherit; padding: 0.25rem 1rem; background: #1d2330; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
        .view-switch { border: 0; padding: 0; margin: 0; display: flex; gap: 0.6rem; }
        .examples { margin: 0; color: #555e6e; }
        .examples code { font-size: 0.85rem; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        .view-tabs { display: flex; gap: 0.4rem; margin-bottom: 0.6rem; }
        .view-tabs a { padding: 0.2rem 0.7rem; border: 1px solid #c5ccd8; border-radius: 4px; color: #1d2330; text-decoration: none; }
        .view-tabs a[aria-current] { background: #1d2330; color: #fff; border-color: #1d2330; }
        .query-error { background: #fde8e8; border-left: 6px double #b42318; padding: 0.4rem 0.8rem; margin-bottom: 0.8rem; border-radius: 4px; }
        .query-error p { margin: 0.3rem 0; }
        .query-error pre.caret { font: 0.95rem ui-monospace, monospace; margin: 0.3rem 0; white-space: pre; overflow-x: auto; }
        .query-error .marker { color: #b42318; font-weight: bold; }
        .query-warnings { background: #fff4d6; border-left: 6px solid #b88100; padding: 0.4rem 0.8rem 0.4rem 2rem; border-radius: 4px; }
        .note { color: #555e6e; margin: 0.3rem 0; }
        #result .chart { overflow-x: auto; background: #fff; border-radius: 6px; padding: 0.4rem; }
        table.result { border-collapse: collapse; background: #fff; width: 100%; }
        table.result th, table.result td { text-align: left; padding: 0.25rem 0.6rem; border-bottom: 1px solid #e3e6eb; vertical-align: top; }
        table.result td.series { font-family: ui-monospace, monospace; word-break: break-all; }
        table.result td.value { font-family: ui-monospace, monospace; white-space: nowrap; }

        """
}

extension String {
    /// The text on one line: line breaks as spaces (for a chart title from a multi-line query).
    fileprivate func replacingNewlines() -> String {
        String(map { $0.isNewline ? " " : $0 })
    }
}
