import ArgumentParser
import Foundation
import Logging
import VigilGPU

struct SMICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smi",
        abstract: "This machine's GPUs at a glance, with a health verdict (OK/WARN/CRIT), reason and action per GPU.",
        discussion: """
            Examples:
              vigil smi                               NVML, else nvidia-smi
              vigil smi --watch                       refresh every second (--watch 5: every 5 s)
              vigil smi --json                        readings and verdicts as JSON
              vigil smi --from-xml gpu.xml            an `nvidia-smi -q -x` capture from elsewhere
              vigil smi --gpu-backend sim             eight simulated H100s
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var gpu: GPUOptions

    @Flag(help: "Refresh in place; the optional INTERVAL argument is in seconds (default 1).")
    var watch = false

    @Argument(help: ArgumentHelp("Refresh interval for --watch, in seconds.", valueName: "interval"))
    var interval: Double?

    @Flag(help: "Print readings and verdicts as JSON.")
    var json = false

    @Option(
        help: ArgumentHelp("Read an `nvidia-smi -q -x` output file instead of this machine's GPUs.", valueName: "file"))
    var fromXML: String?

    func validate() throws {
        if interval != nil && !watch {
            throw ValidationError("an interval goes with --watch, e.g. vigil smi --watch 2")
        }
        if let interval, !(interval >= 0.1 && interval <= 3600) {
            throw ValidationError("--watch interval must be 0.1 to 3600 seconds, e.g. --watch 2")
        }
        if watch && json { throw ValidationError("--watch and --json don't go together; use --json alone") }
    }

    func run() async throws {
        global.bootstrap()
        let logger = Logger(label: "vigil.smi")
        let source: (backend: String, read: () throws -> [GPUReading])
        if let fromXML {
            guard let data = FileManager.default.contents(atPath: fromXML) else {
                printError("vigil smi: cannot read \(fromXML)")
                throw ExitCode.failure
            }
            source = ("nvidia-smi XML \(fromXML)", { try NvidiaSMIXML.parse(Array(data)) })
        } else {
            let backend: (any GPUBackend)?
            do {
                backend = try gpu.makeBackend(logger: logger)
            } catch {
                printError("vigil smi: \(error)")
                throw ExitCode.failure
            }
            guard let backend else {
                printError("vigil smi: no NVIDIA GPU found (no NVML library, no nvidia-smi); try --gpu-backend sim")
                throw ExitCode.failure
            }
            source = (backend.name, { try backend.read() })
        }
        let color = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        repeat {
            let readings: [GPUReading]
            do {
                readings = try source.read()
            } catch let error as GPUError {
                printError("vigil smi: \(error.message)")
                throw ExitCode.failure
            }
            let output =
                json
                ? try SMIReport.json(readings, hostname: GPUOptions.hostname, backend: source.backend) + "\n"
                : SMIReport.text(readings, hostname: GPUOptions.hostname, backend: source.backend, color: color)
            // In watch mode: home the cursor and clear the screen, so the table refreshes in place.
            FileHandle.standardOutput.write(Data(((watch ? "\u{1B}[H\u{1B}[2J" : "") + output).utf8))
            if watch { try await Task.sleep(for: .milliseconds(Int((interval ?? 1) * 1000))) }
        } while watch
    }
}
