import Logging
import VigilAgent
import VigilCollectors
import VigilConfig
import VigilGPU
import VigilKubernetes
import VigilModel
import VigilScheduler

/// What the server collects in-process besides the local agent and what the agent's GPU collection names
/// from it, as `vigil agent` does: the Slurm collector's latest job list (`--slurm`, `--slurm-restd`) gives
/// `vigil_gpu_job_info` its jobs' account and partition; the Kubernetes pod cache (`--kubernetes`) its
/// pods' namespace and name.
struct LocalAgentLookups: Sendable {
    var slurmJobs: (any SlurmJobDirectory)?
    var kubernetes: KubernetesCollector?

    init(slurmJobs: (any SlurmJobDirectory)? = nil, kubernetes: KubernetesCollector? = nil) {
        self.slurmJobs = slurmJobs
        self.kubernetes = kubernetes
    }

    /// The GPU metrics' format for `hostname`, naming jobs and pods from what is collected here.
    func format(hostname: String) -> DCGMExporterFormat {
        var podLookup: PodLookup?
        if let pods = kubernetes?.podLookup {
            podLookup = { uid in pods(uid).map { PodName(namespace: $0.namespace, name: $0.name) } }
        }
        return DCGMExporterFormat(
            hostname: hostname, podLookup: podLookup,
            slurmJobLookup: slurmJobs.map(DCGMExporterFormat.slurmJobLookup))
    }
}

extension ServerRuntime {
    /// The local agent's collectors: the host collectors the configuration leaves on and, where a backend
    /// is found, the GPUs, whose job info names jobs and pods through `lookups`.
    static func localAgentCollectors(
        config agent: LocalAgentConfig, hostname: String, lookups: LocalAgentLookups, logger: Logger
    ) throws -> [any Collector] {
        var collectors: [any Collector] = HostCollectors.make(
            enabled: Set(HostCollectors.allNames).subtracting(agent.disabledCollectors))
        let choice = GPUBackendChoice(rawValue: agent.gpuBackend.rawValue) ?? .auto
        let settings = GPUBackendChoice.Settings(simSeed: (["host": hostname] as Labels).stableHash)
        if let backend = try choice.makeBackend(settings, notes: { logger.debug("\($0)") }) {
            collectors.append(GPUCollector(backend: backend, format: lookups.format(hostname: hostname)))
            logger.info("GPU backend", metadata: ["backend": "\(backend.name)"])
        }
        return collectors
    }
}
