import Foundation
import VigilModel

/// Inhibition (`inhibit/inhibit.go`): keeps, per rule, the alerts matching its source side indexed by
/// their values of the `equal` labels, and answers which alert mutes a given label set.
public struct Inhibitor: Sendable {
    private struct Indexed: Sendable {
        var rule: InhibitRule
        /// Values of `equal` labels → source alerts.
        var sources: [[String]: [UInt64: Alert]] = [:]
        /// Fingerprint → its index key, to move an alert whose labels cannot change (same fingerprint).
        var keys: [UInt64: [String]] = [:]
    }

    private var rules: [Indexed]

    public init(rules: [InhibitRule]) {
        self.rules = rules.map { Indexed(rule: $0) }
    }

    /// Records an alert (new or updated) as a possible source.
    public mutating func observe(_ alert: Alert) {
        for index in rules.indices where rules[index].rule.sourceMatchers.allSatisfy({ $0.matches(alert.labels) }) {
            let key = rules[index].rule.equal.map { alert.labels[$0] ?? "" }
            rules[index].sources[key, default: [:]][alert.fingerprint] = alert
            rules[index].keys[alert.fingerprint] = key
        }
    }

    /// Forgets an alert (garbage-collected from the store).
    public mutating func forget(_ fingerprint: UInt64) {
        for index in rules.indices {
            guard let key = rules[index].keys.removeValue(forKey: fingerprint) else { continue }
            rules[index].sources[key]?[fingerprint] = nil
        }
    }

    /// The fingerprint of a firing alert that inhibits `labels`, or nil (`Inhibitor.Mutes`). An alert that
    /// matches both sides of a rule cannot be inhibited by another alert that does too.
    public func inhibitor(of labels: Labels, now: Date) -> UInt64? {
        for indexed in rules where indexed.rule.targetMatchers.allSatisfy({ $0.matches(labels) }) {
            let excludeTwoSided = indexed.rule.sourceMatchers.allSatisfy { $0.matches(labels) }
            let key = indexed.rule.equal.map { labels[$0] ?? "" }
            guard let candidates = indexed.sources[key] else { continue }
            for (fingerprint, source) in candidates.sorted(by: { $0.key < $1.key }) {
                if source.isResolved(at: now) { continue }
                if excludeTwoSided && indexed.rule.targetMatchers.allSatisfy({ $0.matches(source.labels) }) {
                    continue
                }
                return fingerprint
            }
        }
        return nil
    }
}
