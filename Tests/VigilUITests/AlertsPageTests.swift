import Foundation
import Testing
import VigilModel
import VigilUI

/// The alerts page rendered from plain values: grouping and order, filters and their links, escaping, the
/// runbook-link rule, silences, the inhibited section and the silence form.
@Suite struct AlertsPageTests {
    static let now: Int64 = 1_700_000_000_000
    static let hostile = "<script>alert(1)</script>"

    static func item(
        _ name: String, _ severity: String?, _ state: AlertsPage.State = .firing, age: Int64 = 60_000,
        labels extra: [String: String] = [:], annotations: Labels = Labels(), value: Double = 1
    ) -> AlertsPage.Item {
        var labels: Labels = ["alertname": name]
        if let severity { labels = labels.setting("severity", to: severity) }
        for (name, value) in extra { labels = labels.setting(name, to: value) }
        return AlertsPage.Item(
            state: state, labels: labels, annotations: annotations, activeAt: now - age, value: value)
    }

    static func page(
        _ alerts: [AlertsPage.Item], filter: AlertsPage.Filter = AlertsPage.Filter(),
        silences: [AlertsPage.SilenceRow]? = [], inhibited: [AlertsPage.InhibitedAlert] = [],
        form: AlertsPage.SilenceForm = AlertsPage.SilenceForm(), created: String? = nil
    ) -> AlertsPage {
        AlertsPage(
            alerts: alerts, filter: filter, silences: silences, inhibited: inhibited, form: form,
            createdSilenceID: created, generatedAt: now, refreshSeconds: 15)
    }

    /// The positions of `needle` in `text`, in order.
    static func offsets(of needle: String, in text: String) -> [String.Index] {
        var found: [String.Index] = []
        var rest = text.startIndex..<text.endIndex
        while let range = text.range(of: needle, range: rest) {
            found.append(range.lowerBound)
            rest = range.upperBound..<text.endIndex
        }
        return found
    }

    @Test func longGroupsAreFoldedBehindTheirCount() {
        let many = (0..<12).map {
            Self.item("GPU Power Cap", "info", $0 < 2 ? .firing : .pending, labels: ["gpu": "\($0)"])
        }
        let html = Self.page(many + [Self.item("GPULost", "page")]).renderMain()
        #expect(
            html.contains(
                "<details id=\"alerts-info-GPU_Power_Cap\"><summary>12 alerts: 2 firing, 10 pending</summary>"))
        #expect(occurrences(of: "<details id=\"alerts-", in: html) == 1, "a group of one stays open")
        #expect(occurrences(of: "<tr class=\"alert", in: html) == 13, "folded rows are still in the page")
    }

    @Test func groupsBySeverityThenAlertnameThenStateAndAge() throws {
        let page = Self.page([
            Self.item("Zeta", "warning"),
            Self.item("GPUHot", "warning", .pending, age: 10_000, labels: ["gpu": "1"]),
            Self.item("GPUHot", "warning", .firing, age: 5_000, labels: ["gpu": "2"]),
            Self.item("GPUHot", "warning", .firing, age: 50_000, labels: ["gpu": "3"]),
            Self.item("NoSeverity", nil),
            Self.item("Custom", "zz-custom"),
            Self.item("GPULost", "page"),
            Self.item("Disk", "critical"),
            Self.item("Info", "info"),
        ])
        let groups = page.groups
        #expect(groups.map(\.severity) == ["critical", "page", "warning", "info", "zz-custom", "none"])
        let warning = try #require(groups.first { $0.severity == "warning" })
        #expect(warning.alertnames.map(\.name) == ["GPUHot", "Zeta"])
        #expect(warning.alertnames[0].items.map { $0.labels["gpu"] } == ["3", "2", "1"])

        let html = page.renderMain()
        let order = ["critical", "page", "warning", "info", "zz-custom", "none"].map { severity in
            html.range(of: "data-severity=\"\(severity)\"")?.lowerBound
        }
        #expect(order.allSatisfy { $0 != nil })
        #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted())
        #expect(html.contains("9 firing, 0 pending") == false)
        #expect(html.contains("data-firing=\"8\" data-pending=\"1\""))
    }

    @Test func severityIsShownAsShapeAndTextNotColourAlone() {
        let html = Self.page([Self.item("GPULost", "page"), Self.item("Slow", "warning", .pending)]).render()
        #expect(html.contains("<span class=\"sev-symbol\" aria-hidden=\"true\">▲</span> page"))
        #expect(html.contains("<span class=\"sev-symbol\" aria-hidden=\"true\">◆</span> warning"))
        #expect(html.contains("<span aria-hidden=\"true\">●</span> firing"))
        #expect(html.contains("<span aria-hidden=\"true\">○</span> pending"))
    }

    @Test func rowShowsLabelsSinceValueAnnotationsAndSilenceLink() {
        let item = Self.item(
            "GPULost", "page", age: 12 * 60_000 + 5_000, labels: ["Hostname": "node-1", "gpu": "2"],
            annotations: [
                "summary": "GPU 2 on node-1 fell off the bus", "description": "XID 79",
                "runbook_url": "https://runbooks.example/gpu-lost",
            ], value: 0.125)
        let html = Self.page([item]).render()
        #expect(html.contains("<span class=\"name\">Hostname</span>=<span class=\"value\">node-1</span>"))
        #expect(html.contains("datetime=\"2023-11-14T22:01:15Z\">2023-11-14 22:01:15 UTC</time>"))
        #expect(html.contains("for 12m5s"))
        #expect(html.contains("<td class=\"value\">0.125</td>"))
        #expect(html.contains("<p class=\"annotation summary\">GPU 2 on node-1 fell off the bus</p>"))
        #expect(html.contains("<p class=\"annotation description\">XID 79</p>"))
        #expect(html.contains("<a href=\"https://runbooks.example/gpu-lost\" rel=\"noopener noreferrer\""))
        let matchers = AlertsPage.matcherText(item.labels)
        #expect(matchers == "Hostname=\"node-1\", alertname=\"GPULost\", gpu=\"2\", severity=\"page\"")
        #expect(html.contains("href=\"/ui/alerts?silence=\(HTMLPage.percentEncoded(matchers))#silence-form\""))
    }

    @Test(arguments: [
        ("https://runbooks.example/gpu", true), ("http://wiki/page?a=1&b=2", true), ("HTTPS://EXAMPLE.COM/", true),
        ("javascript:alert(1)", false), ("JavaScript:alert(1)", false), (" javascript:alert(1)", false),
        ("data:text/html,<script>alert(1)</script>", false), ("//evil.example/x", false), ("/runbooks/gpu", false),
        ("https://", false), ("https:///path", false), ("https://a b", false), ("https://a\nb", false),
        ("vbscript:x", false), ("ftp://files.example/x", false),
    ])
    func runbookLinkRule(url: String, linked: Bool) {
        #expect(AlertsPage.isSafeLink(url) == linked)
        let item = Self.item("A", "page", annotations: ["runbook_url": url])
        let html = Self.page([item]).render()
        #expect(html.contains("<a href=\"\(HTMLPage.escape(url))\"") == linked)
        if !linked {
            #expect(html.contains("<span class=\"runbook-text\">\(HTMLPage.escape(url))</span>"))
        }
    }

    @Test func everythingFromDataIsEscaped() {
        let item = Self.item(
            Self.hostile, Self.hostile, labels: [Self.hostile.filter(\.isLetter): Self.hostile],
            annotations: ["summary": Self.hostile, "description": Self.hostile, "runbook_url": Self.hostile])
        let silence = AlertsPage.SilenceRow(
            id: "\"><script>alert(1)</script>", state: .active, matchers: ["a=\"\(Self.hostile)\""],
            startsAt: Self.now, endsAt: Self.now + 3_600_000, createdBy: Self.hostile, comment: Self.hostile)
        let inhibited = AlertsPage.InhibitedAlert(
            labels: ["alertname": Self.hostile], annotations: ["summary": Self.hostile], startsAt: Self.now,
            inhibitedBy: [AlertsPage.Source(fingerprint: Self.hostile, labels: ["alertname": Self.hostile])])
        let filter = AlertsPage.Filter(severity: Self.hostile, text: Self.hostile)
        let form = AlertsPage.SilenceForm(
            matchers: Self.hostile, duration: Self.hostile, startsAt: Self.hostile, createdBy: Self.hostile,
            comment: Self.hostile, error: AlertsPage.FormError(field: "matchers", message: Self.hostile, position: 3))
        var page = Self.page(
            [item], filter: filter, silences: [silence], inhibited: [inhibited], form: form, created: Self.hostile)
        page.expiredSilenceID = Self.hostile
        page.notes = [Self.hostile]
        page.filter.severity = nil  // so that the alert is shown
        page.filter.text = Self.hostile
        let html = page.render()
        #expect(!html.contains("<script>alert(1)"))
        #expect(!html.contains("\"><script"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        // Only the page's own scripts, as many as on a page without hostile values.
        let plain = Self.page([Self.item("A", "page")], silences: []).render()
        #expect(Self.offsets(of: "<script", in: html).count == Self.offsets(of: "<script", in: plain).count)
    }

    @Test func filtersByStateSeverityAndMatchersAndLinksKeepTheOthers() throws {
        let alerts = [
            Self.item("GPULost", "page", labels: ["Hostname": "node-1"]),
            Self.item("GPULost", "page", .pending, labels: ["Hostname": "node-2"]),
            Self.item("GPUHot", "warning", labels: ["Hostname": "node-1"]),
        ]
        let matcher = try LabelMatcher(.equal, "Hostname", "node-1")
        let filter = AlertsPage.Filter(
            state: .firing, severity: "page", text: "{Hostname=\"node-1\"}", matchers: [matcher])
        let page = Self.page(alerts, filter: filter)
        #expect(page.groups.flatMap { $0.alertnames.flatMap(\.items) } == [alerts[0]])
        let html = page.render()
        let encodedFilter = HTMLPage.percentEncoded("{Hostname=\"node-1\"}")
        // The state switch keeps severity and filter; "All" drops only the state.
        #expect(html.contains("href=\"/ui/alerts?state=pending&amp;severity=page&amp;filter=\(encodedFilter)\""))
        #expect(html.contains("href=\"/ui/alerts?severity=page&amp;filter=\(encodedFilter)\""))
        #expect(html.contains("<input type=\"hidden\" name=\"state\" value=\"firing\">"))
        #expect(html.contains("name=\"filter\" value=\"{Hostname=&quot;node-1&quot;}\""))
        #expect(html.contains("1 shown"))
        #expect(
            AlertsPage.link(state: nil, severity: "a b", filter: "{x=\"1\"}")
                == "/ui/alerts?severity=a%20b&filter=%7Bx%3D%221%22%7D")
        #expect(AlertsPage.link(state: nil, severity: nil, filter: "") == "/ui/alerts")
    }

    @Test func noAlertsAndNoMatchSayWhich() {
        #expect(Self.page([]).render().contains("No alerts are firing or pending."))
        let filtered = Self.page([Self.item("A", "page")], filter: AlertsPage.Filter(state: .pending))
        #expect(filtered.render().contains("No alert matches the filter."))
    }

    @Test func silencesTableWithExpireButtonsAndExpiredCollapsed() throws {
        let rows = [
            AlertsPage.SilenceRow(
                id: "b-active", state: .active, matchers: ["alertname=\"GPULost\"", "Hostname=~\"node-0[12]\""],
                startsAt: Self.now - 60_000, endsAt: Self.now + 7_200_000, createdBy: "ops", comment: "swap GPU"),
            AlertsPage.SilenceRow(
                id: "a-pending", state: .pending, matchers: ["job=\"x\""], startsAt: Self.now + 60_000,
                endsAt: Self.now + 120_000, createdBy: "ops", comment: "later"),
            AlertsPage.SilenceRow(
                id: "c-expired", state: .expired, matchers: ["job=\"y\""], startsAt: Self.now - 120_000,
                endsAt: Self.now - 60_000, createdBy: "ops", comment: "done"),
        ]
        let html = Self.page([], silences: rows).render()
        let active = try #require(
            html.range(of: "<tr class=\"silence\" id=\"silence-b-active\" data-silence-id=\"b-active\""))
        let pending = try #require(
            html.range(of: "<tr class=\"silence\" id=\"silence-a-pending\" data-silence-id=\"a-pending\""))
        #expect(active.lowerBound < pending.lowerBound)
        #expect(Self.offsets(of: "<button class=\"expire\"", in: html).count == 2)
        #expect(html.contains("action=\"/ui/alerts/silences/b-active/expire\""))
        #expect(html.contains("<code class=\"matcher\">Hostname=~&quot;node-0[12]&quot;</code>"))
        let details = try #require(
            html.range(of: "<details id=\"expired-silences\"><summary>Recently expired (1)</summary>"))
        let expired = try #require(html.range(of: "<tr class=\"expired-silence\" id=\"silence-c-expired\""))
        #expect(details.lowerBound < expired.lowerBound)
    }

    @Test func inhibitedSectionNamesTheInhibitingAlert() {
        let inhibited = AlertsPage.InhibitedAlert(
            labels: ["alertname": "GPUHot", "Hostname": "node-1"], startsAt: Self.now,
            inhibitedBy: [
                AlertsPage.Source(
                    fingerprint: "0123456789abcdef", labels: ["alertname": "GPULost", "Hostname": "node-1"]),
                AlertsPage.Source(fingerprint: "fedcba9876543210", labels: nil),
            ])
        let html = Self.page([], inhibited: [inhibited]).render()
        #expect(html.contains("<h2>Inhibited</h2>"))
        #expect(html.contains("<tr class=\"inhibited-alert\" data-alertname=\"GPUHot\">"))
        #expect(html.contains("data-fingerprint=\"0123456789abcdef\"><strong>GPULost</strong>"))
        #expect(html.contains("<code>fedcba9876543210</code> (no longer held)"))
        #expect(Self.page([]).render().contains("No alert is inhibited."))
    }

    @Test func withoutAlertmanagerTheSilencePartSaysSoAndAlertsStay() {
        let html = Self.page([Self.item("GPULost", "page")], silences: nil).render()
        #expect(html.contains("id=\"no-alertmanager\""))
        #expect(html.contains("data-alertname=\"GPULost\""))
        #expect(!html.contains("id=\"silence-form\""))
        #expect(!html.contains("id=\"silences-table\""))
    }

    @Test func silenceFormSitsOutsideMainWithItsHooks() throws {
        let html = Self.page([]).render()
        let mainEnd = try #require(html.range(of: "</main>"))
        let form = try #require(
            html.range(of: "<form id=\"silence-form\" method=\"post\" action=\"/ui/alerts/silences\">"))
        #expect(mainEnd.lowerBound < form.lowerBound)
        for name in ["matchers", "duration", "startsAt", "createdBy", "comment"] {
            #expect(html.contains("<input name=\"\(name)\""))
        }
        #expect(html.contains("<button type=\"submit\">Create silence</button>"))
        #expect(html.contains("<p id=\"silence-result\" class=\"banner info\" role=\"status\" hidden></p>"))
        #expect(html.contains("<main id=\"alerts\">"))
        #expect(html.contains("fetch('/api/v2/silences'"))
    }

    @Test func createdSilenceIsAnnounced() {
        let html = Self.page([], created: "7f1c").render()
        #expect(
            html.contains("<p id=\"silence-result\" class=\"banner info\" role=\"status\" data-silence-id=\"7f1c\">"))
    }

    @Test func formErrorKeepsValuesAndPointsAtThePosition() {
        let text = "alertname=\"GPULost\", 9bad=\"x\""
        let form = AlertsPage.SilenceForm(
            matchers: text, duration: "2h", createdBy: "ops", comment: "keep me",
            error: AlertsPage.FormError(field: "matchers", message: "bad matcher format: 9bad=\"x\"", position: 21))
        let html = Self.page([], form: form).render()
        #expect(
            html.contains(
                "id=\"silence-error\" class=\"banner error\" role=\"alert\" data-field=\"matchers\" data-position=\"21\""
            ))
        #expect(html.contains("<input name=\"matchers\" value=\"alertname=&quot;GPULost&quot;, 9bad=&quot;x&quot;\""))
        #expect(html.contains("aria-invalid=\"true\""))
        #expect(html.contains("value=\"keep me\""))
        #expect(html.contains("\n" + String(repeating: " ", count: 21) + "^</pre>"))
    }

    @Test(
        arguments: [
            (0, "0s"), (999, "0s"), (45_000, "45s"), (60_000, "1m"), (12 * 60_000 + 5_000, "12m5s"),
            (3_600_000, "1h"), (3 * 3_600_000 + 12 * 60_000 + 9_000, "3h12m"), (2 * 86_400_000 + 3 * 3_600_000, "2d3h"),
            (-5_000, "0s"),
        ] as [(Int64, String)])
    func ages(milliseconds: Int64, text: String) {
        #expect(AlertsPage.age(milliseconds: milliseconds) == text)
    }

    @Test func matcherTextQuotesValues() {
        #expect(
            AlertsPage.matcherText(["a": "x\"y", "b": "back\\slash", "c": "two\nlines"])
                == #"a="x\"y", b="back\\slash", c="two\nlines""#)
    }
}
