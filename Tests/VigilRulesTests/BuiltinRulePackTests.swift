import Foundation
import Testing
import VigilRules
import VigilTestSupport

/// The built-in rule pack against Debian's promtool: the pack must load, and its unit tests
/// (`RulePack/vigil-gpu-cluster.rules_test.yml`) must pass, exactly as `vigil test rules` has to pass them.
@Suite struct BuiltinRulePackTests {
    /// `Tests/VigilRulesTests/RulePack/`, found from this file's path.
    static let rulePackDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("RulePack")
    static let unitTestFileName = "vigil-gpu-cluster.rules_test.yml"

    static var unitTests: String {
        get throws {
            try String(
                contentsOf: rulePackDirectory.appendingPathComponent(unitTestFileName), encoding: .utf8)
        }
    }

    /// The pack and its unit tests side by side in a fresh directory, as promtool expects them.
    static func writePack() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vigil-rule-pack-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try BuiltinRulePack.gpuCluster.write(
            to: directory.appendingPathComponent(BuiltinRulePack.gpuClusterFileName), atomically: true,
            encoding: .utf8)
        try unitTests.write(to: directory.appendingPathComponent(unitTestFileName), atomically: true, encoding: .utf8)
        return directory
    }

    /// The rule names in the pack, in file order.
    static var alertNames: [String] {
        BuiltinRulePack.gpuCluster.split(separator: "\n").compactMap { line in
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("- alert: ") else { return nil }
            return String(trimmed.dropFirst("- alert: ".count))
        }
    }

    /// The rules, each as the lines from its `- alert:` line up to the next rule or group.
    static var ruleBodies: [(name: String, body: String)] {
        var rules: [(name: String, body: String)] = []
        for line in BuiltinRulePack.gpuCluster.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("- alert: ") {
                rules.append((String(trimmed.dropFirst("- alert: ".count)), ""))
            } else if trimmed.hasPrefix("- name: ") {
                continue
            } else if !rules.isEmpty {
                rules[rules.count - 1].body += line + "\n"
            }
        }
        return rules
    }

    @Test func thePackHasItsFileNameAndEveryRuleHasUnitTests() throws {
        let tests = try Self.unitTests
        #expect(tests.contains("- \(BuiltinRulePack.gpuClusterFileName)\n"))
        let names = Self.alertNames
        #expect(names.count >= 30)
        #expect(Set(names).count == names.count, "alert names must be unique")
        for name in names {
            #expect(tests.contains("alertname: \(name)\n"), "no unit test for \(name)")
            // The Watchdog fires always: it has no case where it must not.
            if name != "Watchdog" {
                #expect(tests.contains("alertname: \(name)\n    exp_alerts: []"), "no not-firing case for \(name)")
            }
        }
    }

    @Test(arguments: ruleBodies.map(\.name))
    func everyRuleIsActionable(_ name: String) throws {
        let body = try #require(Self.ruleBodies.first { $0.name == name }?.body)
        let severity = body.split(separator: "\n").first { $0.contains("severity: ") }
            .map { String($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }
        #expect(["page", "ticket", "info"].contains(severity ?? ""), "\(name): severity \(severity ?? "missing")")
        for annotation in ["summary", "description", "runbook"] {
            #expect(body.contains("          \(annotation): \""), "\(name) has no \(annotation) annotation")
        }
    }

    @Test func promtoolAcceptsThePack() throws {
        guard ExternalTools.shouldRun("promtool") else {
            print("skipped: Debian's promtool is not installed (apt-get install prometheus); CI always runs this")
            return
        }
        let promtool = try #require(ExternalTools.path(of: "promtool"), "promtool must be installed in CI")
        let directory = try Self.writePack()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try ExternalTools.run(
            promtool, ["check", "rules", directory.appendingPathComponent(BuiltinRulePack.gpuClusterFileName).path])
        #expect(result.status == 0, "promtool check rules failed:\n\(result.output)")
        #expect(result.output.contains("SUCCESS: \(Self.alertNames.count) rules found"), "\(result.output)")
    }

    @Test func promtoolPassesTheUnitTests() throws {
        guard ExternalTools.shouldRun("promtool") else {
            print("skipped: Debian's promtool is not installed (apt-get install prometheus); CI always runs this")
            return
        }
        let promtool = try #require(ExternalTools.path(of: "promtool"), "promtool must be installed in CI")
        let directory = try Self.writePack()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try ExternalTools.run(
            promtool, ["test", "rules", directory.appendingPathComponent(Self.unitTestFileName).path])
        #expect(result.status == 0, "promtool test rules failed:\n\(result.output)")
        #expect(result.output.contains("SUCCESS"), "\(result.output)")
    }
}

extension BuiltinRulePackTests {
    /// Vigil's own `test rules` gives the same verdict as promtool on the pack, and `check rules` finds
    /// every rule.
    @Test func vigilPassesTheSameUnitTests() throws {
        let directory = try Self.writePack()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = RuleUnitTester.run(files: [directory.appendingPathComponent(Self.unitTestFileName).path])
        #expect(report.passed, "vigil test rules failed:\n\(report.text)")
        let check = RuleChecker.check(files: [directory.appendingPathComponent(BuiltinRulePack.gpuClusterFileName).path]
        )
        #expect(check.passed, "\(check.text)")
        #expect(check.files.first?.ruleCount == Self.ruleBodies.count)
    }
}
