import Foundation
import VigilModel

/// An alert as Alertmanager holds it (`types.Alert`): identity is the label set, its fingerprint the key.
public struct Alert: Sendable, Hashable {
    public var labels: Labels {
        didSet { fingerprint = labels.alertFingerprint }
    }
    public var annotations: Labels
    public var startsAt: Date
    /// Always set once the alert is accepted: either given, or `resolve_timeout` after it was received.
    public var endsAt: Date
    public var generatorURL: String
    /// When the alert was last received.
    public var updatedAt: Date
    /// True when `endsAt` was not given but derived from `resolve_timeout`.
    public var timeout: Bool
    /// Alertmanager's fingerprint of ``labels``.
    public private(set) var fingerprint: UInt64

    public init(
        labels: Labels, annotations: Labels = [:], startsAt: Date, endsAt: Date, generatorURL: String = "",
        updatedAt: Date, timeout: Bool = false
    ) {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
        self.updatedAt = updatedAt
        self.timeout = timeout
        self.fingerprint = labels.alertFingerprint
    }

    /// Resolved once `endsAt` is not after `now` (`ResolvedAt`).
    public func isResolved(at now: Date) -> Bool { endsAt <= now }

    /// Alertmanager's `Alert.Merge`: the younger alert (by `updatedAt`) wins, keeping the earliest start
    /// and the latest explicit end.
    public func merged(with other: Alert, now: Date) -> Alert {
        if other.updatedAt < updatedAt { return other.merged(with: self, now: now) }
        var result = other
        if startsAt < other.startsAt { result.startsAt = startsAt }
        if other.isResolved(at: now) {
            if isResolved(at: now) && endsAt > other.endsAt { result.endsAt = endsAt }
        } else if endsAt > other.endsAt && !timeout {
            result.endsAt = endsAt
        }
        return result
    }
}

extension Labels {
    /// Alertmanager's (and Prometheus's `model.LabelSet`) fingerprint: 64-bit FNV-1a over the sorted
    /// names and values, each followed by the byte 255.
    public var alertFingerprint: UInt64 { stableHash }
}

extension UInt64 {
    /// A fingerprint as Alertmanager prints it: 16 lower-case hex digits.
    public var fingerprintString: String { String(self, radix: 16).leftPadded(to: 16) }
}

/// Alertmanager's legacy label name rule: `[a-zA-Z_][a-zA-Z0-9_]*`.
func isValidLabelName(_ name: String) -> Bool {
    guard let first = name.utf8.first else { return false }
    func letter(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || byte == 0x5f
    }
    return letter(first) && name.utf8.allSatisfy { letter($0) || ($0 >= 0x30 && $0 <= 0x39) }
}
