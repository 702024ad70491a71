import Testing
import VigilPromQL

/// Vigil's own scripts in Prometheus's test DSL, for what the shared conformance files do not cover.
@Suite struct PromQLTestRunnerScriptTests {
    static let scripts: [(name: String, evals: Int, text: String)] = [
        (
            "subqueries", 9,
            """
            load 10s
              metric 1+1x100

            # (50s, 100s] at a 10s step: 60 70 80 90 100.
            eval instant at 100s sum_over_time(metric[50s:10s])
              {} 45

            eval instant at 100s count_over_time(metric[50s:10s])
              {} 5

            # Steps are aligned to multiples of the step: 60 80 100.
            eval instant at 105s sum_over_time(metric[50s:20s])
              {} 27

            eval instant at 100s sum_over_time(metric[20s:10s] offset 50s)
              {} 11

            eval instant at 1000s sum_over_time(metric[20s:10s] @ 50)
              {} 11

            # Without a step, the default of 1m.
            eval instant at 600s count_over_time(metric[5m:])
              {} 5

            # rate() of a name without a counter suffix comes with an info annotation.
            eval_info instant at 500s max_over_time(rate(metric[20s])[30s:10s])
              {} 0.1

            eval range from 100s to 120s step 10s count_over_time(metric[30s:10s])
              {} 3 3 3

            eval instant at 100s last_over_time(metric[50s:10s])
              metric 11
            """
        ),
        (
            "at modifier and offset", 7,
            """
            load 1m
              m 0+1x10

            eval instant at 10m m @ 300
              m 5

            eval range from 0 to 2m step 1m m @ end()
              m 2 2 2

            eval range from 0 to 2m step 1m m @ start()
              m 0 0 0

            eval instant at 10m m offset 3m
              m 7

            eval instant at 5m m offset -2m
              m 7

            eval instant at 10m m @ 300 offset 1m
              m 4

            eval instant at 10m sum_over_time(m[2m] @ 300)
              {} 9
            """
        ),
        (
            "classic histograms", 7,
            """
            load 5m
              req_bucket{le="0.1"} 0+1x10
              req_bucket{le="0.5"} 0+2x10
              req_bucket{le="1"} 0+4x10
              req_bucket{le="+Inf"} 0+4x10
              nm_bucket{le="1"} 10
              nm_bucket{le="2"} 5
              nm_bucket{le="+Inf"} 10
              noinf_bucket{le="1"} 10

            eval instant at 50m histogram_quantile(0.5, req_bucket)
              {} 0.5

            eval instant at 50m histogram_quantile(0.75, req_bucket)
              {} 0.75

            eval instant at 50m histogram_quantile(1, req_bucket)
              {} 1

            eval_warn instant at 50m histogram_quantile(1.5, req_bucket)
              {} +Inf

            # Buckets that decrease are fixed up (and say so).
            eval_info instant at 0m histogram_quantile(0.5, nm_bucket)
              {} 0.5

            eval instant at 0m histogram_quantile(0.5, noinf_bucket)
              {} NaN

            eval instant at 50m histogram_quantile(0.5, rate(req_bucket[10m]))
              {} 0.5
            """
        ),
        (
            "staleness, lookback and float edge cases", 14,
            """
            load 1m
              s 1 stale 3
              x 5

            eval instant at 30s s
              s 1

            eval instant at 90s s

            eval instant at 2m s
              s 3

            eval instant at 4m59s x
              x 5

            # The lookback window is left-open: (t - 5m, t].
            eval instant at 5m x

            eval instant at 0 5 % 0
              NaN

            eval instant at 0 1 / 0
              +Inf

            eval instant at 0 -1 / 0
              -Inf

            eval instant at 0 NaN ^ 0
              1

            eval instant at 0 (-8) ^ (1/3)
              NaN

            eval instant at 0 count_values("v", vector(1.5) or label_replace(vector(1), "a", "b", "c", ""))
              {v="1.5"} 1
              {v="1"} 1

            eval instant at 0 label_replace(vector(1), "dst", "$1x", "src", "(.*)")
              {} 1

            eval instant at 0 label_replace(vector(1), "dst", "${1}x", "src", "(.*)")
              {dst="x"} 1

            eval_fail instant at 0 {__name__=~"s|x"} + on() {__name__=~"s|x"}
            """
        ),
        (
            "vector matching", 6,
            """
            load 1m
              a{i="1", j="x"} 1
              a{i="2", j="y"} 2
              b{i="1"} 10
              b{i="2"} 20

            eval instant at 0 a * on (i) group_left b
              {i="1", j="x"} 10
              {i="2", j="y"} 40

            eval instant at 0 b * on (i) group_right a
              {i="1", j="x"} 10
              {i="2", j="y"} 40

            eval instant at 0 a > on (i) group_left b

            # A comparison keeps the left-hand value, with the labels of the "many" side.
            eval instant at 0 b > on (i) group_right a
              a{i="1", j="x"} 10
              a{i="2", j="y"} 20

            eval instant at 0 a and on (i) b
              a{i="1", j="x"} 1
              a{i="2", j="y"} 2

            eval_ordered instant at 0 topk(2, b)
              b{i="2"} 20
              b{i="1"} 10
            """
        ),
    ]

    @Test(arguments: scripts.indices)
    func scriptPasses(_ index: Int) {
        let script = Self.scripts[index]
        let report = PromQLTestRunner.run(script: script.text)
        for failure in report.failures {
            Issue.record("\(script.name):\(failure.line) \(failure.expression): \(failure.message)")
        }
        #expect(report.passed == script.evals, "\(script.name)")
    }

    @Test func aWrongExpectationFailsWithADiff() {
        let report = PromQLTestRunner.run(
            script: """
                load 1m
                  m{a="1"} 1

                eval instant at 0 m
                  m{a="1"} 2
                """)
        #expect(report.failed == 1)
        #expect(report.failures.first?.line == 4)
        #expect(report.failures.first?.message.contains("got 1") == true)
    }

    @Test func nativeHistogramExpectationsAreSkipped() {
        let report = PromQLTestRunner.run(
            script: """
                load 1m
                  h {{schema:0 sum:1 count:1}}

                eval instant at 0 h
                  h {{schema:0 sum:1 count:1}}
                """)
        #expect(report.skipped == 1)
        #expect(report.passed == 0)
    }

    @Test func instantEvalsAreRecheckedAtShiftedAtTimes() {
        // time() differs between the instant query and a pinned @ re-check, so it is exempt; vector(1) is not.
        let report = PromQLTestRunner.run(
            script: """
                eval instant at 10m time()
                  600

                eval instant at 10m vector(1)
                  {} 1
                """)
        #expect(report.passed == 2)
    }
}
