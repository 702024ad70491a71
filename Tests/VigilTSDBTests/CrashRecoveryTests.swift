import Foundation
import Synchronization
import Testing
import VigilEncoding
import VigilModel
import VigilStorage
import VigilStorageTestSupport

@testable import VigilTSDB

/// `kill -9` during ingest and during compaction: a child process (this test binary, re-run on
/// ``childAppender()`` or ``childCompactor()``) appends and commits batches and reports each acknowledged one;
/// the parent kills it at a random moment, reopens the data directory and checks that every acknowledged
/// batch is there, whole and once — many times over the same directory.
@Suite struct CrashRecoveryTests {
    static let directoryVariable = "VIGIL_TSDB_CRASH_CHILD_DIR"
    static let seriesPerBatch = 20

    static func labels(_ index: Int) -> Labels {
        Labels([Label(metricNameLabel, "crash_test"), Label("s", "\(index)")])
    }

    /// The child's work; returns at once in a normal test run.
    @Test func childAppender() throws {
        guard let path = ProcessInfo.processInfo.environment[Self.directoryVariable] else { return }
        let head = try Head(directory: path)
        var batch = (head.statistics.maxTime ?? -1) + 1
        let output = FileHandle.standardOutput
        while batch < 1_000_000 {
            let appender = head.appender()
            for index in 0..<Self.seriesPerBatch {
                try appender.append(Self.labels(index), timestamp: batch, value: Double(batch))
            }
            try appender.commit()
            output.write(Data("ACK \(batch)\n".utf8))
            batch += 1
        }
    }

    @Test func killedAppenderLosesNoAcknowledgedSample() throws {
        guard let executable = Self.testExecutable else { return }
        let directory = TemporaryDirectory()
        var random = SeededGenerator(seed: 99)
        var acknowledged: Int64 = -1
        for round in 0..<10 {
            let run = try Self.runChildUntilKilled(
                executable, test: "childAppender", environment: [Self.directoryVariable: directory.path],
                acknowledgements: Int.random(in: 1...40, using: &random), random: &random,
                acknowledged: &acknowledged)
            try #require(run.acknowledgements > 0, "the child process acknowledged nothing in round \(round)")

            let head = try Head(directory: directory.path)
            let all = try head.series(matcher(.equal, metricNameLabel, "crash_test"))
            #expect(all.count == Self.seriesPerBatch, "round \(round)")
            let newest = head.statistics.maxTime ?? -1
            #expect(newest >= acknowledged, "round \(round): acknowledged \(acknowledged), recovered up to \(newest)")
            for series in all {
                // Every batch up to the newest is there, in every series: commits are all or nothing.
                #expect(series.samples.map(\.timestamp) == Array(0...newest), "round \(round) \(series.labels)")
            }
            try head.close()
        }
    }

    // MARK: kill -9 during compaction

    static let compactionDirectoryVariable = "VIGIL_TSDB_CRASH_COMPACTION_DIR"
    /// Blocks of 2 ms merged into 6 and 18 ms: with one batch per millisecond the child cuts a block and
    /// checkpoints the WAL every other commit and merges every sixth, so a kill lands in a cut, a merge, a
    /// checkpoint or a deletion more often than in a commit.
    static let compactionOptions = TSDB.Options(
        blockDuration: 2, compactionRanges: [6, 18], retention: nil, head: .init(samplesPerChunk: 4))

    /// Where the child stops itself: `STEP:N` kills it at the N-th ``MaintenanceStep`` named STEP.
    static let crashStepVariable = "VIGIL_TSDB_CRASH_STEP"

    /// The child's work: commit a batch, acknowledge it, compact; forever. Returns at once in a normal run.
    @Test func childCompactor() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let path = environment[Self.compactionDirectoryVariable] else { return }
        var options = Self.compactionOptions
        if let plan = environment[Self.crashStepVariable]?.split(separator: ":"), plan.count == 2,
            let step = MaintenanceStep(rawValue: String(plan[0])), let occurrence = Int(plan[1])
        {
            let seen = Atomic(0)
            options.stepObserver = { reached in
                guard reached == step, seen.add(1, ordering: .relaxed).newValue == occurrence else { return }
                FileHandle.standardOutput.write(Data("CRASH \(step.rawValue)\n".utf8))
                kill(getpid(), SIGKILL)
            }
        }
        let db = try TSDB.open(directory: path, options: options)
        let all = try db.series(matcher(.equal, metricNameLabel, "crash_test"))
        var batch = (all.compactMap { $0.samples.last?.timestamp }.max() ?? -1) + 1
        let output = FileHandle.standardOutput
        while batch < 1_000_000 {
            let appender = db.appender()
            for index in 0..<Self.seriesPerBatch {
                try appender.append(Self.labels(index), timestamp: batch, value: Double(batch))
            }
            try appender.commit()
            output.write(Data("ACK \(batch)\n".utf8))
            try db.compact()
            batch += 1
        }
    }

    @Test func killedCompactionLosesNothingAndServesNoBlockTwice() throws {
        guard let executable = Self.testExecutable else { return }
        let directory = TemporaryDirectory()
        var random = SeededGenerator(seed: 7)
        var acknowledged: Int64 = -1
        var levels = Set<Int>()
        var crashedAt = Set<String>()
        let steps = MaintenanceStep.allCases
        for round in 0..<32 {
            // Odd rounds: killed from outside at a random moment. Even rounds: the child stops itself right
            // after one of the steps that leave work half done (the windows are too short to hit by chance).
            var environment = [Self.compactionDirectoryVariable: directory.path]
            if round % 2 == 0 {
                let step = steps[(round / 2) % steps.count]
                environment[Self.crashStepVariable] = "\(step.rawValue):\(Int.random(in: 1...6, using: &random))"
            }
            let run = try Self.runChildUntilKilled(
                executable, test: "childCompactor", environment: environment,
                acknowledgements: round % 2 == 0 ? 1000 : Int.random(in: 1...60, using: &random), random: &random,
                acknowledged: &acknowledged)
            try #require(run.acknowledgements > 0, "the child process acknowledged nothing in round \(round)")
            if let step = run.crashedAt { crashedAt.insert(step) }

            let db = try TSDB.open(directory: directory.path, options: Self.compactionOptions)
            #expect(db.quarantined.isEmpty, "round \(round): \(db.quarantined.map(\.error))")
            let blocks = db.blocks
            levels.formUnion(blocks.map(\.compaction.level))
            for (first, second) in zip(blocks, blocks.dropFirst()) {
                #expect(
                    first.maxTime <= second.minTime, "round \(round): blocks \(first.ulid) and \(second.ulid) overlap")
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            #expect(names.filter { $0.contains(".tmp") }.isEmpty, "round \(round): \(names)")
            // Every block directory left is one that is served: superseded inputs are gone from disk too.
            #expect(Set(names.filter { $0 != "wal" }) == Set(blocks.map(\.ulid)), "round \(round)")
            let all = try db.series(matcher(.equal, metricNameLabel, "crash_test"))
            #expect(all.count == Self.seriesPerBatch, "round \(round)")
            let newest = all.compactMap { $0.samples.last?.timestamp }.max() ?? -1
            #expect(newest >= acknowledged, "round \(round): acknowledged \(acknowledged), recovered up to \(newest)")
            for series in all {
                #expect(series.samples.map(\.timestamp) == Array(0...newest), "round \(round) \(series.labels)")
                #expect(series.samples.allSatisfy { $0.value == Double($0.timestamp) }, "round \(round)")
            }
            // What the blocks hold is counted once: their samples and the head's newer ones add up.
            let inBlocks = blocks.reduce(0) { $0 + $1.stats.numSamples }
            let blocksEnd = blocks.last?.maxTime ?? 0
            #expect(inBlocks == Self.seriesPerBatch * Int(min(blocksEnd, newest + 1)), "round \(round)")
            try db.close()
        }
        // The kills hit a database that was really compacting: merged blocks of both levels were served, and
        // the child stopped itself after every step.
        #expect(levels.isSuperset(of: [2, 3]), "levels seen: \(levels.sorted())")
        #expect(crashedAt == Set(steps.map(\.rawValue)))
    }

    // MARK: Child processes

    /// The test binary, when it can be run as a child (on Linux it runs one test when asked; elsewhere, an
    /// XCTest bundle on macOS, there is no child to start and the crash tests check nothing).
    static var testExecutable: URL? {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0])
        return FileManager.default.isExecutableFile(atPath: executable.path) ? executable : nil
    }

    /// What a child run printed before it died.
    struct ChildRun {
        var acknowledgements = 0
        /// The step the child stopped itself at, if it did.
        var crashedAt: String?
    }

    /// Starts `test` of this suite in a child process with `environment`, reads its `ACK n` lines until
    /// `acknowledgements` have come (raising `acknowledged`) or it dies, waits a random few milliseconds so the
    /// kill lands anywhere in the next commits or maintenance, and kills it with SIGKILL.
    static func runChildUntilKilled(
        _ executable: URL, test: String, environment: [String: String], acknowledgements target: Int,
        random: inout SeededGenerator, acknowledged: inout Int64
    ) throws -> ChildRun {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--testing-library", "swift-testing", "--filter", "CrashRecoveryTests/\(test)"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        var run = ChildRun()
        var buffer = Data()
        let reader = pipe.fileHandleForReading
        reading: while run.acknowledgements < target {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                if line.hasPrefix("ACK "), let batch = Int64(line.dropFirst(4)) {
                    acknowledged = max(acknowledged, batch)
                    run.acknowledgements += 1
                    if run.acknowledgements >= target { break reading }
                } else if line.hasPrefix("CRASH ") {
                    run.crashedAt = String(line.dropFirst(6))
                }
            }
        }
        usleep(UInt32.random(in: 0..<3000, using: &random))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return run
    }
}
