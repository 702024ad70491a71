import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import VigilModel
import VigilRules
import VigilScrape
import VigilStorage

/// Why loading rule files failed: every error of every file, each with file, line and rule.
public struct RuleLoadError: Error, Sendable, CustomStringConvertible {
    public var errors: [RulesError]

    public init(errors: [RulesError]) { self.errors = errors }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Evaluates the rule groups of `vigil server` (Prometheus's rules manager): one loop per group at the
/// group's interval, on the grid Prometheus aligns it to; recorded samples and `ALERTS` go to the
/// storage, alerts to the notifier. A reload builds new groups, carries the alert state of each
/// unchanged group over (`copyState`) and keeps the running set when any file is bad. After a restart
/// the first evaluation restores each pending alert's `for` progress from `ALERTS_FOR_STATE`.
public actor RuleManager: Service {
    /// Where alerts go: the built-in notifier and any configured Alertmanagers.
    public typealias AlertSink = @Sendable ([NotifierAlert]) async -> Void

    /// Prometheus's `--rules.alert.for-outage-tolerance` and `--rules.alert.for-grace-period`.
    public struct RestoreOptions: Sendable {
        public var outageToleranceMilliseconds: Int64 = 3_600_000
        public var forGracePeriodMilliseconds: Int64 = 600_000
        public init() {}
    }

    private let queryable: any Queryable
    private let appendable: any Appendable
    private let clock: any ScrapeClock
    private let sink: AlertSink
    private let restore: RestoreOptions
    private let logger: Logger
    private let loops: AsyncStream<GroupLoop>
    private let loopSink: AsyncStream<GroupLoop>.Continuation
    private var running: [String: GroupLoop] = [:]
    /// Group keys in file and group order, for the API.
    private var order: [String] = []
    /// True until the first set of groups is applied: only a starting server restores `for` state, as
    /// Prometheus does by default; a group a reload adds starts fresh.
    private var restoreOnStart = true

    public init(
        queryable: any Queryable, appendable: any Appendable, clock: any ScrapeClock = SystemScrapeClock(),
        restore: RestoreOptions = RestoreOptions(), logger: Logger = Logger(label: "vigil.rules"),
        sink: @escaping AlertSink
    ) {
        self.queryable = queryable
        self.appendable = appendable
        self.clock = clock
        self.restore = restore
        self.logger = logger
        self.sink = sink
        (loops, loopSink) = AsyncStream.makeStream(of: GroupLoop.self)
    }

    /// Runs the group loops until graceful shutdown.
    public func run() async throws {
        let loops = self.loops
        let sink = self.loopSink
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await loop in loops { group.addTask { await loop.run() } }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            sink.finish()
        }
    }

    /// Replaces the running groups with those of `files` (parsed rule files, the built-in pack among
    /// them). Groups keep their alerts across the replacement when their file and name stay.
    public func apply(_ files: [RuleFile], options: RuleGroup.Options) throws(RuleLoadError) {
        var groups: [RuleGroup] = []
        var errors: [RulesError] = []
        for file in files {
            do {
                groups += try RuleGroup.groups(of: file, options: options)
            } catch {
                errors.append(error)
            }
        }
        guard errors.isEmpty else { throw RuleLoadError(errors: errors) }
        var next: [String: GroupLoop] = [:]
        var nextOrder: [String] = []
        for var group in groups {
            let key = group.key
            nextOrder.append(key)
            let previous = running[key]
            if let previous { group.copyState(from: previous.group) }
            if previous == nil && restoreOnStart { group.beginRestore() }
            let loop = GroupLoop(
                group: group, queryable: queryable, appendable: appendable, clock: clock, sink: sink,
                restore: previous == nil && restoreOnStart ? restore : nil, logger: logger)
            next[key] = loop
            previous?.stop(removed: false)
            loopSink.yield(loop)
        }
        for (key, loop) in running where next[key] == nil { loop.stop(removed: true) }
        running = next
        order = nextOrder
        restoreOnStart = false
    }

    /// Loads `paths` (globs allowed in the last element, as `rule_files`) and the built-in files, then
    /// applies them; any error leaves the running groups as they are.
    public func load(paths: [String], builtins: [RuleFile], options: RuleGroup.Options) throws(RuleLoadError) {
        let (files, errors) = Self.parse(paths: paths)
        guard errors.isEmpty else { throw RuleLoadError(errors: errors) }
        try apply(builtins + files, options: options)
    }

    /// Parses the rule files `paths` name (each a path or a glob), collecting every error.
    public static func parse(paths: [String]) -> (files: [RuleFile], errors: [RulesError]) {
        var files: [RuleFile] = []
        var errors: [RulesError] = []
        for path in paths.flatMap(expandGlob) {
            let result = RuleFile.load(path: path)
            errors += result.errors
            if let file = result.file, result.errors.isEmpty { files.append(file) }
        }
        return (files, errors)
    }

    /// The groups as they stand, in file order: for `/api/v1/rules` and `/api/v1/alerts`.
    public func snapshots() -> [RuleGroupSnapshot] {
        order.compactMap { running[$0]?.group.snapshot }
    }

    /// `pattern` itself, or the files its last element's `*`/`?` match, sorted (Prometheus's
    /// `filepath.Glob` on `rule_files`).
    public static func expandGlob(_ pattern: String) -> [String] {
        guard pattern.contains("*") || pattern.contains("?") || pattern.contains("[") else { return [pattern] }
        let url = URL(fileURLWithPath: pattern)
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.filter { fnmatch(name, $0, 0) == 0 }.sorted().map { directory + "/" + $0 }
    }
}

/// One group's evaluation loop and the group's latest state, shared with the manager for snapshots.
final class GroupLoop: Sendable {
    private let state: Mutex<RuleGroup>
    /// True when the group is removed (its series are marked stale), false when a reload replaces it.
    private let stopSignal = StopSignal<Bool>()
    private let queryable: any Queryable
    private let appendable: any Appendable
    private let clock: any ScrapeClock
    private let sink: RuleManager.AlertSink
    /// Non-nil for a group new to this process: restore `for` state after the first evaluation.
    private let restore: RuleManager.RestoreOptions?
    private let logger: Logger

    init(
        group: RuleGroup, queryable: any Queryable, appendable: any Appendable, clock: any ScrapeClock,
        sink: @escaping RuleManager.AlertSink, restore: RuleManager.RestoreOptions?, logger: Logger
    ) {
        state = Mutex(group)
        self.queryable = queryable
        self.appendable = appendable
        self.clock = clock
        self.sink = sink
        self.restore = restore
        self.logger = logger
    }

    var group: RuleGroup { state.withLock { $0 } }

    /// Stops the loop; `removed` marks the group's series stale (the group is gone, not replaced).
    func stop(removed: Bool) { stopSignal.stop(removed) }

    func run() async {
        let removed = await withTaskGroup(of: Void.self) { tasks -> Bool? in
            tasks.addTask { await self.evaluateUntilCancelled() }
            let stop = await stopSignal.wait()
            tasks.cancelAll()
            await tasks.waitForAll()
            return stop
        }
        if removed == true {
            let now = clock.now() / 1_000_000
            state.withLock { $0.markStale(at: now, appendingTo: appendable) }
        }
    }

    private func evaluateUntilCancelled() async {
        let initial = group
        let interval = initial.intervalMilliseconds * 1_000_000
        guard interval > 0 else { return }
        var next =
            RuleGroup.evalTimestamp(
                startNanoseconds: clock.now(), intervalNanoseconds: interval, name: initial.name, file: initial.file)
            + interval
        var first = true
        while !Task.isCancelled {
            do { try await clock.sleep(until: next) } catch { return }
            let woke = clock.now()
            let missed = max(0, (woke - next) / interval)
            if missed > 0 {
                logger.warning(
                    "rule group evaluation missed its interval",
                    metadata: ["group": "\(initial.name)", "file": "\(initial.file)", "missed": "\(missed)"])
                next += missed * interval
            }
            let timestamp = next / 1_000_000
            var group = self.group
            let evaluation = group.evaluate(at: timestamp, on: queryable, appendingTo: appendable)
            if first, let restore {
                // Prometheus's RestoreForState: pending alerts keep the progress they had before the stop.
                do {
                    try group.restoreForState(
                        at: timestamp, from: queryable, outageTolerance: restore.outageToleranceMilliseconds,
                        forGracePeriod: restore.forGracePeriodMilliseconds)
                } catch {
                    logger.warning(
                        "restoring alert state failed", metadata: ["group": "\(group.name)", "error": "\(error)"])
                }
            }
            first = false
            if Task.isCancelled { return }
            state.withLock { $0 = group }
            for failure in evaluation.failures {
                logger.warning(
                    "rule evaluation failed",
                    metadata: ["group": "\(group.name)", "rule": "\(failure.ruleIndex)", "error": "\(failure.error)"])
            }
            if !evaluation.alertsToSend.isEmpty { await sink(evaluation.alertsToSend) }
            next += interval
        }
    }
}
