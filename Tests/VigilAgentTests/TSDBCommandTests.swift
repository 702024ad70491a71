import Foundation
import Testing

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
                text += "DCGM_FI_DEV_GPU_TEMP{gpu=\"\(gpu)\",Hostname=\"n1\"} \(40 + step % 5) \(1_700_000_000 + step * 15)\n"
            }
        }
        text += "# EOF\n"
        let file = directory.appendingPathComponent("data.om")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let data = directory.appendingPathComponent("data").path
        let imported = try ExternalTools.run(ExternalTools.vigilBinary, ["tsdb", "import", "--data-dir", data, file.path])
        #expect(imported.status == 0, "\(imported.output)")
        #expect(imported.output.contains("960 samples in 2 series"))
        let inspected = try ExternalTools.run(ExternalTools.vigilBinary, ["tsdb", "inspect", "--data-dir", data])
        #expect(inspected.status == 0, "\(inspected.output)")
        #expect(inspected.output.contains("960 samples"))
        #expect(inspected.output.contains("2\tDCGM_FI_DEV_GPU_TEMP"))
    }

    @Test func badImportNamesTheLine() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.om")
        try "up{job=\"a\"} 1 1700000000\nup{job=\"a\" 1 1700000015\n# EOF\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try ExternalTools.run(
            ExternalTools.vigilBinary, ["tsdb", "import", "--data-dir", directory.appendingPathComponent("d").path, file.path])
        #expect(result.status == 1)
        #expect(result.output.contains("line 2"), "\(result.output)")
    }

    @Test func importWithoutFilesIsBadUsage() throws {
        let result = try ExternalTools.run(ExternalTools.vigilBinary, ["tsdb", "import"])
        #expect(result.status == 2)
    }
}
