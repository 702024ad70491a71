import ArgumentParser
import Foundation
import VigilModel
import VigilServer

struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run PromQL against a Vigil (or Prometheus) server and print the answer.",
        discussion: """
            Examples:
              vigil query 'up'
              vigil query 'avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL)' --range 1h --step 1m
              vigil query 'rate(node_cpu_seconds_total[5m])' --server http://gpu-head:9470 --json
            """
    )

    @Argument(help: "The PromQL expression.")
    var expression: String

    @Option(help: ArgumentHelp("Server to ask.", valueName: "url"))
    var server = "http://127.0.0.1:9470"

    @Option(
        help: ArgumentHelp("Evaluate over this much time up to now (a range query), e.g. 1h.", valueName: "duration"))
    var range: String?

    @Option(
        help: ArgumentHelp(
            "With --range: resolution, e.g. 1m (default: range/100, at least 1s).", valueName: "duration"))
    var step: String?

    @Flag(help: "Print the server's JSON instead of a table.")
    var json = false

    func validate() throws {
        if let range, PrometheusDuration.milliseconds(range) ?? 0 <= 0 {
            throw ValidationError("--range takes a duration such as 1h or 30m, not \"\(range)\"")
        }
        if let step, PrometheusDuration.milliseconds(step) ?? 0 <= 0 {
            throw ValidationError("--step takes a duration such as 1m or 15s, not \"\(step)\"")
        }
        if step != nil && range == nil { throw ValidationError("--step needs --range, e.g. --range 1h --step 1m") }
    }

    func run() async throws {
        let client = PrometheusQueryClient(serverURL: server)
        do {
            let answer: QueryAnswer
            if let range, let length = PrometheusDuration.milliseconds(range) {
                let end = Int64(Date().timeIntervalSince1970 * 1000)
                let resolution = step.flatMap(PrometheusDuration.milliseconds) ?? max(1000, length / 100)
                answer = try await client.rangeQuery(expression, start: end - length, end: end, step: resolution)
            } else {
                answer = try await client.instantQuery(expression)
            }
            if json {
                FileHandle.standardOutput.write(Data(answer.json + [UInt8(ascii: "\n")]))
            } else {
                print(answer.table(), terminator: "")
            }
        } catch {
            printError("vigil query: \(error)")
            throw ExitCode.failure
        }
    }
}
