import ArgumentParser
import Foundation
import VigilRules

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run unit tests.",
        subcommands: [TestRulesCommand.self]
    )
}

struct TestRulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Run rule unit tests in promtool's format (`promtool test rules`), with promtool's verdicts.",
        discussion: """
            A test file names its rule files (relative to itself), input series in the expanding notation,
            and the alerts and PromQL results expected at given times. Exit status 1 when a test fails.

            Examples:
              vigil test rules tests/*.yml
              vigil test rules --run 'gpu.*' alerts_test.yml
            """
    )

    @Argument(help: "Test files.")
    var files: [String]

    @Option(
        name: .customLong("run"),
        help: ArgumentHelp("Run only the test groups whose name matches this regex (repeatable).", valueName: "regex"))
    var patterns: [String] = []

    @Flag(help: "Ignore keys the test or rule file format does not know.")
    var ignoreUnknownFields = false

    func run() throws {
        let report = RuleUnitTester.run(
            files: files, options: RuleUnitTester.Options(run: patterns, ignoreUnknownFields: ignoreUnknownFields))
        FileHandle.standardOutput.write(Data(report.text.utf8))
        if !report.passed { throw ExitCode.failure }
    }
}
