import ArgumentParser
import VigilConfig

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate configuration files.",
        subcommands: [CheckConfigCommand.self]
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
            } catch {
                printError("\(file): FAILED: \(error)")
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }
}
