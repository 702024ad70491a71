import Foundation
import Testing
import VigilTestSupport

/// Alerting as a user drives it: `vigil check rules` and `vigil test rules` on files, a server whose
/// rules fire, Alertmanager's own `amtool` against its API v2, and `vigil alerts` showing the silence.
@Suite struct AlertingCommandTests {
    static func workDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-alerting-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static let rules = """
        groups:
          - name: always
            interval: 1s
            rules:
              - alert: AlwaysFiring
                expr: vector(1)
                labels: {severity: info}
                annotations: {summary: "fires on every evaluation", runbook: "Nothing to do: it proves the pipeline."}
        """

    @Test func checkAndTestRulesSayWhatIsWrongAndWhere() throws {
        let work = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let good = work.appendingPathComponent("good.yml")
        try Self.rules.write(to: good, atomically: true, encoding: .utf8)
        let bad = work.appendingPathComponent("bad.yml")
        try "groups:\n  - name: g\n    rules:\n      - alert: Broken\n        expr: sum(\n".write(
            to: bad, atomically: true, encoding: .utf8)
        let ok = try ExternalTools.run(ExternalTools.vigilBinary, ["check", "rules", good.path])
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.output.contains("SUCCESS: 1 rules found"), "\(ok.output)")
        let failed = try ExternalTools.run(ExternalTools.vigilBinary, ["check", "rules", bad.path])
        #expect(failed.status == 1)
        #expect(failed.output.contains("FAILED"), "\(failed.output)")
        #expect(failed.output.contains("Broken"), "\(failed.output)")

        let test = work.appendingPathComponent("good_test.yml")
        try """
        rule_files: [good.yml]
        evaluation_interval: 1s
        tests:
          - interval: 1s
            input_series: []
            alert_rule_test:
              - eval_time: 2s
                alertname: AlwaysFiring
                exp_alerts:
                  - exp_labels: {severity: info}
                    exp_annotations: {summary: "fires on every evaluation", runbook: "Nothing to do: it proves the pipeline."}
        """.write(to: test, atomically: true, encoding: .utf8)
        let passed = try ExternalTools.run(ExternalTools.vigilBinary, ["test", "rules", test.path])
        #expect(passed.status == 0, "\(passed.output)")
        #expect(passed.output.contains("SUCCESS"), "\(passed.output)")
    }

    @Test func checkConfigChecksItsRuleFilesAndCheckAlertmanagerItsFile() throws {
        let work = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try "groups:\n  - name: g\n    rules:\n      - record: 'bad name'\n        expr: up\n".write(
            to: work.appendingPathComponent("bad.rules.yml"), atomically: true, encoding: .utf8)
        let config = work.appendingPathComponent("vigil.yml")
        try "rule_files: ['*.rules.yml']\n".write(to: config, atomically: true, encoding: .utf8)
        let checked = try ExternalTools.run(ExternalTools.vigilBinary, ["check", "config", config.path])
        #expect(checked.status == 1, "\(checked.output)")
        #expect(checked.output.contains("bad.rules.yml"), "\(checked.output)")

        let alertmanager = work.appendingPathComponent("alertmanager.yml")
        try
            "route:\n  receiver: pager\nreceivers:\n  - name: pager\n    webhook_configs: [{url: 'http://127.0.0.1:1/'}]\n"
            .write(to: alertmanager, atomically: true, encoding: .utf8)
        let good = try ExternalTools.run(ExternalTools.vigilBinary, ["check", "alertmanager", alertmanager.path])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("SUCCESS: 1 receiver(s)"), "\(good.output)")
        try "route:\n  receiver: nobody\nreceivers:\n  - name: pager\n".write(
            to: alertmanager, atomically: true, encoding: .utf8)
        let bad = try ExternalTools.run(ExternalTools.vigilBinary, ["check", "alertmanager", alertmanager.path])
        #expect(bad.status == 1, "\(bad.output)")
        #expect(bad.output.contains("nobody"), "\(bad.output)")
    }

    @Test(
        .enabled(
            if: ExternalTools.shouldRun("amtool"), "amtool is not installed (apt-get install prometheus-alertmanager)"))
    func amtoolSilencesAnAlertAndVigilAlertsShowsIt() async throws {
        let amtool = try #require(ExternalTools.path(of: "amtool"), "amtool must be installed in CI")
        let work = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try Self.rules.write(to: work.appendingPathComponent("always.yml"), atomically: true, encoding: .utf8)
        try "global:\n  evaluation_interval: 1s\nrule_files: [always.yml]\n".write(
            to: work.appendingPathComponent("vigil.yml"), atomically: true, encoding: .utf8)
        let port = ExternalTools.freePort()
        let base = "http://127.0.0.1:\(port)"
        let server = try ChildProcess(
            ExternalTools.vigilBinary,
            [
                "server", "--no-local-agent", "--config", work.appendingPathComponent("vigil.yml").path,
                "--data-dir", work.appendingPathComponent("data").path, "--listen", "127.0.0.1:\(port)",
            ])
        defer { server.stop() }
        try await server.waitForHTTP(base + "/-/ready")

        // The rule fires within a second or two and reaches the built-in notifier.
        var query = (status: Int32(0), output: "")
        for _ in 0..<100 {
            query = try ExternalTools.run(
                amtool, ["--alertmanager.url=\(base)", "alert", "query", "alertname=AlwaysFiring"])
            if query.output.contains("AlwaysFiring") { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(query.status == 0, "\(query.output)")
        #expect(query.output.contains("AlwaysFiring"), "amtool alert query:\n\(query.output)\n\(server.log)")

        let added = try ExternalTools.run(
            amtool,
            [
                "--alertmanager.url=\(base)", "silence", "add", "alertname=AlwaysFiring", "--comment=proving amtool",
                "--duration=1h", "--author=ci",
            ])
        #expect(added.status == 0, "\(added.output)")
        let silenceID = added.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!silenceID.isEmpty)
        let silences = try ExternalTools.run(amtool, ["--alertmanager.url=\(base)", "silence", "query", "-q"])
        #expect(silences.output.contains(silenceID), "\(silences.output)")

        let alerts = try ExternalTools.run(ExternalTools.vigilBinary, ["alerts", "--server", base])
        #expect(alerts.status == 0, "\(alerts.output)")
        #expect(alerts.output.contains("AlwaysFiring"), "\(alerts.output)")
        #expect(alerts.output.contains("silenced by \(silenceID)"), "\(alerts.output)")
        #expect(alerts.output.contains("runbook: Nothing to do: it proves the pipeline."), "\(alerts.output)")

        let expired = try ExternalTools.run(amtool, ["--alertmanager.url=\(base)", "silence", "expire", silenceID])
        #expect(expired.status == 0, "\(expired.output)")
    }
}
