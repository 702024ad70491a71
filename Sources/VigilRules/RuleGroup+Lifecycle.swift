import VigilModel
import VigilStorage

extension RuleGroup {
    /// Writes a stale marker at `ts` for every series the group's rules wrote at their last
    /// evaluation: what Prometheus does when a reload removes a group, so that its recorded series and
    /// `ALERTS` end at once instead of lingering for the lookback window.
    public mutating func markStale(at ts: Int64, appendingTo appendable: any Appendable) {
        let appender = appendable.appender()
        for index in rules.indices {
            for labels in rules[index].seriesInPreviousEvaluation {
                _ = try? appender.append(labels, timestamp: ts, value: staleNaN)
            }
            rules[index].seriesInPreviousEvaluation = []
        }
        try? appender.commit()
    }
}

extension RuleGroup {
    /// Marks the alerting rules as not yet restored: a group new to a starting server writes no
    /// `ALERTS`/`ALERTS_FOR_STATE` until ``restoreForState(at:from:outageTolerance:forGracePeriod:)``
    /// has run after its first evaluation (as in Prometheus, so that the first evaluation cannot
    /// overwrite the state about to be read).
    public mutating func beginRestore() {
        for index in rules.indices where rules[index].kind == .alerting { rules[index].restored = false }
    }
}
