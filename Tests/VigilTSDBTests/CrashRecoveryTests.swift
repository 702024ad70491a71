import Foundation
import Testing
import VigilModel
import VigilStorage
import VigilTSDB

/// `kill -9` during ingest: a child process (this test binary, re-run on ``childAppender()``) appends and
/// commits batches and reports each acknowledged one; the parent kills it at a random moment, reopens the
/// head and checks that every acknowledged batch is there, whole — many times over the same directory.
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
        let executable = URL(fileURLWithPath: CommandLine.arguments[0])
        // On Linux the test binary is an executable that runs one test when asked; elsewhere (an XCTest bundle
        // on macOS) this test has no child to start and checks nothing.
        guard FileManager.default.isExecutableFile(atPath: executable.path) else { return }
        let directory = TemporaryDirectory()
        var random = SeededGenerator(seed: 99)
        var acknowledged: Int64 = -1
        for round in 0..<10 {
            let process = Process()
            process.executableURL = executable
            process.arguments = ["--testing-library", "swift-testing", "--filter", "CrashRecoveryTests/childAppender"]
            process.environment = ProcessInfo.processInfo.environment.merging([Self.directoryVariable: directory.path])
            {
                $1
            }
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let target = Int.random(in: 1...40, using: &random)
            var seen = 0
            var buffer = Data()
            let reader = pipe.fileHandleForReading
            reading: while seen < target {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 10) {
                    let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...newline)
                    if line.hasPrefix("ACK "), let batch = Int64(line.dropFirst(4)) {
                        acknowledged = max(acknowledged, batch)
                        seen += 1
                        if seen >= target { break reading }
                    }
                }
            }
            // Kill somewhere in the next commits, not just between them.
            usleep(UInt32.random(in: 0..<3000, using: &random))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try #require(seen > 0, "the child process acknowledged nothing in round \(round)")

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
}
