import Synchronization
import Testing
import VigilModel
import VigilRules
import VigilScrape
import VigilServer
import VigilStorage

/// The rules manager on a manual clock: groups evaluate on their grid, a reload carries alert state
/// over and a bad file changes nothing, and a restart restores `for` progress from storage.
@Suite struct RuleManagerTests {
    static let start: Int64 = 1_700_000_000_000
    static let interval: Int64 = 15_000

    static let rules = """
        groups:
          - name: cluster
            interval: 15s
            rules:
              - record: job:up:sum
                expr: sum(up)
              - alert: TargetsUp
                expr: sum(up) > 0
                for: 20m
                labels: {severity: info}
                annotations: {summary: "{{ $value }} targets up"}
        """

    /// `up` = 1 every 15 s for an hour either side of the start.
    static func storage() throws -> MemoryStorage {
        let storage = MemoryStorage()
        let appender = storage.appender()
        for t in stride(from: start - 3_600_000, through: start + 3_600_000, by: Int64.Stride(interval)) {
            try appender.append(["__name__": "up", "job": "node"], timestamp: t, value: 1)
        }
        try appender.commit()
        return storage
    }

    static func file(_ text: String) throws -> RuleFile {
        let parsed = RuleFile.parse(text, path: "rules.yml")
        #expect(parsed.errors.isEmpty, "\(parsed.errors)")
        return try #require(parsed.file)
    }

    static func samples(_ storage: MemoryStorage, _ name: String) throws -> [Sample] {
        var set = try storage.querier(mint: .min, maxt: .max).select(
            sorted: true, hints: nil, matchers: [try LabelMatcher(.equal, "__name__", name)])
        var out: [Sample] = []
        while let series = try set.next() { out += try series.samples() }
        return out
    }

    /// Runs `body` with the manager's loops going; the clock moves only when `body` moves it.
    static func running(
        _ manager: RuleManager, _ body: @Sendable () async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await manager.run() }
            try await body()
            group.cancelAll()
        }
    }

    /// Advances to the next evaluation and waits until the loop sleeps again.
    static func evaluateOnce(_ clock: ManualScrapeClock) async throws {
        let deadline = try #require(clock.nextDeadline)
        clock.advance(to: deadline)
        await clock.waitForSleepers { $0 == [deadline + interval * 1_000_000] }
    }

    @Test func evaluatesOnTheGroupsGridAndKeepsStateAcrossReloads() async throws {
        let storage = try Self.storage()
        let clock = ManualScrapeClock(now: Self.start * 1_000_000)
        let sent = Mutex<[NotifierAlert]>([])
        let manager = RuleManager(queryable: storage, appendable: storage, clock: clock) { alerts in
            sent.withLock { $0 += alerts }
        }
        // A fresh start with nothing to restore.
        try await manager.apply([Self.file(Self.rules)], options: RuleGroup.Options())
        try await Self.running(manager) {
            await clock.waitForSleepers(1)
            let first = try #require(clock.nextDeadline) / 1_000_000
            // Prometheus's grid: the group's hash offset within the interval.
            let group = try RuleGroup(Self.file(Self.rules).groups[0], file: "rules.yml")
            #expect(first == group.evalTimestamp(startMilliseconds: Self.start) + Self.interval)
            try await Self.evaluateOnce(clock)
            #expect(try Self.samples(storage, "job:up:sum").map(\.timestamp) == [first])
            var snapshot = try #require(await manager.snapshots().first)
            let pending = try #require(snapshot.rules[1].alerts.first)
            #expect(pending.state == .pending)
            #expect(pending.activeAt == first)
            #expect(snapshot.rules[0].health == .ok)

            // A reload with the same group keeps the pending alert's activeAt.
            try await manager.apply([Self.file(Self.rules)], options: RuleGroup.Options())
            await clock.waitForSleepers(1)
            try await Self.evaluateOnce(clock)
            snapshot = try #require(await manager.snapshots().first)
            #expect(snapshot.rules[1].alerts.first?.activeAt == first)

            // A bad file is refused with its errors; the running groups stay.
            let bad = RuleFile(
                path: "bad.yml",
                groups: [
                    RuleGroupDefinition(name: "broken", rules: [.recording("bad", expr: "sum(")])
                ])
            await #expect(throws: RuleLoadError.self) {
                try await manager.apply([Self.file(Self.rules), bad], options: RuleGroup.Options())
            }
            #expect(await manager.snapshots().map(\.name) == ["cluster"])
        }
        #expect(sent.withLock { $0.isEmpty }, "a pending alert is not sent")
    }

    @Test func aRestartRestoresForProgressFromAlertsForState() async throws {
        let storage = try Self.storage()
        // Before the restart the alert had been pending since start - 60 s; the server went down at start - 20 s.
        let activeBefore = Self.start - 60_000
        let downAt = Self.start - 20_000
        let appender = storage.appender()
        try appender.append(
            ["__name__": "ALERTS_FOR_STATE", "alertname": "TargetsUp", "severity": "info"], timestamp: downAt,
            value: Double(activeBefore / 1000))
        try appender.commit()

        let clock = ManualScrapeClock(now: Self.start * 1_000_000)
        let manager = RuleManager(queryable: storage, appendable: storage, clock: clock) { _ in }
        try await manager.apply([Self.file(Self.rules)], options: RuleGroup.Options())
        try await Self.running(manager) {
            await clock.waitForSleepers(1)
            let first = try #require(clock.nextDeadline) / 1_000_000
            try await Self.evaluateOnce(clock)
            let alert = try #require(await manager.snapshots().first?.rules[1].alerts.first)
            // Prometheus: the time spent pending before the stop counts; the downtime does not.
            #expect(alert.activeAt == activeBefore + (first - downAt))
            // No ALERTS were written before the restore; from the restore on they are.
            #expect(try Self.samples(storage, "ALERTS").isEmpty)
            try await Self.evaluateOnce(clock)
            #expect(try Self.samples(storage, "ALERTS").count == 1)
        }
    }
}
