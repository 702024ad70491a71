import VigilModel
import VigilStorage

extension RuleGroup {
    /// Restores the `for` state of every pending alert from the `ALERTS_FOR_STATE` series in storage, as
    /// Prometheus's `RestoreForState` does after the first evaluation following a start: for each alert,
    /// the last sample within `[ts - outageTolerance, ts]` gives when it became active and when the
    /// server went down. Rules whose `for` is shorter than `forGracePeriod` are not restored. Marks every
    /// alerting rule restored; returns how many alerts were restored, or throws what the storage threw.
    @discardableResult
    public mutating func restoreForState(
        at ts: Int64, from queryable: any Queryable, outageTolerance: Int64 = 3_600_000,
        forGracePeriod: Int64 = 600_000
    ) throws(StorageError) -> Int {
        let querier = try queryable.querier(mint: ts - outageTolerance, maxt: ts)
        var restored = 0
        for index in rules.indices where rules[index].kind == .alerting {
            defer { rules[index].restored = true }
            guard rules[index].definition.forMilliseconds >= forGracePeriod else { continue }
            let matchers: [LabelMatcher]
            do {
                matchers = [
                    try LabelMatcher(.equal, metricNameLabel, "ALERTS_FOR_STATE"),
                    try LabelMatcher(.equal, "alertname", rules[index].name),
                ]
            } catch {
                continue
            }
            var set = try querier.select(sorted: false, hints: nil, matchers: matchers)
            var last: [Labels: Sample] = [:]
            while let series = try set.next() {
                let samples = try series.samples()
                if let sample = samples.last { last[series.labels.removing(metricNameLabel)] = sample }
            }
            for alert in rules[index].alertState.allAlerts where alert.state == .pending {
                guard let sample = last[alert.labels], !sample.isStaleMarker else { continue }
                if rules[index].alertState.restoreForState(
                    labels: alert.labels, activeAtSeconds: sample.value, downAt: sample.timestamp, at: ts,
                    forGracePeriod: forGracePeriod)
                {
                    restored += 1
                }
            }
        }
        return restored
    }
}
