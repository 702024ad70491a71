import VigilAgent
import VigilCollectors
import VigilGPU
import VigilModel
import VigilScrape

/// This machine and its GPUs, collected inside the server: the agent's collectors behind the agent's
/// one-second cache, scraped as the built-in target without HTTP or text.
public struct LocalAgentSource: MetricsSource {
    private let cache: MetricsCache

    public init(registry: CollectorRegistry, paths: HostPaths) {
        cache = MetricsCache(registry: registry, paths: paths, ttl: .seconds(1))
    }

    public func collect() async throws -> [MetricFamily] {
        await cache.current().families
    }
}

/// One machine of the `--demo` cluster as a real `vigil agent` on it would serve it: its GPUs' readings now
/// with dcgm-exporter's names and labels, and its host (CPU, memory, disks, network, InfiniBand) with
/// node_exporter's.
public struct SimulatedNodeSource: MetricsSource {
    public let cluster: SimulatedCluster
    public let node: Int
    private let format: DCGMExporterFormat

    public init(cluster: SimulatedCluster, node: Int) {
        self.cluster = cluster
        self.node = node
        format = DCGMExporterFormat(hostname: cluster.nodeNames[node])
    }

    public func collect() async throws -> [MetricFamily] {
        let now = cluster.nodeMetrics(node: node)
        return format.metrics(for: now.readings).families + now.host
    }
}

/// Families computed on demand by a closure: the server's own metrics.
public struct ClosureMetricsSource: MetricsSource {
    private let body: @Sendable () async -> [MetricFamily]

    public init(_ body: @escaping @Sendable () async -> [MetricFamily]) { self.body = body }

    public func collect() async throws -> [MetricFamily] { await body() }
}
