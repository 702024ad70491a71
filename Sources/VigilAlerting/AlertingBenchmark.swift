import Foundation
import VigilModel

/// A small benchmark (for `vigil bench`, not a test): `count` firing alerts over `nodes` nodes are posted,
/// routed and grouped, and the flush at `group_wait` computes every notification. Returns the time to
/// accept the alerts and the time from the group_wait tick until every notification is computed.
public enum AlertingBenchmark {
    struct NullNotifier: Notifier {
        func notify(_ notification: NotificationData) async throws(NotifyError) {}
    }

    public static func run(count: Int = 10_000, nodes: Int = 500) async throws -> (ingest: Duration, flush: Duration) {
        let config = try AlertmanagerConfiguration.parse(
            yaml: """
                route:
                  receiver: default
                  group_by: [alertname, cluster]
                  group_wait: 30s
                  routes:
                    - matchers: ['severity="critical"']
                      receiver: pager
                      continue: true
                    - matchers: ['team=~"gpu|infra"']
                      receiver: team
                      group_by: [alertname, instance]
                receivers:
                  - name: default
                    webhook_configs: [{url: 'http://127.0.0.1:1/'}]
                  - name: pager
                    webhook_configs: [{url: 'http://127.0.0.1:1/', send_resolved: false}]
                  - name: team
                    webhook_configs: [{url: 'http://127.0.0.1:1/', max_alerts: 50}]
                inhibit_rules:
                  - source_matchers: ['severity="critical"']
                    target_matchers: ['severity="warning"']
                    equal: [instance]
                """)
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let clock = ManualAlertingClock(now: start)
        let dispatcher = AlertDispatcher(
            configuration: config,
            integrations: { receiver in
                receiver.webhookConfigs.enumerated().map {
                    Integration(
                        name: "webhook", index: $0.offset, sendResolved: $0.element.sendResolved,
                        maxAlerts: $0.element.maxAlerts, notifier: NullNotifier())
                }
            }, clock: clock, jitter: { 0 })
        var alerts: [Alert] = []
        alerts.reserveCapacity(count)
        for index in 0..<count {
            let labels: Labels = [
                "alertname": ["GpuHot", "XidError", "NodeDown", "EccErrors"][index % 4],
                "cluster": "c\(index % 4)", "instance": "n\(index % nodes)", "gpu": "\(index / nodes)",
                "severity": index % 97 == 0 ? "critical" : "warning", "team": index % 2 == 0 ? "gpu" : "infra",
            ]
            alerts.append(Alert(labels: labels, startsAt: start, endsAt: start + 300, updatedAt: start))
        }
        let system = ContinuousClock()
        let ingest = await system.measure { await dispatcher.put(alerts) }
        clock.advance(to: start + 30)
        let flush = await system.measure { await dispatcher.flushDue(now: start + 30) }
        return (ingest, flush)
    }
}
