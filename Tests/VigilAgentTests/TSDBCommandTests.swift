import Foundation
import Testing
import VigilTestSupport

/// `vigil tsdb import` and `vigil tsdb inspect`, through the built binary.
@Suite struct TSDBCommandTests {
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-tsdb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func importThenInspect() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var text = ""
        for gpu in 0..<2 {
            for step in 0..<480 {
                text +=
                    "DCGM_FI_DEV_GPU_TEMP{gpu=\"\(gpu)\",Hostname=\"n1\"} \(40 + step % 5) \(1_700_000_000 + step * 15)\n"
            }
        }
        text += "# EOF\n"
        let file = directory.appendingPathComponent("data.om")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let data = directory.appendingPathComponent("data").path
        let imported = try ExternalTools.run(
            ExternalTools.vigilBinary, ["tsdb", "import", "--data-dir", data, file.path])
        #expect(imported.status == 0, "\(imported.output)")
        #expect(imported.output.contains("960 samples in 2 series"))
        let inspected = try ExternalTools.run(ExternalTools.vigilBinary, ["tsdb", "inspect", "--data-dir", data])
        #expect(inspected.status == 0, "\(inspected.output)")
        #expect(inspected.output.contains("960 samples"))
        #expect(inspected.output.contains("2\tDCGM_FI_DEV_GPU_TEMP"))
    }

    @Test func maxBlockDurationCutsLongerBlocks() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // 4 h at 15 s from a 24-h-aligned start: two 2 h blocks by default, one with 6h.
        var text = ""
        for step in 0..<960 { text += "up{job=\"a\"} \(step % 3) \(1_699_920_000 + step * 15)\n" }
        text += "# EOF\n"
        let file = directory.appendingPathComponent("data.om")
        try text.write(to: file, atomically: true, encoding: .utf8)
        for (flags, blocks) in [([String](), 2), (["--max-block-duration", "6h"], 1)] {
            let data = directory.appendingPathComponent("data-\(blocks)").path
            let imported = try ExternalTools.run(
                ExternalTools.vigilBinary, ["tsdb", "import", "--data-dir", data] + flags + [file.path])
            #expect(imported.output.contains("960 samples in 1 series → \(blocks) block(s)"), "\(imported.output)")
            let inspected = try ExternalTools.run(ExternalTools.vigilBinary, ["tsdb", "inspect", "--data-dir", data])
            #expect(inspected.output.contains("1 chunks (1 packed)"), "\(inspected.output)")
        }
        let bad = try ExternalTools.run(
            ExternalTools.vigilBinary, ["tsdb", "import", "--max-block-duration", "90m", file.path])
        #expect(bad.status == 2)
        #expect(bad.output.contains("--max-block-duration 90m is not a multiple of 1h up to 24h"), "\(bad.output)")
    }

    @Test func badImportNamesTheLine() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.om")
        try "up{job=\"a\"} 1 1700000000\nup{job=\"a\" 1 1700000015\n# EOF\n".write(
            to: file, atomically: true, encoding: .utf8)
        let result = try ExternalTools.run(
            ExternalTools.vigilBinary,
            ["tsdb", "import", "--data-dir", directory.appendingPathComponent("d").path, file.path])
        #expect(result.status == 1)
        #expect(result.output.contains("line 2"), "\(result.output)")
    }

    @Test func importWithoutFilesIsBadUsage() throws {
        let result = try ExternalTools.run(ExternalTools.vigilBinary, ["tsdb", "import"])
        #expect(result.status == 2)
    }
}

/// `vigil promql-test` through the built binary.
@Suite struct PromQLTestCommandTests {
    @Test func passingAndFailingScripts() throws {
        let directory = try TSDBCommandTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good.test")
        try """
        load 5m
          http_requests_total{job="api"} 0+10x10

        eval instant at 50m sum(http_requests_total)
          {} 100

        eval instant at 50m rate(http_requests_total[10m])
          {job="api"} 0.03333333333333333

        """.write(to: good, atomically: true, encoding: .utf8)
        let passing = try ExternalTools.run(ExternalTools.vigilBinary, ["promql-test", good.path])
        #expect(passing.status == 0, "\(passing.output)")
        #expect(passing.output.contains("2 passed, 0 failed"))
        let bad = directory.appendingPathComponent("bad.test")
        try """
        load 5m
          up{job="api"} 1

        eval instant at 0m up
          {job="api"} 2

        """.write(to: bad, atomically: true, encoding: .utf8)
        let failing = try ExternalTools.run(ExternalTools.vigilBinary, ["promql-test", bad.path])
        #expect(failing.status == 1)
        #expect(failing.output.contains("0 passed, 1 failed"))
        #expect(failing.output.contains("line 4: up"))
    }
}
