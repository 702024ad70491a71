import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import VigilAlerting
import VigilModel
import VigilRules
import VigilServer
import VigilUI

/// The alerts page served in-process: the rule manager's alerts over an in-memory storage, and a real
/// ``AlertmanagerAPI`` (dispatcher with inhibition, in-memory silences, a clock that stands still) behind
/// both the page and `/api/v2`.
@Suite struct DashboardAlertsTests {
    static let hostile = "<script>alert(1)</script>"
    static let now = Date(timeIntervalSince1970: Double(APIFixture.now) / 1000)

    static let rules = """
        groups:
          - name: gpus
            rules:
              - alert: GPULost
                expr: vigil_gpu_lost == 1
                labels: {severity: page}
                annotations:
                  summary: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} fell off the bus"
                  runbook_url: https://runbooks.example/gpu-lost
              - alert: GPUHot
                expr: DCGM_FI_DEV_GPU_TEMP > 85
                for: 5m
                labels: {severity: warning}
                annotations:
                  runbook_url: "javascript:alert(1)"
        """

    static let alertmanagerConfig = """
        route:
          receiver: default
        receivers:
          - name: default
        inhibit_rules:
          - source_matchers: ['severity="page"']
            target_matchers: ['severity="warning"']
            equal: [Hostname]
        """

    /// node-1's GPU 2 is lost (GPULost fires) and its GPU 3 is hot (GPUHot pending); the hostile node's GPU 0
    /// is lost too. The Alertmanager holds GPULost and a firing GPUHot for node-1, which the first inhibits.
    static func fixture() throws -> APIFixture {
        var fixture = APIFixture()
        let times = stride(from: APIFixture.now - 600_000, through: APIFixture.now, by: 15_000).map { $0 }
        for (node, gpu) in [("node-1", "2"), (hostile, "0")] {
            try fixture.add(
                ["__name__": "vigil_gpu_lost", "Hostname": node, "gpu": gpu, "job": "demo"], times.map { ($0, 1) })
        }
        try fixture.add(
            ["__name__": "DCGM_FI_DEV_GPU_TEMP", "Hostname": "node-1", "gpu": "3", "job": "demo"],
            times.map { ($0, 91) })
        let file = try #require(RuleFile.parse(rules, path: "/etc/vigil/gpus.yml").file)
        var group = try RuleGroup(file.groups[0], file: file.path)
        _ = group.evaluate(at: APIFixture.now, on: fixture.storage, appendingTo: fixture.storage)
        let snapshot = group.snapshot
        fixture.api.ruleGroups = { [snapshot] }
        return fixture
    }

    static func alertmanager() async throws -> AlertmanagerAPI {
        let dispatcher = AlertDispatcher(
            configuration: try AlertmanagerConfiguration.parse(yaml: alertmanagerConfig),
            integrations: { _ in [] }, clock: ManualAlertingClock(now: now), jitter: { 0 })
        await dispatcher.put([
            VigilAlerting.Alert(
                labels: ["alertname": "GPULost", "severity": "page", "Hostname": "node-1", "gpu": "2", "job": "demo"],
                startsAt: now, endsAt: now + 3600, updatedAt: now),
            VigilAlerting.Alert(
                labels: [
                    "alertname": "GPUHot", "severity": "warning", "Hostname": "node-1", "gpu": "3", "job": "demo",
                ],
                startsAt: now, endsAt: now + 3600, updatedAt: now),
        ])
        return AlertmanagerAPI(dispatcher: dispatcher, startedAt: now)
    }

    static func app(alertmanager: AlertmanagerAPI?) throws -> some ApplicationProtocol {
        buildServerApplication(
            api: try fixture().api, alertmanager: alertmanager,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// The silences `GET /api/v2/silences` lists, by id.
    static func apiSilences(_ client: some TestClientProtocol) async throws -> [String: [String: Any]] {
        let answer = try await client.get("/api/v2/silences")
        #expect(answer.status == .ok)
        let list = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [[String: Any]] ?? []
        var byID: [String: [String: Any]] = [:]
        for silence in list { byID[silence["id"] as? String ?? ""] = silence }
        return byID
    }

    static func form(_ fields: [(String, String)]) -> String {
        fields.map { "\($0.0)=\(encode($0.1))" }.joined(separator: "&")
    }

    @Test func pageShowsFiringAndPendingAlertsEscaped() async throws {
        try await Self.app(alertmanager: Self.alertmanager()).test(.router) { client in
            let page = try await client.get("/ui/alerts")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.init("Server-Timing")!]?.hasPrefix("render;dur=") == true)
            let html = page.body
            #expect(html.contains("<main id=\"alerts\">"))
            #expect(html.contains("data-firing=\"2\" data-pending=\"1\""))
            #expect(html.contains("<p class=\"annotation summary\">GPU 2 on node-1 fell off the bus</p>"))
            #expect(html.contains("<a href=\"https://runbooks.example/gpu-lost\""))
            #expect(html.contains("<span class=\"runbook-text\">javascript:alert(1)</span>"))
            #expect(!html.contains("href=\"javascript:"))
            #expect(!html.contains("<script>alert(1)"))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; fell off the bus"))
            let page1 = try #require(html.range(of: "data-severity=\"page\""))
            let warning = try #require(html.range(of: "data-severity=\"warning\""))
            #expect(page1.lowerBound < warning.lowerBound)
        }
    }

    @Test func inhibitedAlertIsShownWithTheInhibitingAlert() async throws {
        let alertmanager = try await Self.alertmanager()
        let gpuLost: Labels = [
            "alertname": "GPULost", "severity": "page", "Hostname": "node-1", "gpu": "2", "job": "demo",
        ]
        try await Self.app(alertmanager: alertmanager).test(.router) { client in
            let html = try await client.get("/ui/alerts").body
            let section = try #require(html.range(of: "<section id=\"inhibited\""))
            let row = try #require(html.range(of: "<tr class=\"inhibited-alert\" data-alertname=\"GPUHot\">"))
            #expect(section.lowerBound < row.lowerBound)
            let fingerprint = gpuLost.alertFingerprint.fingerprintString
            #expect(html.contains("data-fingerprint=\"\(fingerprint)\"><strong>GPULost</strong>"))
            // The rule manager's pending GPUHot has the same labels: its row says what will inhibit it once it fires.
            #expect(
                html.contains("<p class=\"inhibited\" data-inhibited-by=\"\(fingerprint)\">once firing, inhibited by"))
        }
    }

    @Test func silenceCreatedByTheFormPostAppearsInTheAPIAndCanBeExpired() async throws {
        try await Self.app(alertmanager: Self.alertmanager()).test(.router) { client in
            let created = try await client.postForm(
                "/ui/alerts/silences",
                Self.form([
                    ("matchers", #"alertname="GPULost", Hostname=~"node-[12]""#), ("duration", "2h"),
                    ("startsAt", ""), ("createdBy", "ops@example.com"), ("comment", "swapping the GPU " + Self.hostile),
                ]))
            #expect(created.status == .seeOther, "\(created.body)")
            let location = try #require(created.headers[.location])
            #expect(location.hasPrefix("/ui/alerts?created="))
            let id = String(location.dropFirst("/ui/alerts?created=".count))

            let silence = try #require(try await Self.apiSilences(client)[id])
            #expect((silence["status"] as? [String: Any])?["state"] as? String == "active")
            #expect(silence["createdBy"] as? String == "ops@example.com")
            #expect(silence["endsAt"] as? String == "2023-11-15T00:13:20.000Z")
            let matchers = silence["matchers"] as? [[String: Any]] ?? []
            #expect(matchers.count == 2)
            #expect(matchers.contains { $0["name"] as? String == "Hostname" && $0["isRegex"] as? Bool == true })

            let page = try await client.get(location).body
            #expect(
                page.contains(
                    "<p id=\"silence-result\" class=\"banner info\" role=\"status\" data-silence-id=\"\(id)\">"))
            #expect(
                page.contains(
                    "<tr class=\"silence\" id=\"silence-\(id)\" data-silence-id=\"\(id)\" data-state=\"active\">"))
            #expect(page.contains("swapping the GPU &lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!page.contains("<script>alert(1)"))
            #expect(page.contains("<p class=\"silenced\" data-silenced-by=\"\(id)\">"))

            let expired = try await client.execute(uri: "/ui/alerts/silences/\(id)/expire", method: .post) { $0 }
            #expect(expired.status == .seeOther)
            #expect(expired.headers[.location] == "/ui/alerts?expired=\(id)")
            let after = try #require(try await Self.apiSilences(client)[id])
            #expect((after["status"] as? [String: Any])?["state"] as? String == "expired")
            let pageAfter = try await client.get("/ui/alerts?expired=\(id)").body
            #expect(pageAfter.contains("<tr class=\"expired-silence\" id=\"silence-\(id)\""))
            #expect(!pageAfter.contains("data-silenced-by=\"\(id)\""))

            let again = try await client.execute(uri: "/ui/alerts/silences/\(id)/expire", method: .post) { $0 }
            #expect(again.status == .badRequest)
            let unknown = try await client.execute(uri: "/ui/alerts/silences/nope/expire", method: .post) { $0 }
            #expect(unknown.status == .notFound)
        }
    }

    @Test func silenceCreatedThroughTheAPIIsListedOnThePage() async throws {
        try await Self.app(alertmanager: Self.alertmanager()).test(.router) { client in
            let body = #"""
                {"matchers":[{"name":"alertname","value":"GPUHot","isRegex":false,"isEqual":true}],
                 "startsAt":"2023-11-14T22:13:20Z","endsAt":"2023-11-14T23:13:20Z","createdBy":"script","comment":"js"}
                """#
            let answer = try await client.execute(
                uri: "/api/v2/silences", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: body)
            ) { APIAnswer(status: $0.status, headers: $0.headers, body: String(buffer: $0.body)) }
            #expect(answer.status == .ok)
            let id = try #require(answer.json["silenceID"] as? String)
            let html = try await client.get("/ui/alerts").body
            #expect(html.contains("data-silence-id=\"\(id)\""))
            #expect(html.contains("<code class=\"matcher\">alertname=&quot;GPUHot&quot;</code>"))
        }
    }

    @Test(arguments: [
        (#"alertname="GPULost", 9bad="x""#, 21),
        (#"{alertname="GPULost",Hostname=~"a"b"}"#, 21),
        ("alertname", 0),
        ("", 0),
        (#"  a="1",  ="2""#, 10),
    ])
    func badMatchersShowTheFormAgainWithThePosition(matchers: String, position: Int) async throws {
        let alertmanager = try await Self.alertmanager()
        try await Self.app(alertmanager: alertmanager).test(.router) { client in
            let answer = try await client.postForm(
                "/ui/alerts/silences",
                Self.form([
                    ("matchers", matchers), ("duration", "2h"), ("createdBy", "ops"),
                    ("comment", "kept " + Self.hostile),
                ]))
            #expect(answer.status == .badRequest)
            #expect(answer.body.contains("data-field=\"matchers\" data-position=\"\(position)\""), "\(answer.body)")
            #expect(answer.body.contains("<input name=\"matchers\" value=\"\(HTMLPage.escape(matchers))\""))
            #expect(answer.body.contains("value=\"kept &lt;script&gt;alert(1)&lt;/script&gt;\""))
            #expect(answer.body.contains("<main id=\"alerts\">"))
            // Reloading that answer's URL (a GET) goes back to the page.
            let reload = try await client.get("/ui/alerts/silences")
            #expect(reload.status == .seeOther)
            #expect(reload.headers[.location] == "/ui/alerts")
        }
        #expect(await alertmanager.dispatcher.silences.byID.isEmpty)
    }

    @Test(arguments: [
        ("duration", "2 hours", "duration"), ("duration", "0s", "duration"), ("duration", "", "duration"),
        ("startsAt", "tomorrow", "startsAt"), ("createdBy", " ", "createdBy"),
    ])
    func badFieldsAreNamed(field: String, value: String, named: String) async throws {
        var fields = ["matchers": #"alertname="GPULost""#, "duration": "2h", "createdBy": "ops", "comment": "c"]
        fields[field] = value
        let body = Self.form(fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        try await Self.app(alertmanager: Self.alertmanager()).test(.router) { client in
            let answer = try await client.postForm("/ui/alerts/silences", body)
            #expect(answer.status == .badRequest)
            #expect(answer.body.contains("data-field=\"\(named)\""), "\(answer.body)")
            #expect(answer.body.contains("<p>\(named): "))
        }
    }

    @Test func matchersThatOnlyMatchEmptyAreRefusedByTheAlertmanager() async throws {
        try await Self.app(alertmanager: Self.alertmanager()).test(.router) { client in
            let answer = try await client.postForm(
                "/ui/alerts/silences", Self.form([("matchers", #"foo="""#), ("duration", "1h"), ("createdBy", "ops")]))
            #expect(answer.status == .badRequest)
            #expect(answer.body.contains("at least one matcher must not match the empty string"))
        }
    }

    @Test func filtersComeFromTheURL() async throws {
        try await Self.app(alertmanager: Self.alertmanager()).test(.router) { client in
            let lost = try await client.get("/ui/alerts?filter=" + encode(#"{alertname="GPULost"}"#)).body
            #expect(lost.contains("data-alertname=\"GPULost\""))
            #expect(!lost.contains("<tr class=\"alert pending\""))
            let pending = try await client.get("/ui/alerts?state=pending").body
            #expect(pending.contains("<tr class=\"alert pending\" data-state=\"pending\" data-alertname=\"GPUHot\""))
            #expect(!pending.contains("<tr class=\"alert firing\""))
            let page = try await client.get("/ui/alerts?severity=page").body
            #expect(!page.contains("data-severity=\"warning\""))

            let bad = try await client.get("/ui/alerts?filter=" + encode(#"{alertname="GPULost",="x"}"#))
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains("does not parse at position 21"))
            let badState = try await client.get("/ui/alerts?state=resolved")
            #expect(badState.status == .badRequest)
            #expect(badState.body.contains("not an alert state"))
        }
    }

    @Test func silenceLinkPrefillsTheForm() async throws {
        try await Self.app(alertmanager: Self.alertmanager()).test(.router) { client in
            let html = try await client.get("/ui/alerts?silence=" + encode(#"alertname="GPULost", x="<b>""#)).body
            #expect(
                html.contains(
                    "<input name=\"matchers\" value=\"alertname=&quot;GPULost&quot;, x=&quot;&lt;b&gt;&quot;\""))
        }
    }

    @Test func withoutAlertmanagerAlertsStayAndSilencesSaySo() async throws {
        try await Self.app(alertmanager: nil).test(.router) { client in
            let page = try await client.get("/ui/alerts")
            #expect(page.status == .ok)
            #expect(page.body.contains("id=\"no-alertmanager\""))
            #expect(page.body.contains("data-alertname=\"GPULost\""))
            let post = try await client.postForm("/ui/alerts/silences", "matchers=a%3D%22b%22&duration=1h&createdBy=x")
            #expect(post.status == .notFound)
            #expect(post.body.contains("no Alertmanager configured"))
        }
    }
}
