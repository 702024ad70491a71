import Foundation
import Synchronization
import Testing
import VigilAlerting
import VigilMeta
import VigilModel
import VigilServer

/// The notifier's state in the server's metadata database: after a restart (a new dispatcher over the
/// same `meta.sqlite`) a silence still mutes and a notification already sent is not sent again.
@Suite struct AlertingPersistenceTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    final class Recorder: Notifier {
        let received = Mutex<[NotificationData]>([])
        func notify(_ notification: NotificationData) async throws(NotifyError) {
            received.withLock { $0.append(notification) }
        }
        var alertnames: [[String]] {
            received.withLock { $0.map { $0.alerts.map { $0.labels["alertname"] ?? "" } } }
        }
    }

    static let config = """
        route:
          receiver: hooks
          group_by: [alertname]
          group_wait: 10s
          group_interval: 1m
          repeat_interval: 1h
        receivers:
          - name: hooks
            webhook_configs: [{url: "http://hooks.example/"}]
        """

    func dispatcher(_ path: String, _ recorder: Recorder) throws -> AlertDispatcher {
        let meta = try MetaDatabase(path: path)
        return AlertDispatcher(
            configuration: try AlertmanagerConfiguration.parse(yaml: Self.config),
            integrations: { _ in [Integration(name: "webhook", index: 0, sendResolved: true, notifier: recorder)] },
            clock: ManualAlertingClock(now: t0), silenceStore: MetaSilenceStore(database: meta),
            notificationLogStore: MetaNotificationLogStore(database: meta), jitter: { 0 })
    }

    var alerts: [VigilAlerting.Alert] {
        [
            Alert(labels: ["alertname": "GpuHot", "gpu": "1"], startsAt: t0, endsAt: t0 + 3600, updatedAt: t0),
            Alert(labels: ["alertname": "Maintenance", "gpu": "2"], startsAt: t0, endsAt: t0 + 3600, updatedAt: t0),
        ]
    }

    @Test func aRestartNeitherPagesTwiceNorForgetsASilence() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-meta-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("meta.sqlite").path

        let first = Recorder()
        let before = try dispatcher(path, first)
        try await before.loadState()
        let silenceID = try await before.setSilence(
            Silence(
                id: "", matchers: [try LabelMatcher(.equal, "alertname", "Maintenance")], startsAt: t0,
                endsAt: t0 + 7200,
                createdBy: "ops", comment: "node 2 in maintenance"))
        await before.put(alerts)
        await before.flushDue(now: t0 + 10)
        #expect(first.alertnames == [["GpuHot"]])

        // The restart: the same database, a new dispatcher, the same alerts re-sent by the rules.
        let second = Recorder()
        let after = try dispatcher(path, second)
        try await after.loadState()
        #expect(await after.silences[silenceID]?.comment == "node 2 in maintenance")
        await after.put(alerts)
        await after.flushDue(now: t0 + 10)
        await after.flushDue(now: t0 + 70)
        #expect(second.alertnames.isEmpty, "already notified within repeat_interval, or silenced")
        // Past repeat_interval the firing alert is sent again; the silenced one still is not.
        await after.flushDue(now: t0 + 3610)
        #expect(second.alertnames == [["GpuHot"]])
    }
}
