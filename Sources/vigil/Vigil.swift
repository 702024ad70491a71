import ArgumentParser
import Foundation
import VigilModel

@main
struct Vigil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Monitoring and operations for AI infrastructure: GPUs, hosts, fabric, storage, schedulers.",
        discussion: """
            Examples:
              vigil server                                collect, store and serve the Prometheus API on :9470
              vigil server --demo                         …with a simulated 8-node GPU cluster
              vigil query 'avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL)'
              vigil agent                                 serve this host's metrics on 127.0.0.1:9471
              vigil agent --listen 0.0.0.0:9471           …on every interface
              vigil smi                                   this machine's GPUs and their health
              vigil bench host                            measure one full host collection
            """,
        version: VigilVersion.current,
        subcommands: [
            ServerCommand.self, AgentCommand.self, QueryCommand.self, AlertsCommand.self, JobsCommand.self,
            SMICommand.self,
            CheckCommand.self, TestCommand.self,
            TSDBCommand.self, PromQLTestCommand.self, BenchCommand.self,
        ]
    )

    /// Runs the command line with Vigil's exit codes: 0 success, 1 failure, 2 bad usage.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            if !message.isEmpty { printError(message) }
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
