import Testing
import VigilModel
import VigilPromQL
import VigilRules
import VigilStorage

@Suite struct RuleGroupTests {
    /// A storage with `up{instance="a"}` = 0 and `up{instance="b"}` = 1 every minute for an hour.
    func storage(_ series: [(Labels, @Sendable (Int) -> Double?)] = RuleGroupTests.upSeries) throws -> MemoryStorage {
        let storage = MemoryStorage()
        let appender = storage.appender()
        for (labels, value) in series {
            for minute in 0...60 {
                if let v = value(minute) { try appender.append(labels, timestamp: Int64(minute) * 60_000, value: v) }
            }
        }
        try appender.commit()
        return storage
    }

    static let upSeries: [(Labels, @Sendable (Int) -> Double?)] = [
        (["__name__": "up", "instance": "a", "job": "node"], { _ in 0 }),
        (["__name__": "up", "instance": "b", "job": "node"], { _ in 1 }),
    ]

    func query(_ expr: String, at ts: Int64, on storage: MemoryStorage) throws -> [VectorSample] {
        guard case .vector(let samples) = try Engine().instantQuery(expr, at: ts, on: storage).value else { return [] }
        return samples
    }

    @Test func recordingRuleWritesRecordWithRuleLabels() throws {
        let storage = try storage()
        var group = try RuleGroup(
            RuleGroupDefinition(
                name: "g",
                rules: [
                    .recording(
                        "job:up:sum", expr: "sum by (job) (up)", labels: [Label("job", "override"), Label("x", "y")])
                ]
            ))
        let result = group.evaluate(at: 120_000, on: storage, appendingTo: storage)
        #expect(result.failures.isEmpty)
        #expect(group.rules[0].health == .ok)
        #expect(group.rules[0].lastEvaluation == 120_000)
        let samples = try query("job:up:sum", at: 120_000, on: storage)
        #expect(samples.map(\.labels) == [["__name__": "job:up:sum", "job": "override", "x": "y"]])
        #expect(samples.map(\.value) == [1])
    }

    @Test func duplicateLabelSetsFailTheRule() throws {
        let storage = try storage()
        var group = try RuleGroup(
            RuleGroupDefinition(
                name: "g",
                rules: [.recording("r", expr: "up", labels: [Label("instance", "same")]), .recording("ok", expr: "1")]))
        let result = group.evaluate(at: 60_000, on: storage, appendingTo: storage)
        #expect(result.failures.count == 1)
        #expect(group.rules[0].health == .err)
        #expect(
            group.rules[0].lastError?.message
                == "vector contains metrics with the same labelset after applying rule labels")
        #expect(group.rules[1].health == .ok)
        #expect(try query("ok", at: 60_000, on: storage).count == 1)
    }

    @Test func limitFailsRecordingAndAlertingRules() throws {
        let storage = try storage()
        var group = try RuleGroup(
            RuleGroupDefinition(
                name: "g", limit: 1, rules: [.recording("r", expr: "up"), .alerting("A", expr: "up >= 0")]))
        _ = group.evaluate(at: 60_000, on: storage, appendingTo: storage)
        #expect(group.rules[0].lastError?.message == "exceeded limit of 1 with 2 series")
        #expect(group.rules[1].lastError?.message == "exceeded limit of 1 with 2 alerts")
        #expect(group.rules[1].lastError?.description.hasPrefix("group \"g\", rule 2, \"A\": ") == true)
    }

    @Test func scalarResultsAreRecordedWithoutLabels() throws {
        let storage = MemoryStorage()
        var group = try RuleGroup(RuleGroupDefinition(name: "g", rules: [.recording("one", expr: "1")]))
        _ = group.evaluate(at: 0, on: storage, appendingTo: storage)
        #expect(try query("one", at: 0, on: storage).map(\.value) == [1])
    }

    @Test func nonVectorResultsAreAnError() throws {
        let storage = MemoryStorage()
        var group = try RuleGroup(RuleGroupDefinition(name: "g", rules: [.recording("s", expr: "\"text\"")]))
        _ = group.evaluate(at: 0, on: storage, appendingTo: storage)
        #expect(group.rules[0].lastError?.message == "rule result is not a vector or scalar")
    }

    @Test func alertsAreRecordedAsALERTSAndALERTS_FOR_STATE() throws {
        let storage = try storage()
        var group = try RuleGroup(
            RuleGroupDefinition(
                name: "g",
                rules: [
                    .alerting(
                        "Down", expr: "up == 0", for: 120_000, labels: [Label("severity", "page")],
                        annotations: [Label("summary", "{{ $labels.instance }} is down")])
                ]))
        for minute in 0...3 { _ = group.evaluate(at: Int64(minute) * 60_000, on: storage, appendingTo: storage) }
        let alerts = try query("ALERTS", at: 180_000, on: storage)
        #expect(
            alerts.map(\.labels) == [
                [
                    "__name__": "ALERTS", "alertname": "Down", "alertstate": "firing", "instance": "a", "job": "node",
                    "severity": "page",
                ]
            ])
        let pendingBefore = try query("ALERTS{alertstate=\"pending\"}", at: 60_000, on: storage)
        #expect(pendingBefore.count == 1)
        // The pending series went stale when the alert started firing.
        #expect(try query("ALERTS{alertstate=\"pending\"}", at: 120_000, on: storage).isEmpty)
        let forState = try query("ALERTS_FOR_STATE", at: 180_000, on: storage)
        #expect(forState.map(\.value) == [0])
        let snapshot = group.snapshot
        #expect(snapshot.rules[0].alerts.map(\.annotations) == [["summary": "a is down"]])
        #expect(snapshot.rules[0].state == .firing)
        #expect(snapshot.rules[0].query == "up == 0")
    }

    @Test func disappearedSeriesGetStaleMarkers() throws {
        let storage = try storage([
            (["__name__": "x", "i": "1"], { _ in 1 }), (["__name__": "x", "i": "2"], { $0 < 2 ? 1 : nil }),
        ])
        var group = try RuleGroup(RuleGroupDefinition(name: "g", rules: [.recording("y", expr: "x")]))
        _ = group.evaluate(at: 60_000, on: storage, appendingTo: storage)
        // x{i="2"} has no sample after 1m but is still within the lookback; at 7m it is gone.
        _ = group.evaluate(at: 420_000, on: storage, appendingTo: storage)
        #expect(try query("y", at: 420_000, on: storage).count == 1)
        #expect(try query("y", at: 430_000, on: storage).count == 1)
    }

    @Test func staleMarkerHidesTheSeriesAtOnce() throws {
        let storage = try storage([(["__name__": "x"], { $0 < 2 ? 1 : nil })])
        var group = try RuleGroup(RuleGroupDefinition(name: "g", rules: [.recording("y", expr: "x > 0")]))
        _ = group.evaluate(at: 60_000, on: storage, appendingTo: storage)
        #expect(try query("y", at: 90_000, on: storage).count == 1)
        _ = group.evaluate(at: 600_000, on: storage, appendingTo: storage)
        // Without the stale marker y would still show within 5m of its last sample.
        _ = group.evaluate(at: 120_000 + 600_000, on: storage, appendingTo: storage)
        #expect(try query("y", at: 600_001, on: storage).isEmpty)
    }

    @Test func queryOffsetShiftsQueryAndSampleTime() throws {
        let storage = try storage([(["__name__": "x"], { Double($0) })])
        var group = try RuleGroup(
            RuleGroupDefinition(name: "g", queryOffsetMilliseconds: 120_000, rules: [.recording("y", expr: "x")]))
        _ = group.evaluate(at: 600_000, on: storage, appendingTo: storage)
        let samples = try query("timestamp(y)", at: 480_000, on: storage)
        #expect(samples.map(\.value) == [480])
        #expect(try query("y", at: 480_000, on: storage).map(\.value) == [8])
    }

    @Test func groupLabelsApplyAndRuleLabelsWin() throws {
        let storage = MemoryStorage()
        var group = try RuleGroup(
            RuleGroupDefinition(
                name: "g", labels: [Label("team", "gpu"), Label("env", "prod")],
                rules: [.recording("r", expr: "1", labels: [Label("env", "dev")])]))
        _ = group.evaluate(at: 0, on: storage, appendingTo: storage)
        #expect(try query("r", at: 0, on: storage).map(\.labels) == [["__name__": "r", "env": "dev", "team": "gpu"]])
    }

    @Test func alertsToSendCarryExternalLabelsAndTimes() throws {
        let storage = try storage()
        var group = try RuleGroup(
            RuleGroupDefinition(name: "g", intervalMilliseconds: 30_000, rules: [.alerting("Down", expr: "up == 0")]),
            options: .init(
                externalLabels: ["cluster": "c1", "instance": "ignored"], externalURL: "http://vigil:9470",
                resendDelayMilliseconds: 60_000))
        let first = group.evaluate(at: 60_000, on: storage, appendingTo: storage).alertsToSend
        #expect(first.count == 1)
        #expect(first[0].labels == ["alertname": "Down", "cluster": "c1", "instance": "a", "job": "node"])
        #expect(first[0].startsAt == 60_000)
        #expect(first[0].endsAt == 60_000 + 4 * 60_000)
        #expect(first[0].generatorURL == "http://vigil:9470/graph?g0.expr=up+%3D%3D+0&g0.tab=1")
        #expect(group.evaluate(at: 90_000, on: storage, appendingTo: storage).alertsToSend.isEmpty)
    }

    @Test func copyStateKeepsAlertsAcrossReload() throws {
        let storage = try storage()
        let definition = RuleGroupDefinition(name: "g", rules: [.alerting("Down", expr: "up == 0", for: 600_000)])
        var old = try RuleGroup(definition, file: "f.yml")
        _ = old.evaluate(at: 0, on: storage, appendingTo: storage)
        var new = try RuleGroup(definition, file: "f.yml")
        new.copyState(from: old)
        _ = new.evaluate(at: 60_000, on: storage, appendingTo: storage)
        #expect(new.rules[0].activeAlerts.map(\.activeAt) == [0])
    }

    @Test func badExpressionIsRejectedWithItsRule() {
        #expect(throws: RulesError.self) {
            try RuleGroup(RuleGroupDefinition(name: "g", rules: [.recording("r", expr: "sum(")]), file: "f.yml")
        }
    }

    @Test(arguments: [Int64(1_700_000_000_123), 1_700_000_031_999, 1_700_000_010_196])
    func evalTimestampIsOnTheGroupsGrid(start: Int64) throws {
        let group = try RuleGroup(
            RuleGroupDefinition(name: "gpu", intervalMilliseconds: 30_000, rules: []), file: "r.yml")
        let ts = group.evalTimestamp(startMilliseconds: start)
        #expect(ts <= start && ts > start - 30_000)
        #expect(group.evalTimestamp(startMilliseconds: ts + 30_000) == ts + 30_000)
        let offset = Int64(RuleGroup.hash(name: "gpu", file: "r.yml") % 30_000_000_000) / 1_000_000
        #expect(((ts - offset) % 30_000 + 30_000) % 30_000 == 0)
        // Nanoseconds, as Prometheus computes it: the same slot.
        let nanoseconds = RuleGroup.evalTimestamp(
            startNanoseconds: start * 1_000_000 + 999_999, intervalNanoseconds: 30_000_000_000, name: "gpu",
            file: "r.yml")
        #expect(nanoseconds / 1_000_000 == ts)
    }
}

@Suite struct RuleGroupRestoreTests {
    @Test func restoresForStateFromStorage() throws {
        let storage = MemoryStorage()
        let appender = storage.appender()
        let alertLabels: Labels = ["alertname": "Down", "instance": "a"]
        // Before the restart: up == 0 since 0; the alert became active at 0 and was last seen at 60s.
        for minute in 0...20 {
            try appender.append(["__name__": "up", "instance": "a"], timestamp: Int64(minute) * 60_000, value: 0)
        }
        try appender.append(alertLabels.setting("__name__", to: "ALERTS_FOR_STATE"), timestamp: 60_000, value: 0)
        try appender.commit()
        var group = try RuleGroup(
            RuleGroupDefinition(name: "g", rules: [.alerting("Down", expr: "up == 0", for: 900_000)]))
        group.beginRestore()
        // Back at 10m: 1m of the 15m `for` had passed; the 9m down do not count.
        _ = group.evaluate(at: 600_000, on: storage, appendingTo: storage)
        let count = try group.restoreForState(at: 600_000, from: storage, forGracePeriod: 60_000)
        #expect(count == 1)
        #expect(group.rules[0].restored)
        #expect(group.rules[0].activeAlerts.map(\.activeAt) == [540_000])
    }

    @Test func shortForIsNotRestoredButMarkedRestored() throws {
        let storage = MemoryStorage()
        var group = try RuleGroup(
            RuleGroupDefinition(name: "g", rules: [.alerting("A", expr: "vector(1)", for: 60_000)]))
        group.beginRestore()
        _ = group.evaluate(at: 0, on: storage, appendingTo: storage)
        #expect(try group.restoreForState(at: 0, from: storage) == 0)
        #expect(group.rules[0].restored)
    }
}

@Suite struct RuleGroupTemplateTests {
    @Test func annotationsSeeValueExternalLabelsURLAndQuery() throws {
        let storage = MemoryStorage()
        let appender = storage.appender()
        try appender.append(["__name__": "temp", "gpu": "0"], timestamp: 0, value: 91.5)
        try appender.append(["__name__": "nodes"], timestamp: 0, value: 3)
        try appender.commit()
        var group = try RuleGroup(
            RuleGroupDefinition(
                name: "g",
                rules: [
                    .alerting(
                        "Hot", expr: "temp > 90", labels: [Label("gpu_label", "gpu-{{ $labels.gpu }}")],
                        annotations: [
                            Label("value", "{{ $value }}"), Label("cluster", "{{ $externalLabels.cluster }}"),
                            Label("url", "{{ $externalURL }}"),
                            Label("nodes", #"{{ with query "nodes" }}{{ . | first | value }}{{ end }}"#),
                            Label("broken", "{{ $labels.gpu | nosuchfunction }}"),
                        ])
                ]),
            options: .init(externalLabels: ["cluster": "c1"], externalURL: "http://vigil:9470"))
        _ = group.evaluate(at: 0, on: storage, appendingTo: storage)
        let alert = try #require(group.rules[0].activeAlerts.first)
        #expect(alert.labels["gpu_label"] == "gpu-0")
        #expect(alert.annotations["value"] == "91.5")
        #expect(alert.annotations["cluster"] == "c1")
        #expect(alert.annotations["url"] == "http://vigil:9470")
        #expect(alert.annotations["nodes"] == "3")
        #expect(alert.annotations["broken"]?.hasPrefix("<error expanding template: ") == true)
    }
}

@Suite struct RuleGroupAppendFailureTests {
    @Test func appendFailureMarksTheRuleButAlertsStillGoOut() throws {
        let source = MemoryStorage()
        let full = MemoryStorage(options: .init(maxSeries: 0))
        var group = try RuleGroup(RuleGroupDefinition(name: "g", rules: [.alerting("Always", expr: "vector(1)")]))
        let evaluation = group.evaluate(at: 0, on: source, appendingTo: full)
        #expect(evaluation.alertsToSend.count == 1)
        #expect(evaluation.failures.count == 1)
        #expect(group.rules[0].health == .err)
        #expect(group.rules[0].activeAlerts.count == 1)
    }
}
