import VigilCollectors
import VigilExposition
import VigilModel

/// Collects on demand and keeps the result, encoded per format, for ``AgentConfiguration/cacheTTL``:
/// scrapes that arrive together (two Prometheus replicas, a person with curl) cost one collection.
///
/// An actor, so concurrent requests queue behind the one collection in progress and then find the
/// cache fresh; collection itself is synchronous file reading of a few milliseconds.
public actor MetricsCache {
    private let registry: CollectorRegistry
    private let paths: HostPaths
    private let ttl: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private var collectedAt: ContinuousClock.Instant?
    private var metrics = MetricSet()
    private var encoded: [CacheKey: [UInt8]] = [:]
    /// How many collections actually ran (the rest were served from the cache).
    public private(set) var collections = 0

    private struct CacheKey: Hashable {
        var format: ExpositionFormat
        var gzip: Bool
    }

    public init(
        registry: CollectorRegistry, paths: HostPaths, ttl: Duration,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.registry = registry
        self.paths = paths
        self.ttl = ttl
        self.now = now
    }

    /// The current metrics, collecting first when the cache is stale.
    public func current() -> MetricSet {
        refreshIfStale()
        return metrics
    }

    /// The current metrics encoded in `format`, gzip-compressed when asked; cached until the next collection.
    public func body(format: ExpositionFormat, gzip: Bool) throws -> [UInt8] {
        refreshIfStale()
        let key = CacheKey(format: format, gzip: gzip)
        if let body = encoded[key] { return body }
        let plain: [UInt8]
        if let cached = encoded[CacheKey(format: format, gzip: false)] {
            plain = cached
        } else {
            var buffer: [UInt8] = []
            buffer.reserveCapacity(64 * 1024)
            ExpositionEncoder.encode(metrics.families, format: format, into: &buffer)
            encoded[CacheKey(format: format, gzip: false)] = buffer
            plain = buffer
        }
        let body = gzip ? try Gzip.compress(plain) : plain
        encoded[key] = body
        return body
    }

    private func refreshIfStale() {
        let instant = now()
        if let collectedAt, instant - collectedAt < ttl { return }
        var fresh = registry.collect(paths: paths)
        fresh.gauge(
            "vigil_build_info", help: "Vigil's version; value is always 1.",
            labels: ["version": VigilVersion.current, "component": "agent"], value: 1)
        metrics = fresh
        encoded.removeAll(keepingCapacity: true)
        collectedAt = instant
        collections += 1
    }
}
