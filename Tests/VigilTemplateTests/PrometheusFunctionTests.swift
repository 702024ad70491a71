import Testing
import VigilModel
import VigilTemplate

/// Prometheus's template functions, from the cases of `template/template_test.go`.
struct PrometheusFunctionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var input: TemplateValue = nil
        var expected: String
        var testDescription: String { text }
    }

    static let functions = TemplateFunctions.prometheus(externalURL: "http://testhost:9090/path/prefix") { query in
        switch query {
        case "missing": []
        case "1.5": [TemplateSample(labels: [:], value: 1.5)]
        case "metric":
            [
                TemplateSample(labels: ["__name__": "metric", "instance": "b"], value: 21),
                TemplateSample(labels: ["__name__": "metric", "instance": "a", "__value__": "a"], value: 11),
            ]
        default: [TemplateSample(labels: ["__name__": "metric", "instance": "a"], value: 11)]
        }
    }

    static let cases0: [Case] = [
        Case(text: "{{ 1 }}", expected: "1"),
        Case(text: "{{ \"<b>\" }}", expected: "<b>"),
        Case(text: "{{define \"x\"}}{{.arg0}} {{.arg1}}{{end}}{{template \"x\" (args 1 \"2\")}}", expected: "1 2"),
        Case(text: "{{ query \"1.5\" | first | value }}", expected: "1.5"),
        Case(text: "{{ query \"metric{instance='a'}\" | first | value }}", expected: "11"),
        Case(text: "{{ query \"metric{instance='a'}\" | first | label \"instance\" }}", expected: "a"),
    ]
    static let cases1: [Case] = [
        Case(text: "{{ query \"metric{instance='a'}\" | first | label \"foo\" }}", expected: ""),
        Case(text: "{{ $x := query \"metric{instance='a'}\" | first }}{{ $x.Labels.foo }}", expected: ""),
        Case(
            text: "{{ range query \"metric\" | sortByLabel \"instance\" }}{{.Labels.instance}}:{{.Value}}: {{end}}",
            expected: "a:11: b:21: "),
        Case(text: "{{ with query \"metric\" }}{{ . | first | strvalue }}{{ end }}", expected: ""),
        Case(text: "{{ \"foo.example.com\" | stripPort }}", expected: "foo.example.com"),
        Case(text: "{{ \"foo.example.com:12345\" | stripPort }}", expected: "foo.example.com"),
    ]
    static let cases2: [Case] = [
        Case(text: "{{ \"192.0.2.1\" | stripPort }}", expected: "192.0.2.1"),
        Case(text: "{{ \"192.0.2.1:12345\" | stripPort }}", expected: "192.0.2.1"),
        Case(text: "{{ \"2001:0DB8::1\" | stripPort }}", expected: "2001:0DB8::1"),
        Case(text: "{{ \"[2001:0DB8::1]:12345\" | stripPort }}", expected: "2001:0DB8::1"),
        Case(text: "{{ \"[2001:0DB8::1]::12345\" | stripPort }}", expected: "[2001:0DB8::1]::12345"),
        Case(text: "{{ \"foo.example.com\" | stripDomain }}", expected: "foo"),
    ]
    static let cases3: [Case] = [
        Case(text: "{{ \"foo.example.com:12345\" | stripDomain }}", expected: "foo:12345"),
        Case(text: "{{ \"192.0.2.1\" | stripDomain }}", expected: "192.0.2.1"),
        Case(text: "{{ \"192.0.2.1:12345\" | stripDomain }}", expected: "192.0.2.1:12345"),
        Case(text: "{{ \"2001:0DB8::1\" | stripDomain }}", expected: "2001:0DB8::1"),
        Case(text: "{{ \"[2001:0DB8::1]:12345\" | stripDomain }}", expected: "[2001:0DB8::1]:12345"),
        Case(text: "{{ \"[2001:0DB8::1]::12345\" | stripDomain }}", expected: "[2001:0DB8::1]::12345"),
    ]
    static let cases4: [Case] = [
        Case(text: "{{ .Foo }}", expected: "<no value>"),
        Case(text: "{{ reReplaceAll \"(a)b\" \"x$1\" \"ab\" }}", expected: "xa"),
        Case(text: "{{ reReplaceAll \"(?P<host>[^:]+):.*\" \"${host}\" \"node1:9100\" }}", expected: "node1"),
        Case(text: "{{ reReplaceAll \"a*\" \"-\" \"baaac\" }}", expected: "-b-c-"),
        Case(
            text: "{{ range . }}{{ humanize . }}:{{ end }}", input: [0.0, 1.0, 1234567.0, 0.12],
            expected: "0:1:1.235M:120m:"),
        Case(
            text: "{{ range . }}{{ humanize . }}:{{ end }}", input: ["0.0", "1.0", "1234567.0", ".12"],
            expected: "0:1:1.235M:120m:"),
    ]
    static let cases5: [Case] = [
        Case(
            text: "{{ range . }}{{ humanize . }}:{{ end }}", input: [0, -1, 1, 1234567, .int(.max)],
            expected: "0:-1:1:1.235M:9.223E:"),
        Case(
            text: "{{ range . }}{{ humanize1024 . }}:{{ end }}", input: [0.0, 1.0, 1048576.0, 0.12],
            expected: "0:1:1Mi:0.12:"),
        Case(
            text: "{{ range . }}{{ humanize1024 . }}:{{ end }}", input: ["0.0", "1.0", "1048576.0", ".12"],
            expected: "0:1:1Mi:0.12:"),
        Case(
            text: "{{ range . }}{{ humanize1024 . }}:{{ end }}", input: [0, -1, 1, 1234567, .int(.max)],
            expected: "0:-1:1:1.177Mi:8Ei:"),
        Case(
            text: "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
            input: [0.0, 1.0, 60.0, 3600.0, 86400.0, 90000.0, -183845.0, 899.99],
            expected: "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:"),
        Case(
            text: "{{ range . }}{{ humanizeDuration . }}:{{ end }}", input: ["0", "1", "60", "3600", "86400"],
            expected: "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:"),
    ]
    static let cases6: [Case] = [
        Case(
            text: "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
            input: [0.1, 0.0001, 0.12345, 60.1, 60.5, 1.2345, 12.345],
            expected: "100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:"),
        Case(
            text: "{{ range . }}{{ humanizeDuration . }}:{{ end }}", input: [0, -1, 1, 1234567],
            expected: "0s:-1s:1s:14d 6h 56m 7s:"),
        Case(text: "{{ 3661 | humanizeDuration }}", expected: "1h 1m 1s"),
        Case(
            text:
                "{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{humanizeTimestamp .}}:{{ end }}",
            input: [.float(.infinity), .float(-.infinity), .float(.nan)],
            expected: "+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:"),
        Case(
            text:
                "{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{humanizeTimestamp .}}:{{ end }}",
            input: ["+Inf", "-Inf", "NaN"], expected: "+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:"),
        Case(
            text:
                "{{ -0.22222 | humanizePercentage }}:{{ 0.0 | humanizePercentage }}:{{ 0.1234567 | humanizePercentage }}:{{ 1.23456 | humanizePercentage }}",
            expected: "-22.22%:0%:12.35%:123.5%"),
    ]
    static let cases7: [Case] = [
        Case(
            text: "{{ range . }}{{ humanizePercentage . }}:{{ end }}", input: [0, -1, 1, 1234567, .int(.max)],
            expected: "0%:-100%:100%:1.235e+08%:9.223e+20%:"),
        Case(text: "{{ 0.1234 | humanizePercentage }}", expected: "12.34%"),
        Case(
            text: "{{ range . }}{{ humanizeTimestamp . }}:{{ end }}", input: [0, -1, 1, 1234567, 9223372036],
            expected:
                "1970-01-01 00:00:00 +0000 UTC:1969-12-31 23:59:59 +0000 UTC:1970-01-01 00:00:01 +0000 UTC:1970-01-15 06:56:07 +0000 UTC:2262-04-11 23:47:16 +0000 UTC:"
        ),
        Case(text: "{{ 1435065584.128 | humanizeTimestamp }}", expected: "2015-06-23 13:19:44.128 +0000 UTC"),
        Case(text: "{{ \"1435065584.128\" | humanizeTimestamp }}", expected: "2015-06-23 13:19:44.128 +0000 UTC"),
        Case(text: "{{ 1657155181 | toTime }}", expected: "2022-07-07 00:53:01 +0000 UTC"),
    ]
    static let cases8: [Case] = [
        Case(text: "{{ \"aa bb CC\" | title }}", expected: "Aa Bb CC"),
        Case(text: "{{ \"aa bb CC\" | toUpper }}", expected: "AA BB CC"),
        Case(text: "{{ \"aA bB CC\" | toLower }}", expected: "aa bb cc"),
        Case(
            text: "{{ match \"a+\" \"aa\" }} {{ match \"a+\" \"b\" }} {{ match \"^b\" \"ab\" }}",
            expected: "true false false"),
        Case(text: "{{ graphLink \"up\" }}", expected: "/graph?g0.expr=up&g0.tab=0"),
        Case(
            text: "{{ tableLink \"rate(x[5m]) > 1\" }}", expected: "/graph?g0.expr=rate%28x%5B5m%5D%29+%3E+1&g0.tab=1"),
    ]
    static let cases9: [Case] = [
        Case(text: "{{ pathPrefix }}", expected: "/path/prefix"),
        Case(text: "{{ externalURL }}", expected: "http://testhost:9090/path/prefix"),
        Case(text: "{{ printf \"%0.2f\" (parseDuration \"1h2m10ms\") }}", expected: "3720.01"),
        Case(text: "{{ safeHtml \"<b>\" }}", expected: "<b>"),
    ]
    static let cases: [Case] = cases0 + cases1 + cases2 + cases3 + cases4 + cases5 + cases6 + cases7 + cases8 + cases9

    @Test(arguments: cases)
    func expands(_ testCase: Case) throws {
        let template = try Template(name: "test", text: testCase.text, functions: Self.functions)
        #expect(try template.execute(testCase.input) == testCase.expected)
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var text: String
        var input: TemplateValue = nil
        var expected: String
        var testDescription: String { text }
    }

    /// Prometheus's own error texts (without its `error executing template test:` wrapper).
    @Test(arguments: [
        ErrorCase(
            text: "{{ query \"missing\" | first }}",
            expected:
                "template: test:1:21: executing \"test\" at <first>: error calling first: first() called on vector with no elements"
        ),
        ErrorCase(
            text: "{{ humanize \"one\" }}",
            expected:
                "template: test:1:3: executing \"test\" at <humanize \"one\">: error calling humanize: strconv.ParseFloat: parsing \"one\": invalid syntax"
        ),
        ErrorCase(
            text: "{{ \"one\" | humanizePercentage }}",
            expected:
                "template: test:1:11: executing \"test\" at <humanizePercentage>: error calling humanizePercentage: strconv.ParseFloat: parsing \"one\": invalid syntax"
        ),
        ErrorCase(
            text: "{{ range . }}{{ humanizeTimestamp . }}:{{ end }}", input: [.int(.min), .int(.max)],
            expected:
                "template: test:1:16: executing \"test\" at <humanizeTimestamp .>: error calling humanizeTimestamp: -9.223372036854776e+18 cannot be represented as a nanoseconds timestamp since it overflows int64"
        ),
        ErrorCase(
            text: "{{ humanize1024 \"one\" }}",
            expected:
                "template: test:1:3: executing \"test\" at <humanize1024 \"one\">: error calling humanize1024: strconv.ParseFloat: parsing \"one\": invalid syntax"
        ),
        ErrorCase(
            text: "{{ (query \"missing\").banana }}",
            expected:
                "template: test:1:3: executing \"test\" at <(query \"missing\").ba...>: can't evaluate field banana in type []interface {}"
        ),
        ErrorCase(
            text: "{{ parseDuration \"1x\" }}",
            expected:
                "template: test:1:3: executing \"test\" at <parseDuration \"1x\">: error calling parseDuration: not a valid duration string: \"1x\""
        ),
    ])
    func reportsErrorsAsPrometheus(_ testCase: ErrorCase) throws {
        let template = try Template(name: "test", text: testCase.text, functions: Self.functions)
        #expect {
            _ = try template.execute(testCase.input)
        } throws: { error in
            (error as? TemplateError)?.description == testCase.expected
        }
    }

    @Test(arguments: [
        ("{{ \"aa bb CC\" | title }}", "Aa Bb Cc"), ("{{ \"  x \" | trimSpace }}", "x"),
        ("{{ stringSlice \"a\" \"b\" | join \", \" }}", "a, b"), ("{{ reReplaceAll \"-\" \"_\" \"a-b-c\" }}", "a_b_c"),
        ("{{ match \"^gpu\" \"gpu0\" }}", "true"), ("{{ \"x\" | toUpper }}{{ \"Y\" | toLower }}", "Xy"),
    ])
    func alertmanagerFunctions(_ text: String, _ expected: String) throws {
        let template = try Template(name: "am", text: text, functions: .alertmanager)
        #expect(try template.execute(nil) == expected)
    }
}
