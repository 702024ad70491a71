import VigilCollectors

/// Everything `vigil agent` can be told; the defaults are what it runs with when told nothing.
public struct AgentConfiguration: Sendable {
    /// Address to listen on; 127.0.0.1 by default so that a fresh agent is not exposed to the network.
    public var host: String
    public var port: Int
    /// Names of the enabled host collectors (see ``HostCollectors/allNames``).
    public var collectors: Set<String>
    public var paths: HostPaths
    /// A scrape within this time of the last collection is answered from the cache.
    public var cacheTTL: Duration
    /// Collectors beyond the host's, run after them: the GPU collector, when a GPU backend is chosen.
    public var extraCollectors: [any Collector]

    public static let defaultPort = 9471

    public init(
        host: String = "127.0.0.1", port: Int = AgentConfiguration.defaultPort,
        collectors: Set<String> = Set(HostCollectors.allNames), paths: HostPaths = HostPaths(),
        cacheTTL: Duration = .seconds(1), extraCollectors: [any Collector] = []
    ) {
        self.host = host
        self.port = port
        self.collectors = collectors
        self.paths = paths
        self.cacheTTL = cacheTTL
        self.extraCollectors = extraCollectors
    }
}
