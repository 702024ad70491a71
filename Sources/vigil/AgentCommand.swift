import Foundation
import ArgumentParser
import Hummingbird
import Logging
import VigilAgent
import VigilCollectors
import VigilModel

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

            Collectors: \(HostCollectors.allNames.joined(separator: ", "))

            Examples:
              vigil agent
              vigil agent --listen 0.0.0.0:9471 --no-collector hwmon --no-collector infiniband
              vigil agent --collectors cpu,meminfo,diskstats,filesystem --cache-ttl 500ms
              vigil agent --procfs /host/proc --sysfs /host/sys --rootfs /host   (in a container)
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Address to listen on, HOST:PORT.", valueName: "address"))
    var listen = ListenAddress(host: "127.0.0.1", port: AgentConfiguration.defaultPort)

    @Option(help: ArgumentHelp("Comma-separated collectors to enable (default: all).", valueName: "names"))
    var collectors: String?

    @Option(name: .customLong("no-collector"), help: ArgumentHelp("Disable a collector (repeatable).", valueName: "name"))
    var disabledCollectors: [String] = []

    @Option(help: ArgumentHelp("Serve scrapes within this time of the last collection from the cache.", valueName: "duration"))
    var cacheTTL = "1s"

    @Option(help: "procfs mount point.") var procfs = "/proc"
    @Option(help: "sysfs mount point.") var sysfs = "/sys"
    @Option(help: "Root of the host filesystem (for filesystems and os-release).") var rootfs = "/"
    @Option(help: "udev database directory (disk model and serial).") var udevData = "/run/udev/data"

    func validate() throws {
        let known = Set(HostCollectors.allNames)
        let named = (collectors.map(Self.names) ?? []) + disabledCollectors
        if let unknown = named.first(where: { !known.contains($0) }) {
            throw ValidationError(
                "unknown collector '\(unknown)'; choose from: \(HostCollectors.allNames.joined(separator: ", "))")
        }
        if PrometheusDuration.duration(cacheTTL) == nil {
            throw ValidationError("--cache-ttl '\(cacheTTL)' is not a duration; write e.g. 1s, 500ms or 2s")
        }
    }

    static func names(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() async throws {
        global.bootstrap()
        let logger = Logger(label: "vigil.agent")
        var enabled = Set(collectors.map(Self.names) ?? HostCollectors.allNames)
        enabled.subtract(disabledCollectors)
        let configuration = AgentConfiguration(
            host: listen.host, port: listen.port, collectors: enabled,
            paths: HostPaths(procfs: procfs, sysfs: sysfs, rootfs: rootfs, udevData: udevData),
            cacheTTL: PrometheusDuration.duration(cacheTTL)!)
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
            try await app.runService()
        } catch {
            logger.error("agent stopped", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
    }
}
