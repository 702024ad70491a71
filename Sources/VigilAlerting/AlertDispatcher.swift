import Foundation
import VigilModel

/// The notifier core: receives alerts, routes them into aggregation groups, and flushes each group
/// through Alertmanager's pipeline (inhibit → active/mute time intervals → silences → per integration:
/// dedup against the notification log → send with retries → log).
///
/// Time comes from an injected ``AlertingClock``. ``run()`` drives the timers for a server;
/// tests call ``flushDue(now:)`` at the instants they choose, so nothing sleeps.
public actor AlertDispatcher {
    /// One aggregation group: a route and the values of its group-by labels.
    struct Group: Sendable {
        var route: Route
        var labels: Labels
        var key: String
        var alerts: [UInt64: Alert]
        var timer: AggregationGroupStateMachine
    }

    struct GroupID: Hashable, Sendable {
        var routeID: Int
        var labels: Labels
    }

    /// What the API shows about an alert's suppression.
    public struct AlertMarks: Sendable, Hashable {
        public var silencedBy: [String]
        public var inhibitedBy: [String]
    }

    public private(set) var configuration: AlertmanagerConfiguration
    private let clock: any AlertingClock
    private let silenceStore: any SilenceStore
    private let logStore: any NotificationLogStore
    private let externalURL: String
    private let retention: Duration
    private var integrations: [String: [Integration]] = [:]

    private(set) var alerts = AlertStore()
    private var inhibitor: Inhibitor
    public private(set) var silences = Silences()
    public private(set) var notificationLog = NotificationLog()
    private var groups: [GroupID: Group] = [:]
    private var marks: [UInt64: AlertMarks] = [:]
    private var stats: [String: IntegrationStats] = [:]
    private var lastMaintenance: Date
    private var wakeUp: WakeSignal?
    /// Seconds in [0, 1) for backoff jitter; tests pass a constant.
    private let jitter: @Sendable () -> Double

    public init(
        configuration: AlertmanagerConfiguration, integrations factory: IntegrationFactory,
        clock: any AlertingClock = SystemAlertingClock(), silenceStore: any SilenceStore = InMemorySilenceStore(),
        notificationLogStore: any NotificationLogStore = InMemoryNotificationLogStore(),
        externalURL: String = "", retention: Duration = .seconds(120 * 3600),
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.configuration = configuration
        self.clock = clock
        self.silenceStore = silenceStore
        self.logStore = notificationLogStore
        self.externalURL = externalURL
        self.retention = retention
        self.jitter = jitter
        self.inhibitor = Inhibitor(rules: configuration.inhibitRules)
        self.lastMaintenance = clock.now()
        for receiver in configuration.receivers { integrations[receiver.name] = factory(receiver) }
    }

    /// Loads silences and the notification log from their stores (once, before alerts arrive).
    public func loadState() async throws {
        silences = Silences(try await silenceStore.loadAll())
        notificationLog = NotificationLog(try await logStore.loadAll())
    }

    // MARK: alerts in

    /// Accepts already validated alerts (see ``AlertmanagerAPI``): merges each into the store, records
    /// inhibition sources, and inserts it into the aggregation group of every route it matches.
    public func put(_ incoming: [Alert]) {
        let now = clock.now()
        var wake = false
        for alert in incoming {
            let stored = alerts.put(alert, now: now)
            inhibitor.observe(stored)
            for route in configuration.route.match(stored.labels) {
                let groupLabels = route.groupLabels(of: stored.labels)
                let id = GroupID(routeID: route.id, labels: groupLabels)
                if groups[id] == nil {
                    groups[id] = Group(
                        route: route, labels: groupLabels, key: route.key + ":" + groupLabels.description,
                        alerts: [:],
                        timer: AggregationGroupStateMachine(
                            createdAt: now, groupWait: route.groupWait, groupInterval: route.groupInterval))
                    wake = true
                }
                groups[id]!.alerts[stored.fingerprint] = stored
                if case .flush = groups[id]!.timer.alertInserted(startsAt: stored.startsAt, now: now) { wake = true }
            }
        }
        if wake { wakeUp?.signal() }
    }

    /// Alertmanager's reload: the new routes, receivers and inhibition rules take over, and every held
    /// alert is routed again into fresh groups (their group_wait starts over; the notification log keeps
    /// them from repeating what was already sent). Silences and the notification log stay.
    public func apply(_ configuration: AlertmanagerConfiguration, integrations factory: IntegrationFactory) {
        self.configuration = configuration
        integrations = [:]
        for receiver in configuration.receivers { integrations[receiver.name] = factory(receiver) }
        inhibitor = Inhibitor(rules: configuration.inhibitRules)
        groups = [:]
        marks = [:]
        put(Array(alerts.alerts.values))
    }

    /// Every alert held, with its fingerprint.
    public var allAlerts: [Alert] { Array(alerts.alerts.values) }

    // MARK: timers

    /// When the next group timer fires.
    public var nextDeadline: Date? { groups.values.map(\.timer.nextFlush).min() }

    /// Flushes every group whose timer has fired at `now` and waits for the notifications to finish
    /// (each integration in its own task, so a failing receiver does not hold up another).
    public func flushDue(now: Date) async {
        let due = dueGroups(now: now)
        await withTaskGroup(of: Void.self) { taskGroup in
            for id in due { taskGroup.addTask { await self.flush(id, now: now) } }
        }
        maintain(now: now)
    }

    func dueGroups(now: Date) -> [GroupID] {
        var due: [GroupID] = []
        for (id, group) in groups {
            var timer = group.timer
            if case .flush = timer.tick(now: now) { due.append(id) }
            groups[id]!.timer = timer
        }
        return due
    }

    /// Removes empty groups and garbage every 30 s, as Alertmanager's dispatcher does.
    func maintain(now: Date) {
        guard now.timeIntervalSince(lastMaintenance) >= 30 else { return }
        lastMaintenance = now
        groups = groups.filter { !$0.value.alerts.isEmpty }
        notificationLog.collect(now: now)
    }

    /// Removes resolved alerts from the store (Alertmanager's provider GC, every 30 minutes in a server).
    public func collectResolved() async {
        let now = clock.now()
        for fingerprint in alerts.collectResolved(now: now) {
            inhibitor.forget(fingerprint)
            marks[fingerprint] = nil
        }
        let cutoff = now - retention.timeInterval
        let removed = silences.collect(endedBefore: cutoff)
        if !removed.isEmpty { try? await silenceStore.deleteExpired(before: cutoff) }
    }

    /// Drives the group timers on the clock until the task is cancelled. Each tick's flushes run as
    /// child tasks, so that a receiver retrying for minutes never delays another group's timer.
    public func run() async {
        let signal = WakeSignal()
        wakeUp = signal
        var lastCollect = clock.now()
        await withDiscardingTaskGroup { tasks in
            while !Task.isCancelled {
                let now = clock.now()
                let deadline = nextDeadline.map { min($0, now + 30) } ?? now + 30
                await signal.wait(until: deadline, on: clock)
                if Task.isCancelled { break }
                let tickTime = clock.now()
                tasks.addTask { await self.flushDue(now: tickTime) }
                if tickTime.timeIntervalSince(lastCollect) >= 1800 {
                    lastCollect = tickTime
                    await collectResolved()
                }
            }
            tasks.cancelAll()
        }
        wakeUp = nil
    }

    // MARK: pipeline

    private struct Job: Sendable {
        var groupKey: String
        var groupLabels: Labels
        var receiver: String
        var repeatInterval: Duration
        var groupInterval: Duration
        var alerts: [Alert]
        var snapshot: [UInt64: Date]
    }

    func flush(_ id: GroupID, now: Date) async {
        guard let group = groups[id] else { return }
        // Alerts don't resolve while the flush runs: those not yet resolved lose their end.
        var alertsNow: [Alert] = []
        for alert in group.alerts.values { alertsNow.append(alert) }
        alertsNow.sort(by: alertOrder)
        let updatedAt = Dictionary(uniqueKeysWithValues: alertsNow.map { ($0.fingerprint, $0.updatedAt) })
        guard let filtered = stagesBeforeIntegrations(alertsNow, route: group.route, now: now) else { return }
        let job = Job(
            groupKey: group.key, groupLabels: group.labels, receiver: group.route.receiver,
            repeatInterval: group.route.repeatInterval, groupInterval: group.route.groupInterval, alerts: filtered,
            snapshot: updatedAt)
        let delivered = await withTaskGroup(of: Bool.self) { taskGroup in
            for integration in integrations[job.receiver] ?? [] {
                taskGroup.addTask { await self.notify(job, integration: integration, now: now) }
            }
            var all = true
            for await ok in taskGroup where !ok { all = false }
            return all
        }
        guard delivered, var current = groups[id] else { return }
        // Delete the resolved alerts just notified, unless they changed meanwhile.
        for alert in alertsNow where alert.isResolved(at: now) {
            if let held = current.alerts[alert.fingerprint], held.updatedAt == updatedAt[alert.fingerprint] {
                current.alerts[alert.fingerprint] = nil
            }
        }
        groups[id] = current
    }

    /// Inhibition, time intervals and silences; nil when nothing is left to send.
    private func stagesBeforeIntegrations(_ input: [Alert], route: Route, now: Date) -> [Alert]? {
        var remaining: [Alert] = []
        for alert in input {
            let inhibitedBy = inhibitor.inhibitor(of: alert.labels, now: now)
            marks[alert.fingerprint, default: AlertMarks(silencedBy: [], inhibitedBy: [])].inhibitedBy =
                inhibitedBy.map { [$0.fingerprintString] } ?? []
            if inhibitedBy == nil { remaining.append(alert) }
        }
        if remaining.isEmpty { return nil }
        if !route.activeTimeIntervals.isEmpty {
            let active = route.activeTimeIntervals.contains { configuration.timeIntervals[$0]?.contains(now) ?? false }
            if !active { return nil }
        }
        if route.muteTimeIntervals.contains(where: { configuration.timeIntervals[$0]?.contains(now) ?? false }) {
            return nil
        }
        var unsilenced: [Alert] = []
        for alert in remaining {
            let ids = silences.isSilenced(alert.labels, now: now)
            marks[alert.fingerprint, default: AlertMarks(silencedBy: [], inhibitedBy: [])].silencedBy = ids
            if ids.isEmpty { unsilenced.append(alert) }
        }
        return unsilenced.isEmpty ? nil : unsilenced
    }

    /// Dedup, retry and log for one integration; true when nothing failed.
    private func notify(_ job: Job, integration: Integration, now: Date) async -> Bool {
        let logReceiver = NotificationLogReceiver(
            groupKey: job.groupKey, receiverName: job.receiver, integration: integration.name,
            index: integration.index)
        var firing: Set<UInt64> = []
        var resolved: Set<UInt64> = []
        for alert in job.alerts {
            if alert.isResolved(at: now) {
                resolved.insert(alert.fingerprint)
            } else {
                firing.insert(alert.fingerprint)
            }
        }
        guard
            NotificationLog.needsUpdate(
                entry: notificationLog[logReceiver], firing: firing, resolved: resolved,
                sendResolved: integration.sendResolved, repeatInterval: job.repeatInterval, now: now)
        else { return true }

        var sent = job.alerts
        if !integration.sendResolved { sent = sent.filter { !$0.isResolved(at: now) } }
        if !sent.isEmpty {
            let data = notificationData(job, alerts: sent, maxAlerts: integration.maxAlerts, now: now)
            let statsKey = Self.statsKey(job.receiver, integration)
            stats[statsKey, default: IntegrationStats()].notifications += 1
            // The flush's deadline, as Alertmanager's: the group interval, at least 10 s.
            let deadline = now + max(10, job.groupInterval.timeInterval)
            var attempt = 0
            while true {
                attempt += 1
                stats[statsKey, default: IntegrationStats()].attempts += 1
                stats[statsKey]!.lastAttempt = clock.now()
                do throws(NotifyError) {
                    try await integration.notifier.notify(data)
                    break
                } catch {
                    stats[statsKey]!.lastError = error.message
                    let wait = RetryBackoff().delay(attempt: attempt, unit: jitter())
                    let next = clock.now() + wait
                    if !error.retryable || next > deadline || Task.isCancelled {
                        stats[statsKey]!.failures += 1
                        return false
                    }
                    do { try await clock.sleep(until: next) } catch {
                        stats[statsKey]!.failures += 1
                        return false
                    }
                }
            }
        }
        let entry = NotificationLogEntry(
            receiver: logReceiver, firingAlerts: firing, resolvedAlerts: resolved, timestamp: now,
            expiresAt: now + retention.timeInterval)
        notificationLog.log(entry)
        try? await logStore.upsert(entry)
        return true
    }

    private func notificationData(_ job: Job, alerts input: [Alert], maxAlerts: Int, now: Date) -> NotificationData {
        var alerts = input
        var truncated = 0
        if maxAlerts > 0 && alerts.count > maxAlerts {
            truncated = alerts.count - maxAlerts
            alerts = Array(alerts.prefix(maxAlerts))
        }
        let shown = alerts.map { alert in
            let resolved = alert.isResolved(at: now)
            return NotificationAlert(
                status: resolved ? .resolved : .firing, labels: alert.labels, annotations: alert.annotations,
                startsAt: alert.startsAt, endsAt: resolved ? alert.endsAt : nil, generatorURL: alert.generatorURL,
                fingerprint: alert.fingerprint.fingerprintString)
        }
        return NotificationData(
            receiver: job.receiver, status: shown.contains { $0.status == .firing } ? .firing : .resolved,
            alerts: shown, groupLabels: job.groupLabels, commonLabels: common(shown.map(\.labels)),
            commonAnnotations: common(shown.map(\.annotations)), externalURL: externalURL, groupKey: job.groupKey,
            truncatedAlerts: truncated)
    }

    private func common(_ sets: [Labels]) -> Labels {
        guard var result = sets.first.map({ Array($0) }) else { return Labels() }
        for set in sets.dropFirst() { result.removeAll { set[$0.name] != $0.value } }
        return Labels(result)
    }

    static func statsKey(_ receiver: String, _ integration: Integration) -> String {
        "\(receiver)/\(integration.name)[\(integration.index)]"
    }

    // MARK: state for the API

    /// Delivery counters per `receiver/integration[index]`.
    public var integrationStats: [String: IntegrationStats] { stats }

    /// Silenced-by and inhibited-by of an alert, computed now.
    public func marks(for alert: Alert) -> AlertMarks {
        let now = clock.now()
        let inhibitedBy = inhibitor.inhibitor(of: alert.labels, now: now)
        return AlertMarks(
            silencedBy: silences.isSilenced(alert.labels, now: now),
            inhibitedBy: inhibitedBy.map { [$0.fingerprintString] } ?? [])
    }

    /// The receivers an alert is routed to, de-duplicated in route order.
    public func receivers(for labels: Labels) -> [String] {
        var names: [String] = []
        for route in configuration.route.match(labels) where !names.contains(route.receiver) {
            names.append(route.receiver)
        }
        return names
    }

    /// The aggregation groups: labels, receiver and alerts (sorted), for `GET /api/v2/alerts/groups`.
    public func groupSnapshots() -> [(labels: Labels, receiver: String, key: String, alerts: [Alert])] {
        groups.values.filter { !$0.alerts.isEmpty }.map { group in
            (group.labels, group.route.receiver, group.key, group.alerts.values.sorted(by: alertOrder))
        }.sorted { $0.key < $1.key }
    }

    /// Creates or updates a silence; returns its id.
    public func setSilence(_ silence: Silence) async throws(AlertingError) -> String {
        let written = try silences.set(silence, now: clock.now())
        for silence in written { try? await silenceStore.upsert(silence) }
        return written.last!.id
    }

    /// Expires a silence.
    public func expireSilence(id: String) async throws(AlertingError) {
        let silence = try silences.expire(id: id, now: clock.now())
        try? await silenceStore.upsert(silence)
    }

    public func now() -> Date { clock.now() }
}

/// Alertmanager's `AlertSlice` order: by `job`, then `instance` (alerts having them first), then labels.
func alertOrder(_ a: Alert, _ b: Alert) -> Bool {
    for key in ["job", "instance"] {
        let (left, right) = (a.labels[key], b.labels[key])
        if left == nil && right == nil { continue }
        guard let left else { return false }
        guard let right else { return true }
        if left != right { return left < right }
    }
    return labelsBefore(a.labels, b.labels)
}

/// `labels.Labels.Before`: pairwise by name then value; a prefix sorts first.
func labelsBefore(_ a: Labels, _ b: Labels) -> Bool {
    for (left, right) in zip(a, b) {
        if left.name != right.name { return left.name < right.name }
        if left.value != right.value { return left.value < right.value }
    }
    return a.count < b.count
}
