import Testing
import VigilModel
import VigilRules

@Suite struct RuleFileTests {
    @Test func parsesEveryField() throws {
        let text = """
            groups:
              - name: gpu
                interval: 30s
                query_offset: 1m
                limit: 10
                labels:
                  team: ml
                rules:
                  - record: job:gpu_util:avg
                    expr: avg by (job) (DCGM_FI_DEV_GPU_UTIL)
                    labels:
                      source: dcgm
                  - alert: GPUHot
                    expr: DCGM_FI_DEV_GPU_TEMP > 85
                    for: 5m
                    keep_firing_for: 10m
                    labels:
                      severity: page
                    annotations:
                      summary: "GPU {{ $labels.gpu }} hot"
            """
        let result = RuleFile.parse(text, path: "gpu.yml")
        #expect(result.errors.isEmpty)
        let group = try #require(result.file?.groups.first)
        #expect(group.name == "gpu")
        #expect(group.intervalMilliseconds == 30_000)
        #expect(group.queryOffsetMilliseconds == 60_000)
        #expect(group.limit == 10)
        #expect(group.labels == [Label("team", "ml")])
        #expect(group.rules.map(\.kind) == [.recording, .alerting])
        #expect(group.rules[1].forMilliseconds == 300_000)
        #expect(group.rules[1].keepFiringForMilliseconds == 600_000)
        #expect(group.rules[1].annotations == [Label("summary", "GPU {{ $labels.gpu }} hot")])
        #expect(group.rules[0].line == 9)
    }

    @Test func emptyFileHasNoGroups() {
        let result = RuleFile.parse("", path: "empty.yml")
        #expect(result.isValid)
        #expect(result.file?.groups.isEmpty == true)
    }

    /// Every `rulefmt` validation error, all collected, each with its position, group and rule.
    @Test func collectsEveryValidationError() {
        let text = """
            groups:
              - name: g
                rules:
                  - record: a
                    alert: b
                    expr: up
                  - expr: up
                  - record: x
                    expr: 'test +'
                  - record: "bad name"
                    expr: up
                    for: 1m
                    keep_firing_for: 1m
                    annotations:
                      a: b
                  - record: "x{a=\\"b\\"}"
                    expr: up
                  - alert: A
                    expr: ""
                    labels:
                      __name__: x
                      "bad-label": y
                    annotations:
                      "bad-annotation": z
              - name: g
                rules: []
              - name: ""
                rules: []
            """
        let errors = RuleFile.parse(text, path: "bad.yml").errors.map(\.description)
        #expect(
            errors == [
                #"bad.yml: 4:17: 5:16: group "g", rule 1, "b": only one of 'record' and 'alert' must be set"#,
                #"bad.yml: 7:9: group "g", rule 2, "": one of 'record' or 'alert' must be set"#,
                #"bad.yml: 9:15: group "g", rule 3, "x": could not parse expression: 1:7: parse error: unexpected end of input"#,
                #"bad.yml: 10:17: group "g", rule 4, "bad name": invalid field 'annotations' in recording rule"#,
                #"bad.yml: 10:17: group "g", rule 4, "bad name": invalid field 'for' in recording rule"#,
                #"bad.yml: 10:17: group "g", rule 4, "bad name": invalid field 'keep_firing_for' in recording rule"#,
                #"bad.yml: 10:17: group "g", rule 4, "bad name": invalid recording rule name: bad name"#,
                #"bad.yml: 16:17: group "g", rule 5, "x{a=\"b\"}": invalid recording rule name: x{a="b"}"#,
                #"bad.yml: 16:17: group "g", rule 5, "x{a=\"b\"}": braces present in the recording rule name; should it be in expr?: x{a="b"}"#,
                #"bad.yml: 19:15: group "g", rule 6, "A": field 'expr' must be set in rule"#,
                #"bad.yml: group "g", rule 6, "A": invalid label name: __name__"#,
                #"bad.yml: group "g", rule 6, "A": invalid label name: bad-label"#,
                #"bad.yml: group "g", rule 6, "A": invalid annotation name: bad-annotation"#,
                #"bad.yml: 25:5: groupname: "g" is repeated in the same file"#,
                #"bad.yml: 27:5: Groupname must not be empty"#,
            ])
    }

    @Test func unknownFieldsAreErrorsUnlessIgnored() {
        let text = """
            groups:
              - name: g
                namespace: x
                rules:
                  - record: r
                    expr: up
                    lables: {}
            """
        let strict = RuleFile.parse(text, path: "f.yml")
        #expect(strict.file == nil)
        #expect(
            RuleFile.describe(strict.errors) == [
                """
                f.yml: yaml: unmarshal errors:
                  line 3: field namespace not found in type rulefmt.RuleGroup
                  line 7: field lables not found in type rulefmt.Rule
                """
            ])
        #expect(RuleFile.parse(text, path: "f.yml", ignoreUnknownFields: true).isValid)
    }

    @Test(arguments: [
        ("groups: 3", "cannot unmarshal !!str `3` into []"),
        ("groups:\n  - name: [a]\n    rules: []", "cannot unmarshal !!seq into string"),
        ("groups:\n  - name: g\n    interval: 5x\n    rules: []", #"not a valid duration string: "5x""#),
        ("groups:\n  - name: g\n    limit: many\n    rules: []", "cannot unmarshal !!str `many` into int"),
        (
            "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n        labels: [a]",
            "cannot unmarshal !!seq into map[string]string"
        ),
    ])
    func wrongTypesAreDecodingErrors(text: String, message: String) {
        let result = RuleFile.parse(text, path: "f.yml")
        #expect(result.file == nil)
        #expect(result.errors.map(\.message) == [message])
        #expect(result.errors.allSatisfy { $0.line != nil })
    }

    @Test func yamlSyntaxErrorHasAPosition() {
        let result = RuleFile.parse("groups:\n  - name: [\n", path: "f.yml")
        #expect(result.file == nil)
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.code == .syntax)
        #expect(result.errors.first?.line != nil)
    }

    @Test func missingFileIsAnIOError() {
        let result = RuleFile.load(path: "/nonexistent/rules.yml")
        #expect(result.errors.map(\.code) == [.io])
    }
}
