import VigilModel

extension AlertsPage {
    /// The whole HTML document: the filter form, the `main` element (alerts, inhibited alerts, silences) that
    /// the refresh swaps, then the silence form and its script, outside `main`.
    public func render() -> String {
        var html = HTMLPage.header(
            title: "Alerts", refreshSeconds: refreshSeconds, style: Self.pageStyle, current: Self.path)
        html += renderFilterForm()
        html += renderMain()
        html += renderSilenceForm()
        html += HTMLPage.footer(refreshSeconds: refreshSeconds)
        return html
    }

    /// The filter: state links (all, firing, pending) that keep the other parameters, and a GET form.
    func renderFilterForm() -> String {
        var html = "<nav class=\"alert-filter\" aria-label=\"Alert filter\">\n<div class=\"state-switch\">"
        let choices: [(State?, String)] = [(nil, "All"), (.firing, "Firing"), (.pending, "Pending")]
        for (state, name) in choices {
            let marked = state == filter.state ? " aria-current=\"true\"" : ""
            html += "<a href=\"\(HTMLPage.escape(link(state: .some(state))))\"\(marked)>\(name)</a>"
        }
        html += "</div>\n<form id=\"alert-filter\" method=\"get\" action=\"\(Self.path)\">"
        if let state = filter.state {
            html += "<input type=\"hidden\" name=\"state\" value=\"\(state.rawValue)\">"
        }
        html +=
            "<label>Severity <input name=\"severity\" value=\"\(HTMLPage.escape(filter.severity ?? ""))\" "
            + "placeholder=\"page\" size=\"9\"></label> "
            + "<label>Labels <input name=\"filter\" value=\"\(HTMLPage.escape(filter.text))\" "
            + "placeholder=\"{alertname=&quot;GPULost&quot;}\" size=\"40\"></label> "
            + "<button type=\"submit\">Filter</button>"
        if filter.state != nil || !(filter.severity ?? "").isEmpty || !filter.text.isEmpty {
            html += " <a href=\"\(Self.path)\">Clear</a>"
        }
        html += "</form>\n</nav>\n"
        return html
    }

    /// The `main` element alone: what a refresh replaces.
    public func renderMain() -> String {
        var html = "<main id=\"alerts\">\n"
        for note in notes {
            html += "<p class=\"banner warning\" role=\"status\">" + HTMLPage.escape(note) + "</p>\n"
        }
        html += renderAlerts()
        html += renderInhibited()
        html += renderSilences()
        let time = CivilTime(millisecondsSinceEpoch: generatedAt).dateAndTime(separator: " ")
        html += "<p class=\"updated\">Values at <time>\(HTMLPage.escape(time)) UTC</time>"
        if let refreshSeconds, refreshSeconds > 0 { html += ", refreshed every \(refreshSeconds) s" }
        html += ".</p>\n</main>\n"
        return html
    }

    func renderAlerts() -> String {
        let groups = self.groups
        let shown = groups.reduce(0) { $0 + $1.alertnames.reduce(0) { $0 + $1.items.count } }
        let firing = alerts.filter { $0.state == .firing }.count
        let pending = alerts.count - firing
        var html = "<section id=\"active-alerts\" aria-label=\"Firing and pending alerts\">\n"
        html +=
            "<h2>Firing and pending alerts <span class=\"summary\" data-firing=\"\(firing)\" "
            + "data-pending=\"\(pending)\">\(firing) firing, \(pending) pending"
            + (shown == alerts.count ? "" : ", \(shown) shown") + "</span></h2>\n"
        if groups.isEmpty {
            html +=
                "<p class=\"none\">"
                + (alerts.isEmpty ? "No alerts are firing or pending." : "No alert matches the filter.") + "</p>\n"
        }
        for group in groups {
            let severity = HTMLPage.escape(group.severity)
            let count = group.alertnames.reduce(0) { $0 + $1.items.count }
            html +=
                "<section class=\"severity-group \(Self.severityClass(group.severity))\" data-severity=\"\(severity)\">\n"
                + "<h3><span class=\"sev-symbol\" aria-hidden=\"true\">\(Self.severitySymbol(group.severity))</span> "
                + "<a href=\"\(HTMLPage.escape(link(severity: .some(group.severity))))\">\(severity)</a> "
                + "<span class=\"count\">\(count)</span></h3>\n"
            for name in group.alertnames {
                html += renderAlertname(name, severity: group.severity)
            }
            html += "</section>\n"
        }
        html += "</section>\n"
        return html
    }

    /// Groups with more alerts than this are folded behind their count.
    static let foldAbove = 8

    func renderAlertname(_ group: AlertnameGroup, severity: String) -> String {
        let name = HTMLPage.escape(group.name)
        let filterText = "{alertname=\"" + escapeLabelValue(group.name) + "\"}"
        var html =
            "<div class=\"alertname-group\" data-alertname=\"\(name)\">\n<h4><a href=\"\(HTMLPage.escape(Self.link(state: filter.state, severity: filter.severity, filter: filterText)))\">\(name)</a> "
            + "<span class=\"count\">\(group.items.count)</span></h4>\n"
        // A long group (one rule matching many GPUs) is folded behind its count; a refresh keeps it as the
        // reader left it (the refresh script carries `details[id]` open states over).
        let folded = group.items.count > Self.foldAbove
        if folded {
            let id = "alerts-" + severity + "-" + group.name
            let firing = group.items.filter { $0.state == .firing }.count
            html +=
                "<details id=\"\(HTMLPage.escape(id.map { $0.isWhitespace ? "_" : $0 }.map(String.init).joined()))\">"
                + "<summary>\(group.items.count) alerts: \(firing) firing, \(group.items.count - firing) pending</summary>\n"
        }
        html +=
            "<table class=\"alerts\">\n<thead><tr><th>State</th><th>Severity</th><th>Labels</th><th>Since</th>"
            + "<th>Value</th><th>Details</th><th></th></tr></thead>\n<tbody>\n"
        for item in group.items {
            html += renderItem(item)
        }
        html += "</tbody>\n</table>\n"
        if folded { html += "</details>\n" }
        html += "</div>\n"
        return html
    }

    func renderItem(_ item: Item) -> String {
        let state = item.state.rawValue
        let stateSymbol = item.state == .firing ? "●" : "○"
        var html =
            "<tr class=\"alert \(state)\" data-state=\"\(state)\" data-alertname=\"\(HTMLPage.escape(item.alertname))\">"
            + "<td class=\"state\"><span class=\"state-badge \(state)\"><span aria-hidden=\"true\">\(stateSymbol)</span> \(state)</span></td>"
            + "<td class=\"severity \(Self.severityClass(item.severity))\"><span class=\"sev-symbol\" aria-hidden=\"true\">"
            + "\(Self.severitySymbol(item.severity))</span> \(HTMLPage.escape(item.severity))</td>"
        html += "<td class=\"labels\">" + Self.labelChips(item.labels, skipping: ["alertname", "severity"]) + "</td>"
        html +=
            "<td class=\"since\">\(Self.time(item.activeAt))<br><span class=\"age\">for "
            + "\(Self.age(milliseconds: generatedAt - item.activeAt))</span></td>"
        html += "<td class=\"value\">\(HTMLPage.escape(Self.valueText(item.value)))</td>"
        html += "<td class=\"details\">" + Self.annotationDetails(item.annotations)
        // A pending alert is not sent to the Alertmanager yet: what would mute it once it fires.
        let when = item.state == .pending ? "once firing, " : ""
        for id in item.silencedBy {
            html +=
                "<p class=\"silenced\" data-silenced-by=\"\(HTMLPage.escape(id))\"><span aria-hidden=\"true\">⊘</span> "
                + "\(when)silenced by <a href=\"#silence-\(HTMLPage.escape(id))\"><code>\(HTMLPage.escape(Self.shortID(id)))</code></a></p>"
        }
        for source in item.inhibitedBy {
            html +=
                "<p class=\"inhibited\" data-inhibited-by=\"\(HTMLPage.escape(source.fingerprint))\">\(when)inhibited by "
                + Self.sourceText(source) + "</p>"
        }
        html += "</td>"
        let silence = link(extra: [("silence", Self.matcherText(item.labels))]) + "#silence-form"
        html += "<td class=\"actions\"><a class=\"silence-link\" href=\"\(HTMLPage.escape(silence))\">Silence</a></td>"
        html += "</tr>\n"
        return html
    }

    /// `name="value"` chips for every label but `skipping`.
    static func labelChips(_ labels: Labels, skipping: Set<String> = []) -> String {
        labels.filter { !skipping.contains($0.name) }.map { label in
            "<span class=\"label\"><span class=\"name\">\(HTMLPage.escape(label.name))</span>=<span class=\"value\">"
                + "\(HTMLPage.escape(label.value))</span></span>"
        }.joined(separator: " ")
    }

    /// Summary, description and the runbook: a link only for `http:`/`https:` URLs, text otherwise.
    static func annotationDetails(_ annotations: Labels) -> String {
        var html = ""
        if let summary = annotations["summary"], !summary.isEmpty {
            html += "<p class=\"annotation summary\">" + HTMLPage.escape(summary) + "</p>"
        }
        if let description = annotations["description"], !description.isEmpty {
            html += "<p class=\"annotation description\">" + HTMLPage.escape(description) + "</p>"
        }
        if let runbook = annotations["runbook_url"], !runbook.isEmpty {
            if isSafeLink(runbook) {
                html +=
                    "<p class=\"runbook\"><a href=\"\(HTMLPage.escape(runbook))\" rel=\"noopener noreferrer\" "
                    + "target=\"_blank\">Runbook</a></p>"
            } else {
                html +=
                    "<p class=\"runbook\">Runbook (not a web link): <span class=\"runbook-text\">"
                    + HTMLPage.escape(runbook) + "</span></p>"
            }
        }
        return html
    }

    static func shortID(_ id: String) -> String { id.count > 8 ? String(id.prefix(8)) + "…" : id }

    /// An inhibiting alert: its alertname and labels when known, its fingerprint otherwise.
    static func sourceText(_ source: Source) -> String {
        guard let labels = source.labels else {
            return "the alert <code>\(HTMLPage.escape(source.fingerprint))</code> (no longer held)"
        }
        return "<span class=\"source\" data-fingerprint=\"\(HTMLPage.escape(source.fingerprint))\"><strong>"
            + HTMLPage.escape(labels["alertname"] ?? "(no alertname)") + "</strong> "
            + labelChips(labels, skipping: ["alertname"]) + "</span>"
    }

    func renderInhibited() -> String {
        var html = "<section id=\"inhibited\" aria-label=\"Inhibited alerts\">\n<h2>Inhibited</h2>\n"
        guard silences != nil else {
            html += "<p class=\"none\">No Alertmanager is configured, so nothing is inhibited here.</p>\n</section>\n"
            return html
        }
        if inhibited.isEmpty {
            html += "<p class=\"none\">No alert is inhibited.</p>\n</section>\n"
            return html
        }
        html +=
            "<table class=\"inhibited\">\n<thead><tr><th>Alert</th><th>Since</th><th>Inhibited by</th></tr></thead>\n<tbody>\n"
        let sorted = inhibited.sorted { a, b in
            let (na, nb) = (a.labels["alertname"] ?? "", b.labels["alertname"] ?? "")
            if na != nb { return HTMLPage.naturalOrder(na, nb) }
            return a.labels.map(\.value).lexicographicallyPrecedes(b.labels.map(\.value))
        }
        for alert in sorted {
            html +=
                "<tr class=\"inhibited-alert\" data-alertname=\"\(HTMLPage.escape(alert.labels["alertname"] ?? ""))\">"
                + "<td><strong>\(HTMLPage.escape(alert.labels["alertname"] ?? "(no alertname)"))</strong> "
                + Self.labelChips(alert.labels, skipping: ["alertname"]) + Self.annotationDetails(alert.annotations)
                + "</td><td>\(Self.time(alert.startsAt))</td><td>"
                + alert.inhibitedBy.map(Self.sourceText).joined(separator: "<br>") + "</td></tr>\n"
        }
        html += "</tbody>\n</table>\n</section>\n"
        return html
    }

    func renderSilences() -> String {
        var html = "<section id=\"silences\" aria-label=\"Silences\">\n<h2>Silences</h2>\n"
        guard let silences else {
            html +=
                "<p class=\"none\" id=\"no-alertmanager\">No Alertmanager is configured: silences cannot be listed "
                + "or created here. The firing and pending alerts above come from the rule manager.</p>\n</section>\n"
            return html
        }
        if let expiredSilenceID {
            html +=
                "<p class=\"banner info\" role=\"status\" data-expired-id=\"\(HTMLPage.escape(expiredSilenceID))\">"
                + "Expired silence <code>\(HTMLPage.escape(expiredSilenceID))</code>.</p>\n"
        }
        let current = silences.filter { $0.state != .expired }
        let expired = silences.filter { $0.state == .expired }
        if current.isEmpty {
            html += "<p class=\"none\">No active or pending silence.</p>\n"
        }
        html +=
            "<table id=\"silences-table\" class=\"silences\"\(current.isEmpty ? " hidden" : "")>\n<thead><tr><th>State</th>"
            + "<th>Matchers</th><th>Starts</th><th>Ends</th><th>Created by</th><th>Comment</th><th></th></tr></thead>\n<tbody>\n"
        let rank: [SilenceState: Int] = [.active: 0, .pending: 1, .expired: 2]
        for silence in current.sorted(by: { (rank[$0.state]!, $0.endsAt, $0.id) < (rank[$1.state]!, $1.endsAt, $1.id) })
        {
            html += renderSilence(silence, expireButton: true)
        }
        html += "</tbody>\n</table>\n"
        if !expired.isEmpty {
            html +=
                "<details id=\"expired-silences\"><summary>Recently expired (\(expired.count))</summary>\n"
                + "<table class=\"silences expired\">\n<thead><tr><th>State</th><th>Matchers</th><th>Starts</th>"
                + "<th>Ended</th><th>Created by</th><th>Comment</th><th></th></tr></thead>\n<tbody>\n"
            for silence in expired.sorted(by: { ($0.endsAt, $0.id) > ($1.endsAt, $1.id) }) {
                html += renderSilence(silence, expireButton: false)
            }
            html += "</tbody>\n</table>\n</details>\n"
        }
        html += "</section>\n"
        return html
    }

    func renderSilence(_ silence: SilenceRow, expireButton: Bool) -> String {
        let id = HTMLPage.escape(silence.id)
        let state = silence.state.rawValue
        let symbol: String =
            switch silence.state {
            case .active: "■"
            case .pending: "□"
            case .expired: "✓"
            }
        // Expired rows carry another class: `tr.silence` is the browser tests' hook for silences one can expire.
        var html =
            "<tr class=\"\(expireButton ? "silence" : "expired-silence")\" id=\"silence-\(id)\" data-silence-id=\"\(id)\" "
            + "data-state=\"\(state)\"><td class=\"state\"><span aria-hidden=\"true\">\(symbol)</span> \(state)<br>"
            + "<code title=\"\(id)\">\(HTMLPage.escape(Self.shortID(silence.id)))</code></td>"
        html +=
            "<td class=\"matchers\">"
            + silence.matchers.map { "<code class=\"matcher\">\(HTMLPage.escape($0))</code>" }.joined(separator: " ")
            + "</td>"
        html += "<td>\(Self.time(silence.startsAt))</td><td>\(Self.time(silence.endsAt))</td>"
        html += "<td class=\"created-by\">\(HTMLPage.escape(silence.createdBy))</td>"
        html += "<td class=\"comment\">\(HTMLPage.escape(silence.comment))</td><td>"
        if expireButton {
            html +=
                "<form class=\"expire-form\" method=\"post\" action=\"\(Self.path)/silences/\(HTMLPage.percentEncoded(silence.id))/expire\" "
                + "data-silence-id=\"\(id)\"><button class=\"expire\" type=\"submit\">Expire</button></form>"
        }
        html += "</td></tr>\n"
        return html
    }

    /// The silence form and its result, outside `main` so that a refresh never clears them.
    func renderSilenceForm() -> String {
        var html = "<section id=\"new-silence\" aria-label=\"New silence\">\n<h2>New silence</h2>\n"
        guard silences != nil else {
            html +=
                "<p class=\"none\">No Alertmanager is configured, so no silence can be created here.</p>\n</section>\n"
            return html
        }
        if let createdSilenceID {
            let id = HTMLPage.escape(createdSilenceID)
            html +=
                "<p id=\"silence-result\" class=\"banner info\" role=\"status\" data-silence-id=\"\(id)\">Created silence "
                + "<code>\(id)</code>.</p>\n"
        } else {
            html += "<p id=\"silence-result\" class=\"banner info\" role=\"status\" hidden></p>\n"
        }
        if let error = form.error {
            var attributes = " data-field=\"\(HTMLPage.escape(error.field))\""
            if let position = error.position { attributes += " data-position=\"\(position)\"" }
            html +=
                "<div id=\"silence-error\" class=\"banner error\" role=\"alert\"\(attributes)><p>"
                + HTMLPage.escape(error.field.isEmpty ? error.message : "\(error.field): \(error.message)") + "</p>"
            if let position = error.position, error.field == "matchers" {
                html += Self.caret(under: form.matchers, at: position)
            }
            html += "</div>\n"
        } else {
            html += "<div id=\"silence-error\" class=\"banner error\" role=\"alert\" hidden></div>\n"
        }
        func field(_ name: String, _ label: String, _ value: String, placeholder: String, hint: String = "") -> String {
            let invalid = form.error?.field == name ? " aria-invalid=\"true\"" : ""
            return "<label><span>\(label)</span><input name=\"\(name)\" value=\"\(HTMLPage.escape(value))\" "
                + "placeholder=\"\(HTMLPage.escape(placeholder))\"\(invalid)>\(hint.isEmpty ? "" : "<small>\(hint)</small>")</label>\n"
        }
        html += "<form id=\"silence-form\" method=\"post\" action=\"\(Self.path)/silences\">\n"
        html += field(
            "matchers", "Matchers", form.matchers, placeholder: "alertname=\"GPULost\", Hostname=~\"gpu-node-0[12]\"",
            hint: "Alertmanager's syntax: = != =~ !~, comma-separated")
        html += field("duration", "Duration", form.duration, placeholder: "2h", hint: "e.g. 30m, 2h, 1d")
        html += field("startsAt", "Starts at", form.startsAt, placeholder: "now", hint: "optional, RFC 3339")
        html += field("createdBy", "Created by", form.createdBy, placeholder: "your name")
        html += field("comment", "Comment", form.comment, placeholder: "why")
        html += "<button type=\"submit\">Create silence</button>\n</form>\n</section>\n"
        html += "<script>\n" + Self.silenceScript + "</script>\n"
        return html
    }

    /// The matcher text with a caret under the character at byte offset `position`.
    static func caret(under text: String, at position: Int) -> String {
        var characters = 0
        var bytes = 0
        for character in text {
            if bytes >= position { break }
            bytes += character.utf8.count
            characters += 1
        }
        return "<pre class=\"error-at\">" + HTMLPage.escape(text) + "\n" + String(repeating: " ", count: characters)
            + "^</pre><p class=\"error-position\">at position \(position)</p>"
    }
}
