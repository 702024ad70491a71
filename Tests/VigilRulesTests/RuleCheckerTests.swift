import Testing
import VigilRules

@Suite struct RuleCheckerTests {
    @Test func emptyFileHasNoRules() {
        let report = RuleChecker.check(texts: [("empty.yml", "")])
        #expect(report.text == "Checking empty.yml\n  SUCCESS: 0 rules found\n\n")
        #expect(report.passed)
    }

    @Test func everyErrorOfEveryFileIsListed() {
        let report = RuleChecker.check(texts: [
            (
                "a.yml",
                "groups:\n  - name: g\n    rules:\n      - record: x\n        expr: 'up +'\n      - alert: ''\n        expr: up\n"
            ),
            ("b.yml", "groups:\n  - name: [\n"),
            ("c.yml", "groups:\n  - name: g\n    rules:\n      - record: ok\n        expr: up\n"),
        ])
        #expect(report.exitCode == 1)
        #expect(report.files.map(\.errors.count) == [2, 1, 0])
        #expect(report.files[2].ruleCount == 1)
        let lines = report.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "Checking a.yml")
        #expect(lines[1] == "  FAILED:")
        #expect(
            lines[2]
                == #"a.yml: 5:15: group "g", rule 1, "x": could not parse expression: 1:5: parse error: unexpected end of input"#
        )
        #expect(lines[3] == #"a.yml: 6:9: group "g", rule 2, "": one of 'record' or 'alert' must be set"#)
        #expect(lines[4] == "")
        #expect(lines[5] == "Checking b.yml")
        #expect(lines[7].hasPrefix("b.yml: "))
        #expect(report.text.hasSuffix("Checking c.yml\n  SUCCESS: 1 rules found\n\n"))
    }

    @Test func duplicateRulesIncludeGroupLabels() {
        let text = """
            groups:
              - name: a
                labels: {team: x}
                rules:
                  - record: r
                    expr: up
              - name: b
                rules:
                  - record: r
                    expr: up
                    labels: {team: x}
                  - record: r
                    expr: up
            """
        let report = RuleChecker.check(texts: [("d.yml", text)])
        #expect(
            report.files[0].lints.map(\.message) == [
                "lint error 1 duplicate rule(s) found.\nMetric: r\nLabel(s):\n\tteam: x\nMight cause inconsistency while recording expressions"
            ])
        #expect(report.exitCode == 0)
        let off = RuleChecker.check(texts: [("d.yml", text)], options: .init(lintDuplicateRules: false))
        #expect(off.text.contains("SUCCESS: 3 rules found"))
    }
}
