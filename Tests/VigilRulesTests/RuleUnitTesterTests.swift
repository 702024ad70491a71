import Foundation
import Testing
import VigilRules

/// Unit-test files written on the spot: the runner's own behaviour and every bad-input path.
@Suite struct RuleUnitTesterTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "vigil-rules-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try write(
            "rules.yml",
            """
            groups:
              - name: g
                rules:
                  - record: job:up:sum
                    expr: sum by (job) (up)
                  - alert: Down
                    expr: up == 0
                    for: 2m
                    labels:
                      severity: page
                    annotations:
                      summary: "{{ $labels.instance }} down ({{ $value }})"
            """)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    }

    func run(_ text: String, options: RuleUnitTester.Options = .init()) throws -> RuleUnitTester.UnitTestReport {
        try write("test.yml", text)
        return RuleUnitTester.run(files: [directory + "/test.yml"], options: options)
    }

    @Test func forTimingAndRecordedSeries() throws {
        let report = try run(
            """
            rule_files: [rules.yml]
            tests:
              - interval: 1m
                input_series:
                  - series: 'up{job="node", instance="a"}'
                    values: '1 0 0 0 0'
                alert_rule_test:
                  - eval_time: 2m
                    alertname: Down
                    exp_alerts: []
                  - eval_time: 3m
                    alertname: Down
                    exp_alerts:
                      - exp_labels: {severity: page, job: node, instance: a}
                        exp_annotations: {summary: "a down (0)"}
                promql_expr_test:
                  - expr: job:up:sum
                    eval_time: 1m
                    exp_samples:
                      - labels: 'job:up:sum{job="node"}'
                        value: 0
                  - expr: ALERTS_FOR_STATE
                    eval_time: 4m
                    exp_samples:
                      - labels: 'ALERTS_FOR_STATE{alertname="Down", instance="a", job="node", severity="page"}'
                        value: 60
            """)
        #expect(report.passed, "\(report.text)")
        #expect(report.text == "Unit Testing:  \(directory)/test.yml\n  SUCCESS\n\n")
    }

    @Test func startTimestampAndExternalLabels() throws {
        let report = try run(
            """
            tests:
              - start_timestamp: "2024-01-01T01:00:00+01:00"
                external_labels: {cluster: c1}
                input_series:
                  - series: x
                    values: 1x3
                promql_expr_test:
                  - expr: timestamp(x)
                    eval_time: 2m
                    exp_samples:
                      - value: 1704067320
            """)
        #expect(report.passed, "\(report.text)")
    }

    @Test(arguments: [
        ("tests:\n  - nmae: x", "yaml: unmarshal errors:\n  line 2: field nmae not found in type main.testGroup"),
        ("fuzzy: true", "yaml: unmarshal errors:\n  line 1: field fuzzy not found in type main.unitTestFile"),
        ("tests: 3", "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `3` into []"),
        (
            "evaluation_interval: 1x", "yaml: unmarshal errors:\n  line 1: not a valid duration string: \"1x\""
        ),
        ("group_eval_order: [a, a]", "group name repeated in evaluation order: a"),
        (
            "tests:\n  - name: t\n    alert_rule_test:\n      - eval_time: 1m",
            "an item under alert_rule_test misses required attribute alertname at eval_time 1m (in TestGroup t)"
        ),
        (
            "tests:\n  - start_timestamp: yesterday",
            "yaml: unmarshal errors:\n  line 2: cannot parse start_timestamp \"yesterday\": use RFC3339 or Unix seconds"
        ),
        (
            "tests:\n  - promql_expr_test:\n      - expr: '1'\n        exp_samples:\n          - value: one",
            "yaml: unmarshal errors:\n  line 5: cannot unmarshal !!str `one` into float64"
        ),
        (
            "tests:\n  - promql_expr_test:\n      - expr: 'sum('\n        exp_samples: []",
            "    expr: \"sum(\", time: 0s, err: 1:5: parse error: unclosed left parenthesis"
        ),
        (
            "tests:\n  - input_series:\n      - series: x\n        values: 1+1xz",
            "cannot parse values \"1+1xz\" of input series x"
        ),
    ])
    func badInput(text: String, failure: String) throws {
        let report = try run(text)
        #expect(!report.passed)
        #expect(report.files.first?.failures == [failure])
    }

    @Test func badExpectedLabels() throws {
        let report = try run(
            """
            tests:
              - promql_expr_test:
                  - expr: vector(1)
                    exp_samples:
                      - labels: '{a=~"b"}'
            """)
        #expect(report.files.first?.failures == [#"    expr: "vector(1)", time: 0s, err: labels "{a=~\"b\"}""#])
    }

    @Test func missingRuleFilesWarnAndMissingTestFileFails() throws {
        let report = try run("rule_files: ['none-*.yml', absent.yml]\ntests: []")
        #expect(report.passed)
        #expect(
            report.files.first?.warnings == [
                "  WARNING: no file match pattern \(directory)/none-*.yml",
                "  WARNING: no file match pattern \(directory)/absent.yml",
            ])
        let missing = RuleUnitTester.run(files: [directory + "/nope.yml"])
        #expect(!missing.passed)
        #expect(missing.files.first?.failures.first?.contains("no such file") == true)
    }

    @Test func ruleFilesAreGlobbed() throws {
        try write("extra-1.yml", "groups:\n  - name: one\n    rules:\n      - record: one\n        expr: '1'\n")
        let report = try run(
            """
            rule_files: ['extra-*.yml']
            tests:
              - promql_expr_test:
                  - expr: one
                    eval_time: 0
                    exp_samples:
                      - labels: one
                        value: 1
            """)
        #expect(report.passed, "\(report.text)")
    }

    @Test func invalidRunPatternFails() throws {
        let report = try run("tests: []", options: .init(run: ["("]))
        #expect(!report.passed)
    }

    @Test func groupEvalOrderLetsLaterGroupsSeeEarlierResults() throws {
        try write(
            "ordered.yml",
            """
            groups:
              - name: second
                rules:
                  - record: b
                    expr: a + 1
              - name: first
                rules:
                  - record: a
                    expr: vector(1)
            """)
        let report = try run(
            """
            rule_files: [ordered.yml]
            group_eval_order: [first, second]
            tests:
              - promql_expr_test:
                  - expr: b
                    eval_time: 0
                    exp_samples:
                      - labels: b
                        value: 2
            """)
        #expect(report.passed, "\(report.text)")
    }
}
