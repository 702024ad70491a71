import Foundation
import Logging
import VigilCollectors
import VigilConfig
import VigilKubernetes
import VigilModel
import VigilScheduler
import VigilScrape

/// How `--kubernetes` connects: a kubeconfig (nil: the pod's service account), its context, and
/// optionally one node to limit the watches to.
public struct KubernetesCollectionOptions: Sendable {
    public var kubeconfig: String?
    public var context: String?
    public var nodeName: String?

    public init(kubeconfig: String? = nil, context: String? = nil, nodeName: String? = nil) {
        self.kubeconfig = kubeconfig
        self.context = context
        self.nodeName = nodeName
    }
}

extension ServerRuntime {
    public static let kubernetesJob = "kubernetes"

    /// Pods and nodes, watched in-process and scraped as the target of job `kubernetes` at the local
    /// agent's interval; the returned collector is the Service that runs the watches.
    static func registerKubernetes(
        _ options: KubernetesCollectionOptions, config: VigilConfiguration, on scrapes: ScrapeManager, logger: Logger
    ) async throws -> KubernetesCollector {
        let collector = try KubernetesCollector(
            kubeconfig: options.kubeconfig, context: options.context, nodeName: options.nodeName)
        let registry = CollectorRegistry(collectors: [collector], logger: logger.with(component: "kubernetes"))
        let interval = config.localAgent.scrapeInterval
        await scrapes.register(
            LocalAgentSource(registry: registry, paths: HostPaths()),
            labels: ["__address__": ProcessInfo.processInfo.hostName],
            config: ScrapeConfig(
                jobName: kubernetesJob, scrapeInterval: interval,
                scrapeTimeout: min(config.global.scrapeTimeout, interval)))
        logger.info(
            "Kubernetes collection on",
            metadata: ["job": "\(kubernetesJob)", "server": "\(collector.pods.client.connection.server)"])
        return collector
    }
}
