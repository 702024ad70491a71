import ArgumentParser
import Foundation
import VigilJobs
import VigilServer

/// `vigil jobs`: jobs and their GPU efficiency, from a server's `/api/v1/jobs*`.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List running and recent jobs with their GPU efficiency; report one job; GPU-hours per user.",
        discussion: """
            Examples:
              vigil jobs
              vigil jobs --state finished --user alice --server http://gpu-head:9470
              vigil jobs report 4187235
              vigil jobs showback --by account --start 2026-11-01T00:00:00Z
            """,
        subcommands: [List.self, Report.self, Showback.self],
        defaultSubcommand: List.self
    )

    struct Connection: ParsableArguments {
        @Option(help: ArgumentHelp("Server to ask.", valueName: "url"))
        var server = "http://127.0.0.1:9470"

        @Flag(help: "Print the API's JSON data instead of a table.")
        var json = false
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Jobs of the last 24 hours: GPUs, utilisation avg/max, peak memory, energy, idle GPUs.")

        @OptionGroup var connection: Connection

        @Option(help: ArgumentHelp("Only running or finished jobs.", valueName: "running|finished"))
        var state: String?

        @Option(help: "Only this user's jobs.")
        var user: String?

        @Option(help: "Only this account's jobs.")
        var account: String?

        @Option(help: ArgumentHelp("Look back to this time (RFC 3339 or Unix seconds).", valueName: "time"))
        var start: String?

        func validate() throws {
            if let state, JobState(rawValue: state) == nil {
                throw ValidationError("--state must be running or finished, not \"\(state)\"")
            }
        }

        func run() async throws {
            try await JobsCommand.perform("vigil jobs") {
                let client = JobsAPIClient(serverURL: connection.server)
                let reports = try await client.jobs(
                    state: state.flatMap(JobState.init(rawValue:)), user: user, account: account, start: start)
                return connection.json ? try JobsCommand.json(reports) : JobsAPIClient.table(reports)
            }
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report", abstract: "One job per node and per GPU over its lifetime, with advice.")

        @OptionGroup var connection: Connection

        @Argument(help: "The Slurm job id.")
        var jobID: String

        func run() async throws {
            try await JobsCommand.perform("vigil jobs report") {
                let report = try await JobsAPIClient(serverURL: connection.server).report(id: jobID)
                return connection.json ? try JobsCommand.json(report) : JobsAPIClient.reportText(report)
            }
        }
    }

    struct Showback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "showback",
            abstract: "GPU-hours allocated and used (utilisation-weighted) per user or account.")

        @OptionGroup var connection: Connection

        @Option(help: ArgumentHelp("Group by user or account.", valueName: "user|account"))
        var by = "user"

        @Option(
            help: ArgumentHelp(
                "Start (RFC 3339 or Unix seconds); default 24 hours before the end.", valueName: "time"))
        var start: String?

        @Option(help: ArgumentHelp("End (RFC 3339 or Unix seconds); default now.", valueName: "time"))
        var end: String?

        func validate() throws {
            if ShowbackGrouping(rawValue: by) == nil {
                throw ValidationError("--by must be user or account, not \"\(by)\"")
            }
        }

        func run() async throws {
            let grouping = ShowbackGrouping(rawValue: by) ?? .user
            try await JobsCommand.perform("vigil jobs showback") {
                let rows = try await JobsAPIClient(serverURL: connection.server).showback(
                    by: grouping, start: start, end: end)
                return connection.json
                    ? try JobsCommand.json(rows) : JobsAPIClient.showbackTable(rows, by: grouping)
            }
        }
    }

    /// Prints what `body` returns; on failure prints the error and exits 1.
    static func perform(_ name: String, _ body: () async throws -> String) async throws {
        do {
            print(try await body(), terminator: "")
        } catch {
            printError("\(name): \(error)")
            throw ExitCode.failure
        }
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
