import VigilModel

/// The state of an alert (Prometheus's `AlertState`).
public enum AlertState: String, Sendable, Hashable, Comparable {
    /// Resolved: the condition no longer holds (kept a while to send the resolution).
    case inactive
    /// The condition holds, but not yet for the rule's `for` duration.
    case pending
    case firing

    public static func < (lhs: AlertState, rhs: AlertState) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .inactive: 0
        case .pending: 1
        case .firing: 2
        }
    }
}

/// One alert of an alerting rule: a label set for which the rule's expression returned a sample.
/// Times are milliseconds since the epoch.
public struct Alert: Sendable, Hashable {
    public var state: AlertState
    /// The rule's labels, the sample's labels and `alertname` (no external labels).
    public var labels: Labels
    public var annotations: Labels
    /// The sample value at the last evaluation that returned this alert.
    public var value: Double
    /// When the condition started to hold (the evaluation that first returned it).
    public var activeAt: Int64
    /// When it went from pending to firing.
    public var firedAt: Int64?
    /// When it was resolved (set with the move to ``AlertState/inactive``).
    public var resolvedAt: Int64?
    /// When it was last handed to the notifier.
    public var lastSentAt: Int64?
    /// Until when the last notification holds (`endsAt` of a firing alert).
    public var validUntil: Int64?
    /// Since when `keep_firing_for` keeps it firing without the condition.
    public var keepFiringSince: Int64?

    public init(
        state: AlertState, labels: Labels, annotations: Labels = Labels(), value: Double, activeAt: Int64,
        firedAt: Int64? = nil, resolvedAt: Int64? = nil, lastSentAt: Int64? = nil, validUntil: Int64? = nil,
        keepFiringSince: Int64? = nil
    ) {
        self.state = state
        self.labels = labels
        self.annotations = annotations
        self.value = value
        self.activeAt = activeAt
        self.firedAt = firedAt
        self.resolvedAt = resolvedAt
        self.lastSentAt = lastSentAt
        self.validUntil = validUntil
        self.keepFiringSince = keepFiringSince
    }

    public static func == (lhs: Alert, rhs: Alert) -> Bool {
        lhs.state == rhs.state && lhs.labels == rhs.labels && lhs.annotations == rhs.annotations
            && lhs.value.bitPattern == rhs.value.bitPattern && lhs.activeAt == rhs.activeAt
            && lhs.firedAt == rhs.firedAt && lhs.resolvedAt == rhs.resolvedAt && lhs.lastSentAt == rhs.lastSentAt
            && lhs.validUntil == rhs.validUntil && lhs.keepFiringSince == rhs.keepFiringSince
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(labels)
        hasher.combine(activeAt)
    }

    /// Prometheus's `needsSending`: firing (or resolved) alerts, again when resolved since the last send,
    /// else once `resendDelay` has passed since the last send.
    func needsSending(at ts: Int64, resendDelay: Int64) -> Bool {
        if state == .pending { return false }
        if let resolvedAt, resolvedAt > (lastSentAt ?? .min) { return true }
        guard let lastSentAt else { return true }
        return lastSentAt + resendDelay < ts
    }
}

/// An alert as the notifier sends it (Alertmanager's API v2 shape), with the external labels added.
public struct NotifierAlert: Sendable, Hashable {
    public var labels: Labels
    public var annotations: Labels
    /// Milliseconds since the epoch: when it started firing.
    public var startsAt: Int64
    /// When it was resolved, or until when this notification holds (`ValidUntil`).
    public var endsAt: Int64
    /// `externalURL/graph?g0.expr=...&g0.tab=1`.
    public var generatorURL: String

    public init(labels: Labels, annotations: Labels, startsAt: Int64, endsAt: Int64, generatorURL: String) {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
    }
}
