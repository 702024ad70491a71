import Foundation
import Testing
import VigilAlerting
import VigilModel

@Suite struct AlertTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func fingerprintIsAlertmanagers() {
        // model.LabelSet{"alertname": "GpuHot"}.Fingerprint(): FNV-1a 64 with 0xff separators.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array("alertname".utf8) + [255] + Array("GpuHot".utf8) + [255] {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let labels: Labels = ["alertname": "GpuHot"]
        #expect(labels.alertFingerprint == hash)
        #expect(labels.alertFingerprint.fingerprintString.count == 16)
        #expect(Labels().alertFingerprint == 0xcbf2_9ce4_8422_2325)
    }

    @Test func mergeKeepsEarliestStartAndExplicitEnd() {
        let old = Alert(labels: ["a": "1"], startsAt: t0, endsAt: t0 + 100, updatedAt: t0)
        let new = Alert(labels: ["a": "1"], startsAt: t0 + 10, endsAt: t0 + 50, updatedAt: t0 + 10, timeout: true)
        let merged = old.merged(with: new, now: t0 + 10)
        #expect(merged.startsAt == t0)
        #expect(merged.endsAt == t0 + 100)
        #expect(merged.updatedAt == t0 + 10)
        var store = AlertStore()
        store.put(old, now: t0)
        #expect(store.put(new, now: t0 + 10).endsAt == t0 + 100)
        #expect(store.collectResolved(now: t0 + 200).count == 1)
        #expect(store.count == 0)
    }

    @Test func postedAlertsAreValidatedOneByOne() throws {
        let body = Data(
            #"""
            [{"labels": {"alertname": "ok"}},
             {"labels": {}},
             {"labels": {"0bad": "x"}},
             {"labels": {"a": "b"}, "startsAt": "2024-01-01T00:00:10Z", "endsAt": "2024-01-01T00:00:00Z"},
             {"labels": {"a": "b", "empty": ""}, "endsAt": "2024-01-01T00:00:00.5+01:00"}]
            """#.utf8)
        let results = try AlertmanagerAPI.decodeAlerts(body, now: t0, resolveTimeout: .seconds(300))
        #expect(results.count == 5)
        let first = try results[0].get()
        #expect(first.timeout && first.endsAt == t0 + 300 && first.startsAt == t0)
        #expect(throws: AlertingError(.invalidAlert, "at least one label pair required", keyPath: "alerts[1]")) {
            try results[1].get()
        }
        #expect(throws: AlertingError(.invalidAlert, #"invalid label set: invalid name "0bad""#, keyPath: "alerts[2]"))
        {
            try results[2].get()
        }
        #expect(throws: AlertingError(.invalidAlert, "start time must be before end time", keyPath: "alerts[3]")) {
            try results[3].get()
        }
        let last = try results[4].get()
        #expect(last.labels == ["a": "b"])
        #expect(last.startsAt == last.endsAt)
        #expect(last.endsAt == Date(timeIntervalSince1970: 1_704_063_600.5))
    }

    @Test(arguments: [
        "{}", "[1]", #"[{"annotations": {}}]"#, #"[{"labels": {"a": 1}}]"#,
        #"[{"labels": {"a": "b"}, "startsAt": "yesterday"}]"#,
    ])
    func malformedBodiesAreBadRequests(_ body: String) {
        #expect(throws: AlertingError.self) {
            try AlertmanagerAPI.decodeAlerts(Data(body.utf8), now: t0, resolveTimeout: .seconds(300))
        }
    }
}
