import Foundation
import Testing
import VigilAlerting
import VigilModel

@Suite struct NotificationPipelineTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func groupTimingFollowsAlertmanager() {
        var machine = AggregationGroupStateMachine(createdAt: t0, groupWait: .seconds(30), groupInterval: .seconds(300))
        #expect(machine.tick(now: t0 + 29) == .wait(until: t0 + 30))
        #expect(machine.tick(now: t0 + 30) == .flush)
        // After the first flush a new alert waits for the next interval (no immediate flush).
        #expect(machine.alertInserted(startsAt: t0 - 3600, now: t0 + 40) == .wait(until: t0 + 330))
        #expect(machine.tick(now: t0 + 330) == .flush)
        // Before the first flush, an alert older than group_wait flushes at once.
        var fresh = AggregationGroupStateMachine(createdAt: t0, groupWait: .seconds(30), groupInterval: .seconds(300))
        #expect(fresh.alertInserted(startsAt: t0, now: t0 + 1) == .wait(until: t0 + 30))
        #expect(fresh.alertInserted(startsAt: t0 - 60, now: t0 + 1) == .flush)
    }

    @Test func needsUpdate() {
        let receiver = NotificationLogReceiver(groupKey: "g", receiverName: "r", integration: "webhook", index: 0)
        let entry = NotificationLogEntry(
            receiver: receiver, firingAlerts: [1, 2], resolvedAlerts: [], timestamp: t0, expiresAt: t0 + 3600)
        func check(
            _ entry: NotificationLogEntry?, _ firing: Set<UInt64>, _ resolved: Set<UInt64>, sendResolved: Bool = true,
            at: TimeInterval = 10
        ) -> Bool {
            NotificationLog.needsUpdate(
                entry: entry, firing: firing, resolved: resolved, sendResolved: sendResolved,
                repeatInterval: .seconds(60), now: t0 + at)
        }
        #expect(check(nil, [1], []))
        #expect(!check(nil, [], [1]))
        #expect(check(entry, [1, 2, 3], []))
        #expect(!check(entry, [1], [2], sendResolved: false))
        #expect(check(entry, [1], [2]))
        #expect(check(entry, [], [1, 2], sendResolved: false))
        #expect(!check(entry, [1, 2], [], at: 60))
        #expect(check(entry, [1, 2], [], at: 61))
    }

    @Test func inhibitionNeverSelfInhibits() throws {
        let rule = InhibitRule(
            sourceMatchers: [try LabelMatcher(.equal, "severity", "critical")],
            targetMatchers: [try LabelMatcher(.regexMatch, "severity", "critical|warning")], equal: ["instance"])
        var inhibitor = Inhibitor(rules: [rule])
        let critical = Alert(
            labels: ["severity": "critical", "instance": "n1"], startsAt: t0, endsAt: t0 + 60, updatedAt: t0)
        inhibitor.observe(critical)
        #expect(inhibitor.inhibitor(of: ["severity": "warning", "instance": "n1"], now: t0) == critical.fingerprint)
        #expect(inhibitor.inhibitor(of: ["severity": "warning", "instance": "n2"], now: t0) == nil)
        #expect(inhibitor.inhibitor(of: critical.labels, now: t0) == nil)
        #expect(inhibitor.inhibitor(of: ["severity": "warning", "instance": "n1"], now: t0 + 60) == nil)
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
            webhook_configs:
              - url: http://a.example/
              - url: http://b.example/
                max_alerts: 1
        """

    @Test func retriesWithBackoffAndOneFailingIntegrationDoesNotBlockAnother() async throws {
        let config = try AlertmanagerConfiguration.parse(yaml: Self.config)
        let good = RecordingNotifier()
        let flaky = RecordingNotifier(failures: 2)
        let clock = ManualAlertingClock(now: t0)
        let dispatcher = AlertDispatcher(
            configuration: config,
            integrations: { receiver in
                [
                    Integration(name: "webhook", index: 0, sendResolved: true, notifier: good),
                    Integration(name: "webhook", index: 1, sendResolved: true, maxAlerts: 1, notifier: flaky),
                ]
            }, clock: clock, jitter: { 0.5 })
        await dispatcher.put([
            Alert(labels: ["alertname": "A", "n": "1"], startsAt: t0, endsAt: t0 + 3600, updatedAt: t0),
            Alert(labels: ["alertname": "A", "n": "2"], startsAt: t0, endsAt: t0 + 3600, updatedAt: t0),
        ])
        await dispatcher.flushDue(now: t0 + 9)
        #expect(good.notifications.isEmpty)
        clock.advance(to: t0 + 10)
        await dispatcher.flushDue(now: t0 + 10)
        #expect(good.notifications.count == 1)
        #expect(good.notifications[0].alerts.count == 2)
        #expect(good.notifications[0].commonLabels == ["alertname": "A"])
        #expect(flaky.notifications.count == 1)
        #expect(flaky.notifications[0].truncatedAlerts == 1)
        let stats = await dispatcher.integrationStats
        #expect(stats["hooks/webhook[1]"]?.attempts == 3)
        #expect(stats["hooks/webhook[1]"]?.failures == 0)
        #expect(stats["hooks/webhook[1]"]?.lastError == "induced failure")
        #expect(stats["hooks/webhook[0]"]?.attempts == 1)
        // Backoff: 0.5 s then 0.75 s (jitter at the midpoint).
        #expect(clock.now() == t0 + 10 + 0.5 + 0.75)
        // Nothing changed: no notification at the next interval.
        await dispatcher.flushDue(now: t0 + 70)
        #expect(good.notifications.count == 1)
    }

    @Test func nonRetryableFailureIsCountedOnce() async throws {
        let config = try AlertmanagerConfiguration.parse(yaml: Self.config)
        let broken = RecordingNotifier(failures: 5, retryable: false)
        let dispatcher = AlertDispatcher(
            configuration: config,
            integrations: { _ in [Integration(name: "webhook", index: 0, sendResolved: true, notifier: broken)] },
            clock: ManualAlertingClock(now: t0), jitter: { 0 })
        await dispatcher.put([Alert(labels: ["alertname": "A"], startsAt: t0, endsAt: t0 + 3600, updatedAt: t0)])
        await dispatcher.flushDue(now: t0 + 10)
        let stats = await dispatcher.integrationStats["hooks/webhook[0]"]
        #expect(stats?.attempts == 1)
        #expect(stats?.failures == 1)
        // Not logged, so the next interval tries again.
        await dispatcher.flushDue(now: t0 + 70)
        #expect(await dispatcher.integrationStats["hooks/webhook[0]"]?.attempts == 2)
    }

    @Test func silencedAlertsAreNotSentAndAPIShowsThem() async throws {
        let config = try AlertmanagerConfiguration.parse(yaml: Self.config)
        let recorder = RecordingNotifier()
        let clock = ManualAlertingClock(now: t0)
        let dispatcher = AlertDispatcher(configuration: config, integrations: webhookFactory(recorder), clock: clock)
        let api = AlertmanagerAPI(dispatcher: dispatcher, startedAt: t0)
        let silenceBody = Data(
            #"{"matchers":[{"name":"n","value":"1","isRegex":false}],"startsAt":"2023-11-14T22:13:20Z","endsAt":"2023-11-14T23:13:20Z","createdBy":"me","comment":"x"}"#
                .utf8)
        let created = await api.handle(method: "POST", path: "/silences", query: [], body: silenceBody)
        #expect(created.status == 200)
        let id = try #require(
            (try JSONSerialization.jsonObject(with: created.body) as? [String: Any])?["silenceID"] as? String)
        let post = await api.handle(
            method: "POST", path: "/alerts", query: [],
            body: Data(
                #"[{"labels":{"alertname":"A","n":"1"}},{"labels":{"alertname":"A","n":"2"}},{"labels":{}}]"#.utf8))
        #expect(post.status == 400)
        #expect(String(decoding: post.body, as: UTF8.self) == "\"at least one label pair required\"\n")
        await dispatcher.flushDue(now: t0 + 10)
        #expect(recorder.notifications.first?.alerts.map(\.labels) == [["alertname": "A", "n": "2"]])

        let silenced = await api.handle(method: "GET", path: "/alerts", query: [("active", "false")], body: Data())
        let list = try #require(try JSONSerialization.jsonObject(with: silenced.body) as? [[String: Any]])
        #expect(list.count == 1)
        let status = try #require(list.first?["status"] as? [String: Any])
        #expect(status["state"] as? String == "suppressed")
        #expect(status["silencedBy"] as? [String] == [id])
        let groups = await api.handle(method: "GET", path: "/alerts/groups", query: [], body: Data())
        #expect(String(decoding: groups.body, as: UTF8.self).contains(#""receiver":{"name":"hooks"}"#))
        #expect(await api.handle(method: "GET", path: "/silence/\(id)", query: [], body: Data()).status == 200)
        #expect(await api.handle(method: "DELETE", path: "/silence/\(id)", query: [], body: Data()).status == 200)
        #expect(await api.handle(method: "DELETE", path: "/silence/nope", query: [], body: Data()).status == 404)
        let bad = await api.handle(method: "GET", path: "/alerts", query: [("filter", "a=\"b")], body: Data())
        #expect(bad.status == 400)
        let statusResponse = await api.handle(method: "GET", path: "/status", query: [], body: Data())
        let statusObject = try #require(try JSONSerialization.jsonObject(with: statusResponse.body) as? [String: Any])
        #expect((statusObject["cluster"] as? [String: Any])?["status"] as? String == "disabled")
        #expect((statusObject["config"] as? [String: Any])?["original"] as? String == Self.config)
        let receivers = await api.handle(method: "GET", path: "/receivers", query: [], body: Data())
        #expect(String(decoding: receivers.body, as: UTF8.self) == "[{\"name\":\"hooks\"}]\n")
    }
}

@Suite struct AlertingBenchmarkTests {
    /// Runs the benchmark small, so it keeps working; the figure comes from `vigil bench`, not from here.
    @Test func benchmarkRuns() async throws {
        let count = ProcessInfo.processInfo.environment["VIGIL_ALERTING_BENCH_ALERTS"].flatMap(Int.init) ?? 200
        let result = try await AlertingBenchmark.run(count: count, nodes: 50)
        print("alerting benchmark: \(count) alerts, ingest \(result.ingest), flush \(result.flush)")
    }
}
