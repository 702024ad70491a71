import ArgumentParser
import Foundation
import Logging
import VigilConfig
import VigilModel
import VigilServer
import VigilSlurmREST

struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Collect, store, query and serve: the Prometheus API on 127.0.0.1:9470, no config needed.",
        discussion: """
            Without a configuration file it stores in ./vigil-data and collects this machine and its GPUs
            every 15 s. A Prometheus configuration file works unchanged where the features overlap
            (global, scrape_configs, remote_write, ...); `vigil check config FILE` validates one.
            SIGHUP or POST /-/reload re-reads it; a bad file is refused and the running one stays.

            Examples:
              vigil server                                    this machine, API on http://127.0.0.1:9470
              vigil server --demo                             plus a simulated cluster of 8 nodes x 8 GPUs
              vigil server --demo --demo-nodes 32
              vigil server --config vigil.yml --data-dir /var/lib/vigil --listen 0.0.0.0:9470
              vigil server --no-local-agent --data-dir D      serve only what is imported or received
              vigil server --alertmanager-config alertmanager.yml   notify: webhook, Slack, e-mail
              vigil server --slurm                            plus Slurm's queue, nodes and scheduler (job "slurm")
              vigil server --kubernetes --kubeconfig ~/.kube/config   plus pods and nodes (job "kubernetes")
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Configuration file (Prometheus's format plus Vigil's keys).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Where the TSDB lives (default: storage.tsdb.path, ./vigil-data).", valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp("Address to listen on, HOST:PORT.", valueName: "address"))
    var listen = ListenAddress(host: "127.0.0.1", port: 9470)

    @Flag(help: "Add a simulated GPU cluster (scraped in-process), so every view has data on a laptop.")
    var demo = false

    @Option(help: ArgumentHelp("With --demo: simulated nodes, 8 GPUs each.", valueName: "count"))
    var demoNodes = ServerDefaults.demoNodes

    @Flag(help: "Do not collect this machine: serve only what is scraped, received or imported.")
    var noLocalAgent = false

    @Flag(
        help:
            "Enable /api/v1/admin/tsdb/{delete_series,clean_tombstones,snapshot} (Prometheus's --web.enable-admin-api)."
    )
    var enableAdminAPI = false

    @Option(
        help: ArgumentHelp(
            "Route alerts with this Alertmanager configuration (route, receivers, inhibit_rules); without it alerts stay in the API and the UI.",
            valueName: "file"))
    var alertmanagerConfig: String?

    @Flag(help: "Do not load the built-in GPU-cluster alert rules (docs/rules.md); only rule_files run.")
    var noBuiltinRules = false

    @Option(
        help: ArgumentHelp(
            "The URL users reach this server at: alert links and $externalURL (default http://HOST:PORT).",
            valueName: "url"))
    var externalURL: String?

    @OptionGroup var slurm: SlurmOptions

    @OptionGroup var kubernetes: KubernetesOptions

    func validate() throws {
        guard (1...512).contains(demoNodes) else {
            throw ValidationError("--demo-nodes must be 1 to 512, e.g. --demo-nodes 8")
        }
        try slurm.validate()
        try kubernetes.validate()
    }

    func run() async throws {
        global.bootstrap()
        let logger = Logger(label: "vigil.server")
        var flags = [
            "listen": listen.description, "demo": String(demo), "demo-nodes": String(demoNodes),
            "no-local-agent": String(noLocalAgent), "enable-admin-api": String(enableAdminAPI),
            "log-level": "\(global.logLevel)",
        ]
        if let config { flags["config"] = config }
        if let dataDir { flags["data-dir"] = dataDir }
        if let alertmanagerConfig { flags["alertmanager-config"] = alertmanagerConfig }
        if let externalURL { flags["external-url"] = externalURL }
        flags["no-builtin-rules"] = String(noBuiltinRules)
        flags["slurm"] = String(slurm.slurm)
        if let restd = slurm.restd { flags["slurm-restd"] = restd }
        flags["kubernetes"] = String(kubernetes.kubernetes)
        if let path = kubernetes.kubeconfigPath { flags["kubeconfig"] = path }
        let options = ServerOptions(
            configPath: config, dataDirectory: dataDir,
            listen: ServerListenConfiguration(host: listen.host, port: listen.port),
            demoNodes: demo ? demoNodes : nil, localAgent: !noLocalAgent, adminAPI: enableAdminAPI,
            alertmanagerConfigPath: alertmanagerConfig, builtinRules: !noBuiltinRules, externalURL: externalURL,
            flags: flags,
            slurm: slurm.slurm || slurm.restd != nil
                ? SlurmCollectionOptions(
                    timeout: slurm.timeout, sacctWindow: slurm.sacctWindow,
                    restClient: slurm.restd.flatMap { restd in
                        SlurmRESTToken.resolve(file: slurm.jwtFile, environment: ProcessInfo.processInfo.environment)
                            .map {
                                SlurmRESTClient(
                                    baseURL: restd, user: slurm.resolvedUser, token: $0, timeout: slurm.timeout)
                            }
                    }) : nil,
            kubernetes: kubernetes.kubernetes
                ? KubernetesCollectionOptions(
                    kubeconfig: kubernetes.resolvedKubeconfig, context: kubernetes.context,
                    nodeName: kubernetes.nodeName) : nil)
        do {
            try await ServerRuntime.run(options: options, logger: logger) { lines in
                // Unbuffered: scripts and tests wait for this line to learn the port.
                FileHandle.standardOutput.write(Data((lines + "\n").utf8))
            }
        } catch let error as ConfigError {
            printError("vigil server: \(error)")
            throw ExitCode.failure
        } catch {
            printError("vigil server: \(error)")
            throw ExitCode.failure
        }
    }
}
