import Foundation
import VigilModel

/// Where a silence is in its life: not started yet, muting, or over.
public enum SilenceState: String, Sendable, Hashable, CaseIterable {
    case pending
    case active
    case expired
}

/// An Alertmanager silence: alerts whose labels satisfy every matcher are muted between `startsAt`
/// and `endsAt`.
public struct Silence: Sendable, Hashable, Identifiable {
    /// A UUID, lower case as Alertmanager prints it.
    public var id: String
    public var matchers: [LabelMatcher]
    public var startsAt: Date
    public var endsAt: Date
    public var updatedAt: Date
    public var createdBy: String
    public var comment: String

    public init(
        id: String = UUID().uuidString.lowercased(), matchers: [LabelMatcher], startsAt: Date, endsAt: Date,
        updatedAt: Date = Date(timeIntervalSince1970: 0), createdBy: String, comment: String
    ) {
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.updatedAt = updatedAt
        self.createdBy = createdBy
        self.comment = comment
    }

    /// Alertmanager's `getState`: expired once `endsAt` is not after `now`, pending before `startsAt`.
    public func state(at now: Date) -> SilenceState {
        if endsAt <= now { return .expired }
        if startsAt > now { return .pending }
        return .active
    }

    /// Whether every matcher matches `labels` (an absent label is the empty string).
    public func matches(_ labels: Labels) -> Bool {
        matchers.allSatisfy { $0.matches(labels) }
    }
}
