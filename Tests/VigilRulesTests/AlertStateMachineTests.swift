import Testing
import VigilModel
import VigilRules

@Suite struct AlertStateMachineTests {
    let a: Labels = ["alertname": "A", "instance": "a"]
    let b: Labels = ["alertname": "A", "instance": "b"]

    func observe(_ labels: Labels..., value: Double = 1) -> [AlertStateMachine.Observation] {
        labels.map { .init(labels: $0, value: value) }
    }

    @Test func pendingThenFiringAfterFor() throws {
        var machine = AlertStateMachine(holdDuration: 120_000)
        var active = try machine.advance(observe(a), at: 0)
        #expect(active.map(\.state) == [.pending])
        #expect(active[0].activeAt == 0)
        active = try machine.advance(observe(a), at: 60_000)
        #expect(active.map(\.state) == [.pending])
        active = try machine.advance(observe(a), at: 120_000)
        #expect(active.map(\.state) == [.firing])
        #expect(active[0].firedAt == 120_000)
        #expect(active[0].activeAt == 0)
    }

    @Test func zeroForFiresAtOnce() throws {
        var machine = AlertStateMachine()
        let active = try machine.advance(observe(a, b), at: 5000)
        #expect(active.map(\.state) == [.firing, .firing])
        #expect(active.map(\.labels) == [a, b])
    }

    @Test func pendingThatDisappearsIsForgotten() throws {
        var machine = AlertStateMachine(holdDuration: 300_000)
        _ = try machine.advance(observe(a), at: 0)
        let active = try machine.advance([], at: 60_000)
        #expect(active.isEmpty)
        #expect(machine.alerts.isEmpty)
    }

    @Test func resolvedIsKeptFifteenMinutesThenDropped() throws {
        var machine = AlertStateMachine()
        _ = try machine.advance(observe(a), at: 0)
        let r1 = try machine.advance([], at: 60_000)
        #expect(r1.isEmpty)
        #expect(machine.alerts[a]?.state == .inactive)
        #expect(machine.alerts[a]?.resolvedAt == 60_000)
        _ = try machine.advance([], at: 60_000 + 15 * 60_000)
        #expect(machine.alerts[a] != nil)
        _ = try machine.advance([], at: 60_000 + 15 * 60_000 + 1)
        #expect(machine.alerts[a] == nil)
    }

    @Test func resolvedAlertThatReturnsStartsOverAsPending() throws {
        var machine = AlertStateMachine(holdDuration: 60_000)
        _ = try machine.advance(observe(a), at: 0)
        _ = try machine.advance(observe(a), at: 60_000)
        _ = try machine.advance([], at: 120_000)
        let active = try machine.advance(observe(a), at: 180_000)
        #expect(active.map(\.state) == [.pending])
        #expect(active[0].activeAt == 180_000)
        #expect(active[0].resolvedAt == nil)
    }

    @Test func keepFiringFor() throws {
        var machine = AlertStateMachine(keepFiringFor: 120_000)
        _ = try machine.advance(observe(a), at: 0)
        let r2 = try machine.advance([], at: 60_000)
        #expect(r2.map(\.state) == [.firing])
        #expect(machine.alerts[a]?.keepFiringSince == 60_000)
        let r3 = try machine.advance([], at: 120_000)
        #expect(r3.map(\.state) == [.firing])
        let r4 = try machine.advance([], at: 180_000)
        #expect(r4.isEmpty)
        #expect(machine.alerts[a]?.state == .inactive)
        #expect(machine.alerts[a]?.resolvedAt == 180_000)
    }

    @Test func keepFiringResetsWhenTheConditionReturns() throws {
        var machine = AlertStateMachine(keepFiringFor: 60_000)
        _ = try machine.advance(observe(a), at: 0)
        _ = try machine.advance([], at: 30_000)
        _ = try machine.advance(observe(a), at: 60_000)
        #expect(machine.alerts[a]?.keepFiringSince == nil)
        let r5 = try machine.advance([], at: 90_000)
        #expect(r5.map(\.state) == [.firing])
    }

    @Test func valueAndAnnotationsFollowTheLatestEvaluation() throws {
        var machine = AlertStateMachine(holdDuration: 60_000)
        _ = try machine.advance([.init(labels: a, annotations: ["s": "1"], value: 1)], at: 0)
        let active = try machine.advance([.init(labels: a, annotations: ["s": "2"], value: 2)], at: 30_000)
        #expect(active[0].value == 2)
        #expect(active[0].annotations == ["s": "2"])
        #expect(active[0].activeAt == 0)
    }

    @Test func duplicateLabelSetsAreAnErrorAndChangeNothing() throws {
        var machine = AlertStateMachine()
        _ = try machine.advance(observe(a), at: 0)
        let before = machine
        do {
            _ = try machine.advance(observe(b, b), at: 60_000)
        } catch {
            #expect(error.message == "vector contains metrics with the same labelset after applying alert labels")
        }
        #expect(machine == before)
    }

    @Test func limitExceededDropsEveryAlert() throws {
        var machine = AlertStateMachine()
        do {
            _ = try machine.advance(observe(a, b), at: 0, limit: 1)
            Issue.record("expected the limit to fail")
        } catch {
            #expect(error.message == "exceeded limit of 1 with 2 alerts")
        }
        #expect(machine.alerts.isEmpty)
        let r6 = try machine.advance(observe(a), at: 0, limit: 1)
        #expect(r6.count == 1)
    }

    @Test func sendingFiringResendingAndResolved() throws {
        var machine = AlertStateMachine(holdDuration: 60_000)
        _ = try machine.advance(observe(a), at: 0)
        let r7 = machine.alertsToSend(at: 0, resendDelay: 60_000, interval: 15_000)
        #expect(r7.isEmpty)
        _ = try machine.advance(observe(a), at: 60_000)
        var sent = machine.alertsToSend(at: 60_000, resendDelay: 60_000, interval: 15_000)
        #expect(sent.count == 1)
        #expect(sent.first?.validUntil == Int64(60_000 + 4 * 60_000))
        // Not again before the resend delay has passed.
        let r8 = machine.alertsToSend(at: 120_000, resendDelay: 60_000, interval: 15_000)
        #expect(r8.isEmpty)
        let r9 = machine.alertsToSend(at: 120_001, resendDelay: 60_000, interval: 15_000)
        #expect(r9.count == 1)
        // Resolved: sent at once, with its resolution time.
        _ = try machine.advance([], at: 130_000)
        sent = machine.alertsToSend(at: 130_000, resendDelay: 60_000, interval: 15_000)
        #expect(sent.map(\.state) == [.inactive])
        #expect(sent[0].resolvedAt == 130_000)
        let r10 = machine.alertsToSend(at: 140_000, resendDelay: 60_000, interval: 15_000)
        #expect(r10.isEmpty)
        // A long interval sets how long a notification holds.
        let r11 = machine.alertsToSend(at: 200_000, resendDelay: 60_000, interval: 120_000)
        #expect(r11[0].validUntil == 680_000)
    }

    @Test(arguments: [
        // activeAt s, down at ms, now ms, grace ms → restored activeAt ms
        (0.0, Int64(60_000), Int64(600_000), Int64(60_000), Int64(540_000)),  // 1m of 10m spent, 9m down
        (0.0, Int64(590_000), Int64(700_000), Int64(60_000), Int64(700_000 + 60_000 - 600_000)),  // grace
        (0.0, Int64(700_000), Int64(800_000), Int64(60_000), Int64(0)),  // for already over
    ])
    func restoreForState(activeAt: Double, downAt: Int64, now: Int64, grace: Int64, expected: Int64) throws {
        var machine = AlertStateMachine(holdDuration: 600_000)
        _ = try machine.advance(observe(a), at: now)
        let restored = machine.restoreForState(
            labels: a, activeAtSeconds: activeAt, downAt: downAt, at: now, forGracePeriod: grace)
        #expect(restored)
        #expect(machine.alerts[a]?.activeAt == expected)
    }

    @Test func restoreSkipsShortForAndUnknownAlerts() throws {
        var machine = AlertStateMachine(holdDuration: 30_000)
        _ = try machine.advance(observe(a), at: 0)
        let short = machine.restoreForState(labels: a, activeAtSeconds: 0, downAt: 0, at: 0, forGracePeriod: 60_000)
        let unknown = machine.restoreForState(labels: b, activeAtSeconds: 0, downAt: 0, at: 0, forGracePeriod: 0)
        #expect(!short && !unknown)
    }
}
