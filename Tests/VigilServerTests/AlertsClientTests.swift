import Testing

@testable import VigilServer

/// `vigil alerts`: the rule side joined with the notifier side, and the table a person reads.
@Suite struct AlertsClientTests {
    static let ruleSide = Array(
        #"""
        {"status":"success","data":{"alerts":[
         {"labels":{"alertname":"GpuXidReboot","gpu":"3","instance":"n1","severity":"page"},
          "annotations":{"summary":"XID 79 on n1 GPU 3","runbook":"Drain n1 and reboot it."},
          "state":"firing","activeAt":"2026-11-29T23:01:12Z","value":"7.9e+01"},
         {"labels":{"alertname":"GpuHot","gpu":"1","instance":"n2","severity":"ticket"},
          "annotations":{"summary":"GPU 1 on n2 at 91 °C"},
          "state":"pending","activeAt":"2026-11-29T23:10:00Z","value":"9.1e+01"}]}}
        """#.utf8)
    static let notifierSide = Array(
        #"""
        [{"labels":{"alertname":"GpuXidReboot","gpu":"3","instance":"n1","severity":"page","cluster":"c1"},
          "annotations":{},"startsAt":"2026-11-29T23:02:12Z",
          "status":{"state":"suppressed","silencedBy":["5f1c"],"inhibitedBy":[]}},
         {"labels":{"alertname":"Raw","severity":"info"},"annotations":{"summary":"posted"},
          "startsAt":"2026-11-29T22:00:00Z","status":{"state":"active","silencedBy":[],"inhibitedBy":["aa55"]}}]
        """#.utf8)

    @Test func joinsTheRuleAndNotifierSides() throws {
        let rules = try AlertsClient.ruleAlerts(Self.ruleSide)
        let notifier = try #require(AlertsClient.notifierAlerts(Self.notifierSide))
        let joined = AlertsClient.join(ruleSide: rules, notifierSide: notifier)
        #expect(joined.map(\.name) == ["GpuXidReboot", "GpuHot", "Raw"])
        #expect(joined[0].silencedBy == ["5f1c"])
        #expect(joined[0].runbook == "Drain n1 and reboot it.")
        #expect(joined[1].silencedBy.isEmpty && joined[1].state == "pending")
        #expect(joined[2].state == "received" && joined[2].inhibitedBy == ["aa55"])
        let table = AlertsClient.table(joined)
        #expect(table.contains("silenced by 5f1c"))
        #expect(table.contains("    runbook: Drain n1 and reboot it."))
        #expect(table.split(separator: "\n").first?.hasPrefix("STATE") == true)
    }

    @Test func aBodyThatIsNotPrometheusesIsAnError() {
        #expect(throws: APIError.self) { try AlertsClient.ruleAlerts(Array("<html>".utf8)) }
        #expect(AlertsClient.notifierAlerts(Array("{}".utf8)) == nil)
        #expect(AlertsClient.table([]) == "no alerts\n")
    }
}
