import Testing
import VigilPromQL

/// Invalid queries fail with Prometheus's message and position (`line:column: parse error: message`).
/// Cases adapted from Prometheus's `promql/parser/parse_test.go`, plus Vigil's own for error contexts.
@Suite struct ParserErrorTests {
    static let cases: [(query: String, error: String)] = [
        // Empty input and the lexer.
        ("", "unknown position: parse error: no expression found in input"),
        ("# just a comment\n\n", "1:1: parse error: no expression found in input"),
        ("1+", "1:3: parse error: unexpected end of input"),
        (".", "1:1: parse error: unexpected character: '.'"),
        ("2.5.", #"1:1: parse error: bad number or duration syntax: "2.5.""#),
        ("100..4", #"1:1: parse error: bad number or duration syntax: "100..""#),
        ("0deadbeef", #"1:1: parse error: bad number or duration syntax: "0de""#),
        ("1 /", "1:4: parse error: unexpected end of input"),
        ("*1", "1:1: parse error: unexpected <op:*>"),
        ("(1))", "1:5: parse error: unexpected right parenthesis ')'"),
        ("((1)", "1:5: parse error: unclosed left parenthesis"),
        ("(", "1:2: parse error: unclosed left parenthesis"),
        (
            String(repeating: "9", count: 309),
            "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"\(String(repeating: "9", count: 309))\": value out of range"
        ),
        ("1 !~ 1", "1:3: parse error: unexpected character after '!': '~'"),
        ("1 =~ 1", "1:3: parse error: unexpected character after '=': '~'"),
        ("*test", "1:1: parse error: unexpected <op:*>"),
        ("@@", "1:1: parse error: unexpected <op:@>"),
        ("-=", #"1:2: parse error: unexpected "=""#),
        ("++-++-+-+-<", "1:11: parse error: unexpected <op:<>"),
        ("e-+=/(0)", #"1:4: parse error: unexpected "=""#),
        ("1 +\n  $", "2:3: parse error: unexpected character: '$'"),
        ("é", "1:1: parse error: unexpected character: 'é'"),
        // Scalar-only operations.
        ("1 and 1", #"1:1: parse error: set operator "and" not allowed in binary scalar expression"#),
        ("1 or 1", #"1:1: parse error: set operator "or" not allowed in binary scalar expression"#),
        ("1 unless 1", #"1:1: parse error: set operator "unless" not allowed in binary scalar expression"#),
        ("1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier"),
        ("foo and 1", #"1:1: parse error: set operator "and" not allowed in binary scalar expression"#),
        ("1 and foo", #"1:1: parse error: set operator "and" not allowed in binary scalar expression"#),
        ("foo or 1", #"1:1: parse error: set operator "or" not allowed in binary scalar expression"#),
        ("1 unless foo", #"1:1: parse error: set operator "unless" not allowed in binary scalar expression"#),
        ("1 or on(bar) foo", "1:1: parse error: vector matching only allowed between instant vectors"),
        ("foo == on(bar) 10", "1:1: parse error: vector matching only allowed between instant vectors"),
        // Unary operators.
        (
            #"-"string""#,
            #"1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "string""#
        ),
        (
            "-test[5m]",
            #"1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector""#
        ),
        // Binary operators and vector matching.
        ("a - on(b) ignoring(c) d", "1:11: parse error: unexpected <ignoring>"),
        ("foo + group_left(baz) bar", "1:7: parse error: unexpected <group_left>"),
        ("foo == on(x) bool bar", "1:14: parse error: unexpected <bool>"),
        ("foo and on(bar) group_left(baz) bar", #"1:1: parse error: no grouping allowed for "and" operation"#),
        ("foo and on(bar) group_right(baz) bar", #"1:1: parse error: no grouping allowed for "and" operation"#),
        ("foo or on(bar) group_left(baz) bar", #"1:1: parse error: no grouping allowed for "or" operation"#),
        ("foo unless on(bar) group_right(baz) bar", #"1:1: parse error: no grouping allowed for "unless" operation"#),
        (
            #"http_requests{group="production"} + on(instance) group_left(job,instance) cpu_count{type="smp"}"#,
            #"1:35: parse error: label "instance" must not occur in ON and GROUP clause at once"#
        ),
        ("foo + bool bar", "1:5: parse error: bool modifier can only be used on comparison operators"),
        ("foo + bool 10", "1:5: parse error: bool modifier can only be used on comparison operators"),
        ("foo and bool 10", "1:5: parse error: bool modifier can only be used on comparison operators"),
        (#"1 + "a""#, "1:5: parse error: binary expression must contain only scalar and instant vector types"),
        ("foo[5m] / 2", "1:1: parse error: binary expression must contain only scalar and instant vector types"),
        ("foo + on bar", #"1:10: parse error: unexpected identifier "bar" in grouping opts, expected "(""#),
        ("foo + on(a b) bar", #"1:12: parse error: unexpected identifier "b" in grouping opts, expected "," or ")""#),
        // Offset and @.
        (
            "1 offset 1d",
            "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"
        ),
        ("foo offset 1s offset 2s", "1:1: parse error: offset may not be set multiple times"),
        ("some_metric[5m] OFFSET 1mm", #"1:24: parse error: bad number or duration syntax: "1mm""#),
        ("some_metric[5m] OFFSET", "1:23: parse error: unexpected end of input in offset, expected number or duration"),
        ("foo offset -", "1:13: parse error: unexpected end of input in offset, expected number or duration"),
        ("foo offset +5m", "1:12: parse error: unexpected <op:+> in offset, expected number or duration"),
        ("foo offset 9.5e10", "1:12: parse error: duration out of range"),
        ("some_metric OFFSET 1m[5m]", "1:22: parse error: no offset modifiers allowed before range"),
        ("some_metric[5m] @", "1:18: parse error: unexpected end of input in @, expected timestamp"),
        ("foo @ start", "1:12: parse error: unexpected end of input in @, expected timestamp"),
        ("foo @ start(", "1:13: parse error: unclosed left parenthesis"),
        ("foo @ bar", #"1:7: parse error: unexpected identifier "bar" in @, expected timestamp"#),
        ("some_metric @ 1234 [5m]", "1:20: parse error: no @ modifiers allowed before range"),
        (
            "rate(some_metric[5m]) @ 1234",
            "1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery"
        ),
        ("foo @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times"),
        ("foo @ +Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf"),
        ("foo @ -Inf", "1:1: parse error: timestamp out of bounds for @ modifier: -Inf"),
        ("foo @ NaN", "1:1: parse error: timestamp out of bounds for @ modifier: NaN"),
        (
            "foo @ 9223372036854775808.000000",
            "1:1: parse error: timestamp out of bounds for @ modifier: 9223372036854775808.000000"
        ),
        (
            "foo @ -9223372036854775808.000000",
            "1:1: parse error: timestamp out of bounds for @ modifier: -9223372036854775808.000000"
        ),
        // Selectors.
        ("{", "1:2: parse error: unexpected end of input inside braces"),
        ("}", "1:1: parse error: unexpected character: '}'"),
        ("some{", "1:6: parse error: unexpected end of input inside braces"),
        ("some}", "1:5: parse error: unexpected character: '}'"),
        ("some_metric{a=b}", #"1:15: parse error: unexpected identifier "b" in label matching, expected string"#),
        (#"some_metric{a:b="b"}"#, "1:14: parse error: unexpected character inside braces: ':'"),
        (#"foo{a*"b"}"#, "1:6: parse error: unexpected character inside braces: '*'"),
        (#"foo{a>="b"}"#, "1:6: parse error: unexpected character inside braces: '>'"),
        ("foo{gibberish}", #"1:14: parse error: unexpected "}" in label matching, expected label matching operator"#),
        ("foo{1}", "1:5: parse error: unexpected character inside braces: '1'"),
        ("{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"),
        (#"{x=""}"#, "1:1: parse error: vector selector must contain at least one non-empty matcher"),
        (#"{x=~".*"}"#, "1:1: parse error: vector selector must contain at least one non-empty matcher"),
        (#"{x!~".+"}"#, "1:1: parse error: vector selector must contain at least one non-empty matcher"),
        (#"{x!="a"}"#, "1:1: parse error: vector selector must contain at least one non-empty matcher"),
        (#"foo{__name__="bar"}"#, #"1:1: parse error: metric name must not be set twice: "foo" or "bar""#),
        ("foo{__name__= =}", #"1:15: parse error: unexpected "=" in label matching, expected string"#),
        ("foo{,}", #"1:5: parse error: unexpected "," in label matching, expected identifier or "}""#),
        (#"foo{__name__ == "bar"}"#, #"1:15: parse error: unexpected "=" in label matching, expected string"#),
        (
            #"foo{__name__="bar" lol}"#,
            #"1:20: parse error: unexpected identifier "lol" in label matching, expected "," or "}""#
        ),
        (#"foo{"a"=}"#, #"1:9: parse error: unexpected "}" in label matching, expected string"#),
        (#"foo{a="b",,}"#, #"1:11: parse error: unexpected "," in label matching, expected identifier or "}""#),
        (#"{"foo" "bar"}"#, #"1:8: parse error: unexpected string "\"bar\"" in label matching, expected "," or "}""#),
        (
            #"foo{a="b" "a long label value"}"#,
            #"1:11: parse error: unexpected string "\"a long la"... in label matching, expected "," or "}""#
        ),
        (#"foo{a!b}"#, "1:6: parse error: unexpected character after '!' inside braces: 'b'"),
        (#"foo{a="b"{"#, "1:10: parse error: unexpected left brace '{'"),
        (#"foo{a="b""#, "1:10: parse error: unexpected end of input inside braces"),
        // Ranges and subqueries.
        ("foo[5mm]", #"1:5: parse error: bad number or duration syntax: "5mm""#),
        ("foo[5m1]", #"1:5: parse error: bad number or duration syntax: "5m1""#),
        ("foo[5m:1m1]", #"1:8: parse error: bad number or duration syntax: "1m1""#),
        ("foo[5y1hs]", #"1:5: parse error: unknown unit "hs" in duration "5y1hs""#),
        ("foo[5m1h]", #"1:5: parse error: not a valid duration string: "5m1h""#),
        ("foo[5m1m]", #"1:5: parse error: not a valid duration string: "5m1m""#),
        ("foo[300y]", "1:5: parse error: duration out of range"),
        ("foo[0m]", "1:5: parse error: duration must be greater than 0"),
        ("foo[-1]", "1:5: parse error: duration must be greater than 0"),
        ("foo[9.5e10]", "1:5: parse error: duration out of range"),
        (#"foo["5m"]"#, #"1:5: parse error: unexpected character in duration expression: '"'"#),
        ("foo[]", #"1:5: parse error: unexpected "]" in subquery selector, expected number or duration"#),
        ("foo[step()]", "1:5: parse error: unexpected character in duration expression: 's'"),
        ("foo[:5m]", "1:6: parse error: unexpected colon before duration in duration expression"),
        (#"foo{bar="baz"}["#, "1:16: parse error: unexpected end of input in duration expression"),
        ("foo[5m", "1:7: parse error: unclosed left bracket"),
        ("foo[5m:1m", "1:10: parse error: unclosed left bracket"),
        ("foo[5m 1m]", #"1:8: parse error: unexpected duration "1m" in subquery or range, expected ":" or "]""#),
        ("foo[5m+1m]", #"1:7: parse error: unexpected <op:+> in subquery or range, expected ":" or "]""#),
        (
            "foo[5m:-1m]",
            #"1:8: parse error: unexpected <op:-> in subquery selector, expected number or duration or "]""#
        ),
        ("foo[5m:1m 2m]", #"1:11: parse error: unexpected duration "2m" in subquery selector, expected "]""#),
        ("foo[5m:1m:1m]", "1:10: parse error: unexpected colon ':'"),
        ("foo[5m][5m]", "1:8: parse error: ranges only allowed for vector selectors"),
        ("foo[5s x 5s]", "1:8: parse error: unexpected character: 'x', expected ':'"),
        ("foo[5s s 5s]", "1:8: parse error: unexpected character: 's', expected ':'"),
        ("foo[5m] [1m]", "1:9: parse error: ranges only allowed for vector selectors"),
        ("foo[[5m]]", "1:5: parse error: unexpected character in duration expression: '['"),
        ("(foo + bar)[5m]", "1:12: parse error: ranges only allowed for vector selectors"),
        (
            "test[5d] OFFSET 10s [10m:5s]",
            "1:1: parse error: subquery is only allowed on instant vector, got matrix instead"
        ),
        (
            #"(foo + bar{nm="val"})[5m:][10m:5s]"#,
            "1:1: parse error: subquery is only allowed on instant vector, got matrix instead"
        ),
        ("rate(food[1m])[1h] offset 1h", "1:15: parse error: ranges only allowed for vector selectors"),
        ("rate(food[1m])[1h] @ 100", "1:15: parse error: ranges only allowed for vector selectors"),
        (#""a"[5m:]"#, "1:1: parse error: subquery is only allowed on instant vector, got string instead"),
        // Aggregations.
        (#"sum by ("foo)(some_metric{})"#, "1:9: parse error: unterminated quoted string"),
        ("sum without(==)(some_metric)", "1:13: parse error: unexpected <op:==> in grouping opts, expected label"),
        ("sum without(,)(some_metric)", #"1:13: parse error: unexpected "," in grouping opts, expected label"#),
        ("sum without(foo,,)(some_metric)", #"1:17: parse error: unexpected "," in grouping opts, expected label"#),
        ("sum by (without) (x)", "1:9: parse error: unexpected <without> in grouping opts, expected label"),
        ("sum by (1) (x)", #"1:9: parse error: unexpected number "1" in grouping opts, expected label"#),
        (#"sum by ("") (x)"#, #"1:9: parse error: invalid label name for grouping: """#),
        ("sum some_metric by (test)", #"1:5: parse error: unexpected identifier "some_metric""#),
        (
            "sum (some_metric) by test",
            #"1:22: parse error: unexpected identifier "test" in grouping opts, expected "(""#
        ),
        ("sum () by (test)", "1:1: parse error: no arguments for aggregate expression provided"),
        ("MIN keep_common (some_metric)", #"1:5: parse error: unexpected identifier "keep_common""#),
        ("MIN (some_metric) keep_common", #"1:19: parse error: unexpected identifier "keep_common""#),
        ("sum (some_metric) without (test) by (test)", "1:34: parse error: unexpected <by>"),
        ("sum without (test) (some_metric) by (test)", "1:34: parse error: unexpected <by>"),
        ("sum by (foo) bar", #"1:14: parse error: unexpected identifier "bar" in aggregation"#),
        ("sum(rate(foo bar))", #"1:14: parse error: unexpected identifier "bar" in aggregation"#),
        ("sum(1 +)", #"1:8: parse error: unexpected ")" in aggregation"#),
        ("sum by (foo)", "1:13: parse error: unexpected end of input in aggregation"),
        (
            "topk(some_metric)",
            "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1"
        ),
        ("topk(some_metric,)", "1:17: parse error: trailing commas not allowed in function call args"),
        (
            "sum(a, b)",
            "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 2"
        ),
        (
            "topk(some_metric, other_metric)",
            "1:6: parse error: expected type scalar in aggregation parameter, got instant vector"
        ),
        (
            "count_values(5, other_metric)",
            "1:14: parse error: expected type string in aggregation parameter, got scalar"
        ),
        ("sum(foo[5m])", "1:5: parse error: expected type instant vector in aggregation expression, got range vector"),
        ("sum(", "1:5: parse error: unclosed left parenthesis"),
        ("sum(rate(", "1:10: parse error: unclosed left parenthesis"),
        // Function calls.
        ("floor()", #"1:1: parse error: expected 1 argument(s) in call to "floor", got 0"#),
        ("floor(some_metric, other_metric)", #"1:1: parse error: expected 1 argument(s) in call to "floor", got 2"#),
        ("floor(some_metric, 1)", #"1:1: parse error: expected 1 argument(s) in call to "floor", got 2"#),
        ("floor(1)", #"1:7: parse error: expected type instant vector in call to function "floor", got scalar"#),
        (
            "hour(some_metric, some_metric, some_metric)",
            #"1:1: parse error: expected at most 1 argument(s) in call to "hour", got 3"#
        ),
        ("time(some_metric)", #"1:1: parse error: expected 0 argument(s) in call to "time", got 1"#),
        ("label_join(x, \"a\")", #"1:1: parse error: expected at least 3 argument(s) in call to "label_join", got 2"#),
        ("round(x, 1, 2)", #"1:1: parse error: expected at most 2 argument(s) in call to "round", got 3"#),
        (
            "sort_by_label(x, 1)",
            #"1:18: parse error: expected type string in call to function "sort_by_label", got scalar"#
        ),
        (
            "label_join(x, \"a\", \"b\", \"c\", 1)",
            #"1:30: parse error: expected type string in call to function "label_join", got scalar"#
        ),
        (
            "non_existent_function_far_bar()",
            #"1:1: parse error: unknown function with name "non_existent_function_far_bar""#
        ),
        ("holt_winters(foo[5m], 0.5, 0.5)", #"1:1: parse error: unknown function with name "holt_winters""#),
        ("RATE(foo[5m])", #"1:1: parse error: unknown function with name "RATE""#),
        (
            "rate(some_metric)",
            #"1:6: parse error: expected type range vector in call to function "rate", got instant vector"#
        ),
        ("rate(avg)", #"1:6: parse error: expected type range vector in call to function "rate", got instant vector"#),
        ("a>b()", #"1:3: parse error: unknown function with name "b""#),
        ("rate(foo bar)", #"1:10: parse error: unexpected identifier "bar""#),
        ("rate(foo[5m],,)", "1:13: parse error: trailing commas not allowed in function call args"),
        ("start()", #"1:6: parse error: unexpected "(""#),
        ("end()", #"1:4: parse error: unexpected "(""#),
        (
            #"info(rate(http_request_counter_total{}[5m]), target_info{foo="bar"})"#,
            "1:46: parse error: expected label selectors only, got vector selector instead"
        ),
        (
            #"info(http_request_counter_total{namespace="zzz"}, {foo="bar"} == 1)"#,
            "1:51: parse error: expected label selectors only"
        ),
        // Strings.
        ("`\\``", "1:4: parse error: unterminated raw string"),
        (#""\"#, "1:1: parse error: escape sequence not terminated"),
        (#""\c""#, "1:1: parse error: unknown escape sequence U+0063 'c'"),
        (#""\x.""#, "1:1: parse error: illegal character U+002E '.' in escape sequence"),
        (#""\'""#, "1:1: parse error: unknown escape sequence U+0027 '''"),
        (#""\400""#, "1:1: parse error: escape sequence is an invalid Unicode code point"),
        (#""\uD800""#, "1:1: parse error: escape sequence is an invalid Unicode code point"),
        (#""\U00110000""#, "1:1: parse error: escape sequence is an invalid Unicode code point"),
        ("\"a\nb\"", "1:1: parse error: unterminated quoted string"),
        ("'abc", "1:1: parse error: unterminated quoted string"),
    ]

    @Test(arguments: cases)
    func failsLikePrometheus(query: String, error expected: String) {
        #expect(throws: (any Error).self) { try PromQLParser().parse(query) }
        do {
            let expr = try PromQLParser().parse(query)
            Issue.record("\(query) parsed as \(expr)")
        } catch {
            #expect(error.description == expected, "\(query)")
        }
    }

    /// Bytes that are not UTF-8 are a positioned error, never a crash.
    static let invalidUTF8Cases: [(query: [UInt8], error: String)] = [
        (bytes(#"some_metric{a=""#, [0xFF], #""}"#), "1:15: parse error: invalid UTF-8 rune"),
        (bytes("label_replace(a, `b`, `c", [0xFF], "`, `d`, `.*`)"), "1:23: parse error: invalid UTF-8 rune"),
        ([0xC3], "1:1: parse error: unexpected character: '\u{FFFD}'"),
        (bytes("foo + ", [0xED, 0xA0, 0x80], ""), "1:7: parse error: unexpected character: '\u{FFFD}'"),
        (bytes("\"\u{FFFD}\"", [], ""), "1:1: parse error: invalid UTF-8 rune"),
    ]

    static func bytes(_ prefix: String, _ middle: [UInt8], _ suffix: String) -> [UInt8] {
        Array(prefix.utf8) + middle + Array(suffix.utf8)
    }

    @Test(arguments: invalidUTF8Cases)
    func invalidUTF8(query: [UInt8], error expected: String) {
        do {
            let expr = try PromQLParser().parse(utf8: query)
            Issue.record("parsed as \(expr)")
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test func experimentalFunctionsCanBeDisabled() {
        let parser = PromQLParser(options: .init(enableExperimentalFunctions: false))
        #expect(throws: PromQLError.self) { try parser.parse("sort_by_label(x)") }
        do {
            _ = try parser.parse(#"sort_by_label(x, "a")"#)
        } catch {
            #expect(error.description == #"1:1: parse error: function "sort_by_label" is not enabled"#)
        }
        do {
            _ = try parser.parse("limitk(1, x)")
        } catch {
            #expect(
                error.description
                    == "1:1: parse error: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions"
            )
        }
        #expect(throws: Never.self) { try parser.parse("topk(1, x)") }
    }

    /// A regular expression that does not compile is reported at the matcher, with its cause.
    @Test func invalidRegexIsPositioned() {
        do {
            _ = try PromQLParser().parse(#"foo{a=~"("}"#)
            Issue.record("parsed")
        } catch {
            #expect(error.location == "1:5")
            #expect(error.message.contains("invalid regular expression"))
            #expect(error.cause != nil)
        }
    }
}
