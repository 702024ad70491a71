import Foundation
import VigilModel

/// Every alert received, keyed by fingerprint (Alertmanager's in-memory alert provider): a re-sent
/// alert is merged with the one held when their activity overlaps; resolved alerts are collected.
public struct AlertStore: Sendable {
    public private(set) var alerts: [UInt64: Alert] = [:]

    public init() {}

    public subscript(fingerprint: UInt64) -> Alert? { alerts[fingerprint] }

    public var count: Int { alerts.count }

    /// Stores `alert`, merged with the held one when their activity ranges overlap; returns what is stored.
    @discardableResult
    public mutating func put(_ alert: Alert, now: Date) -> Alert {
        var stored = alert
        if let old = alerts[alert.fingerprint] {
            if (alert.endsAt > old.startsAt && alert.endsAt < old.endsAt)
                || (alert.startsAt > old.startsAt && alert.startsAt < old.endsAt)
            {
                stored = old.merged(with: alert, now: now)
            }
        }
        alerts[alert.fingerprint] = stored
        return stored
    }

    /// Removes resolved alerts (the provider's periodic GC); returns their fingerprints.
    @discardableResult
    public mutating func collectResolved(now: Date) -> [UInt64] {
        let resolved = alerts.values.filter { $0.isResolved(at: now) }.map(\.fingerprint)
        for fingerprint in resolved { alerts[fingerprint] = nil }
        return resolved
    }
}
