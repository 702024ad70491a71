import Testing
import VigilPromQL

/// `format_query`'s layout, as Prometheus's `Prettify` lays queries out. The cases are those of Prometheus's
/// prettier tests, which lower the line limit to 10 bytes so that short queries split.
@Suite struct PrettyPrinterTests {
    static let cases: [(String, String)] = [
        ("sum(foo)", "sum(foo)"),
        (#"sum by() (task:errors:rate10s{job="s"})"#, "sum(\n  task:errors:rate10s{job=\"s\"}\n)"),
        (
            #"sum(task:errors:rate10s{job="s"}) without(job,foo)"#,
            "sum without (job, foo) (\n  task:errors:rate10s{job=\"s\"}\n)"
        ),
        (#"topk(10, ask:errors:rate10s{job="s"})"#, "topk(\n  10,\n  ask:errors:rate10s{job=\"s\"}\n)"),
        (
            #"sum by(job,foo) (sum by(job,foo) (task:errors:rate10s{job="s"}))"#,
            "sum by (job, foo) (\n  sum by (job, foo) (\n    task:errors:rate10s{job=\"s\"}\n  )\n)"
        ),
        ("a+b", "a + b"),
        ("a == bool 1", "  a\n== bool\n  1"),
        ("a + ignoring(job) b", "  a\n+ ignoring (job)\n  b"),
        ("foo_1 + foo_2 + foo_3", "    foo_1\n  +\n    foo_2\n+\n  foo_3"),
        ("foo + baar + foo_3", "  foo + baar\n+\n  foo_3"),
        (
            "foo_1 + ignoring(foo) foo_2 + ignoring(job) group_left foo_3 + on(instance) group_right foo_4",
            "      foo_1\n    + ignoring (foo)\n      foo_2\n  + ignoring (job) group_left ()\n    foo_3\n+ on (instance) group_right ()\n  foo_4"
        ),
        ("rate(foo[1m])", "rate(\n  foo[1m]\n)"),
        (
            "rate(long_vector_selector[10m:1m] @ start() offset 1m)",
            "rate(\n  long_vector_selector[10m:1m] @ start() offset 1m\n)"
        ),
        ("histogram_quantile(0.9, rate(foo[1m]))", "histogram_quantile(\n  0.9,\n  rate(\n    foo[1m]\n  )\n)"),
        (
            "max_over_time(rate(demo_api_request_duration_seconds_count[1m])[1m:] @ start() offset 1m)",
            "max_over_time(\n  rate(\n    demo_api_request_duration_seconds_count[1m]\n  )[1m:] @ start() offset 1m\n)"
        ),
        ("(foo)", "(foo)"),
        ("(_foo_long_)", "(\n  _foo_long_\n)"),
        ("((_foo_long_))", "(\n  (\n    _foo_long_\n  )\n)"),
        ("a @ 1", "a @ 1.000"),
        ("(foo_long + bar_long)", "(\n    foo_long\n  +\n    bar_long\n)"),
        ("-vector_selector", "-vector_selector"),
        ("(-vector_selector)", "(\n  -vector_selector\n)"),
        (
            "-histogram_quantile(0.99, sum by (le) (rate(foo[1m])))",
            "-histogram_quantile(\n  0.99,\n  sum by (le) (\n    rate(\n      foo[1m]\n    )\n  )\n)"
        ),
        (
            #"min by (job, integration) (rate(alertmanager_notifications_failed_total{job="alertmanager", integration=~".*"}[5m]) / rate(alertmanager_notifications_total{job="alertmanager", integration="~.*"}[5m])) > 0.01"#,
            "  min by (job, integration) (\n      rate(\n        alertmanager_notifications_failed_total{integration=~\".*\",job=\"alertmanager\"}[5m]\n      )\n    /\n      rate(\n        alertmanager_notifications_total{integration=\"~.*\",job=\"alertmanager\"}[5m]\n      )\n  )\n>\n  0.01"
        ),
    ]

    @Test(arguments: cases)
    func laysOutAsPrometheusDoes(query: String, expected: String) throws {
        #expect(try PromQLParser().parse(query).prettyPrinted(maxLineLength: 10) == expected)
    }

    @Test func shortQueriesStayOnOneLineAtTheRealLimit() throws {
        let query = "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m]))"
        #expect(try PromQLParser().parse(query).prettyPrinted == query)
    }

    /// Whatever the layout, the text parses back to the same expression.
    @Test(arguments: cases.map(\.0))
    func prettyTextParsesBack(query: String) throws {
        let expr = try PromQLParser().parse(query)
        #expect(try PromQLParser().parse(expr.prettyPrinted(maxLineLength: 10)).description == expr.description)
    }
}
