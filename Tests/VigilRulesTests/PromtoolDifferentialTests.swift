import Foundation
import Testing
import VigilRules

/// Vigil's output against the real `promtool` (Debian's 2.42) on the files 2.42 supports, byte for byte.
/// Skipped when /usr/bin/promtool or ../shared is absent.
@Suite struct PromtoolDifferentialTests {
    static let promtool = "/usr/bin/promtool"

    /// Files whose output 2.42 and Vigil agree on. Left out: files 2.42 cannot read (newer fields),
    /// bad-promql.yml and bad-rules-error-test.yml (the engine lists the duplicate series of a
    /// many-to-many error in another order) and rules-bad.yml (the template error names a column).
    static let unitTestFiles = [
        "failing.yml", "long-period.yml", "at-modifier-test.yml", "negative-offset-test.yml",
        "bad-rules-syntax-test.yml", "bad-input-series.yml", "rules_run.yml", "doc-example/test.yml",
        "gpu-example/gpu_rules_test.yml",
    ]

    static let ruleFiles = ["rules.yml", "rules_duplicates.yml"]

    func promtool(_ arguments: [String]) throws -> String? {
        guard FileManager.default.isExecutableFile(atPath: Self.promtool) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.promtool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test(arguments: unitTestFiles)
    func testRules(file: String) throws {
        guard let folder = SharedFixtures.promtool,
            let expected = try promtool(["test", "rules", folder + "/" + file])
        else {
            print("promtool or ../shared absent: differential check of \(file) skipped")
            return
        }
        #expect(RuleUnitTester.run(files: [folder + "/" + file]).text == expected)
    }

    @Test(arguments: ruleFiles)
    func checkRules(file: String) throws {
        guard let folder = SharedFixtures.promtool,
            let expected = try promtool(["check", "rules", folder + "/" + file])
        else {
            print("promtool or ../shared absent: differential check of \(file) skipped")
            return
        }
        #expect(RuleChecker.check(files: [folder + "/" + file]).text == expected)
    }
}
