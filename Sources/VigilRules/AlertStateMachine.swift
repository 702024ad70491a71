import VigilModel

/// The lifecycle of the alerts of one alerting rule, as a value: inactive → pending → firing →
/// inactive (resolved), with `for`, `keep_firing_for`, resolved alerts kept 15 minutes so that their
/// resolution can be sent again, and the restore of `for` state after a restart.
///
/// It is told "these label sets are active now, with these values, at `ts`" and answers with the alerts
/// that are pending or firing (what `ALERTS` and `ALERTS_FOR_STATE` record); it reads no clock and
/// no storage. Times are milliseconds since the epoch. Mirrors Prometheus's `AlertingRule.Eval`.
public struct AlertStateMachine: Sendable, Hashable {
    /// How long Prometheus keeps a resolved alert to resend its resolution (`resolvedRetention`).
    public static let resolvedRetentionMilliseconds: Int64 = 15 * 60 * 1000

    /// The rule's `for`.
    public var holdDuration: Int64
    /// The rule's `keep_firing_for`.
    public var keepFiringFor: Int64
    /// Every alert the rule holds: pending, firing, and resolved ones within the retention.
    public private(set) var alerts: [Labels: Alert] = [:]

    public init(holdDuration: Int64 = 0, keepFiringFor: Int64 = 0) {
        self.holdDuration = holdDuration
        self.keepFiringFor = keepFiringFor
    }

    /// One element of the rule's result, with the rule's labels and annotations already applied.
    public struct Observation: Sendable, Hashable {
        public var labels: Labels
        public var annotations: Labels
        public var value: Double

        public init(labels: Labels, annotations: Labels = Labels(), value: Double) {
            self.labels = labels
            self.annotations = annotations
            self.value = value
        }
    }

    /// Advances every alert to `ts` given what the expression returned, and returns the pending and
    /// firing alerts sorted by labels.
    ///
    /// Throws (leaving the state as it was) when two observations share a label set; throws and drops
    /// every alert when more than `limit` (> 0) are pending or firing, as Prometheus does.
    public mutating func advance(_ observations: [Observation], at ts: Int64, limit: Int = 0) throws(RulesError)
        -> [Alert]
    {
        var current: [Labels: Observation] = [:]
        for observation in observations {
            guard current.updateValue(observation, forKey: observation.labels) == nil else {
                throw RulesError(
                    .evaluation, "vector contains metrics with the same labelset after applying alert labels")
            }
        }
        for (labels, observation) in current {
            if var alert = alerts[labels], alert.state != .inactive {
                alert.value = observation.value
                alert.annotations = observation.annotations
                alerts[labels] = alert
                continue
            }
            alerts[labels] = Alert(
                state: .pending, labels: labels, annotations: observation.annotations, value: observation.value,
                activeAt: ts)
        }
        var active: [Alert] = []
        for (labels, var alert) in alerts {
            if current[labels] == nil {
                var keepFiring = false
                if alert.state == .firing && keepFiringFor > 0 {
                    let since = alert.keepFiringSince ?? ts
                    alert.keepFiringSince = since
                    keepFiring = ts - since < keepFiringFor
                }
                if alert.state == .pending
                    || (alert.resolvedAt.map { ts - $0 > Self.resolvedRetentionMilliseconds } ?? false)
                {
                    alerts[labels] = nil
                    continue
                }
                if !keepFiring {
                    if alert.state != .inactive {
                        alert.state = .inactive
                        alert.resolvedAt = ts
                    }
                    alerts[labels] = alert
                    continue
                }
            } else {
                alert.keepFiringSince = nil
            }
            if alert.state == .pending && ts - alert.activeAt >= holdDuration {
                alert.state = .firing
                alert.firedAt = ts
            }
            alerts[labels] = alert
            active.append(alert)
        }
        if limit > 0 && active.count > limit {
            alerts = [:]
            throw RulesError(.evaluation, "exceeded limit of \(limit) with \(active.count) alerts")
        }
        return active.sorted { $0.labels.lexicographicallyPrecedes($1.labels) }
    }

    /// The alerts to hand to the notifier at `ts` (Prometheus's `sendAlerts`): firing ones, and resolved
    /// ones not yet sent since they resolved, each again after `resendDelay`. Marks them sent and sets
    /// their `validUntil` to `ts + 4 × max(resendDelay, interval)` (two failed evaluations or sends).
    public mutating func alertsToSend(at ts: Int64, resendDelay: Int64, interval: Int64) -> [Alert] {
        var out: [Alert] = []
        for (labels, var alert) in alerts where alert.needsSending(at: ts, resendDelay: resendDelay) {
            alert.lastSentAt = ts
            alert.validUntil = ts + 4 * max(resendDelay, interval)
            alerts[labels] = alert
            out.append(alert)
        }
        return out.sorted { $0.labels.lexicographicallyPrecedes($1.labels) }
    }

    /// Restores the `for` state of the pending alert `labels` from its last `ALERTS_FOR_STATE` sample
    /// (Prometheus's `RestoreForState`): `activeAtSeconds` is the sample's value, `downAt` its timestamp
    /// (ms), `ts` now. The time spent down does not count towards `for`; an alert whose remaining `for`
    /// is shorter than `forGracePeriod` gets that grace period. Returns whether an alert was restored.
    @discardableResult
    public mutating func restoreForState(
        labels: Labels, activeAtSeconds: Double, downAt: Int64, at ts: Int64, forGracePeriod: Int64
    ) -> Bool {
        guard var alert = alerts[labels], alert.state == .pending, holdDuration >= forGracePeriod,
            activeAtSeconds.isFinite
        else { return false }
        let down = downAt / 1000 * 1000
        var restored = Int64(activeAtSeconds) * 1000
        let remaining = holdDuration - (down - restored)
        if remaining <= 0 {
        } else if remaining < forGracePeriod {
            restored = ts + forGracePeriod - holdDuration
        } else {
            restored += ts - down
        }
        alert.activeAt = restored
        alerts[labels] = alert
        return true
    }

    /// Takes over the alerts of the same rule in a group being replaced (Prometheus's `CopyState`).
    public mutating func copyState(from other: AlertStateMachine) {
        alerts = other.alerts
    }

    /// Every alert, pending, firing and resolved, sorted by labels.
    public var allAlerts: [Alert] {
        alerts.values.sorted { $0.labels.lexicographicallyPrecedes($1.labels) }
    }
}
