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

/// `/api/v1/rules` and `/api/v1/alerts` in Prometheus's shapes, and Alertmanager's API v2 served by the
/// same application.
@Suite struct RulesAPITests {
    static let rules = """
        groups:
          - name: availability
            interval: 15s
            rules:
              - record: job:up:sum
                expr: sum by (job) (up)
              - alert: TargetDown
                expr: up == 0
                for: 0s
                labels: {severity: page}
                annotations: {summary: "{{ $labels.instance }} is down", runbook: "Check the exporter."}
        """

    /// The fixture's series, with the group evaluated once at the fixture's now.
    static func fixture() throws -> (APIFixture, RuleGroup) {
        let fixture = APIFixture()
        try fixture.addStandardSeries()
        let file = try #require(RuleFile.parse(rules, path: "/etc/vigil/rules.yml").file)
        var group = try RuleGroup(file.groups[0], file: file.path)
        _ = group.evaluate(at: APIFixture.now, on: fixture.storage, appendingTo: fixture.storage)
        return (fixture, group)
    }

    @Test func rulesAndAlertsHavePrometheusShapes() async throws {
        var (fixture, group) = try Self.fixture()
        let snapshot = group.snapshot
        fixture.api.ruleGroups = { [snapshot] }
        try await fixture.app.test(.router) { client in
            let alerts = try await client.get("/api/v1/alerts")
            #expect(alerts.status == .ok)
            #expect(
                alerts.body
                    == #"{"status":"success","data":{"alerts":[{"labels":{"alertname":"TargetDown","instance":"b:9100","job":"node","severity":"page"},"annotations":{"runbook":"Check the exporter.","summary":"b:9100 is down"},"state":"firing","activeAt":"2023-11-14T22:13:20Z","value":"0e+00"}]}}"#
            )

            let rules = try await client.get("/api/v1/rules")
            let data = try #require(rules.data as? [String: Any])
            let groups = try #require(data["groups"] as? [[String: Any]])
            #expect(groups.count == 1)
            #expect(groups[0]["name"] as? String == "availability")
            #expect(groups[0]["file"] as? String == "/etc/vigil/rules.yml")
            #expect(groups[0]["interval"] as? Double == 15)
            let list = try #require(groups[0]["rules"] as? [[String: Any]])
            #expect(list.map { $0["type"] as? String } == ["recording", "alerting"])
            #expect(list[0]["query"] as? String == "sum by (job) (up)")
            #expect(list[0]["health"] as? String == "ok")
            #expect(list[1]["state"] as? String == "firing")
            #expect(list[1]["duration"] as? Double == 0)
            #expect((list[1]["alerts"] as? [Any])?.count == 1)

            let recordOnly = try await client.get("/api/v1/rules?type=record")
            let recordGroups = (recordOnly.data as? [String: Any])?["groups"] as? [[String: Any]]
            #expect((recordGroups?.first?["rules"] as? [Any])?.count == 1)
            let withoutAlerts = try await client.get("/api/v1/rules?exclude_alerts=true")
            #expect(!withoutAlerts.body.contains(#""alerts""#))

            let bad = try await client.get("/api/v1/rules?type=both")
            #expect(bad.status == .badRequest)
            #expect(bad.errorType == "bad_data")
        }
    }

    @Test func alertmanagerAPIv2IsServedBesideThePrometheusAPI() async throws {
        let fixture = APIFixture()
        let config = try AlertmanagerConfiguration.parse(yaml: "route: {receiver: r}\nreceivers: [{name: r}]\n")
        let dispatcher = AlertDispatcher(configuration: config, integrations: { _ in [] })
        let app = buildServerApplication(
            api: fixture.api, alertmanager: AlertmanagerAPI(dispatcher: dispatcher, startedAt: Date()),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await app.test(.router) { client in
            let posted = try await client.execute(
                uri: "/api/v2/alerts", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(
                    string: #"[{"labels":{"alertname":"GpuHot","gpu":"1"},"annotations":{"summary":"hot"}}]"#)
            ) { $0.status }
            #expect(posted == .ok)
            let listed = try await client.get("/api/v2/alerts")
            let alerts = try #require(
                try JSONSerialization.jsonObject(with: Data(listed.body.utf8)) as? [[String: Any]])
            #expect((alerts.first?["labels"] as? [String: String])?["alertname"] == "GpuHot")

            // A silence whose matchers all match the empty string is refused, as Alertmanager refuses it.
            let silence = try await client.execute(
                uri: "/api/v2/silences", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(
                    string:
                        #"{"matchers":[{"name":"gpu","value":".*","isRegex":true,"isEqual":true}],"startsAt":"2026-11-29T00:00:00Z","endsAt":"2026-11-30T00:00:00Z","createdBy":"t","comment":"c"}"#
                )
            ) { $0.status }
            #expect(silence == .badRequest)
            let status = try await client.get("/api/v2/status")
            #expect(status.status == .ok)
            #expect(status.body.contains(#""cluster""#))
        }
    }
}
