import ServiceLifecycle
import VigilCollectors
import VigilModel
import VigilScheduler

/// Kubernetes pods and nodes as one of the agent's collectors (`--kubernetes`): two
/// ``KubernetesWatcher``s keep caches current through list+watch, and each collection turns the caches
/// into ``KubernetesMetrics`` plus health metrics per resource:
///
/// - `vigil_kubernetes_up{resource}`: 1 while the watch streams, 0 otherwise;
/// - `vigil_kubernetes_cache_stale{resource}`: 1 when the metrics come from the last good cache while
///   the watch is down (they are kept rather than dropped; nothing at all before the first list);
/// - `vigil_kubernetes_last_update_timestamp_seconds{resource}`: the last list, event or failure;
/// - `vigil_kubernetes_objects{resource}`: objects in the cache;
/// - `vigil_kubernetes_lists_total`, `vigil_kubernetes_watch_events_total`,
///   `vigil_kubernetes_errors_total` (failed requests, dropped watches, `ERROR` events) and
///   `vigil_kubernetes_objects_skipped_total` (malformed objects), all by `resource`.
///
/// It is also the ServiceLifecycle `Service` that runs the watchers: ``run()`` returns on graceful
/// shutdown.
public final class KubernetesCollector: Collector, Service {
    public let name = "kubernetes"
    public let pods: KubernetesWatcher<KubernetesPod>
    public let nodes: KubernetesWatcher<KubernetesNode>

    public init(pods: KubernetesWatcher<KubernetesPod>, nodes: KubernetesWatcher<KubernetesNode>) {
        self.pods = pods
        self.nodes = nodes
    }

    /// A collector watching every pod and node the connection may see, or with `nodeName` only that
    /// node and the pods bound to it (an agent on each node: the API server's load stays per node).
    public convenience init(connection: KubernetesConnection, nodeName: String? = nil) throws(SchedulerError) {
        let client = try KubernetesAPIClient(connection: connection)
        let selectors = Self.selectors(nodeName: nodeName)
        self.init(
            pods: KubernetesWatcher(client: client, selector: selectors.pods),
            nodes: KubernetesWatcher(client: client, selector: selectors.nodes))
    }

    /// The query parameters that keep the watches to one node and its pods; empty for the whole cluster.
    public static func selectors(nodeName: String?) -> (pods: String, nodes: String) {
        guard let nodeName, !nodeName.isEmpty else { return ("", "") }
        let name = KubernetesWatcher<KubernetesPod>.escape(nodeName)
        return ("fieldSelector=spec.nodeName%3D\(name)", "fieldSelector=metadata.name%3D\(name)")
    }

    /// What `--kubernetes` builds: from the kubeconfig when one is given (its current context, or
    /// `context`), else from the pod's service account.
    public convenience init(kubeconfig: String?, context: String? = nil, nodeName: String? = nil) throws(SchedulerError)
    {
        let connection =
            if let kubeconfig {
                try KubernetesConnection.kubeconfig(path: kubeconfig, context: context)
            } else {
                try KubernetesConnection.inCluster()
            }
        try self.init(connection: connection, nodeName: nodeName)
    }

    /// Runs both watchers until graceful shutdown or cancellation, then closes the client.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.pods.run() }
                group.addTask { await self.nodes.run() }
            }
        }
        await pods.client.shutdown()
        if nodes.client !== pods.client { await nodes.client.shutdown() }
    }

    public func collect(into output: inout CollectorOutput) {
        let pods = self.pods.snapshot
        let nodes = self.nodes.snapshot
        if pods.hasSynced || nodes.hasSynced {
            output.metrics.append(
                contentsOf: KubernetesMetrics.metricSet(
                    pods: pods.hasSynced ? pods.objects : [], nodes: nodes.hasSynced ? nodes.objects : []))
        }
        Self.health(KubernetesPod.resource, pods, into: &output)
        Self.health(KubernetesNode.resource, nodes, into: &output)
    }

    static func health<Object>(
        _ resource: String, _ snapshot: KubernetesWatchSnapshot<Object>, into output: inout CollectorOutput
    ) {
        let labels: Labels = ["resource": resource]
        var set = MetricSet()
        set.gauge(
            "vigil_kubernetes_up", help: "1 while the watch of the resource streams from the API server, else 0.",
            labels: labels, value: snapshot.isStale ? 0 : 1)
        set.gauge(
            "vigil_kubernetes_cache_stale",
            help: "1 when the resource's metrics come from the last good cache while the watch is down.",
            labels: labels, value: snapshot.hasSynced && snapshot.isStale ? 1 : 0)
        set.gauge(
            "vigil_kubernetes_last_update_timestamp_seconds",
            help: "When the resource's cache last changed state: a list, an event or a failure.", labels: labels,
            value: Double(snapshot.lastUpdateMs) / 1000)
        set.gauge(
            "vigil_kubernetes_objects", help: "Objects of the resource in the cache.", labels: labels,
            value: Double(snapshot.objects.count))
        set.counter(
            "vigil_kubernetes_lists_total", help: "Full lists of the resource (the first, and each relist).",
            labels: labels, value: Double(snapshot.lists))
        set.counter(
            "vigil_kubernetes_watch_events_total", help: "Watch events received for the resource.", labels: labels,
            value: Double(snapshot.events))
        set.counter(
            "vigil_kubernetes_errors_total",
            help: "Failed list or watch requests, dropped watches and ERROR events for the resource.", labels: labels,
            value: Double(snapshot.failures))
        set.counter(
            "vigil_kubernetes_objects_skipped_total",
            help: "Objects or watch events of the resource that could not be read and were skipped.", labels: labels,
            value: Double(snapshot.skippedObjects))
        output.metrics.append(contentsOf: set)
        if snapshot.isStale, let error = snapshot.lastError {
            output.report("kubernetes \(resource)", "\(error.code.rawValue): \(error)")
        }
    }
}
