import Testing
import VigilConfig
import VigilModel

/// One case of Prometheus's `TestRelabel` (model/relabel/relabel_test.go, 3.5).
struct RelabelCase: CustomTestStringConvertible, Sendable {
    var name: String
    var input: Labels
    var rules: [RelabelConfig]
    /// nil when the label set must be dropped.
    var output: Labels?
    var testDescription: String { name }
}

private func rule(
    _ sources: [String] = [], regex: String = "(.*)", target: String = "", replacement: String = "$1",
    modulus: UInt64 = 0, _ action: RelabelAction = .replace
) -> RelabelConfig {
    RelabelConfig(
        sourceLabels: sources, regex: try! RelabelRegex(regex), modulus: modulus, targetLabel: target,
        replacement: replacement, action: action)
}

let prometheusRelabelCases: [RelabelCase] = [
    RelabelCase(
        name: "replace with ${1}", input: ["a": "foo", "b": "bar", "c": "baz"],
        rules: [rule(["a"], regex: "f(.*)", target: "d", replacement: "ch${1}-ch${1}")],
        output: ["a": "foo", "b": "bar", "c": "baz", "d": "choo-choo"]),
    RelabelCase(
        name: "two rules, joined sources", input: ["a": "foo", "b": "bar", "c": "baz"],
        rules: [
            rule(["a", "b"], regex: "f(.*);(.*)r", target: "a", replacement: "b${1}${2}m"),
            rule(["c", "a"], regex: "(b).*b(.*)ba(.*)", target: "d", replacement: "$1$2$2$3"),
        ],
        output: ["a": "boobam", "b": "bar", "c": "baz", "d": "boooom"]),
    RelabelCase(
        name: "drop before replace", input: ["a": "foo"],
        rules: [
            rule(["a"], regex: ".*o.*", .drop),
            rule(["a"], regex: "f(.*)", target: "d", replacement: "ch$1-ch$1"),
        ],
        output: nil),
    RelabelCase(
        name: "drop on match", input: ["a": "foo", "b": "bar"], rules: [rule(["a"], regex: ".*o.*", .drop)],
        output: nil),
    RelabelCase(
        name: "group in the middle", input: ["a": "abc"],
        rules: [rule(["a"], regex: ".*(b).*", target: "d", replacement: "$1")], output: ["a": "abc", "d": "b"]),
    RelabelCase(
        name: "drop without match", input: ["a": "foo"], rules: [rule(["a"], regex: "no-match", .drop)],
        output: ["a": "foo"]),
    RelabelCase(
        name: "drop regex is anchored", input: ["a": "foo"], rules: [rule(["a"], regex: "f|o", .drop)],
        output: ["a": "foo"]),
    RelabelCase(
        name: "keep without match", input: ["a": "foo"], rules: [rule(["a"], regex: "no-match", .keep)], output: nil
    ),
    RelabelCase(
        name: "keep on match", input: ["a": "foo"], rules: [rule(["a"], regex: "f.*", .keep)], output: ["a": "foo"]),
    RelabelCase(
        name: "no replacement without match", input: ["a": "boo"],
        rules: [rule(["a"], regex: "f", target: "b", replacement: "bar")], output: ["a": "boo"]),
    RelabelCase(
        name: "blank replacement deletes", input: ["a": "foo", "f": "baz"],
        rules: [rule(["a"], regex: "(f).*", target: "$1", replacement: "$2")], output: ["a": "foo"]),
    RelabelCase(
        name: "hashmod", input: ["a": "foo", "b": "bar", "c": "baz"],
        rules: [rule(["c"], target: "d", modulus: 1000, .hashmod)],
        output: ["a": "foo", "b": "bar", "c": "baz", "d": "976"]),
    RelabelCase(
        name: "hashmod over a newline", input: ["a": "foo\nbar"],
        rules: [rule(["a"], target: "b", modulus: 1000, .hashmod)], output: ["a": "foo\nbar", "b": "734"]),
    RelabelCase(
        name: "labelmap with ${1}", input: ["a": "foo", "b1": "bar", "b2": "baz"],
        rules: [rule(regex: "(b.*)", replacement: "bar_${1}", .labelmap)],
        output: ["a": "foo", "b1": "bar", "b2": "baz", "bar_b1": "bar", "bar_b2": "baz"]),
    RelabelCase(
        name: "labelmap of __meta_",
        input: ["a": "foo", "__meta_my_bar": "aaa", "__meta_my_baz": "bbb", "__meta_other": "ccc"],
        rules: [rule(regex: "__meta_(my.*)", replacement: "${1}", .labelmap)],
        output: [
            "a": "foo", "__meta_my_bar": "aaa", "__meta_my_baz": "bbb", "__meta_other": "ccc", "my_bar": "aaa",
            "my_baz": "bbb",
        ]),
    RelabelCase(
        name: "target label from a group", input: ["a": "some-name-value"],
        rules: [rule(["a"], regex: "some-([^-]+)-([^,]+)", target: "${1}", replacement: "${2}")],
        output: ["a": "some-name-value", "name": "value"]),
    RelabelCase(
        name: "replacement naming a missing group", input: ["a": "some-name-value"],
        rules: [rule(["a"], regex: "some-([^-]+)-([^,]+)", target: "${1}", replacement: "${3}")],
        output: ["a": "some-name-value"]),
    RelabelCase(
        name: "target label expanding to nothing", input: ["a": "some-name-0"],
        rules: [
            rule(["a"], regex: "some-([^-]+)-([^,]+)", target: "${3}", replacement: "${1}"),
            rule(["a"], regex: "some-([^-]+)-([^,]+)", target: "${3}", replacement: "${1}"),
            rule(["a"], regex: "some-([^-]+)(-[^,]+)", target: "${3}", replacement: "${1}"),
        ],
        output: ["a": "some-name-0"]),
    RelabelCase(
        name: "real-life tags", input: ["__meta_sd_tags": "path:/secret,job:some-job,label:foo=bar"],
        rules: [
            rule(
                ["__meta_sd_tags"], regex: "(?:.+,|^)path:(/[^,]+).*", target: "__metrics_path__", replacement: "${1}"),
            rule(["__meta_sd_tags"], regex: "(?:.+,|^)job:([^,]+).*", target: "job", replacement: "${1}"),
            rule(["__meta_sd_tags"], regex: "(?:.+,|^)label:([^=]+)=([^,]+).*", target: "${1}", replacement: "${2}"),
        ],
        output: [
            "__meta_sd_tags": "path:/secret,job:some-job,label:foo=bar", "__metrics_path__": "/secret",
            "job": "some-job", "foo": "bar",
        ]),
    RelabelCase(
        name: "issue 12283: labeldrop then replace then keep",
        input: [
            "__meta_kubernetes_pod_container_port_name": "foo",
            "__meta_kubernetes_pod_annotation_XXX_metrics_port": "9091",
        ],
        rules: [
            rule(regex: "^__meta_kubernetes_pod_container_port_name$", .labeldrop),
            rule(
                ["__meta_kubernetes_pod_annotation_XXX_metrics_port"], regex: "(.+)",
                target: "__meta_kubernetes_pod_container_port_name", replacement: "metrics"),
            rule(["__meta_kubernetes_pod_container_port_name"], regex: "^metrics$", .keep),
        ],
        output: [
            "__meta_kubernetes_pod_annotation_XXX_metrics_port": "9091",
            "__meta_kubernetes_pod_container_port_name": "metrics",
        ]),
    RelabelCase(
        name: "labelkeep", input: ["a": "foo", "b1": "bar", "b2": "baz"], rules: [rule(regex: "(b.*)", .labelkeep)],
        output: ["b1": "bar", "b2": "baz"]),
    RelabelCase(
        name: "labeldrop", input: ["a": "foo", "b1": "bar", "b2": "baz"], rules: [rule(regex: "(b.*)", .labeldrop)],
        output: ["a": "foo"]),
    RelabelCase(
        name: "uppercase and lowercase", input: ["foo": "bAr123Foo"],
        rules: [
            rule(["foo"], target: "foo_uppercase", .uppercase), rule(["foo"], target: "foo_lowercase", .lowercase),
        ],
        output: ["foo": "bAr123Foo", "foo_lowercase": "bar123foo", "foo_uppercase": "BAR123FOO"]),
    RelabelCase(
        name: "keepequal keeps", input: ["__tmp_port": "1234", "__port1": "1234", "__port2": "5678"],
        rules: [rule(["__tmp_port"], target: "__port1", .keepequal)],
        output: ["__tmp_port": "1234", "__port1": "1234", "__port2": "5678"]),
    RelabelCase(
        name: "dropequal drops", input: ["__tmp_port": "1234", "__port1": "1234", "__port2": "5678"],
        rules: [rule(["__tmp_port"], target: "__port1", .dropequal)], output: nil),
    RelabelCase(
        name: "dropequal keeps", input: ["__tmp_port": "1234", "__port1": "1234", "__port2": "5678"],
        rules: [rule(["__tmp_port"], target: "__port2", .dropequal)],
        output: ["__tmp_port": "1234", "__port1": "1234", "__port2": "5678"]),
    RelabelCase(
        name: "keepequal drops", input: ["__tmp_port": "1234", "__port1": "1234", "__port2": "5678"],
        rules: [rule(["__tmp_port"], target: "__port2", .keepequal)], output: nil),
    RelabelCase(
        name: "dot matches newline", input: ["a": "line1\nline2", "b": "bar", "c": "baz"],
        rules: [rule(["a"], regex: "line1.*line2", target: "d", replacement: "match${1}")],
        output: ["a": "line1\nline2", "b": "bar", "c": "baz", "d": "match"]),
    RelabelCase(
        name: "UTF-8 source label", input: ["utf-8.label": "line1\nline2", "b": "bar", "c": "baz"],
        rules: [rule(["utf-8.label"], regex: "line1.*line2", target: "d", replacement: "match${1}")],
        output: ["utf-8.label": "line1\nline2", "b": "bar", "c": "baz", "d": "match"]),
    RelabelCase(
        name: "UTF-8 target label", input: ["a": "line1\nline2", "b": "bar", "c": "baz"],
        rules: [rule(["a"], regex: "line1.*line2", target: "utf-8.label", replacement: "match${1}")],
        output: ["a": "line1\nline2", "b": "bar", "c": "baz", "utf-8.label": "match"]),
    RelabelCase(
        name: "UTF-8 target label with a variable", input: ["a": "line1\nline2", "b": "bar", "c": "baz"],
        rules: [rule(["a"], regex: "line1.*line2", target: "utf-8.label${1}", replacement: "match${1}")],
        output: ["a": "line1\nline2", "b": "bar", "c": "baz", "utf-8.label": "match"]),
    RelabelCase(
        name: "named groups, ${} and $ styles", input: ["a": "line1\nline2", "b": "bar", "c": "baz"],
        rules: [
            rule(["a"], regex: "(line1).*(?<second>line2)", target: "label1_${1}", replacement: "val_${second}"),
            rule(["a"], regex: "(line1).*(?<second>line2)", target: "label2_$1", replacement: "val_$second"),
        ],
        output: [
            "a": "line1\nline2", "b": "bar", "c": "baz", "label1_line1": "val_line2", "label2_line1": "val_line2",
        ]),
]

@Suite struct RelabelingTests {
    @Test(arguments: prometheusRelabelCases)
    func prometheusCase(_ testCase: RelabelCase) {
        for rule in testCase.rules { #expect(throws: Never.self) { try rule.validate() } }
        #expect(Relabeling.process(testCase.input, with: testCase.rules) == testCase.output)
    }

    @Test(arguments: ["(a", "a(?=b)", "a(?!b)", "(?<=a)b", "(?<!a)b", "(a)\\1", "[z-a]"])
    func refusesWhatRE2Refuses(_ pattern: String) {
        #expect(throws: ConfigError.self) { try RelabelRegex(pattern) }
    }

    @Test func classShorthandsAreASCIIAsInRE2() throws {
        let digits = try RelabelRegex("\\d+")
        #expect(digits.matches("0123"))
        #expect(!digits.matches("\u{0663}"))  // ARABIC-INDIC DIGIT THREE
        #expect(try RelabelRegex("\\pN+").matches("\u{0663}"))
        #expect(try RelabelRegex("(?i)gpu").matches("GPU"))
    }

    @Test func emptyRuleListReturnsInput() {
        let labels: Labels = ["a": "1"]
        #expect(Relabeling.process(labels, with: []) == labels)
    }

    @Test func constantLabelFromNoSource() {
        let rules = [rule(target: "cluster", replacement: "dev")]
        #expect(Relabeling.process(["job": "x"], with: rules) == ["job": "x", "cluster": "dev"])
    }

    @Test func dollarDollarAndMalformedTemplates() {
        let rules = [
            rule(["a"], regex: "(.*)", target: "b", replacement: "$$1-${1-$"),
            rule(["a"], regex: "(?P<word>.*)", target: "c", replacement: "<$word>"),
        ]
        #expect(Relabeling.process(["a": "x"], with: rules) == ["a": "x", "b": "$1-${1-$", "c": "<x>"])
    }

}

/// hashmod runs a hand-written MD5; these values come from Python's hashlib (MD5, last 8 bytes
/// big-endian, mod modulus), across the padding boundaries (55, 56, 64 bytes) and several blocks.
@Suite struct HashmodTests {
    @Test(arguments: [
        ("", UInt64(7), "1"),
        (String(repeating: "x", count: 55), 1000, "442"),
        (String(repeating: "x", count: 56), 1000, "603"),
        (String(repeating: "x", count: 64), 1000, "862"),
        ("a;b;" + String(repeating: "y", count: 200), 1 << 32, "74018092"),
        ("gpu-node-17:9471", 3, "1"),
    ])
    func shard(_ input: String, _ modulus: UInt64, _ expected: String) {
        let rules = [rule(["a"], target: "shard", modulus: modulus, .hashmod)]
        let labels: Labels = input.isEmpty ? [:] : ["a": input]
        #expect(Relabeling.process(labels, with: rules)?["shard"] == expected)
    }
}
