import Foundation
import Testing
import VigilTestSupport

/// `vigil server`'s built-in notifier against Alertmanager 0.25: the scripted alert stream of
/// ../shared/conformance/alertmanager, replayed in real time by its own `send_alerts.py` into
/// `/api/v2/alerts`, must produce the same notifications (normalised by `webhook_receiver.py`) as the
/// reference Alertmanager recorded for the same routing configuration.
@Suite struct NotifierConformanceTests {
    static let conformance = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/conformance/alertmanager")

    static var available: Bool {
        guard FileManager.default.fileExists(atPath: conformance.path) else {
            print("NotifierConformanceTests skipped: ../shared/conformance/alertmanager is absent")
            return false
        }
        guard ExternalTools.shouldRun("python3") else {
            print("NotifierConformanceTests skipped: python3 is not installed (CI installs it)")
            return false
        }
        return true
    }

    @Test(.enabled(if: available), .timeLimit(.minutes(3)))
    func theDefaultScenarioNotifiesAsAlertmanagerDoes() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-am-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        // The reference configuration, with the webhook receiver on a free port instead of 5001.
        let receiverPort = ExternalTools.freePort()
        let config = try String(
            contentsOf: Self.conformance.appendingPathComponent("alertmanager.yml"), encoding: .utf8
        )
        .replacingOccurrences(of: "127.0.0.1:5001", with: "127.0.0.1:\(receiverPort)")
        let configPath = work.appendingPathComponent("alertmanager.yml").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)

        let python = ExternalTools.path(of: "python3") ?? "/usr/bin/python3"
        let recorded = work.appendingPathComponent("vigil.jsonl").path
        let receiver = try ChildProcess(
            python,
            [
                Self.conformance.appendingPathComponent("webhook_receiver.py").path, "--port", "\(receiverPort)",
                "--out", recorded, "--raw", "--tag", "vigil",
            ])
        defer { receiver.stop() }
        _ = try await receiver.waitForLog(containing: "listening on")

        let port = ExternalTools.freePort()
        let server = try ChildProcess(
            ExternalTools.vigilBinary,
            [
                "server", "--no-local-agent", "--no-builtin-rules", "--alertmanager-config", configPath,
                "--data-dir", work.appendingPathComponent("data").path, "--listen", "127.0.0.1:\(port)",
            ])
        defer { server.stop() }
        try await server.waitForHTTP("http://127.0.0.1:\(port)/-/ready")

        // The replay takes its scenario's 45 s; poll it rather than block a test thread.
        let replay = try ChildProcess(
            python,
            [Self.conformance.appendingPathComponent("send_alerts.py").path, "--am", "http://127.0.0.1:\(port)"])
        defer { replay.stop() }
        while replay.process.isRunning { try await Task.sleep(for: .milliseconds(250)) }
        #expect(replay.process.terminationStatus == 0, "\(replay.log)")
        // As run_reference.sh: let the last group_interval flush the resolved notifications.
        try await Task.sleep(for: .seconds(8))

        let normalized = try ExternalTools.run(
            python, [Self.conformance.appendingPathComponent("webhook_receiver.py").path, "--normalize", recorded])
        let reference = try String(
            contentsOf: Self.conformance.appendingPathComponent("am0.25-run-default-scenario.normalized.txt"),
            encoding: .utf8)
        #expect(
            normalized.output == reference,
            "notifications differ from Alertmanager 0.25's:\n\(normalized.output)\nserver log:\n\(server.log)")
    }
}
