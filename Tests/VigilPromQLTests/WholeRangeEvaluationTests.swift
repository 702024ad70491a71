import Testing
import VigilModel
import VigilPromQL

/// Whole-range evaluation (the fast path) against step-by-step evaluation (the reference): the same values,
/// annotations and errors for every expression, at instants and over ranges that cut through gaps,
/// staleness markers, counter resets, NaN and infinities.
@Suite struct WholeRangeEvaluationTests {
    static let data = PromQLTestRunner.storage(
        loading: """
            load 15s
              http_requests_total{job="api", instance="a"} 0+10x40
              http_requests_total{job="api", instance="b"} 0+20x15 5+20x24
              http_requests_total{job="db", instance="a"} 0+30x10 _x5 300+30x10 stale
              up_total{job="db", instance="a"} 1+0x40
              gauge{job="api", instance="a"} 1 2 NaN 4 Inf -Inf 7 8 _ _ 10 stale 12 13 14 15 7 7 7 3
              gauge{job="db", instance="a"} 5 4 3 2 1 0 -1 -2 -3 -4 -5 -6 -7 -8 -9 -10 -11 -12 -13 -14 -15 -16
              gauge{job="db", instance="b"} 1e308 1e308 1e308 -1e308 1 2 3 _x10 4 5
              fb_used{node="n1"} 10+1x40
              fb_free{node="n1"} 90-1x40
              req_bucket{job="api", le="0.1"} 0+1x40
              req_bucket{job="api", le="1"} 0+3x40
              req_bucket{job="api", le="+Inf"} 0+4x40
              req_bucket{job="db", le="0.5"} 0+5x40
              req_bucket{job="db", le="1"} 0+4x40
              req_bucket{job="db", le="+Inf"} 0+6x20 _x5 stale
              req_bucket{job="web", le="abc"} 0+1x40
            """)

    static let expressions = [
        "http_requests_total", "gauge", "http_requests_total offset 1m", "gauge @ 120", "gauge offset -30s",
        "rate(http_requests_total[1m])", "increase(http_requests_total[2m])", "delta(gauge[1m])",
        "irate(http_requests_total[1m])", "idelta(gauge[1m])", "deriv(gauge[2m])", "predict_linear(gauge[2m], 60)",
        "resets(http_requests_total[5m])", "changes(gauge[5m])", "avg_over_time(gauge[1m])",
        "sum_over_time(gauge[1m])", "count_over_time(gauge[2m])", "min_over_time(gauge[1m])",
        "max_over_time(gauge[1m])", "last_over_time(gauge[1m])", "present_over_time(gauge[30s])",
        "quantile_over_time(0.5, gauge[2m])", "quantile_over_time(2, gauge[2m])", "stddev_over_time(gauge[2m])",
        "stdvar_over_time(gauge[2m])", "mad_over_time(gauge[2m])", "ts_of_last_over_time(gauge[1m])",
        "ts_of_max_over_time(gauge[1m])", "ts_of_min_over_time(gauge[1m])",
        "double_exponential_smoothing(gauge[2m], 0.5, 0.5)", "double_exponential_smoothing(gauge[2m], 1.5, 0.5)",
        "rate(gauge[1m])", "rate(http_requests_total[1m] @ 200)", "max_over_time(gauge[1m] offset 30s)",
        "sum(http_requests_total)", "sum by (job) (rate(http_requests_total[1m]))",
        "avg by (job) (gauge)", "avg without (instance) (gauge)", "min by (job) (gauge)", "max(gauge)",
        "count by (instance) (gauge)", "group by (job) (gauge)", "stddev by (job) (gauge)", "stdvar(gauge)",
        "sum by (__name__) (gauge)", "topk(1, gauge)", "count(gauge == 7)", "count(gauge > bool 3)",
        "http_requests_total * 2", "2 - gauge", "gauge > 3", "3 < gauge", "gauge > bool 3", "-gauge", "-(1)",
        "time()", "time() - 60", "1 + 2", "1 > bool 2", "abs(-gauge)", "sqrt(http_requests_total)", "ln(gauge)",
        "http_requests_total / on(job, instance) gauge", "http_requests_total + ignoring(job) gauge",
        "http_requests_total + on(job) gauge", "gauge == ignoring(instance) gauge",
        "sum by (job) (http_requests_total) / sum by (job) (gauge)",
        "sum(fb_used) / (sum(fb_used) + sum(fb_free))", "fb_used / fb_free > 0.5",
        "rate({__name__=~\"http_requests_total|up_total\"}[1m])", "-{__name__=~\"http_requests_total|up_total\"}",
        "histogram_quantile(0.9, rate(req_bucket[1m]))", "histogram_quantile(0.5, sum by (le) (rate(req_bucket[1m])))",
        "histogram_quantile(2, req_bucket)", "histogram_quantile(time() / 1000, req_bucket)",
        "sum by (job) (rate(http_requests_total[1m])) / 1000", "http_requests_total and gauge",
    ]

    static let ranges: [(start: Int64, end: Int64, step: Int64)] = [
        (0, 600_000, 15_000), (37_000, 500_000, 60_000), (0, 0, 1_000), (550_000, 1_200_000, 45_000),
    ]

    static let instants: [Int64] = [0, 37_000, 150_000, 301_000, 600_000, 1_000_000]

    /// Values, annotations or error, in a form where NaN equals NaN.
    static func outcome(_ run: () throws -> QueryResult) -> String {
        func number(_ v: Double) -> String { v.isNaN ? "NaN" : "\(v)" }
        do {
            let result = try run()
            var text = "warnings \(result.warnings.sorted()) infos \(result.infos.sorted())\n"
            switch result.value {
            case .scalar(let v, let t): text += "scalar \(number(v)) @\(t)"
            case .string(let s, let t): text += "string \(s) @\(t)"
            case .vector(let samples):
                for s in samples { text += "\(s.labels) \(number(s.value)) @\(s.timestamp)\n" }
            case .matrix(let series):
                for s in series {
                    text +=
                        "\(s.labels) " + s.samples.map { "\(number($0.value))@\($0.timestamp)" }.joined(separator: " ")
                    text += "\n"
                }
            }
            return text
        } catch {
            return "error \(error)"
        }
    }

    static let fast = Engine()
    static let reference = Engine(options: Engine.Options(wholeRangeEvaluation: false))

    @Test(arguments: expressions) func rangeQueriesMatchStepByStep(_ expression: String) {
        for r in Self.ranges {
            let got = Self.outcome {
                try Self.fast.rangeQuery(expression, start: r.start, end: r.end, step: r.step, on: Self.data)
            }
            let want = Self.outcome {
                try Self.reference.rangeQuery(expression, start: r.start, end: r.end, step: r.step, on: Self.data)
            }
            #expect(got == want, "\(expression) over \(r)")
        }
    }

    @Test(arguments: expressions) func instantQueriesMatchStepByStep(_ expression: String) {
        for t in Self.instants {
            let got = Self.outcome { try Self.fast.instantQuery(expression, at: t, on: Self.data) }
            let want = Self.outcome { try Self.reference.instantQuery(expression, at: t, on: Self.data) }
            #expect(got == want, "\(expression) at \(t)")
        }
    }

    @Test func sampleLimitsFailAsStepByStep() {
        for maxSamples in [1, 3, 8, 40] {
            let options = { (whole: Bool) in Engine.Options(maxSamples: maxSamples, wholeRangeEvaluation: whole) }
            for expression in ["http_requests_total", "sum(rate(http_requests_total[2m]))", "gauge * 2"] {
                let got = Self.outcome {
                    try Engine(options: options(true)).rangeQuery(
                        expression, start: 0, end: 300_000, step: 15_000, on: Self.data)
                }
                let want = Self.outcome {
                    try Engine(options: options(false)).rangeQuery(
                        expression, start: 0, end: 300_000, step: 15_000, on: Self.data)
                }
                #expect(got == want, "\(expression) with at most \(maxSamples) samples")
            }
        }
    }

    /// The comparison above would pass with two equally wrong paths; pin a few figures as well.
    @Test func rangeQueryFigures() throws {
        let result = try Engine().rangeQuery(
            "sum by (job) (rate(http_requests_total[1m]))", start: 60_000, end: 120_000, step: 60_000,
            on: Self.data)
        guard case .matrix(let series) = result.value else {
            Issue.record("not a matrix")
            return
        }
        #expect(series.map(\.labels) == [["job": "api"], ["job": "db"]])
        // 10/15 s + 20/15 s for api, 30/15 s for db: counters grow evenly, so the rate is exact.
        for s in series {
            #expect(s.samples.map(\.timestamp) == [60_000, 120_000])
            #expect(s.samples.allSatisfy { abs($0.value - 2) < 1e-9 }, "\(s)")
        }
    }
}
