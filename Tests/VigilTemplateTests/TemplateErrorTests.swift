import Testing
import VigilTemplate

/// Bad templates fail with a precise error (name, line:column, Go's message) and never crash.
struct TemplateErrorTests {
    @Test(arguments: [
        ("{{", "template: t:1:0: unclosed action"),
        ("a\n{{ .x ", "template: t:2:0: unclosed action"),
        ("{{ nope 1 }}", "template: t:1:3: function \"nope\" not defined"),
        ("{{ if .a }}x", "template: t:1:12: unexpected EOF"),
        ("{{ end }}", "template: t:1:3: unexpected {{end}}"),
        ("{{ else }}", "template: t:1:3: unexpected {{else}}"),
        ("{{ . | \"x\" }}", "template: t:1:7: non executable command in pipeline stage 2"),
        ("{{ }}", "template: t:1:3: missing value for command"),
        ("{{ if }}{{ end }}", "template: t:1:6: missing value for if"),
        ("{{ $x }}", "template: t:1:3: undefined variable \"$x\""),
        ("{{ \"abc }}", "template: t:1:3: unterminated quoted string"),
        ("{{ `abc }}", "template: t:1:3: unterminated raw quoted string"),
        ("{{ (1 }}", "template: t:1:6: unclosed left paren"),
        ("{{ 1) }}", "template: t:1:4: unexpected right paren"),
        ("{{ 3k }}", "template: t:1:3: bad number syntax: \"3k\""),
        ("{{ .a@ }}", "template: t:1:5: bad character U+0040 '@'"),
        ("{{ \u{A0}}}", "template: t:1:3: unrecognized character in action: U+00A0"),
        ("{{ break }}", "template: t:1:3: {{break}} outside {{range}}"),
        ("{{/* x }}", "template: t:1:0: unclosed comment"),
        ("{{/* x */ }}", "template: t:1:0: comment ends before closing delimiter"),
        ("{{ template .x }}", "template: t:1:12: unexpected \".x\" in template clause"),
        ("{{ 1.x }}", "template: t:1:3: bad number syntax: \"1.x\""),
        ("{{ \"a\".b }}", "template: t:1:3: unexpected . after term \"\\\"a\\\"\""),
        ("{{ $a, $b := 1 }}", "template: t:1:3: too many declarations in command"),
        ("{{ range $a, $b, $c := . }}{{ end }}", "template: t:1:13: too many declarations in range"),
        (
            "{{ define \"a\" }}x{{ end }}{{ define \"a\" }}y{{ end }}",
            "template: t:1:0: template: multiple definition of template \"a\""
        ),
        (
            "{{" + String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500) + "}}",
            "max expression depth exceeded"
        ),
    ])
    func parseErrors(_ text: String, _ expected: String) {
        #expect {
            _ = try Template(name: "t", text: text)
        } throws: { error in
            guard let error = error as? TemplateError, error.code == .parse else { return false }
            return expected.hasPrefix("template:") ? error.description == expected : error.message == expected
        }
    }

    @Test(arguments: [
        (
            "{{ .Value.foo }}",
            "template: t:1:3: executing \"t\" at <.Value.foo>: can't evaluate field foo in type float64"
        ),
        (
            "{{ .Labels.a.b }}",
            "template: t:1:3: executing \"t\" at <.Labels.a.b>: can't evaluate field b in type string"
        ),
        ("{{ len 1 2 }}", "template: t:1:3: executing \"t\" at <len 1 2>: wrong number of args for len: want 1 got 2"),
        (
            "{{ humanize }}",
            "template: t:1:3: executing \"t\" at <humanize>: wrong number of args for humanize: want 1 got 0"
        ),
        (
            "{{ 1 | humanize 2 }}",
            "template: t:1:7: executing \"t\" at <humanize 2>: wrong number of args for humanize: want 1 got 2"
        ),
        (
            "{{ gt .Value 80 }}",
            "template: t:1:3: executing \"t\" at <gt .Value 80>: error calling gt: incompatible types for comparison"
        ),
        (
            "{{ index .List 5 }}",
            "template: t:1:3: executing \"t\" at <index .List 5>: error calling index: index out of range: 5"
        ),
        ("{{ nil }}", "template: t:1:3: executing \"t\" at <nil>: nil is not a command"),
        ("{{ .Value 1 }}", "template: t:1:3: executing \"t\" at <.Value>: Value is not a method but has arguments"),
        ("{{ range .Value }}{{ end }}", "template: t:1:9: executing \"t\" at <.Value>: range can't iterate over 95.5"),
        ("{{ template \"x\" }}", "template: t:1:12: executing \"t\" at <template \"x\">: template \"x\" not defined"),
        (
            "{{ toUpper 1 }}",
            "template: t:1:3: executing \"t\" at <toUpper 1>: error calling toUpper: wrong type for value; expected string; got int"
        ),
        (
            "{{ match \"(\" \"x\" }}",
            "template: t:1:3: executing \"t\" at <match \"(\" \"x\">: error calling match: error parsing regexp: invalid regular expression \"(\""
        ),
        (
            "line one\n{{ len .Value }}",
            "template: t:2:3: executing \"t\" at <len .Value>: error calling len: len of type float64"
        ),
        (
            "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}",
            "template: t:1:28: executing \"r\" at <template \"r\">: exceeded maximum template depth (100)"
        ),
        (
            "{{ slice \"abc\" 2 1 }}",
            "template: t:1:3: executing \"t\" at <slice \"abc\" 2 1>: error calling slice: invalid slice index: 2 > 1"
        ),
        (
            "{{ first .List }}",
            "template: t:1:3: executing \"t\" at <first .List>: error calling first: first() called on vector with no elements"
        ),
        (
            "{{ label \"a\" .Value }}",
            "template: t:1:3: executing \"t\" at <label \"a\" .Value>: error calling label: wrong type for value; expected *template.sample; got float64"
        ),
    ])
    func executionErrors(_ text: String, _ expected: String) throws {
        let template = try Template(name: "t", text: text, functions: .prometheus())
        let data: TemplateValue = ["Value": 95.5, "Labels": ["a": "x"], "List": []]
        #expect {
            _ = try template.execute(data)
        } throws: { error in
            (error as? TemplateError)?.description == expected
        }
    }

    @Test func functionErrorsCarryTheirMessage() throws {
        let functions = TemplateFunctions.builtins.adding("fail", arity: .exactly(0)) { _ throws(TemplateError) in
            throw TemplateError("it failed")
        }
        let template = try Template(name: "t", text: "x{{ fail }}", functions: functions)
        #expect(throws: TemplateError.self) { try template.execute(nil) }
        do {
            _ = try template.execute(nil)
        } catch {
            #expect(error.code == .execution)
            #expect(error.line == 1 && error.column == 4)
            #expect(error.message == "error calling fail: it failed")
        }
    }

    /// Arbitrary bytes never crash the parser: every prefix of a real template either parses or throws.
    @Test func everyPrefixParsesOrThrows() {
        let text = """
            {{- define "x" -}}{{ range $i, $a := .Alerts }}{{ if gt (len $a.Labels) 0 }}{{ $a.Labels.x | printf "%q" }}\
            {{ else if eq $i 1 }}{{ break }}{{ end }}{{ end }}{{/* c */}}{{- end -}}{{ template "x" . }}'a' 1e3 `r`
            """
        for count in 0...text.utf8.count {
            let prefix = String(decoding: text.utf8.prefix(count), as: UTF8.self)
            if let template = try? Template(name: "p", text: prefix) {
                _ = try? template.execute(["Alerts": [["Labels": ["x": "1"]]]])
            }
        }
    }
}
