import Dispatch
import VigilCollectors
import VigilExposition
import VigilModel

/// Collects on demand and keeps the result, encoded per format, for ``AgentConfiguration/cacheTTL``:
/// scrapes that arrive together (two Prometheus replicas, a person with curl) cost one collection.
///
/// An actor: concurrent requests wait for the one collection in progress and then find the cache fresh.
/// Collection blocks (file reads; nvidia-smi can take a second), so it runs on a dispatch queue of its
/// own, never on Swift's shared cooperative threads.
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
    private var inFlight: Task<Void, Never>?
    private static let collectionQueue = DispatchQueue(label: "vigil.agent.collection")

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
    public func current() async -> MetricSet {
        await refreshIfStale()
        return metrics
    }

    /// The current metrics encoded in `format`, gzip-compressed when asked; cached until the next collection.
    public func body(format: ExpositionFormat, gzip: Bool) async throws -> [UInt8] {
        await refreshIfStale()
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

    private func refreshIfStale() async {
        if let collectedAt, now() - collectedAt < ttl { return }
        if let inFlight {
            await inFlight.value
            return
        }
        let task = Task {
            var fresh = await Self.collect(registry, paths)
            fresh.gauge(
                "vigil_build_info", help: "Vigil's version; value is always 1.",
                labels: ["version": VigilVersion.current, "component": "agent"], value: 1)
            install(fresh)
        }
        inFlight = task
        await task.value
        inFlight = nil
    }

    private func install(_ fresh: MetricSet) {
        metrics = fresh
        encoded.removeAll(keepingCapacity: true)
        collectedAt = now()
        collections += 1
    }

    private static func collect(_ registry: CollectorRegistry, _ paths: HostPaths) async -> MetricSet {
        await withCheckedContinuation { continuation in
            collectionQueue.async { continuation.resume(returning: registry.collect(paths: paths)) }
        }
    }
}
