import Testing
import VigilTemplate

/// Go's text/template semantics, from the cases of `text/template/exec_test.go` that rule and notification
/// authors rely on.
struct TemplateEngineTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var text: String
        var expected: String
        var testDescription: String { text }
    }

    static let data: TemplateValue = [
        "Labels": ["instance": "node1:9100", "gpu": "3", "severity": "critical"],
        "Value": 95.5,
        "Count": 3,
        "Empty": "",
        "Zero": 0,
        "True": true,
        "Items": ["b", "a", "c"],
        "NoItems": [],
        "Map": ["z": 1, "a": 2, "m": 3],
        "Nested": ["Inner": ["Deep": "down"]],
        "Alerts": [
            "Firing": [["Labels": ["alertname": "GPUHot"]], ["Labels": ["alertname": "GPUDown"]]]
        ],
        "Nil": nil,
    ]

    static let cases: [Case] = [
        // Text, fields, variables.
        Case(text: "plain text", expected: "plain text"),
        Case(text: "{{ .Labels.instance }}", expected: "node1:9100"),
        Case(text: "{{.Labels.missing}}|", expected: "|"),
        Case(text: "{{ .Missing }}", expected: "<no value>"),
        Case(text: "{{ .Nested.Inner.Deep }}", expected: "down"),
        Case(text: "{{ $x := .Labels.gpu }}GPU {{ $x }}", expected: "GPU 3"),
        Case(text: "{{ $x := 1 }}{{ $x = 2 }}{{ $x }}", expected: "2"),
        Case(text: "{{ with .Labels }}{{ $.Count }} {{ .gpu }}{{ end }}", expected: "3 3"),
        Case(text: "{{ .Value }}", expected: "95.5"),
        Case(text: "{{ .Count }}", expected: "3"),
        Case(text: "{{ .True }}", expected: "true"),
        Case(text: "{{ .Items }}", expected: "[b a c]"),
        Case(text: "{{ .Map }}", expected: "map[a:2 m:3 z:1]"),
        Case(text: "{{ (index .Alerts.Firing 0).Labels.alertname }}", expected: "GPUHot"),
        // Literals.
        Case(
            text: "{{ 1 }} {{ 1.5 }} {{ 1e6 }} {{ 0x10 }} {{ 'a' }} {{ -3 }} {{ 1_000 }}",
            expected: "1 1.5 1e+06 16 97 -3 1000"),
        Case(text: "{{ \"a\\tb\" }}|{{ `raw\\n` }}", expected: "a\tb|raw\\n"),
        Case(text: "{{ true }} {{ false }}", expected: "true false"),
        // Trim markers and comments.
        Case(text: "a  {{- 1 -}}  b", expected: "a1b"),
        Case(text: "a\n  {{- /* comment */ -}}\n  b", expected: "ab"),
        Case(text: "x{{/* a comment */}}y", expected: "xy"),
        Case(text: "{{ 3 }} {{- 4 }}", expected: "34"),
        Case(text: "{{-3}}", expected: "-3"),
        // Conditionals and truth.
        Case(text: "{{ if .True }}yes{{ else }}no{{ end }}", expected: "yes"),
        Case(text: "{{ if .Empty }}yes{{ else }}no{{ end }}", expected: "no"),
        Case(
            text: "{{ if .Zero }}yes{{ else if .Count }}count{{ else }}no{{ end }}", expected: "count"),
        Case(text: "{{ if .NoItems }}yes{{ else }}no{{ end }}", expected: "no"),
        Case(text: "{{ if .Nil }}yes{{ else }}no{{ end }}", expected: "no"),
        Case(text: "{{ if .Missing }}yes{{ else }}no{{ end }}", expected: "no"),
        Case(text: "{{ with .Empty }}x{{ else }}empty{{ end }}", expected: "empty"),
        Case(text: "{{ with .Missing }}x{{ else with .Count }}{{ . }}{{ end }}", expected: "3"),
        Case(text: "{{ if eq .Labels.severity \"critical\" }}page{{ end }}", expected: "page"),
        Case(
            text: "{{ if eq .Labels.severity \"warning\" \"critical\" }}one of{{ end }}",
            expected: "one of"),
        Case(text: "{{ if gt .Value 90.0 }}hot{{ end }}", expected: "hot"),
        Case(text: "{{ if and .True .Count }}both{{ end }}", expected: "both"),
        Case(
            text: "{{ and .Count .Empty .Missing }}|{{ or .Empty .Count }}|{{ or .Empty .Zero }}",
            expected: "|3|0"),
        Case(text: "{{ not .Empty }} {{ not .Count }}", expected: "true false"),
        Case(text: "{{ and .Empty (index .NoItems 5) }}", expected: ""),
        Case(
            text: "{{ lt 1 2 }} {{ le 2 2 }} {{ ge 1 2 }} {{ ne \"a\" \"b\" }} {{ lt \"a\" \"b\" }}",
            expected: "true true false true true"),
        // Range.
        Case(text: "{{ range .Items }}{{ . }},{{ end }}", expected: "b,a,c,"),
        Case(text: "{{ range $i, $v := .Items }}{{ $i }}={{ $v }} {{ end }}", expected: "0=b 1=a 2=c "),
        Case(text: "{{ range $k, $v := .Map }}{{ $k }}:{{ $v }} {{ end }}", expected: "a:2 m:3 z:1 "),
        Case(text: "{{ range .Map }}{{ . }}{{ end }}", expected: "231"),
        Case(text: "{{ range .NoItems }}x{{ else }}none{{ end }}", expected: "none"),
        Case(text: "{{ range .Missing }}x{{ else }}none{{ end }}", expected: "none"),
        Case(
            text: "{{ range .Items }}{{ if eq . \"a\" }}{{ break }}{{ end }}{{ . }}{{ end }}",
            expected: "b"),
        Case(
            text: "{{ range .Items }}{{ if eq . \"a\" }}{{ continue }}{{ end }}{{ . }}{{ end }}",
            expected: "bc"),
        Case(text: "{{ range 3 }}{{ . }}{{ end }}", expected: "012"),
        Case(
            text: "{{ range .Alerts.Firing }}{{ .Labels.alertname }} {{ end }}",
            expected: "GPUHot GPUDown "),
        Case(text: "{{ $x := 0 }}{{ range .Items }}{{ $x = . }}{{ end }}{{ $x }}", expected: "c"),
        // Pipelines and parentheses.
        Case(text: "{{ .Labels.severity | printf \"%s!\" }}", expected: "critical!"),
        Case(text: "{{ \"x\" | printf \"%s-%s\" \"y\" }}", expected: "y-x"),
        Case(text: "{{ printf \"%d items\" (len .Items) }}", expected: "3 items"),
        Case(text: "{{ len .Labels.instance }} {{ len .Map }}", expected: "10 3"),
        Case(
            text: "{{ index .Items 1 }} {{ index .Map \"z\" }} {{ index .Labels \"nope\" }}|",
            expected: "a 1 |"),
        Case(text: "{{ slice .Labels.instance 0 5 }} {{ slice .Items 1 }}", expected: "node1 [a c]"),
        // define / template / block.
        Case(text: "{{ define \"t\" }}[{{ . }}]{{ end }}{{ template \"t\" .Count }}", expected: "[3]"),
        Case(text: "{{ define \"t\" }}{{ . }}{{ end }}{{ template \"t\" }}", expected: "<no value>"),
        Case(text: "{{ block \"b\" .Labels.gpu }}gpu {{ . }}{{ end }}", expected: "gpu 3"),
        Case(
            text:
                "{{ define \"list\" }}{{ range . }}<{{ . }}>{{ end }}{{ end }}{{ template \"list\" .Items }}",
            expected: "<b><a><c>"),
        // Escapers and print.
        Case(
            text: "{{ html \"<a href='x'>&</a>\" }}",
            expected: "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;"),
        Case(text: "{{ js \"it's <b>\" }}", expected: "it\\'s \\u003Cb\\u003E"),
        Case(text: "{{ urlquery \"a b&c=d/é\" }}", expected: "a+b%26c%3Dd%2F%C3%A9"),
        Case(text: "{{ print 1 2 \"a\" 3 \"b\" \"c\" }}", expected: "1 2a3bc"),
        Case(text: "{{ println 1 \"a\" }}", expected: "1 a\n"),
        Case(text: "{{ print nil }}", expected: "<nil>"),
    ]

    @Test(arguments: cases)
    func executes(_ testCase: Case) throws {
        let template = try Template(name: "test", text: testCase.text)
        #expect(try template.execute(Self.data) == testCase.expected)
    }

    @Test func parsesOnceAndExecutesManyTimes() throws {
        let template = try Template(name: "t", text: "{{ .Labels.gpu }}")
        for gpu in 0..<5 {
            #expect(try template.execute(["Labels": ["gpu": .string("\(gpu)")]]) == "\(gpu)")
        }
    }

    @Test func executesNamedTemplates() throws {
        let template = try Template(
            name: "file", text: "{{ define \"slack.title\" }}[{{ .Status | toUpper }}]{{ end }}",
            functions: .alertmanager)
        #expect(template.definedTemplates == ["file", "slack.title"])
        #expect(try template.execute(template: "slack.title", ["Status": "firing"]) == "[FIRING]")
    }

    @Test func addedFunctionsAreCalledWithThePipedValueLast() throws {
        let functions = TemplateFunctions.builtins.adding("concat") { arguments in
            .string(arguments.map { $0.stringValueForTest }.joined(separator: "+"))
        }
        let template = try Template(
            name: "t", text: "{{ \"c\" | concat \"a\" \"b\" }}", functions: functions)
        #expect(try template.execute(nil) == "a+b+c")
    }
}

extension TemplateValue {
    var stringValueForTest: String {
        if case .string(let value) = self { value } else { "?" }
    }
}
