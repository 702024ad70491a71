import Testing
import VigilModel
import VigilPromQL

/// `info()`: Prometheus's script for it, Vigil's own edge cases in the same DSL, the engine API and the parser.
@Suite struct InfoFunctionTests {
    @Test func prometheusInfoScriptPasses() {
        let report = PromQLTestRunner.run(script: UpstreamInfoScript.text)
        print("promqltest info.test: passed \(report.passed) failed \(report.failed) skipped \(report.skipped)")
        for failure in report.failures {
            print("  info.test:\(failure.line) \(failure.expression)\n    \(failure.message)")
        }
        #expect(report.failed == 0)
        #expect(report.passed == 36)
        // `info(metric, {__name__="histogram"})` expects an error from a native-histogram info series.
        #expect(report.skipped == 1)
    }

    /// Range evals only, as in Prometheus's script: the runner re-checks an instant eval with every selector
    /// pinned by `@` at other times, and `info()` looks its info samples up at the evaluation time, not at the
    /// `@` time (Prometheus's runner would fail such an eval as well).
    static let scripts: [(name: String, evals: Int, text: String)] = [
        (
            "several info metrics, none, and info series appearing mid-range", 9,
            """
            load 1m
              up{instance="a", job="node"} 1 1 1 1 1
              up{instance="b", job="node"} 0 0 0 0 0
              up{instance="c"} 1 1 1 1 1
              target_info{instance="a", job="node", region="eu", rack="r1"} 7 7 7 7 7
              build_info{instance="a", job="node", version="1.2"} 1 1 1 1 1
              build_info{instance="b", job="node", version="1.3"} _ _ 1 1 1

            # Every data label of target_info (whatever its value); no info series: unchanged. up{instance="c"} has
            # no job, and an info series without one is not even fetched once another base series has a job.
            eval range from 0 to 4m step 1m info(up)
              up{instance="a", job="node", region="eu", rack="r1"} 1 1 1 1 1
              up{instance="b", job="node"} 0 0 0 0 0
              up{instance="c"} 1 1 1 1 1

            # A data label matcher that needs a value drops what no info series enriches.
            eval range from 0 to 4m step 1m info(up, {region=~".+"})
              up{instance="a", job="node", region="eu"} 1 1 1 1 1

            # An info series that appears mid-range: the series changes its labels there.
            eval range from 0 to 4m step 1m info(up, {__name__="build_info"})
              up{instance="a", job="node", version="1.2"} 1 1 1 1 1
              up{instance="b", job="node"} 0 0 _ _ _
              up{instance="b", job="node", version="1.3"} _ _ 0 0 0
              up{instance="c"} 1 1 1 1 1

            eval range from 0 to 4m step 1m info(up, {__name__="build_info", version=~".+"})
              up{instance="a", job="node", version="1.2"} 1 1 1 1 1
              up{instance="b", job="node", version="1.3"} _ _ 0 0 0

            # Several info metrics: the data labels of each.
            eval range from 0 to 2m step 1m info(up{instance="a"}, {__name__=~".+_info"})
              up{instance="a", job="node", region="eu", rack="r1", version="1.2"} 1 1 1

            # Only negative name matchers: among the metrics named *_info.
            eval range from 0 to 2m step 1m info(up{instance="a"}, {__name__!="build_info"})
              up{instance="a", job="node", region="eu", rack="r1"} 1 1 1

            # An info series is not enriched by itself.
            eval range from 0 to 2m step 1m info(target_info)
              target_info{instance="a", job="node", region="eu", rack="r1"} 7 7 7

            # Only the data labels that the selector names; its matchers also choose the info series (target_info
            # has no version), and a base series none of them enriches is dropped (version=~"1.*" needs a value).
            eval range from 0 to 1m step 1m info(up, {__name__=~".+_info", version=~"1.*", rack!="r9"})
              up{instance="a", job="node", version="1.2"} 1 1

            eval range from 0 to 1m step 1m info(up, {__name__=~".+_info", version=~"1.*|", rack!="r9"})
              up{instance="a", job="node", rack="r1", version="1.2"} 1 1
              up{instance="b", job="node"} 0 0
              up{instance="c"} 1 1
            """
        ),
        (
            "lookback, names dropped, aggregations and subqueries", 4,
            """
            load 4m
              m{instance="a", job="j"} 1 2 3 4
              target_info{instance="a", job="j", zone="z1"} 1 _ _ _

            # The info sample is found within the lookback delta (5m) only.
            eval range from 0 to 12m step 4m info(m)
              m{instance="a", job="j", zone="z1"} 1 2 _ _
              m{instance="a", job="j"} _ _ 3 4

            clear
            load 1m
              c_total{instance="a", job="j"} 0 60 120 180 240
              target_info{instance="a", job="j", zone="z1"} _ _ 1 1 1

            # A name already dropped stays dropped (Vigil carries the drop through info(), as a Prometheus server
            # without delayed name removal does).
            eval range from 2m to 3m step 1m info(rate(c_total[2m]))
              {instance="a", job="j", zone="z1"} 1 1

            eval range from 2m to 3m step 1m info(sum by (instance, job) (c_total))
              {instance="a", job="j", zone="z1"} 120 180

            # Inside a subquery, info() evaluates over the subquery's steps.
            eval range from 1m to 4m step 1m max_over_time(info(c_total)[2m:1m])
              {instance="a", job="j"} 60 60 _ _
              {instance="a", job="j", zone="z1"} _ 120 180 240
            """
        ),
        (
            "errors", 3,
            """
            load 1m
              m{instance="a", job="j"} 1 2 3
              target_info{instance="a", job="j", zone="z1"} 1 1 1
              target_info{instance="a", job="j", zone="z2"} _ _ 1

            # Two series of one info metric with one signature and equally new samples.
            eval range from 0 to 2m step 1m info(m)
              expect fail msg: found duplicate series for info metric: existing {__name__="target_info", instance="a", job="j", zone="z1"} @ 120000, new {__name__="target_info", instance="a", job="j", zone="z2"} @ 120000

            # Before the second series appears there is no conflict.
            eval range from 0 to 1m step 1m info(m)
              m{instance="a", job="j", zone="z1"} 1 2

            clear
            load 1m
              m{instance="a", job="j"} 1 1 1
              m{instance="a", job="j", zone="z1"} 2 2 2
              target_info{instance="a", job="j", zone="z1"} 1 1 1

            # Enriching one series can make it another.
            eval range from 0 to 2m step 1m info(m)
              expect fail msg: vector cannot contain metrics with the same labelset
            """
        ),
    ]

    @Test(arguments: scripts.map(\.name))
    func vigilInfoScriptPasses(_ name: String) throws {
        let script = try #require(Self.scripts.first { $0.name == name })
        let report = PromQLTestRunner.run(script: script.text)
        for failure in report.failures {
            Issue.record("\(name):\(failure.line) \(failure.expression)\n\(failure.message)")
        }
        #expect(report.passed == script.evals)
        #expect(report.skipped == 0)
    }

    static let data = PromQLTestRunner.storage(
        loading: """
            load 1m
              up{instance="a", job="node"} 1+0x10
              up{instance="b", job="node"} 0+0x10
              target_info{instance="a", job="node", region="eu"} 1+0x10
            """)

    @Test func instantQueryAddsTheDataLabels() throws {
        let result = try Engine().instantQuery("info(up)", at: 120_000, on: Self.data)
        guard case .vector(let samples) = result.value else {
            Issue.record("not a vector")
            return
        }
        let labels = Set(samples.map(\.labels))
        #expect(
            labels == [
                ["__name__": "up", "instance": "a", "job": "node", "region": "eu"],
                ["__name__": "up", "instance": "b", "job": "node"],
            ])
        #expect(samples.allSatisfy { $0.timestamp == 120_000 })
    }

    @Test func stepInvariantCallIsEvaluatedAtTheStartOfTheRange() throws {
        // As Prometheus: a call whose arguments are all pinned by `@` is evaluated once, at the first step.
        let result = try Engine().rangeQuery(
            #"info(up{instance="a"} @ 60, {region=~".+"} @ 60)"#, start: 60_000, end: 600_000, step: 60_000,
            on: Self.data)
        guard case .matrix(let series) = result.value else {
            Issue.record("not a matrix")
            return
        }
        #expect(series.map(\.labels) == [["__name__": "up", "instance": "a", "job": "node", "region": "eu"]])
        #expect(series.first?.samples.count == 10)
    }

    @Test func experimentalFunctionsCanBeTurnedOff() {
        let parser = PromQLParser(options: .init(enableExperimentalFunctions: false))
        #expect(throws: PromQLError.self) { try parser.parse("info(up)") }
        do {
            _ = try parser.parse("info(up)")
        } catch {
            #expect(error.description == #"1:1: parse error: function "info" is not enabled"#)
        }
        #expect((try? PromQLParser().parse("info(up)")) != nil)
    }

    @Test func handBuiltCallsWithBadArgumentsFailWithAnError() throws {
        let info = try #require(Function.named("info"))
        let up = Expr.vectorSelector(VectorSelector(matchers: [try LabelMatcher(.equal, "__name__", "up")]))
        let noArguments = Expr.call(Call(info, args: []))
        #expect(throws: PromQLError.self) { try Engine().instantQuery(noArguments, at: 60_000, on: Self.data) }
        let notASelector = Expr.call(Call(info, args: [up, .numberLiteral(NumberLiteral(1))]))
        do {
            _ = try Engine().rangeQuery(notASelector, start: 0, end: 60_000, step: 60_000, on: Self.data)
            Issue.record("no error")
        } catch {
            #expect(String(describing: error) == "expected label selectors only")
        }
    }

    static let badCalls: [(query: String, message: String)] = [
        ("info()", #"1:1: parse error: expected at least 1 argument(s) in call to "info", got 0"#),
        (
            #"info(up, {a="b"}, {c="d"})"#,
            #"1:1: parse error: expected at most 2 argument(s) in call to "info", got 3"#
        ),
        ("info(up, 1)", #"1:1: parse error: expected type instant vector in call to function "info", got scalar"#),
        (
            #"info(up, {a="b"}[5m])"#,
            #"1:1: parse error: expected type instant vector in call to function "info", got range vector"#
        ),
        ("info(1)", #"1:6: parse error: expected type instant vector in call to function "info", got scalar"#),
        (#"info(up, target_info)"#, "1:10: parse error: expected label selectors only, got vector selector instead"),
        (#"info(up, ({a="b"}))"#, "1:10: parse error: expected label selectors only"),
    ]

    @Test(arguments: badCalls)
    func badCallsGetPrometheusErrors(_ query: String, _ message: String) {
        do {
            let expr = try PromQLParser().parse(query)
            Issue.record("\(query) parsed as \(expr)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test(arguments: [
        "info(up)",
        #"info(up, {data=~".+"})"#,
        #"info(rate(http_requests_total[5m]), {__name__=~".+_info",k8s_cluster_name!=""})"#,
        #"info(up, {a=~".*"})"#,
        #"info(up @ 100.000 offset 5m, {__name__!="build_info"})"#,
    ])
    func printerWritesTheCallBack(_ query: String) throws {
        let expr = try PromQLParser().parse(query)
        #expect(expr.description == query)
        #expect(try PromQLParser().parse(expr.description) == expr)
    }
}
