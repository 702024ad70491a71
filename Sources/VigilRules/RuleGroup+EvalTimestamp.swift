import VigilModel

extension RuleGroup {
    /// Prometheus's group hash: xxHash64 of the label set `{file, name}` (`name\xffvalue\xff` per label).
    public static func hash(name: String, file: String) -> UInt64 {
        Labels([Label("file", file), Label("name", name)]).prometheusHash
    }

    /// The evaluation time at or before `startNanoseconds` on this group's grid (Prometheus's
    /// `EvalTimestamp`): groups are spread over the interval by an offset from the hash of their name and
    /// file, so that they do not all query at once. Nanoseconds, as Prometheus computes it.
    public static func evalTimestamp(
        startNanoseconds: Int64, intervalNanoseconds: Int64, name: String, file: String
    ) -> Int64 {
        guard intervalNanoseconds > 0 else { return startNanoseconds }
        let offset = Int64(hash(name: name, file: file) % UInt64(intervalNanoseconds))
        let adjusted = startNanoseconds - offset
        let base = adjusted - adjusted % intervalNanoseconds
        return base + offset
    }

    /// This group's evaluation time at or before `startMilliseconds`, in milliseconds. The offset is
    /// truncated to whole milliseconds, so consecutive evaluation times are exactly one interval apart
    /// (Prometheus, in nanoseconds, picks the previous slot when the start falls within the offset's
    /// sub-millisecond part).
    public func evalTimestamp(startMilliseconds: Int64) -> Int64 {
        guard intervalMilliseconds > 0 else { return startMilliseconds }
        let offset = Int64(Self.hash(name: name, file: file) % UInt64(intervalMilliseconds * 1_000_000)) / 1_000_000
        let adjusted = startMilliseconds - offset
        return adjusted - adjusted % intervalMilliseconds + offset
    }
}
