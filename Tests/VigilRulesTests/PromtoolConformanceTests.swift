import Testing
import VigilRules

/// The verdicts upstream's `cmd/promtool/unittest_test.go` asserts for the files in
/// ../shared/conformance/promtool (see its MANIFEST.md), with the flags upstream uses, plus the local
/// doc-example and gpu-example sets and the GPU starter rules' tests.
@Suite struct PromtoolConformanceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var run: [String] = []
        var ignoreUnknownFields = false
        var passes: Bool
        var testDescription: String {
            file + (run.isEmpty ? "" : " --run \(run.joined(separator: ","))")
                + (ignoreUnknownFields ? " --ignore-unknown-fields" : "")
        }
    }

    static let cases: [Case] = [
        Case(file: "unittest.yml", passes: true),
        Case(file: "long-period.yml", passes: true),
        Case(file: "failing.yml", passes: false),
        Case(file: "at-modifier-test.yml", passes: true),
        Case(file: "negative-offset-test.yml", passes: true),
        Case(file: "no-test-group-interval.yml", passes: true),
        Case(file: "start-time-test.yml", passes: true),
        Case(file: "bad-input-series.yml", passes: false),
        Case(file: "bad-promql.yml", passes: false),
        Case(file: "bad-rules-syntax-test.yml", passes: false),
        Case(file: "bad-rules-error-test.yml", passes: false),
        Case(file: "rules_run.yml", passes: false),
        Case(file: "rules_run.yml", run: ["correct"], passes: true),
        Case(file: "rules_run.yml", run: ["wrong"], passes: false),
        Case(file: "rules_run_extrafields.yml", passes: false),
        Case(file: "rules_run_extrafields.yml", ignoreUnknownFields: true, passes: true),
        Case(file: "rules_run_fuzzy.yml", run: ["correct"], passes: true),
        Case(file: "rules_run_fuzzy.yml", run: ["wrong"], passes: false),
        Case(file: "rules_run_no_fuzzy.yml", passes: false),
        Case(file: "doc-example/test.yml", passes: true),
        Case(file: "gpu-example/gpu_rules_test.yml", passes: true),
        Case(file: "../../fixtures/alert-rules/gpu-cluster-starter-rules_test.yml", passes: true),
    ]

    @Test(arguments: cases)
    func verdict(_ c: Case) throws {
        guard let folder = SharedFixtures.promtool else {
            print(SharedFixtures.skipMessage)
            return
        }
        let report = RuleUnitTester.run(
            files: [folder + "/" + c.file], options: .init(run: c.run, ignoreUnknownFields: c.ignoreUnknownFields))
        #expect(report.passed == c.passes, "\(report.text)")
    }

    /// The failure text, as promtool prints it (checked against promtool 2.42 on the same file).
    @Test func failingFileText() throws {
        guard let folder = SharedFixtures.promtool else {
            print(SharedFixtures.skipMessage)
            return
        }
        let report = RuleUnitTester.run(files: [folder + "/failing.yml"])
        let expected = """
            Unit Testing:  \(folder)/failing.yml
              FAILED:
                name: Failing test,
                alertname: Test, time: 0s, 
                    exp:[
                        0:
                          Labels:{alertname="Test"}
                          Annotations:{}
                        ], 
                    got:[]

                expr: "test", time: 0s,
                    exp: {__name__="test"} 1E+00
                    got: {__name__="test"} 0E+00

                name: Failing alert test,
                alertname: InstanceDown, time: 5m, 
                    exp:[], 
                    got:[
                        0:
                          Labels:{alertname="InstanceDown", job="test", severity="page"}
                          Annotations:{description=" of job test has been down for more than 5 minutes.", summary="Instance  down"}
                        ]

                name: Failing alert test,
                alertname: AlwaysFiring, time: 5m, 
                    exp:[], 
                    got:[
                        0:
                          Labels:{alertname="AlwaysFiring"}
                          Annotations:{}
                        ]



            """
        #expect(report.text == expected)
    }

    @Test func ruleFileErrorsNameTheRuleFile() throws {
        guard let folder = SharedFixtures.promtool else {
            print(SharedFixtures.skipMessage)
            return
        }
        let syntax = RuleUnitTester.run(files: [folder + "/bad-rules-syntax-test.yml"])
        #expect(
            syntax.files.first?.failures == [
                folder
                    + #"/bad-rules-syntax.yml: 7:15: group "bad-syntax", rule 1, "x": could not parse expression: 1:7: parse error: unexpected end of input"#
            ])
        let extra = RuleUnitTester.run(files: [folder + "/rules_run_extrafields.yml"])
        #expect(
            extra.files.first?.failures == [
                folder + """
                    /rules_extrafields.yml: yaml: unmarshal errors:
                      line 7: field namespace not found in type rulefmt.RuleGroup
                      line 21: field ownership not found in type rulefmt.RuleGroup
                    """
            ])
        let series = RuleUnitTester.run(files: [folder + "/bad-input-series.yml"])
        #expect(series.files.first?.failures == ["1:48: parse error: unexpected character inside braces: '0'"])
        let evaluation = RuleUnitTester.run(files: [folder + "/bad-rules-error-test.yml"])
        #expect(
            evaluation.files.first?.failures.first?.hasPrefix("    rule: joined, time: 0s, err: found duplicate series")
                == true)
    }

    @Test func nativeHistogramExpectationsAreReportedAsSkipped() throws {
        guard let folder = SharedFixtures.promtool else {
            print(SharedFixtures.skipMessage)
            return
        }
        let report = RuleUnitTester.run(files: [folder + "/unittest.yml"])
        #expect(report.passed)
        #expect(report.skipped.count == 3)
    }

    @Test func checkRulesOnTheSharedFiles() throws {
        guard let folder = SharedFixtures.promtool else {
            print(SharedFixtures.skipMessage)
            return
        }
        let good = RuleChecker.check(files: [folder + "/rules.yml"])
        #expect(good.text == "Checking \(folder)/rules.yml\n  SUCCESS: 5 rules found\n\n")
        #expect(good.exitCode == 0)

        let bad = RuleChecker.check(files: [folder + "/rules-bad.yml"])
        #expect(bad.exitCode == 1)
        #expect(bad.text.hasPrefix("Checking \(folder)/rules-bad.yml\n  FAILED:\n"))
        #expect(
            bad.text.contains(
                #"rules-bad.yml: group "alerts", rule 1, "InstanceDown": annotation "summary": template: __alert_InstanceDown:1"#
            ))
        #expect(bad.text.contains(#"undefined variable "$label""#))

        let duplicates = RuleChecker.check(files: [folder + "/rules_duplicates.yml"])
        #expect(
            duplicates.text == """
                Checking \(folder)/rules_duplicates.yml
                  FAILED:
                lint error 1 duplicate rule(s) found.
                Metric: job:test:count_over_time1m
                Label(s):
                Might cause inconsistency while recording expressions


                """)
        #expect(duplicates.exitCode == 0)
        #expect(
            RuleChecker.check(files: [folder + "/rules_duplicates.yml"], options: .init(lintFatal: true)).exitCode == 3)
        #expect(RuleChecker.check(files: [folder + "/rules_extrafields.yml"]).exitCode == 1)
        #expect(
            RuleChecker.check(files: [folder + "/rules_extrafields.yml"], options: .init(ignoreUnknownFields: true))
                .exitCode == 0)
    }
}
