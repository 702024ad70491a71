import ArgumentParser
import Foundation
import VigilModel
import VigilStorage
import VigilTSDB

struct TSDBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tsdb",
        abstract: "Work on a Vigil data directory: bulk import, inspect.",
        subcommands: [TSDBImportCommand.self, TSDBInspectCommand.self]
    )
}

struct TSDBImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract:
            "Bulk-import OpenMetrics text (`name{labels} value timestamp_seconds`, series contiguous, `# EOF`) into blocks.",
        discussion: """
            The input promtool's `tsdb create-blocks-from openmetrics` takes. Streams with bounded memory;
            run it on a directory no server is using.

            Samples are cut into blocks aligned to --max-block-duration (promtool's flag and default, 2h).
            Larger blocks store more compactly: longer packed chunks, fewer index entries; the server's
            compaction merges small blocks into 6h and 24h ones later anyway.

            Example:
              vigil tsdb import --data-dir ./vigil-data --max-block-duration 6h backfill.om
            """
    )

    @Option(help: ArgumentHelp("Data directory to write blocks into (created if missing).", valueName: "dir"))
    var dataDir = "./vigil-data"

    @Option(help: ArgumentHelp("Length of the blocks written, a multiple of 1h up to 24h.", valueName: "duration"))
    var maxBlockDuration = "2h"

    @Argument(help: ArgumentHelp("OpenMetrics files, imported in order.", valueName: "file"))
    var files: [String]

    func validate() throws {
        if files.isEmpty {
            throw ValidationError("name at least one file, e.g. vigil tsdb import --data-dir D data.om")
        }
        guard let milliseconds = PrometheusDuration.milliseconds(maxBlockDuration), milliseconds > 0,
            milliseconds % 3_600_000 == 0, milliseconds <= 24 * 3_600_000
        else {
            throw ValidationError("--max-block-duration \(maxBlockDuration) is not a multiple of 1h up to 24h")
        }
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        for file in files {
            do {
                let report = try TSDB.importOpenMetrics(
                    file: file, into: dataDir, blockDuration: PrometheusDuration.milliseconds(maxBlockDuration)!)
                print("\(file): \(report.samples) samples in \(report.series) series → \(report.blocks.count) block(s)")
            } catch {
                printError("vigil tsdb import: \(file): \(error)")
                throw ExitCode.failure
            }
        }
    }
}

struct TSDBInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Blocks, series, samples, bytes per sample and top cardinality of a data directory."
    )

    @Option(help: ArgumentHelp("Data directory.", valueName: "dir"))
    var dataDir = "./vigil-data"

    func run() throws {
        let report: TSDB.Report
        do {
            report = try TSDB.inspect(directory: dataDir)
        } catch {
            printError("vigil tsdb inspect: \(error)")
            throw ExitCode.failure
        }
        print("\(dataDir): \(report.blocks.count) block(s), \(report.samples) samples, \(report.directoryBytes) bytes")
        print(String(format: "bytes per sample (blocks): %.2f", report.bytesPerSample))
        for block in report.blocks {
            var line =
                "  \(block.ulid)  [\(block.minTime), \(block.maxTime))  level \(block.level)  \(block.series) series"
                + "  \(block.samples) samples  \(block.chunks) chunks (\(block.packedChunks) packed)  \(block.bytes) bytes"
            if block.seriesWithTombstones > 0 {
                line +=
                    "  tombstones: \(block.tombstoneIntervals) deleted interval(s) in \(block.seriesWithTombstones) series"
            }
            print(line)
        }
        for damaged in report.damaged { print("  DAMAGED \(damaged.path): \(damaged.reason)") }
        if !report.topMetricsBySeries.isEmpty {
            print("top metrics by series:")
            for entry in report.topMetricsBySeries { print("  \(entry.count)\t\(entry.name)") }
        }
        if !report.topLabelsByValues.isEmpty {
            print("top labels by distinct values:")
            for entry in report.topLabelsByValues { print("  \(entry.count)\t\(entry.name)") }
        }
    }
}
