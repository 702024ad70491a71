import Foundation
import VigilModel

/// The set of silences with Alertmanager's rules for creating, updating and expiring them
/// (`silence/silence.go`). A value type: the owner persists what changed through a ``SilenceStore``.
public struct Silences: Sendable {
    public private(set) var byID: [String: Silence] = [:]

    public init(_ silences: [Silence] = []) {
        for silence in silences { byID[silence.id] = silence }
    }

    public subscript(id: String) -> Silence? { byID[id] }

    /// Checks a silence as Alertmanager's `validateSilence` does.
    public static func validate(_ silence: Silence) throws(AlertingError) {
        guard !silence.matchers.isEmpty else {
            throw AlertingError(.invalidSilence, "invalid silence: at least one matcher required", keyPath: "matchers")
        }
        for (index, matcher) in silence.matchers.enumerated() where !isValidLabelName(matcher.name) {
            throw AlertingError(
                .invalidSilence,
                "invalid silence: invalid label matcher \(index): invalid label name \"\(matcher.name)\"",
                keyPath: "matchers[\(index)]")
        }
        if silence.matchers.allSatisfy(\.matchesEmpty) {
            throw AlertingError(
                .invalidSilence, "invalid silence: at least one matcher must not match the empty string",
                keyPath: "matchers")
        }
        if silence.endsAt < silence.startsAt {
            throw AlertingError(
                .invalidSilence, "invalid silence: end time must not be before start time", keyPath: "endsAt")
        }
    }

    /// Creates or updates a silence (`Silences.Set`); returns the silences written (the new or updated one
    /// last; an expired predecessor first). A silence whose matchers change, or an active one whose start
    /// moves, is expired and replaced by a new one with a fresh id.
    public mutating func set(_ silence: Silence, now: Date, newID: () -> String = { UUID().uuidString.lowercased() })
        throws(AlertingError) -> [Silence]
    {
        var silence = silence
        var written: [Silence] = []
        if !silence.id.isEmpty {
            guard let previous = byID[silence.id] else { throw AlertingError(.notFound, "silence not found") }
            if Self.canUpdate(previous, silence, now: now) {
                silence.updatedAt = now
                try Self.validate(silence)
                byID[silence.id] = silence
                return [silence]
            }
            if previous.state(at: now) != .expired {
                written.append(try expire(id: previous.id, now: now))
            }
        }
        silence.id = newID()
        if silence.startsAt < now { silence.startsAt = now }
        silence.updatedAt = now
        try Self.validate(silence)
        byID[silence.id] = silence
        written.append(silence)
        return written
    }

    static func canUpdate(_ old: Silence, _ new: Silence, now: Date) -> Bool {
        guard old.matchers == new.matchers else { return false }
        switch old.state(at: now) {
        case .active: return new.startsAt == old.startsAt && new.endsAt >= now
        case .pending: return new.startsAt >= now
        case .expired: return false
        }
    }

    /// Expires a silence now (`Silences.Expire`): an active one ends now, a pending one starts and ends now.
    @discardableResult
    public mutating func expire(id: String, now: Date) throws(AlertingError) -> Silence {
        guard var silence = byID[id] else { throw AlertingError(.notFound, "silence not found") }
        switch silence.state(at: now) {
        case .expired:
            throw AlertingError(.invalidSilence, "silence \(id) already expired")
        case .active:
            silence.endsAt = now
        case .pending:
            silence.startsAt = now
            silence.endsAt = now
        }
        silence.updatedAt = now
        byID[id] = silence
        return silence
    }

    /// The silences in `states` (all when nil) whose matchers satisfy every filter matcher
    /// (Alertmanager's `checkSilenceMatchesFilterLabels`), in the API's order: active by end,
    /// pending by start, expired by end, latest first.
    public func query(states: Set<SilenceState>? = nil, filter: [LabelMatcher] = [], now: Date) -> [Silence] {
        let selected = byID.values.filter { silence in
            if let states, !states.contains(silence.state(at: now)) { return false }
            var values: [String: String] = [:]
            for matcher in silence.matchers { values[matcher.name] = matcher.value }
            return filter.allSatisfy { matcher in values[matcher.name].map(matcher.matches) ?? false }
        }
        let rank: [SilenceState: Int] = [.active: 0, .pending: 1, .expired: 2]
        return selected.sorted { a, b in
            let (sa, sb) = (a.state(at: now), b.state(at: now))
            if sa != sb { return rank[sa]! < rank[sb]! }
            switch sa {
            case .active: return a.endsAt == b.endsAt ? a.id < b.id : a.endsAt < b.endsAt
            case .pending: return a.startsAt == b.startsAt ? a.id < b.id : a.startsAt < b.startsAt
            case .expired: return a.endsAt == b.endsAt ? a.id < b.id : a.endsAt > b.endsAt
            }
        }
    }

    /// The ids of the active silences that mute `labels`, sorted.
    public func isSilenced(_ labels: Labels, now: Date) -> [String] {
        byID.values.filter { $0.state(at: now) == .active && $0.matches(labels) }.map(\.id).sorted()
    }

    /// Removes silences that ended before `cutoff` (retention); returns their ids.
    @discardableResult
    public mutating func collect(endedBefore cutoff: Date) -> [String] {
        let old = byID.values.filter { $0.endsAt < cutoff }.map(\.id)
        for id in old { byID[id] = nil }
        return old
    }
}
