import ArgumentParser
import Foundation
import VigilServer

struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract:
            "List a server's alerts: severity, since when, value, runbook, and whether they are silenced or inhibited.",
        discussion: """
            Examples:
              vigil alerts
              vigil alerts --server http://gpu-head:9470 --json
            """
    )

    @Option(help: ArgumentHelp("Server to ask.", valueName: "url"))
    var server = "http://127.0.0.1:9470"

    @Flag(help: "Print JSON (one object per alert) instead of a table.")
    var json = false

    func run() async throws {
        do {
            let alerts = try await AlertsClient(serverURL: server).alerts()
            if json {
                let objects: [[String: Any]] = alerts.map { alert in
                    [
                        "state": alert.state, "labels": alert.labels, "annotations": alert.annotations,
                        "activeAt": alert.activeAt, "value": alert.value, "silencedBy": alert.silencedBy,
                        "inhibitedBy": alert.inhibitedBy,
                    ]
                }
                let data = try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys])
                FileHandle.standardOutput.write(data + Data("\n".utf8))
            } else {
                print(AlertsClient.table(alerts), terminator: "")
            }
        } catch {
            printError("vigil alerts: \(error)")
            throw ExitCode.failure
        }
    }
}
