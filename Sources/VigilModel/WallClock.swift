#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The system's real-time clock in milliseconds since the Unix epoch: sample timestamps, "now" for queries
/// and limits. Code that needs time takes a `() -> Int64` defaulting to this, so tests inject their own.
public enum WallClock {
    @Sendable public static func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
