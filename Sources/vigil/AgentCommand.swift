import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals
import VigilAgent
import VigilCollectors
import VigilGPU
import VigilKubernetes
import VigilModel
import VigilScheduler
import VigilSlurmREST

#if canImport(Glibc)
    import Glibc
#endif

struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Serve this node's metrics (node_exporter-compatible names) on /metrics.",
        discussion: """
            Collects on scrape, behind a short cache, so concurrent scrapes cost one collection.
            Needs no root: run it as an unprivileged user (see docs/deploy/vigil-agent.service).

            Host collectors: \(HostCollectors.allNames.joined(separator: ", "))
            GPUs: NVML (or nvidia-smi) auto-detected, exposed with dcgm-exporter's names and labels.

            Examples:
              vigil agent
              vigil agent --listen 0.0.0.0:9471 --no-collector hwmon --no-collector infiniband
              vigil agent --host-collectors cpu,meminfo,diskstats,filesystem --cache-ttl 500ms
              vigil agent --gpu-backend sim --sim-gpus 8 --sim-profile h100      (no GPU needed)
              vigil agent --collectors /etc/dcgm-exporter/default-counters.csv --hostname-label hostname
              vigil agent --procfs /host/proc --sysfs /host/sys --rootfs /host   (in a container)
              vigil agent --slurm                 plus Slurm's queue, nodes and scheduler (squeue, sinfo, sacct, sdiag)
              vigil agent --slurm-restd http://slurmctld:6820 --slurm-jwt-file /etc/vigil/slurm.jwt   the same from slurmrestd
              vigil agent --kubernetes --kubernetes-node "$NODE_NAME"   plus this node and its pods (service account)
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Address to listen on, HOST:PORT.", valueName: "address"))
    var listen = ListenAddress(host: "127.0.0.1", port: AgentConfiguration.defaultPort)

    @Option(help: ArgumentHelp("Comma-separated host collectors to enable (default: all).", valueName: "names"))
    var hostCollectors: String?

    @Option(
        name: .customLong("no-collector"), help: ArgumentHelp("Disable a collector (repeatable).", valueName: "name"))
    var disabledCollectors: [String] = []

    @Option(
        help: ArgumentHelp(
            "Serve scrapes within this time of the last collection from the cache.", valueName: "duration"))
    var cacheTTL = "1s"

    @OptionGroup var gpu: GPUOptions

    @Option(
        help: ArgumentHelp(
            "GPU fields to export, in dcgm-exporter's counters-CSV format (default: dcgm-exporter's defaults plus ECC, retired pages, NVLink errors, limits).",
            valueName: "file"))
    var collectors: String?

    @Option(help: "Name of the host label on GPU metrics: Hostname (as dcgm-exporter) or hostname.")
    var hostnameLabel = "Hostname"

    @OptionGroup var slurm: SlurmOptions

    @OptionGroup var kubernetes: KubernetesOptions

    @Option(help: "procfs mount point (host collectors; where NVML's GPU processes are attributed to jobs and pods).")
    var procfs = "/proc"
    @Option(help: "sysfs mount point.") var sysfs = "/sys"
    @Option(help: "Root of the host filesystem (for filesystems and os-release).") var rootfs = "/"
    @Option(help: "udev database directory (disk model and serial).") var udevData = "/run/udev/data"

    func validate() throws {
        let known = Set(HostCollectors.allNames)
        let named = (hostCollectors.map(Self.names) ?? []) + disabledCollectors
        if let unknown = named.first(where: { !known.contains($0) }) {
            throw ValidationError(
                "unknown collector '\(unknown)'; choose from: \(HostCollectors.allNames.joined(separator: ", "))")
        }
        guard hostnameLabel == "Hostname" || hostnameLabel == "hostname" else {
            throw ValidationError("--hostname-label must be Hostname or hostname")
        }
        if PrometheusDuration.duration(cacheTTL) == nil {
            throw ValidationError("--cache-ttl '\(cacheTTL)' is not a duration; write e.g. 1s, 500ms or 2s")
        }
        try slurm.validate()
        try kubernetes.validate()
    }

    static func names(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() async throws {
        global.bootstrap()
        let logger = Logger(label: "vigil.agent")
        var enabled = Set(hostCollectors.map(Self.names) ?? HostCollectors.allNames)
        enabled.subtract(disabledCollectors)
        var extra: [any Collector] = []
        // The Kubernetes pod cache names the pods of GPU processes (namespace and pod on vigil_gpu_job_info).
        var podLookup: PodLookup?
        // The Slurm collector's latest job list names the account and partition of GPU processes' jobs.
        var slurmJobs: (any SlurmJobDirectory)?
        var services: [any Service] = []
        if let restd = slurm.restd,
            let token = SlurmRESTToken.resolve(file: slurm.jwtFile, environment: ProcessInfo.processInfo.environment)
        {
            let collector = SlurmRESTCollector(
                client: SlurmRESTClient(baseURL: restd, user: slurm.resolvedUser, token: token, timeout: slurm.timeout),
                interval: .seconds(15))
            extra.append(collector)
            services.append(collector)
            slurmJobs = collector
            logger.info("Slurm collection on", metadata: ["slurmrestd": "\(restd)", "user": "\(slurm.resolvedUser)"])
        }
        if kubernetes.kubernetes {
            do {
                let collector = try KubernetesCollector(
                    kubeconfig: kubernetes.resolvedKubeconfig, context: kubernetes.context,
                    nodeName: kubernetes.nodeName)
                extra.append(collector)
                services.append(collector)
                let pods = collector.podLookup
                podLookup = { uid in pods(uid).map { PodName(namespace: $0.namespace, name: $0.name) } }
                logger.info(
                    "Kubernetes collection on", metadata: ["server": "\(collector.pods.client.connection.server)"])
            } catch {
                printError("vigil agent: --kubernetes: \(error)")
                throw ExitCode.failure
            }
        }
        if slurm.slurm {
            // Before the GPUs, so that a collection names the jobs of the Slurm poll it has just made.
            let collector = SlurmCollector(timeout: slurm.timeout, sacctWindow: slurm.sacctWindow)
            extra.append(collector)
            slurmJobs = collector.poller
            logger.info("Slurm collection on", metadata: ["command_timeout": "\(slurm.timeout)"])
        }
        do {
            if let backend = try gpu.makeBackend(logger: logger, procRoot: procfs) {
                let format = DCGMExporterFormat(
                    counters: try counterList(logger: logger), hostname: GPUOptions.hostname,
                    hostnameLabel: hostnameLabel,
                    podLookup: podLookup, slurmJobLookup: slurmJobs.map(DCGMExporterFormat.slurmJobLookup))
                extra.append(GPUCollector(backend: backend, format: format))
                logger.info("GPU backend", metadata: ["backend": "\(backend.name)"])
            } else {
                logger.info("no GPU backend: GPU metrics off")
            }
        } catch {
            printError("vigil agent: \(error)")
            throw ExitCode.failure
        }
        let configuration = AgentConfiguration(
            host: listen.host, port: listen.port, collectors: enabled,
            paths: HostPaths(procfs: procfs, sysfs: sysfs, rootfs: rootfs, udevData: udevData),
            cacheTTL: PrometheusDuration.duration(cacheTTL)!, extraCollectors: extra)
        if geteuid() == 0 {
            logger.warning("running as root; the agent needs no privileges, run it as an unprivileged user")
        }
        let host = listen.host
        let app = buildAgentApplication(configuration: configuration, logger: logger) { port in
            let shown = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            // Unbuffered: scripts and tests wait for this line to learn the port.
            FileHandle.standardOutput.write(
                Data("vigil agent \(VigilVersion.current) listening on http://\(shown)/metrics\n".utf8))
        }
        do {
            // The Kubernetes watchers run beside the HTTP server and stop with it.
            try await ServiceGroup(
                configuration: .init(
                    services: services.map { .init(service: $0) } + [.init(service: app)],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            ).run()
        } catch {
            logger.error("agent stopped", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
    }

    /// The `--collectors` file, or Vigil's defaults; fields Vigil can't supply are logged and skipped.
    func counterList(logger: Logger) throws -> DCGMCounterList {
        guard let collectors else { return .vigilDefaults }
        guard let data = FileManager.default.contents(atPath: collectors) else {
            throw GPUBackendFailure(message: "--collectors \(collectors): cannot read the file")
        }
        do {
            let (list, skipped) = try DCGMCounterList.parse(String(decoding: data, as: UTF8.self))
            if !skipped.isEmpty {
                logger.warning(
                    "counters Vigil cannot supply are skipped",
                    metadata: ["fields": "\(skipped.joined(separator: ","))"])
            }
            return list
        } catch {
            throw GPUBackendFailure(message: "--collectors \(collectors): \(error.message)")
        }
    }
}
