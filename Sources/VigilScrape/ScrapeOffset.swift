/// When in its interval a target is scraped.
///
/// As Prometheus does, every target gets a fixed offset inside the interval, derived from a hash of the
/// target and a per-server seed: scrapes of many targets spread over the interval instead of bursting at
/// its start, and each target is scraped at the same phase every time, so its timestamps are evenly
/// spaced and the TSDB's delta-of-delta timestamp encoding stays at zero bits per sample.
public struct ScrapeOffset: Sendable, Hashable {
    /// Nanoseconds into each interval (0 ..< interval).
    public let nanoseconds: UInt64

    public init(targetHash: UInt64, seed: UInt64, intervalNanoseconds: UInt64) {
        precondition(intervalNanoseconds > 0, "a scrape interval is positive")
        nanoseconds = (targetHash ^ seed) % intervalNanoseconds
    }

    /// How long after `now` (nanoseconds since the epoch) the next scrape is due: the first instant
    /// `t >= now` with `t % interval == offset`.
    public func delay(fromEpochNanoseconds now: UInt64, intervalNanoseconds: UInt64) -> UInt64 {
        let phase = now % intervalNanoseconds
        return phase <= nanoseconds ? nanoseconds - phase : intervalNanoseconds - phase + nanoseconds
    }
}
