import Testing
import VigilPromQL

/// The printer writes what Prometheus's `String()` writes (golden values from Prometheus's `printer_test.go`
/// plus Vigil's own), and what it writes parses back to the same tree.
@Suite struct PrinterTests {
    static let cases: [(query: String, printed: String)] = [
        // Prometheus's printer_test.go.
        (#"sum by() (task:errors:rate10s{job="s"})"#, #"sum(task:errors:rate10s{job="s"})"#),
        (#"sum by(code) (task:errors:rate10s{job="s"})"#, #"sum by (code) (task:errors:rate10s{job="s"})"#),
        (#"sum without() (task:errors:rate10s{job="s"})"#, #"sum without () (task:errors:rate10s{job="s"})"#),
        (
            #"sum without(instance) (task:errors:rate10s{job="s"})"#,
            #"sum without (instance) (task:errors:rate10s{job="s"})"#
        ),
        (#"sum by("foo.bar") (task:errors:rate10s{job="s"})"#, #"sum by ("foo.bar") (task:errors:rate10s{job="s"})"#),
        (
            #"sum without("foo.bar") (task:errors:rate10s{job="s"})"#,
            #"sum without ("foo.bar") (task:errors:rate10s{job="s"})"#
        ),
        (#"topk(5, task:errors:rate10s{job="s"})"#, #"topk(5, task:errors:rate10s{job="s"})"#),
        (
            #"count_values("value", task:errors:rate10s{job="s"})"#,
            #"count_values("value", task:errors:rate10s{job="s"})"#
        ),
        ("a - on() c", "a - on () c"),
        ("a - on(b) c", "a - on (b) c"),
        ("a - on(b) group_left(x) c", "a - on (b) group_left (x) c"),
        ("a - on(b) group_left(x, y) c", "a - on (b) group_left (x, y) c"),
        ("a - on(b) group_left c", "a - on (b) group_left () c"),
        ("a - on(b) group_left() (c)", "a - on (b) group_left () (c)"),
        ("a - ignoring(b) c", "a - ignoring (b) c"),
        ("a - ignoring() c", "a - c"),
        ("a - ignoring() group_left(__metric__) c", "a - ignoring () group_left (__metric__) c"),
        ("a - ignoring() group_left c", "a - ignoring () group_left () c"),
        ("up > bool 0", "up > bool 0"),
        ("a offset 1m", "a offset 1m"),
        ("a offset -7m", "a offset -7m"),
        (#"a{c="d"}[5m] offset 1m"#, #"a{c="d"}[5m] offset 1m"#),
        ("a[5m] offset 1m", "a[5m] offset 1m"),
        ("a[12m] offset -3m", "a[12m] offset -3m"),
        ("a[1h:5m] offset 1m", "a[1h:5m] offset 1m"),
        (#"{__name__="a"}"#, #"{__name__="a"}"#),
        (#"a{b!="c"}[1m]"#, #"a{b!="c"}[1m]"#),
        (#"a{b=~"c"}[1m]"#, #"a{b=~"c"}[1m]"#),
        (#"a{b!~"c"}[1m]"#, #"a{b!~"c"}[1m]"#),
        ("a @ 10", "a @ 10.000"),
        ("a[1m] @ 10", "a[1m] @ 10.000"),
        ("a @ start()", "a @ start()"),
        ("a @ end()", "a @ end()"),
        ("a[1m] @ start()", "a[1m] @ start()"),
        ("a[1m] @ end()", "a[1m] @ end()"),
        (#"{__name__="",a="x"}"#, #"{__name__="",a="x"}"#),
        (#"{"a.b"="c"}"#, #"{"a.b"="c"}"#),
        (#"{"0"="1"}"#, #"{"0"="1"}"#),
        (#"{"_0"="1"}"#, #"{_0="1"}"#),
        (#"{""="0"}"#, #"{""="0"}"#),
        (#"{``="0"}"#, #"{""="0"}"#),
        ("1048576", "1048576"),
        ("predict_linear(foo[1h], 3000)", "predict_linear(foo[1h], 3000)"),
        (#"sum by("üüü") (foo)"#, #"sum by ("üüü") (foo)"#),
        (#"sum without("äää") (foo)"#, #"sum without ("äää") (foo)"#),
        (#"count by("ööö", job) (foo)"#, #"count by ("ööö", job) (foo)"#),
        (#"foo / on("äää") bar"#, #"foo / on ("äää") bar"#),
        (#"foo / ignoring("üüü") bar"#, #"foo / ignoring ("üüü") bar"#),
        (#"foo / on("äää") group_left("ööö") bar"#, #"foo / on ("äää") group_left ("ööö") bar"#),
        (#"foo / on("äää") group_right("ööö") bar"#, #"foo / on ("äää") group_right ("ööö") bar"#),
        (#"foo / on(legacy, "üüü") bar"#, #"foo / on (legacy, "üüü") bar"#),
        ("foo / on(job, instance) bar", "foo / on (job, instance) bar"),
        // Vigil's own.
        ("sum by (job) (rate(x[5m]))", "sum by (job) (rate(x[5m]))"),
        ("SUM BY (job) (X)", "sum by (job) (X)"),
        ("sum(rate(x[5m])) by (job)", "sum by (job) (rate(x[5m]))"),
        ("count_values('v', x)", #"count_values("v", x)"#),
        ("rate(x[90s])", "rate(x[1m30s])"),
        ("x[7d]", "x[1w]"),
        ("x[8d]", "x[8d]"),
        ("x[14d]", "x[2w]"),
        ("x[90d]", "x[90d]"),
        ("x[365d]", "x[1y]"),
        ("x[366d]", "x[366d]"),
        ("x[1.5]", "x[1s500ms]"),
        ("x[1h30m]", "x[1h30m]"),
        ("x offset 3600", "x offset 1h"),
        ("x[5m:]", "x[5m:]"),
        ("x[5m:30s]", "x[5m:30s]"),
        ("x offset 5m @ 10", "x @ 10.000 offset 5m"),
        ("x @ 1603774568.123", "x @ 1603774568.123"),
        ("x @ -100", "x @ -100.000"),
        ("x @ 0.0005", "x @ 0.001"),
        ("x @ 0.0004", "x @ 0.000"),
        ("1e3", "1000"),
        ("1e-7", "0.0000001"),
        ("1e21", "1000000000000000000000"),
        ("0x1f", "31"),
        ("-0", "-0"),
        (".5", "0.5"),
        ("+Inf", "+Inf"),
        ("-inf", "-Inf"),
        ("NaN", "NaN"),
        ("5m", "5m"),
        ("-90s", "-1m30s"),
        ("time() - 1h30m", "time() - 1h30m"),
        ("foo @ 5m", "foo @ 300.000"),
        ("1_000", "1000"),
        ("0.1 + 0.2", "0.1 + 0.2"),
        ("123456789.123", "123456789.123"),
        ("1 - -1", "1 - -1"),
        ("-foo", "-foo"),
        ("-(foo)", "-(foo)"),
        ("- - foo", "--foo"),
        ("-1 ^ 2", "-1 ^ 2"),
        ("(-1) ^ 2", "(-1) ^ 2"),
        ("2 ^ 3 ^ 2", "2 ^ 3 ^ 2"),
        ("(2 ^ 3) ^ 2", "(2 ^ 3) ^ 2"),
        ("a  +  b  *  c", "a + b * c"),
        ("a atan2 b", "a atan2 b"),
        ("a AND b", "a and b"),
        ("foo and on() bar", "foo and on () bar"),
        ("a == bool on (x) b", "a == bool on (x) b"),
        ("a * on(x) group_right(y) b", "a * on (x) group_right (y) b"),
        (#"foo{b="1",a="2"}"#, #"foo{a="2",b="1"}"#),
        (#"{"foo"}"#, #"{__name__="foo"}"#),
        (#"{"my.metric", "label.name"="v"}"#, #"{"label.name"="v",__name__="my.metric"}"#),
        (#"sum by (a:b) (x)"#, "sum by (a:b) (x)"),
        (#"x{a="\n\t\"\\"}"#, #"x{a="\n\t\"\\"}"#),
        (#"'a'"#, #""a""#),
        ("`a\\\"b`", #""a\\\"b""#),
        (#""\xff\x00""#, #""\xff\x00""#),
        (#""\u00e9\u00a0\u200b""#, #""é\u00a0\u200b""#),
        (#""\U0001F600\x7f""#, #""😀\x7f""#),
        (#"label_replace(up, "a", "$1", "b", "(.*)")"#, #"label_replace(up, "a", "$1", "b", "(.*)")"#),
        (
            #"histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))"#,
            "histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))"
        ),
        ("min_over_time(rate(x[1m])[1h:1m] offset 5m)", "min_over_time(rate(x[1m])[1h:1m] offset 5m)"),
        ("topk(3, x) by (job)", "topk by (job) (3, x)"),
    ]

    @Test(arguments: cases)
    func printsLikePrometheus(query: String, printed: String) throws {
        let expr = try PromQLParser().parse(query)
        #expect(expr.description == printed)
        let reparsed = try PromQLParser().parse(printed)
        #expect(canonical(reparsed) == canonical(expr))
        #expect(reparsed.description == printed)
    }

    /// Trees built by hand print too, and a selector without name or matchers prints as nothing, like Go's.
    @Test func handBuiltSelectors() throws {
        #expect(VectorSelector(matchers: []).description == "")
        #expect(VectorSelector(name: "foobar", matchers: []).description == "foobar")
        #expect(VectorSelector(name: "foobar", matchers: [eq("a", "x")]).description == #"foobar{a="x"}"#)
        #expect(
            VectorSelector(name: "foobar", matchers: [eq("a", "x"), eq("b", "y")]).description
                == #"foobar{a="x",b="y"}"#)
        #expect(VectorSelector(matchers: [eq("a", "x"), eq("b", "y")]).description == #"{a="x",b="y"}"#)
        #expect(VectorSelector(name: "foobar", matchers: [eq("__name__", "foobar")]).description == "foobar")
        #expect(VectorSelector(matchers: [eq("__name__", "foobar")]).description == #"{__name__="foobar"}"#)
    }
}
