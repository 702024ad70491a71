import Foundation

/// One Alertmanager silence as stored: its matchers, its active window and who made it why.
public struct SilenceRecord: Sendable, Hashable {
    /// Alertmanager's silence id (a UUID); the primary key.
    public var id: String
    /// In the order given; all must match for the silence to apply.
    public var matchers: [SilenceMatcherRecord]
    public var startsAt: Date
    public var endsAt: Date
    public var updatedAt: Date
    public var createdBy: String
    public var comment: String

    public init(
        id: String, matchers: [SilenceMatcherRecord], startsAt: Date, endsAt: Date, updatedAt: Date,
        createdBy: String, comment: String
    ) {
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.updatedAt = updatedAt
        self.createdBy = createdBy
        self.comment = comment
    }
}

/// One matcher of a silence: `name="value"`, `name!="value"`, `name=~"regex"` or `name!~"regex"`.
public struct SilenceMatcherRecord: Sendable, Hashable {
    public var name: String
    public var value: String
    public var isRegex: Bool
    /// `false` for the negative operators `!=` and `!~`.
    public var isEqual: Bool

    public init(name: String, value: String, isRegex: Bool = false, isEqual: Bool = true) {
        self.name = name
        self.value = value
        self.isRegex = isRegex
        self.isEqual = isEqual
    }
}
