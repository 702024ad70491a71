import Foundation
import Testing
import VigilAlerting
import VigilModel

/// Replays send_alerts.py's DEFAULT scenario through the API and the dispatcher on a manual clock and
/// compares what the webhooks receive with Alertmanager 0.25's normalised output.
@Suite struct AlertmanagerConformanceTests {
    struct Event {
        var t: Int
        var fire: Bool
        var labels: [String: String]
        var summary: String = ""
    }

    static let events: [Event] = [
        Event(
            t: 0, fire: true,
            labels: [
                "alertname": "GpuHot", "cluster": "c1", "instance": "n1", "gpu": "0", "severity": "warning",
                "team": "gpu",
            ], summary: "GPU 0 on n1 hot"),
        Event(
            t: 0, fire: true,
            labels: [
                "alertname": "GpuHot", "cluster": "c1", "instance": "n2", "gpu": "3", "severity": "warning",
                "team": "gpu",
            ], summary: "GPU 3 on n2 hot"),
        Event(
            t: 1, fire: true,
            labels: ["alertname": "NodeDown", "cluster": "c1", "instance": "n1", "severity": "critical"],
            summary: "n1 down"),
        Event(
            t: 8, fire: true,
            labels: [
                "alertname": "XidError", "cluster": "c1", "instance": "n3", "gpu": "1", "severity": "warning",
                "team": "gpu",
            ], summary: "Xid 79 on n3/gpu1"),
        Event(
            t: 20, fire: false,
            labels: ["alertname": "NodeDown", "cluster": "c1", "instance": "n1", "severity": "critical"]),
        Event(
            t: 30, fire: false,
            labels: [
                "alertname": "GpuHot", "cluster": "c1", "instance": "n2", "gpu": "3", "severity": "warning",
                "team": "gpu",
            ]),
    ]

    @Test func defaultScenarioMatchesAlertmanager025() async throws {
        guard let shared = sharedDirectory() else {
            print("skipped: ../shared/conformance/alertmanager is absent")
            return
        }
        let directory = shared.appendingPathComponent("conformance/alertmanager")
        let configText = try String(contentsOf: directory.appendingPathComponent("alertmanager.yml"), encoding: .utf8)
        let expected = try String(
            contentsOf: directory.appendingPathComponent("am0.25-run-default-scenario.normalized.txt"), encoding: .utf8)
        let config = try AlertmanagerConfiguration.parse(yaml: configText)
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let clock = ManualAlertingClock(now: start)
        let recorder = RecordingNotifier()
        let dispatcher = AlertDispatcher(
            configuration: config, integrations: webhookFactory(recorder), clock: clock, jitter: { 0 })
        let api = AlertmanagerAPI(dispatcher: dispatcher, startedAt: start)

        var active: [[String: String]: (summary: String, startsAt: Date)] = [:]
        var resolved: [[String: String]: (summary: String, startsAt: Date, resolvedAt: Date)] = [:]
        var pending = Self.events
        for second in 0...53 {
            let now = start + TimeInterval(second)
            clock.advance(to: now)
            // Group timers fire before the sender's post of the same second (the sender drifts later).
            await dispatcher.flushDue(now: now)
            guard second < 45 else { continue }
            while let event = pending.first, event.t <= second {
                pending.removeFirst()
                if event.fire {
                    active[event.labels] = (event.summary, now)
                    resolved[event.labels] = nil
                } else if let alert = active.removeValue(forKey: event.labels) {
                    resolved[event.labels] = (alert.summary, alert.startsAt, now)
                }
            }
            var batch: [[String: Any]] = []
            for (labels, alert) in active {
                batch.append([
                    "labels": labels, "annotations": ["summary": alert.summary],
                    "startsAt": iso(alert.startsAt), "endsAt": iso(now + 4),
                    "generatorURL": "http://127.0.0.1:9090/graph",
                ])
            }
            for (labels, alert) in resolved {
                if now.timeIntervalSince(alert.resolvedAt) > 10 {
                    resolved[labels] = nil
                    continue
                }
                batch.append([
                    "labels": labels, "annotations": ["summary": alert.summary],
                    "startsAt": iso(alert.startsAt), "endsAt": iso(alert.resolvedAt),
                    "generatorURL": "http://127.0.0.1:9090/graph",
                ])
            }
            if !batch.isEmpty {
                let response = await api.handle(
                    method: "POST", path: "/alerts", query: [],
                    body: try JSONSerialization.data(withJSONObject: batch))
                #expect(response.status == 200)
            }
        }
        let got = normalize(recorder.notifications)
        #expect(got == expected, "\n--- got\n\(got)\n--- expected\n\(expected)")
    }

    private func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
