import ArgumentParser
import Foundation
import VigilAlerting
import VigilConfig
import VigilRules
import VigilServer

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate configuration and rule files.",
        subcommands: [CheckConfigCommand.self, CheckRulesCommand.self, CheckAlertmanagerCommand.self]
    )
}

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check that configuration files load, as `vigil server --config` would load them.",
        discussion: """
            Prints SUCCESS with what each file configures, or the first error with its line, column and
            key path (exit status 1).

            Examples:
              vigil check config vigil.yml
              vigil check config /etc/prometheus/prometheus.yml
            """
    )

    @Argument(help: "Configuration files.")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            do {
                let config = try VigilConfiguration.load(path: file)
                let targets = config.scrapeConfigs.reduce(0) { total, job in
                    total + job.staticConfigs.reduce(0) { $0 + $1.targets.count }
                }
                print(
                    "\(file): SUCCESS: \(config.scrapeConfigs.count) scrape job(s), \(targets) static target(s), "
                        + "\(config.remoteWrite.count) remote_write, \(config.ruleFiles.count) rule file pattern(s)")
                // As promtool check config does: the rule files it names must check too.
                let ruleFiles = config.ruleFiles.flatMap(RuleManager.expandGlob)
                if !ruleFiles.isEmpty {
                    let report = RuleChecker.check(files: ruleFiles)
                    FileHandle.standardOutput.write(Data(report.text.utf8))
                    if !report.passed { failed = true }
                }
            } catch {
                printError("\(file): FAILED: \(error)")
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }
}

struct CheckRulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check Prometheus rule files, as `promtool check rules` does (same output, same exit codes).",
        discussion: """
            Every error of every file is printed with its file, line, group and rule; duplicate rules are
            a lint warning (an error with --lint-fatal). Exit status 1 when a file fails.

            Examples:
              vigil check rules rules/*.yml
              vigil check rules --lint none alerts.yml
            """
    )

    @Argument(help: "Rule files.")
    var files: [String]

    @Option(help: ArgumentHelp("Linting: duplicate-rules (default) or none.", valueName: "lint"))
    var lint = "duplicate-rules"

    @Flag(help: "Make lint warnings fail the check.")
    var lintFatal = false

    @Flag(help: "Ignore keys the rule file format does not know (newer Prometheus fields).")
    var ignoreUnknownFields = false

    func validate() throws {
        guard lint == "duplicate-rules" || lint == "none" else {
            throw ValidationError("--lint takes duplicate-rules or none, not \"\(lint)\"")
        }
    }

    func run() throws {
        let report = RuleChecker.check(
            files: files,
            options: RuleChecker.Options(
                lintDuplicateRules: lint == "duplicate-rules", lintFatal: lintFatal,
                ignoreUnknownFields: ignoreUnknownFields))
        FileHandle.standardOutput.write(Data(report.text.utf8))
        if !report.passed { throw ExitCode(report.exitCode) }
    }
}

struct CheckAlertmanagerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alertmanager",
        abstract: "Check Alertmanager configuration files, as `amtool check-config` does, for --alertmanager-config.",
        discussion: """
            Prints SUCCESS with the receivers and routes, or the error with its line, column and key path
            (exit status 1).

            Examples:
              vigil check alertmanager /etc/alertmanager/alertmanager.yml
            """
    )

    @Argument(help: "Alertmanager configuration files.")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            do {
                let config = try AlertmanagerConfiguration.load(path: file)
                print(
                    "\(file): SUCCESS: \(config.receivers.count) receiver(s), \(config.inhibitRules.count) inhibit rule(s), "
                        + "\(config.templates.count) template pattern(s)")
            } catch {
                printError("\(file): FAILED: \(error)")
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }
}
