import ArgumentParser
import Foundation
import VigilPromQL

struct PromQLTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promql-test",
        abstract: "Run Prometheus's PromQL test scripts (the promqltest DSL) against Vigil's engine.",
        discussion: """
            Each instant eval is also re-checked at shifted @ times and as a range query, as Prometheus's
            runner does. Evals on native histograms are reported as skipped.

            Example:
              vigil promql-test ../shared/conformance/promqltest/*.test
            """
    )

    @Argument(help: ArgumentHelp("Test scripts.", valueName: "file")) var files: [String]
    @Flag(help: "Print every failure with its diff.") var verbose = false

    func validate() throws {
        if files.isEmpty {
            throw ValidationError("name at least one test script, e.g. vigil promql-test functions.test")
        }
    }

    func run() throws {
        var anyFailed = false
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                printError("vigil promql-test: cannot read \(file)")
                throw ExitCode.failure
            }
            let report = PromQLTestRunner.run(script: String(decoding: data, as: UTF8.self))
            print("\(file): \(report.passed) passed, \(report.failed) failed, \(report.skipped) skipped")
            for failure in report.failures {
                print("  line \(failure.line): \(failure.expression)")
                if verbose { print(failure.message.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")) }
            }
            anyFailed = anyFailed || report.failed > 0
        }
        if anyFailed { throw ExitCode.failure }
    }
}
