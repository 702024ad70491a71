import Foundation
import VigilModel

/// A node of the routing tree with its options resolved (inherited from the parent where not set).
public struct Route: Sendable, Hashable {
    public var receiver: String
    /// Label names to group by; ignored when ``groupByAll`` (`group_by: ['...']`).
    public var groupBy: [String]
    public var groupByAll: Bool
    /// Sorted as Alertmanager sorts them (they form the route's key).
    public var matchers: [LabelMatcher]
    public var `continue`: Bool
    public var groupWait: Duration
    public var groupInterval: Duration
    public var repeatInterval: Duration
    public var muteTimeIntervals: [String]
    public var activeTimeIntervals: [String]
    public var routes: [Route]
    /// Alertmanager's `Route.Key()`: the parent's key, `/`, and this route's matchers (`{}/{severity="critical"}`).
    public var key: String
    /// The route's position in the tree, depth-first from 0 at the root (two routes may share a key).
    public var id: Int = 0

    public init(
        receiver: String, groupBy: [String] = [], groupByAll: Bool = false, matchers: [LabelMatcher] = [],
        continue: Bool = false, groupWait: Duration = .seconds(30), groupInterval: Duration = .seconds(300),
        repeatInterval: Duration = .seconds(14_400), muteTimeIntervals: [String] = [],
        activeTimeIntervals: [String] = [], routes: [Route] = [], key: String = "{}"
    ) {
        self.receiver = receiver
        self.groupBy = groupBy
        self.groupByAll = groupByAll
        self.matchers = matchers
        self.continue = `continue`
        self.groupWait = groupWait
        self.groupInterval = groupInterval
        self.repeatInterval = repeatInterval
        self.muteTimeIntervals = muteTimeIntervals
        self.activeTimeIntervals = activeTimeIntervals
        self.routes = routes
        self.key = key
    }

    /// The routes an alert with `labels` goes to: depth-first, the first matching child unless it has
    /// `continue`, this route itself when no child matches; empty when this route does not match.
    public func match(_ labels: Labels) -> [Route] {
        guard matchers.allSatisfy({ $0.matches(labels) }) else { return [] }
        var all: [Route] = []
        for child in routes {
            let matches = child.match(labels)
            all.append(contentsOf: matches)
            if !matches.isEmpty && !child.continue { break }
        }
        if all.isEmpty { all.append(self) }
        return all
    }

    /// The labels an alert is grouped by on this route.
    public func groupLabels(of labels: Labels) -> Labels {
        if groupByAll { return labels }
        return Labels(labels.filter { groupBy.contains($0.name) })
    }

    /// A copy with ``id`` numbered depth-first from `start`; returns the next free number too.
    func numbered(from start: Int = 0) -> (Route, Int) {
        var copy = self
        copy.id = start
        var next = start + 1
        copy.routes = routes.map { child in
            let (numbered, after) = child.numbered(from: next)
            next = after
            return numbered
        }
        return (copy, next)
    }

    /// Every route of the tree, depth-first.
    public var allRoutes: [Route] { [self] + routes.flatMap(\.allRoutes) }
}
