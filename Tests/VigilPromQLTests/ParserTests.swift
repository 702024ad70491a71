import Testing
import VigilModel
import VigilPromQL

/// Valid queries parse to the tree Prometheus builds, positions included. Cases adapted from Prometheus's
/// `promql/parser/parse_test.go`; each also round-trips through the printer.
@Suite struct ParserTests {
    static let cases: [(query: String, expected: Expr)] =
        scalars + binaryOperators + selectors + ranges
        + aggregations + calls + strings + subqueries + preprocessors

    static let scalars: [(query: String, expected: Expr)] = [
        ("1", num(1, 0, 1)),
        ("+Inf", num(.infinity, 0, 4)),
        ("-Inf", num(-.infinity, 0, 4)),
        ("inF", num(.infinity, 0, 3)),
        (".5", num(0.5, 0, 2)),
        ("5.", num(5, 0, 2)),
        ("123.4567", num(123.4567, 0, 8)),
        ("5e-3", num(0.005, 0, 4)),
        ("5e3", num(5000, 0, 3)),
        ("0xc", num(12, 0, 3)),
        ("0x_1F", num(31, 0, 5)),
        ("0755", num(493, 0, 4)),
        ("09", num(9, 0, 2)),
        ("1_000", num(1000, 0, 5)),
        ("1_000.5e1_0", num(1000.5e10, 0, 11)),
        ("+5.5e-3", num(0.0055, 0, 7)),
        ("-0755", num(-493, 0, 5)),
        ("1e-400", num(0, 0, 6)),
        ("99999999999999999999", num(1e20, 0, 20)),
        ("1h30m", dur(5400, 0, 5)),
        ("500ms", dur(0.5, 0, 5)),
        ("-5m", dur(-300, 0, 3)),
        ("1 + 1", bin(.add, num(1, 0, 1), num(1, 4, 5))),
        ("1 - 1", bin(.sub, num(1, 0, 1), num(1, 4, 5))),
        ("1 * 1", bin(.mul, num(1, 0, 1), num(1, 4, 5))),
        ("1 % 1", bin(.mod, num(1, 0, 1), num(1, 4, 5))),
        ("1 / 1", bin(.div, num(1, 0, 1), num(1, 4, 5))),
        ("1 atan2 1", bin(.atan2, num(1, 0, 1), num(1, 8, 9))),
        ("1 == bool 1", bin(.eql, num(1, 0, 1), num(1, 10, 11), bool: true)),
        ("1 != bool 1", bin(.neq, num(1, 0, 1), num(1, 10, 11), bool: true)),
        ("1 > bool 1", bin(.gtr, num(1, 0, 1), num(1, 9, 10), bool: true)),
        ("1 >= bool 1", bin(.gte, num(1, 0, 1), num(1, 10, 11), bool: true)),
        ("1 < bool 1", bin(.lss, num(1, 0, 1), num(1, 9, 10), bool: true)),
        ("1 <= bool 1", bin(.lte, num(1, 0, 1), num(1, 10, 11), bool: true)),
        ("-1^2", unary(.minus, bin(.pow, num(1, 1, 2), num(2, 3, 4)), 0)),
        ("-1*2", bin(.mul, num(-1, 0, 2), num(2, 3, 4))),
        ("-1+2", bin(.add, num(-1, 0, 2), num(2, 3, 4))),
        ("-1^-2", unary(.minus, bin(.pow, num(1, 1, 2), num(-2, 3, 5)), 0)),
        ("2^3^2", bin(.pow, num(2, 0, 1), bin(.pow, num(3, 2, 3), num(2, 4, 5)))),
        ("2-3-2", bin(.sub, bin(.sub, num(2, 0, 1), num(3, 2, 3)), num(2, 4, 5))),
        ("+1 + -2 * 1", bin(.add, num(1, 0, 2), bin(.mul, num(-2, 5, 7), num(1, 10, 11)))),
        (
            "1 + 2/(3*1)",
            bin(.add, num(1, 0, 1), bin(.div, num(2, 4, 5), paren(bin(.mul, num(3, 7, 8), num(1, 9, 10)), 6, 11)))
        ),
        (
            "1 < bool 2 - 1 * 2",
            bin(.lss, num(1, 0, 1), bin(.sub, num(2, 9, 10), bin(.mul, num(1, 13, 14), num(2, 17, 18))), bool: true)
        ),
        ("- - 1", num(1, 0, 5)),
        ("-some_metric", unary(.minus, sel("some_metric", 1, 12), 0)),
        ("+some_metric", unary(.plus, sel("some_metric", 1, 12), 0)),
        (" +some_metric", unary(.plus, sel("some_metric", 2, 13), 1)),
        (#" +{"some_metric"}"#, unary(.plus, sel(nil, [eq("__name__", "some_metric")], 2, 17), 1)),
        ("-a^b", unary(.minus, bin(.pow, sel("a", 1, 2), sel("b", 3, 4), card(.oneToOne)), 0)),
        ("1 # comment\n + 2", bin(.add, num(1, 0, 1), num(2, 15, 16))),
    ]

    static let binaryOperators: [(query: String, expected: Expr)] = [
        ("foo * bar", bin(.mul, sel("foo", 0, 3), sel("bar", 6, 9), card(.oneToOne))),
        ("foo * sum", bin(.mul, sel("foo", 0, 3), sel("sum", 6, 9), card(.oneToOne))),
        ("foo == 1", bin(.eql, sel("foo", 0, 3), num(1, 7, 8))),
        ("foo == bool 1", bin(.eql, sel("foo", 0, 3), num(1, 12, 13), bool: true)),
        ("2.5 / bar", bin(.div, num(2.5, 0, 3), sel("bar", 6, 9))),
        ("foo and bar", bin(.and, sel("foo", 0, 3), sel("bar", 8, 11), card(.manyToMany))),
        ("foo or bar", bin(.or, sel("foo", 0, 3), sel("bar", 7, 10), card(.manyToMany))),
        ("foo unless bar", bin(.unless, sel("foo", 0, 3), sel("bar", 11, 14), card(.manyToMany))),
        ("foo AND bar", bin(.and, sel("foo", 0, 3), sel("bar", 8, 11), card(.manyToMany))),
        (
            "foo + bar or bla and blub",
            bin(
                .or, bin(.add, sel("foo", 0, 3), sel("bar", 6, 9), card(.oneToOne)),
                bin(.and, sel("bla", 13, 16), sel("blub", 21, 25), card(.manyToMany)), card(.manyToMany))
        ),
        (
            "foo and bar unless baz or qux",
            bin(
                .or,
                bin(
                    .unless, bin(.and, sel("foo", 0, 3), sel("bar", 8, 11), card(.manyToMany)), sel("baz", 19, 22),
                    card(.manyToMany)), sel("qux", 26, 29), card(.manyToMany))
        ),
        (
            "bar + on(foo) bla / on(baz, buz) group_right(test) blub",
            bin(
                .add, sel("bar", 0, 3),
                bin(
                    .div, sel("bla", 14, 17), sel("blub", 51, 55),
                    card(.oneToMany, on: true, ["baz", "buz"], include: ["test"])), card(.oneToOne, on: true, ["foo"]))
        ),
        (
            "foo * on(test,blub) bar",
            bin(.mul, sel("foo", 0, 3), sel("bar", 20, 23), card(.oneToOne, on: true, ["test", "blub"]))
        ),
        (
            "foo * on(test,blub) group_left bar",
            bin(.mul, sel("foo", 0, 3), sel("bar", 31, 34), card(.manyToOne, on: true, ["test", "blub"]))
        ),
        (
            "foo and on(test,blub) bar",
            bin(.and, sel("foo", 0, 3), sel("bar", 22, 25), card(.manyToMany, on: true, ["test", "blub"]))
        ),
        ("foo and on() bar", bin(.and, sel("foo", 0, 3), sel("bar", 13, 16), card(.manyToMany, on: true))),
        (
            "foo and ignoring(test,blub) bar",
            bin(.and, sel("foo", 0, 3), sel("bar", 28, 31), card(.manyToMany, ["test", "blub"]))
        ),
        ("foo and ignoring() bar", bin(.and, sel("foo", 0, 3), sel("bar", 19, 22), card(.manyToMany))),
        (
            "foo unless on(bar) baz",
            bin(.unless, sel("foo", 0, 3), sel("baz", 19, 22), card(.manyToMany, on: true, ["bar"]))
        ),
        (
            "foo / on(test,blub) group_left(bar) bar",
            bin(
                .div, sel("foo", 0, 3), sel("bar", 36, 39),
                card(.manyToOne, on: true, ["test", "blub"], include: ["bar"]))
        ),
        (
            "foo / ignoring(test,blub) group_left(blub) bar",
            bin(.div, sel("foo", 0, 3), sel("bar", 43, 46), card(.manyToOne, ["test", "blub"], include: ["blub"]))
        ),
        (
            "foo - on(test,blub) group_right(bar,foo) bar",
            bin(
                .sub, sel("foo", 0, 3), sel("bar", 41, 44),
                card(.oneToMany, on: true, ["test", "blub"], include: ["bar", "foo"]))
        ),
        (
            "foo - ignoring(test,blub) group_right(bar,foo) bar",
            bin(
                .sub, sel("foo", 0, 3), sel("bar", 47, 50),
                card(.oneToMany, ["test", "blub"], include: ["bar", "foo"]))
        ),
        (
            "foo > bool on(a) bar",
            bin(.gtr, sel("foo", 0, 3), sel("bar", 17, 20), bool: true, card(.oneToOne, on: true, ["a"]))
        ),
        (
            #"foo / on("a.b", c) bar"#,
            bin(.div, sel("foo", 0, 3), sel("bar", 19, 22), card(.oneToOne, on: true, ["a.b", "c"]))
        ),
        ("1 + on() foo", bin(.add, num(1, 0, 1), sel("foo", 9, 12))),
        ("a + sum", bin(.add, sel("a", 0, 1), sel("sum", 4, 7), card(.oneToOne))),
        ("foo and and", bin(.and, sel("foo", 0, 3), sel("and", 8, 11), card(.manyToMany))),
        ("offset + by", bin(.add, sel("offset", 0, 6), sel("by", 9, 11), card(.oneToOne))),
    ]

    static let selectors: [(query: String, expected: Expr)] = [
        ("foo", sel("foo", 0, 3)),
        ("min", sel("min", 0, 3)),
        ("sum{job=\"x\"}", sel("sum", [eq("job", "x")], 0, 12)),
        ("foo offset 5m", sel("foo", 0, 13, offset: 5 * minute)),
        ("foo offset -7m", sel("foo", 0, 14, offset: -7 * minute)),
        ("foo OFFSET 1h30m", sel("foo", 0, 16, offset: 90 * minute)),
        ("foo OFFSET 1m30ms", sel("foo", 0, 17, offset: minute + 30)),
        ("foo offset 0 offset 1m", sel("foo", 0, 22, offset: minute)),
        ("foo @ 1603774568", sel("foo", 0, 16, at: .timestamp(milliseconds: 1_603_774_568_000))),
        ("foo @ -100", sel("foo", 0, 10, at: .timestamp(milliseconds: -100_000))),
        ("foo @ .3", sel("foo", 0, 8, at: .timestamp(milliseconds: 300))),
        ("foo @ 3.", sel("foo", 0, 8, at: .timestamp(milliseconds: 3000))),
        ("foo @ 3.33", sel("foo", 0, 10, at: .timestamp(milliseconds: 3330))),
        ("foo @ 3.3333", sel("foo", 0, 12, at: .timestamp(milliseconds: 3333))),
        ("foo @ 3.3335", sel("foo", 0, 12, at: .timestamp(milliseconds: 3334))),
        ("foo @ 3e2", sel("foo", 0, 9, at: .timestamp(milliseconds: 300_000))),
        ("foo @ 3e-1", sel("foo", 0, 10, at: .timestamp(milliseconds: 300))),
        ("foo @ 0xA", sel("foo", 0, 9, at: .timestamp(milliseconds: 10_000))),
        ("foo @ -3.3e1", sel("foo", 0, 12, at: .timestamp(milliseconds: -33_000))),
        ("foo @ 1m", sel("foo", 0, 8, at: .timestamp(milliseconds: 60_000))),
        ("foo @ 100 offset 5m", sel("foo", 0, 19, offset: 5 * minute, at: .timestamp(milliseconds: 100_000))),
        (#"foo:bar{a="bc"}"#, sel("foo:bar", [eq("a", "bc")], 0, 15)),
        (#"{"foo"}"#, sel(nil, [eq("__name__", "foo")], 0, 7)),
        (
            #"{'foo\'bar', 'a\\dos\\path'='boo\\urns'}"#,
            sel(nil, [eq("__name__", "foo'bar"), eq(#"a\dos\path"#, #"boo\urns"#)], 0, 40)
        ),
        (
            #"{'foo\'bar', `a\dos\path`="boo"}"#,
            sel(nil, [eq("__name__", "foo'bar"), eq(#"a\dos\path"#, "boo")], 0, 32)
        ),
        (#"{"foo", a="bc"}"#, sel(nil, [eq("__name__", "foo"), eq("a", "bc")], 0, 15)),
        (#"{"my.metric", "label.name"="v"}"#, sel(nil, [eq("__name__", "my.metric"), eq("label.name", "v")], 0, 31)),
        (#"foo{NaN='bc'}"#, sel("foo", [eq("NaN", "bc")], 0, 13)),
        (#"foo{bar='}'}"#, sel("foo", [eq("bar", "}")], 0, 12)),
        (
            #"foo{a="b", foo!="bar", test=~"test", bar!~"baz"}"#,
            sel(
                "foo",
                [
                    eq("a", "b"), matcher(.notEqual, "foo", "bar"), matcher(.regexMatch, "test", "test"),
                    matcher(.regexNoMatch, "bar", "baz"),
                ],
                0, 48)
        ),
        (
            #"{a="b", foo!="bar", "foo", test=~"test", bar!~"baz"}"#,
            sel(
                nil,
                [
                    eq("a", "b"), matcher(.notEqual, "foo", "bar"), eq("__name__", "foo"),
                    matcher(.regexMatch, "test", "test"),
                    matcher(.regexNoMatch, "bar", "baz"),
                ], 0, 52)
        ),
        (
            #"foo{a="b", foo!="bar", test=~"test", bar!~"baz",}"#,
            sel(
                "foo",
                [
                    eq("a", "b"), matcher(.notEqual, "foo", "bar"), matcher(.regexMatch, "test", "test"),
                    matcher(.regexNoMatch, "bar", "baz"),
                ],
                0, 49)
        ),
        (
            #"{__name__=~"bar", __name__!~"baz"}"#,
            sel(nil, [matcher(.regexMatch, "__name__", "bar"), matcher(.regexNoMatch, "__name__", "baz")], 0, 34)
        ),
        (#"{__name__="bar", __name__="baz"}"#, sel(nil, [eq("__name__", "bar"), eq("__name__", "baz")], 0, 32)),
        (#"{"bar", __name__="baz"}"#, sel(nil, [eq("__name__", "bar"), eq("__name__", "baz")], 0, 23)),
        (#"foo{a="b" # comment"# + "\n}", sel("foo", [eq("a", "b")], 0, 21)),
        (#"{""="0"}"#, sel(nil, [eq("", "0")], 0, 8)),
        ("start", sel("start", 0, 5)),
        ("end", sel("end", 0, 3)),
        (#"start{end="foo"}"#, sel("start", [eq("end", "foo")], 0, 16)),
        (#"end{start="foo"}"#, sel("end", [eq("start", "foo")], 0, 16)),
        (#"offset{step="1s"}"#, sel("offset", [eq("step", "1s")], 0, 17)),
        (#"anchored{job="test"}"#, sel("anchored", [eq("job", "test")], 0, 20)),
    ]

    static let ranges: [(query: String, expected: Expr)] = [
        ("test[1000ms]", matrix(vs("test", 0, 4), 1000, end: 12)),
        ("test[1001ms]", matrix(vs("test", 0, 4), 1001, end: 12)),
        ("test[1002ms]", matrix(vs("test", 0, 4), 1002, end: 12)),
        ("test[5s]", matrix(vs("test", 0, 4), 5 * second, end: 8)),
        ("test[5m]", matrix(vs("test", 0, 4), 5 * minute, end: 8)),
        ("foo[5m30s]", matrix(vs("foo", 0, 3), 5 * minute + 30 * second, end: 10)),
        ("test[5h] OFFSET 5m", matrix(vs("test", 0, 4, offset: 5 * minute), 5 * hour, end: 18)),
        ("test[5d] OFFSET 10s", matrix(vs("test", 0, 4, offset: 10 * second), 5 * day, end: 19)),
        ("test[5w] offset 2w", matrix(vs("test", 0, 4, offset: 2 * week), 5 * week, end: 18)),
        (#"test{a="b"}[5y] OFFSET 3d"#, matrix(vs("test", [eq("a", "b")], 0, 11, offset: 3 * day), 5 * year, end: 25)),
        (#"test{a="b"}[5m] OFFSET 3600"#, matrix(vs("test", [eq("a", "b")], 0, 11, offset: hour), 5 * minute, end: 27)),
        ("foo[3ms] @ 2.345", matrix(vs("foo", 0, 3, at: .timestamp(milliseconds: 2345)), 3, end: 16)),
        ("foo[4s180ms] @ 2.345", matrix(vs("foo", 0, 3, at: .timestamp(milliseconds: 2345)), 4180, end: 20)),
        ("foo[4.18] @ 2.345", matrix(vs("foo", 0, 3, at: .timestamp(milliseconds: 2345)), 4180, end: 17)),
        ("foo[4s18ms] @ 2.345", matrix(vs("foo", 0, 3, at: .timestamp(milliseconds: 2345)), 4018, end: 19)),
        ("foo[4.018] @ 2.345", matrix(vs("foo", 0, 3, at: .timestamp(milliseconds: 2345)), 4018, end: 18)),
        (
            #"test{a="b"}[5y] @ 1603774699"#,
            matrix(
                vs("test", [eq("a", "b")], 0, 11, at: .timestamp(milliseconds: 1_603_774_699_000)), 5 * year, end: 28)
        ),
        ("test[5]", matrix(vs("test", 0, 4), 5 * second, end: 7)),
        ("test[ 5m ]", matrix(vs("test", 0, 4), 5 * minute, end: 10)),
        ("test[0x10]", matrix(vs("test", 0, 4), 16 * second, end: 10)),
        ("test[+5m]", matrix(vs("test", 0, 4), 5 * minute, end: 9)),
        (
            "some_metric[5m] @ 1m",
            matrix(vs("some_metric", 0, 11, at: .timestamp(milliseconds: 60_000)), 5 * minute, end: 20)
        ),
        (
            "foo[5m] offset 1m @ 10",
            matrix(vs("foo", 0, 3, offset: minute, at: .timestamp(milliseconds: 10_000)), 5 * minute, end: 22)
        ),
        (#"offset{step="1s"}[5m]"#, matrix(vs("offset", [eq("step", "1s")], 0, 17), 5 * minute, end: 21)),
        ("foo @ start() [5m]", matrix(vs("foo", 0, 13, at: .start), 5 * minute, end: 18)),
    ]

    static let aggregations: [(query: String, expected: Expr)] = [
        ("sum by (foo)(some_metric)", agg(.sum, sel("some_metric", 13, 24), by: ["foo"], 0, 25)),
        ("sum by (anchored)(some_metric)", agg(.sum, sel("some_metric", 18, 29), by: ["anchored"], 0, 30)),
        (
            #"sum by ("foo bar")({"some.metric"})"#,
            agg(.sum, sel(nil, [eq("__name__", "some.metric")], 19, 34), by: ["foo bar"], 0, 35)
        ),
        (
            #"sum by ("foo", bar, 'baz')({"some.metric"})"#,
            agg(.sum, sel(nil, [eq("__name__", "some.metric")], 27, 42), by: ["foo", "bar", "baz"], 0, 43)
        ),
        ("avg by (foo)(some_metric)", agg(.avg, sel("some_metric", 13, 24), by: ["foo"], 0, 25)),
        ("max by (foo)(some_metric)", agg(.max, sel("some_metric", 13, 24), by: ["foo"], 0, 25)),
        ("sum without (foo) (some_metric)", agg(.sum, sel("some_metric", 19, 30), by: ["foo"], without: true, 0, 31)),
        ("sum (some_metric) without (foo)", agg(.sum, sel("some_metric", 5, 16), by: ["foo"], without: true, 0, 31)),
        ("stddev(some_metric)", agg(.stddev, sel("some_metric", 7, 18), 0, 19)),
        ("stdvar by (foo)(some_metric)", agg(.stdvar, sel("some_metric", 16, 27), by: ["foo"], 0, 28)),
        ("sum by ()(some_metric)", agg(.sum, sel("some_metric", 10, 21), 0, 22)),
        ("sum by (foo,bar,)(some_metric)", agg(.sum, sel("some_metric", 18, 29), by: ["foo", "bar"], 0, 30)),
        ("sum by (foo,)(some_metric)", agg(.sum, sel("some_metric", 14, 25), by: ["foo"], 0, 26)),
        ("topk(5, some_metric)", agg(.topk, sel("some_metric", 8, 19), param: num(5, 5, 6), 0, 20)),
        (
            #"count_values("value", some_metric)"#,
            agg(.countValues, sel("some_metric", 22, 33), param: str("value", 13, 20), 0, 34)
        ),
        (
            "sum without(and, by, avg, count, alert, annotations)(some_metric)",
            agg(
                .sum, sel("some_metric", 53, 64), by: ["and", "by", "avg", "count", "alert", "annotations"],
                without: true, 0, 65)
        ),
        ("SUM BY (Job) (x)", agg(.sum, sel("x", 14, 15), by: ["Job"], 0, 16)),
        ("sum by (a:b) (x)", agg(.sum, sel("x", 14, 15), by: ["a:b"], 0, 16)),
        ("sum(sum)", agg(.sum, sel("sum", 4, 7), 0, 8)),
        ("group(x)", agg(.group, sel("x", 6, 7), 0, 8)),
        ("count(x)", agg(.count, sel("x", 6, 7), 0, 8)),
        ("min(x)", agg(.min, sel("x", 4, 5), 0, 6)),
        ("bottomk(2, x)", agg(.bottomk, sel("x", 11, 12), param: num(2, 8, 9), 0, 13)),
        ("quantile(0.9, x)", agg(.quantile, sel("x", 14, 15), param: num(0.9, 9, 12), 0, 16)),
        ("limitk(2, x)", agg(.limitk, sel("x", 10, 11), param: num(2, 7, 8), 0, 12)),
        ("limit_ratio(-0.5, x)", agg(.limitRatio, sel("x", 18, 19), param: num(-0.5, 12, 16), 0, 20)),
        ("(sum(foo))", paren(agg(.sum, sel("foo", 5, 8), 1, 9), 0, 10)),
        ("(sum(foo) )", paren(agg(.sum, sel("foo", 5, 8), 1, 9), 0, 11)),
        ("(sum(foo) by (bar))", paren(agg(.sum, sel("foo", 5, 8), by: ["bar"], 1, 18), 0, 19)),
        ("(sum by (bar) (foo))", paren(agg(.sum, sel("foo", 15, 18), by: ["bar"], 1, 19), 0, 20)),
        (
            "sum by (job)(rate(http_requests_total[30m]))",
            agg(
                .sum, call("rate", [matrix(vs("http_requests_total", 18, 37), 30 * minute, end: 42)], 13, 43),
                by: ["job"], 0, 44)
        ),
    ]

    static let calls: [(query: String, expected: Expr)] = [
        ("time()", call("time", [], 0, 6)),
        (
            #"floor(some_metric{foo!="bar"})"#,
            call("floor", [sel("some_metric", [matcher(.notEqual, "foo", "bar")], 6, 29)], 0, 30)
        ),
        ("rate(some_metric[5m])", call("rate", [matrix(vs("some_metric", 5, 16), 5 * minute, end: 20)], 0, 21)),
        ("round(some_metric)", call("round", [sel("some_metric", 6, 17)], 0, 18)),
        ("round(some_metric, 5)", call("round", [sel("some_metric", 6, 17), num(5, 19, 20)], 0, 21)),
        ("hour()", call("hour", [], 0, 6)),
        (
            #"label_join(x, "a", "-")"#,
            call("label_join", [sel("x", 11, 12), str("a", 14, 17), str("-", 19, 22)], 0, 23)
        ),
        ("vector(time())", call("vector", [call("time", [], 7, 13)], 0, 14)),
        (
            "info(rate(http_request_counter_total{}[5m]))",
            call(
                "info", [call("rate", [matrix(vs("http_request_counter_total", 10, 38), 5 * minute, end: 42)], 5, 43)],
                0, 44)
        ),
        (
            #"info(http_request_counter_total{namespace="zzz"}, {foo="bar", bar="baz"})"#,
            call(
                "info",
                [
                    sel("http_request_counter_total", [eq("namespace", "zzz")], 5, 48),
                    .vectorSelector(vs(nil, [eq("foo", "bar"), eq("bar", "baz")], 50, 72, bypass: true)),
                ], 0, 73)
        ),
        (
            #"info(x, {a=~".*"})"#,
            call(
                "info",
                [sel("x", 5, 6), .vectorSelector(vs(nil, [matcher(.regexMatch, "a", ".*")], 8, 17, bypass: true))], 0,
                18)
        ),
    ]

    static let strings: [(query: String, expected: Expr)] = [
        (#""double-quoted string \" with escaped quote""#, str("double-quoted string \" with escaped quote", 0, 44)),
        (#"'single-quoted string \' with escaped quote'"#, str("single-quoted string ' with escaped quote", 0, 44)),
        ("`backtick-quoted string`", str("backtick-quoted string", 0, 24)),
        (
            #""\a\b\f\n\r\t\v\\\" - \xFF\377\u1234\U00010111\U0001011111☺""#,
            strBytes(
                Array("\u{7}\u{8}\u{C}\n\r\t\u{B}\\\" - ".utf8) + [0xFF, 0xFF]
                    + Array("\u{1234}\u{10111}\u{10111}11☺".utf8), 0, 62)
        ),
        (
            #"'\a\b\f\n\r\t\v\\\' - \xFF\377\u1234\U00010111\U0001011111☺'"#,
            strBytes(
                Array("\u{7}\u{8}\u{C}\n\r\t\u{B}\\' - ".utf8) + [0xFF, 0xFF]
                    + Array("\u{1234}\u{10111}\u{10111}11☺".utf8), 0, 62)
        ),
        (
            "`" + #"\a\b\f\n\r\t\v\\\"\' - \xFF\377\u1234\U00010111\U0001011111☺"# + "`",
            str(#"\a\b\f\n\r\t\v\\\"\' - \xFF\377\u1234\U00010111\U0001011111☺"#, 0, 64)
        ),
        ("`multi\nline`", str("multi\nline", 0, 12)),
        (#""\u00e9\x41\101""#, str("éAA", 0, 16)),
        (#""\U0001F600""#, str("😀", 0, 12)),
    ]

    static let subqueries: [(query: String, expected: Expr)] = [
        (
            #"foo{bar="baz"}[10m:6s]"#,
            subquery(sel("foo", [eq("bar", "baz")], 0, 14), 10 * minute, step: 6 * second, end: 22)
        ),
        (
            #"foo{bar="baz"}[10m5s:1h6ms]"#,
            subquery(sel("foo", [eq("bar", "baz")], 0, 14), 10 * minute + 5 * second, step: hour + 6, end: 27)
        ),
        ("foo[10m:]", subquery(sel("foo", 0, 3), 10 * minute, end: 9)),
        (
            #"min_over_time(rate(foo{bar="baz"}[2s])[5m:5s])"#,
            call(
                "min_over_time",
                [
                    subquery(
                        call("rate", [matrix(vs("foo", [eq("bar", "baz")], 19, 33), 2 * second, end: 37)], 14, 38),
                        5 * minute,
                        step: 5 * second, end: 45)
                ], 0, 46)
        ),
        (
            #"min_over_time(rate(foo{bar="baz"}[2s])[5m:])[4m:3s]"#,
            subquery(
                call(
                    "min_over_time",
                    [
                        subquery(
                            call("rate", [matrix(vs("foo", [eq("bar", "baz")], 19, 33), 2 * second, end: 37)], 14, 38),
                            5 * minute, end: 43)
                    ], 0, 44), 4 * minute, step: 3 * second, end: 51)
        ),
        (
            #"min_over_time(rate(foo{bar="baz"}[2s])[5m:] offset 4m)[4m:3s]"#,
            subquery(
                call(
                    "min_over_time",
                    [
                        subquery(
                            call("rate", [matrix(vs("foo", [eq("bar", "baz")], 19, 33), 2 * second, end: 37)], 14, 38),
                            5 * minute, offset: 4 * minute, end: 53)
                    ], 0, 54), 4 * minute, step: 3 * second, end: 61)
        ),
        (
            #"min_over_time(rate(foo{bar="baz"}[2s])[5m:] @ 1603775091)[4m:3s]"#,
            subquery(
                call(
                    "min_over_time",
                    [
                        subquery(
                            call("rate", [matrix(vs("foo", [eq("bar", "baz")], 19, 33), 2 * second, end: 37)], 14, 38),
                            5 * minute, at: .timestamp(milliseconds: 1_603_775_091_000), end: 56)
                    ], 0, 57), 4 * minute, step: 3 * second, end: 64)
        ),
        (
            #"min_over_time(rate(foo{bar="baz"}[2s])[5m:] @ -160377509)[4m:3s]"#,
            subquery(
                call(
                    "min_over_time",
                    [
                        subquery(
                            call("rate", [matrix(vs("foo", [eq("bar", "baz")], 19, 33), 2 * second, end: 37)], 14, 38),
                            5 * minute, at: .timestamp(milliseconds: -160_377_509_000), end: 56)
                    ], 0, 57), 4 * minute, step: 3 * second, end: 64)
        ),
        (
            "sum without(and, by, avg, count, alert, annotations)(some_metric) [30m:10s]",
            subquery(
                agg(
                    .sum, sel("some_metric", 53, 64), by: ["and", "by", "avg", "count", "alert", "annotations"],
                    without: true, 0, 65),
                30 * minute, step: 10 * second, end: 75)
        ),
        (
            "some_metric OFFSET 1m [10m:5s]",
            subquery(sel("some_metric", 0, 21, offset: minute), 10 * minute, step: 5 * second, end: 30)
        ),
        (
            "some_metric @ 123 [10m:5s]",
            subquery(
                sel("some_metric", 0, 17, at: .timestamp(milliseconds: 123_000)), 10 * minute, step: 5 * second, end: 26
            )
        ),
        (
            "some_metric @ 123 offset 1m [10m:5s]",
            subquery(
                sel("some_metric", 0, 27, offset: minute, at: .timestamp(milliseconds: 123_000)), 10 * minute,
                step: 5 * second,
                end: 36)
        ),
        (
            "some_metric offset 1m @ 123 [10m:5s]",
            subquery(
                sel("some_metric", 0, 27, offset: minute, at: .timestamp(milliseconds: 123_000)), 10 * minute,
                step: 5 * second,
                end: 36)
        ),
        (
            "some_metric[10m:5s] offset 1m @ 123",
            subquery(
                sel("some_metric", 0, 11), 10 * minute, step: 5 * second, offset: minute,
                at: .timestamp(milliseconds: 123_000), end: 35)
        ),
        (
            #"(foo + bar{nm="val"})[5m:]"#,
            subquery(
                paren(bin(.add, sel("foo", 1, 4), sel("bar", [eq("nm", "val")], 7, 20), card(.oneToOne)), 0, 21),
                5 * minute, end: 26)
        ),
        (
            #"(foo + bar{nm="val"})[5m:] offset 10m"#,
            subquery(
                paren(bin(.add, sel("foo", 1, 4), sel("bar", [eq("nm", "val")], 7, 20), card(.oneToOne)), 0, 21),
                5 * minute,
                offset: 10 * minute, end: 37)
        ),
        (
            #"(foo + bar{nm="val"} @ 1234)[5m:] @ 1603775019"#,
            subquery(
                paren(
                    bin(
                        .add, sel("foo", 1, 4),
                        sel("bar", [eq("nm", "val")], 7, 27, at: .timestamp(milliseconds: 1_234_000)),
                        card(.oneToOne)), 0, 28), 5 * minute, at: .timestamp(milliseconds: 1_603_775_019_000), end: 46)
        ),
    ]

    static let preprocessors: [(query: String, expected: Expr)] = [
        ("foo @ start()", sel("foo", 0, 13, at: .start)),
        ("foo @ end()", sel("foo", 0, 11, at: .end)),
        ("foo @ START ( )", sel("foo", 0, 15, at: .start)),
        ("test[5y] @ start()", matrix(vs("test", 0, 4, at: .start), 5 * year, end: 18)),
        ("test[5y] @ end()", matrix(vs("test", 0, 4, at: .end), 5 * year, end: 16)),
        ("foo[10m:6s] @ start()", subquery(sel("foo", 0, 3), 10 * minute, step: 6 * second, at: .start, end: 21)),
        ("foo[10m:6s] @ end()", subquery(sel("foo", 0, 3), 10 * minute, step: 6 * second, at: .end, end: 19)),
        (
            "foo unless on(start) bar",
            bin(.unless, sel("foo", 0, 3), sel("bar", 21, 24), card(.manyToMany, on: true, ["start"]))
        ),
        (
            "foo unless on(end) bar",
            bin(.unless, sel("foo", 0, 3), sel("bar", 19, 22), card(.manyToMany, on: true, ["end"]))
        ),
    ]

    @Test(arguments: cases)
    func parsesLikePrometheus(query: String, expected: Expr) throws {
        let expr = try PromQLParser().parse(query)
        #expect(expr == expected, "\(query)")
    }

    @Test(arguments: cases)
    func printsAndParsesBack(query: String, expected: Expr) throws {
        let expr = try PromQLParser().parse(query)
        let reparsed = try PromQLParser().parse(expr.description)
        #expect(canonical(reparsed) == canonical(expr), "\(query) printed as \(expr)")
        // Printing is idempotent.
        #expect(reparsed.description == expr.description)
    }

    @Test func nanIsANumber() throws {
        guard case .numberLiteral(let literal) = try PromQLParser().parse("NaN") else {
            Issue.record("not a number literal")
            return
        }
        #expect(literal.value.isNaN)
    }

    @Test func types() throws {
        let parser = PromQLParser()
        #expect(try parser.parse("1").type == .scalar)
        #expect(try parser.parse(#""a""#).type == .string)
        #expect(try parser.parse("foo").type == .vector)
        #expect(try parser.parse("foo[5m]").type == .matrix)
        #expect(try parser.parse("foo[5m:]").type == .matrix)
        #expect(try parser.parse("-(1 + 2)").type == .scalar)
        #expect(try parser.parse("1 + foo").type == .vector)
        #expect(try parser.parse("time()").type == .scalar)
        #expect(try parser.parse("scalar(foo)").type == .scalar)
        #expect(try parser.parse("sum(foo)").type == .vector)
    }

    /// Vector matching is kept only between two instant vectors, as in Prometheus.
    @Test func matchingOnlyBetweenVectors() throws {
        guard case .binary(let scalarSide) = try PromQLParser().parse("foo * 2"),
            case .binary(let vectors) = try PromQLParser().parse("foo * bar")
        else {
            Issue.record("not binary")
            return
        }
        #expect(scalarSide.matching == nil)
        #expect(vectors.matching == VectorMatching(cardinality: .oneToOne))
    }

    /// Every function of the table parses with arguments of its declared types.
    @Test(arguments: Function.all)
    func everyFunctionParses(function: Function) throws {
        let sample: [ValueType: String] = [.vector: "foo", .matrix: "foo[5m]", .scalar: "1", .string: #""a""#]
        var args = function.argTypes.map { sample[$0]! }
        // info()'s second argument is label selectors only.
        if function.name == "info" { args[1] = #"{a="b"}"# }
        let expr = try PromQLParser().parse("\(function.name)(\(args.joined(separator: ", ")))")
        #expect(expr.type == function.returnType)
    }
}
