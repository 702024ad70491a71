import Testing
import VigilExposition
import VigilModel

@Suite("Encoder")
struct EncoderTests {
    /// Values and what Go's `strconv.FormatFloat(v, 'g', -1, 64)` makes of them.
    static let goFloats: [(Double, String)] = [
        (1, "1"), (0.5, "0.5"), (1e6, "1e+06"), (123_456, "123456"), (1_234_567, "1.234567e+06"),
        (2.5180520448e+10, "2.5180520448e+10"), (0.0001, "0.0001"), (0.00001, "1e-05"), (1.5e-7, "1.5e-07"),
        (100, "100"), (1e21, "1e+21"), (12_345_678_901_234_567_890.0, "1.2345678901234567e+19"), (-0.0, "-0"),
        (.nan, "NaN"), (.infinity, "+Inf"), (-.infinity, "-Inf"), (0, "0"), (-1, "-1"), (999_999, "999999"),
        (100_000, "100000"), (0.1, "0.1"), (1.0 / 3, "0.3333333333333333"), (0.1 + 0.2, "0.30000000000000004"),
        (100.5, "100.5"), (123_456.7, "123456.7"), (1_234_567.8, "1.2345678e+06"), (.leastNonzeroMagnitude, "5e-324"),
        (.greatestFiniteMagnitude, "1.7976931348623157e+308"), (9_007_199_254_740_992, "9.007199254740992e+15"),
        (1e15, "1e+15"), (1.445689e+06, "1.445689e+06"), (0.000123, "0.000123"), (1e100, "1e+100"),
        (-1.5e-10, "-1.5e-10"), (123_456_789, "1.23456789e+08"), (2.2250738585072014e-308, "2.2250738585072014e-308"),
        (0.001, "0.001"), (0.00015, "0.00015"), (1e-4 * 1.5, "0.00015000000000000001"),
        (4_294_967_296, "4.294967296e+09"), (-128.2, "-128.2"),
        (1e-300, "1e-300"), (17, "17"), (3.0e7, "3e+07"),
    ]

    @Test(arguments: goFloats)
    func floatsAreFormattedLikeGo(_ value: Double, _ expected: String) {
        let family = MetricFamily(name: "m", type: .gauge, samples: [MetricSample(name: "m", value: value)])
        #expect(encoded([family], .text) == "# TYPE m gauge\nm \(expected)\n")
    }

    @Test(arguments: goFloats)
    func formattedFloatsParseBackToTheSameValue(_ value: Double, _ expected: String) throws {
        let parsed = try samples("m \(expected)\n", .text)[0].value
        #expect(parsed.bitPattern == value.bitPattern)
    }

    static let allKinds: [MetricFamily] = [
        MetricFamily(
            name: "http_requests_total", type: .counter, help: "Total \"requests\".\nSecond \\ line.",
            samples: [
                MetricSample(
                    name: "http_requests_total", labels: ["method": "get", "code": "200"], value: 1027,
                    timestampMs: 1_700_000_000_123),
                MetricSample(
                    name: "http_requests_total", labels: ["method": "post", "code": "500", "path": "say \"hi\"\n\\"],
                    value: 3,
                    exemplar: Exemplar(labels: ["trace_id": "abc"], value: 0.5, timestampMs: 1_700_000_000_000)),
            ]),
        MetricFamily(
            name: "temperature_celsius", type: .gauge, unit: "celsius",
            samples: [MetricSample(name: "temperature_celsius", value: -3.5, timestampMs: -1500)]),
        MetricFamily(
            name: "request_duration_seconds", type: .histogram, help: "Latency.", unit: "seconds",
            samples: [
                MetricSample(
                    name: "request_duration_seconds_bucket", labels: ["method": "get", "le": "0.1"], value: 5),
                MetricSample(
                    name: "request_duration_seconds_bucket", labels: ["method": "get", "le": "+Inf"], value: 7,
                    exemplar: Exemplar(labels: ["trace_id": "def"], value: 0.25)),
                MetricSample(name: "request_duration_seconds_sum", labels: ["method": "get"], value: 1.25),
                MetricSample(name: "request_duration_seconds_count", labels: ["method": "get"], value: 7),
            ]),
        MetricFamily(
            name: "rpc_seconds", type: .summary, help: "RPC.",
            samples: [
                MetricSample(name: "rpc_seconds", labels: ["service": "a", "quantile": "0.5"], value: 0.0001),
                MetricSample(name: "rpc_seconds_sum", labels: ["service": "a"], value: 12_345_678),
                MetricSample(name: "rpc_seconds_count", labels: ["service": "a"], value: 1_234_567),
            ]),
        MetricFamily(
            name: "build_info", type: .info, help: "Build.",
            samples: [MetricSample(name: "build_info", labels: ["version": "1.0"], value: 1)]),
        MetricFamily(
            name: "state", type: .stateset,
            samples: [
                MetricSample(name: "state", labels: ["state": "on"], value: 1),
                MetricSample(name: "state", labels: ["state": "off"], value: 0),
            ]),
        MetricFamily(
            name: "queue", type: .gaugehistogram,
            samples: [
                MetricSample(name: "queue_bucket", labels: ["le": "+Inf"], value: 3),
                MetricSample(name: "queue_gcount", value: 3), MetricSample(name: "queue_gsum", value: 2),
            ]),
        MetricFamily(name: "legacy", type: .unknown, samples: [MetricSample(name: "legacy", value: 1e6)]),
        MetricFamily(
            name: "my.metric", type: .gauge, help: "UTF-8 name",
            samples: [MetricSample(name: "my.metric", labels: ["my.label": "x", "a": "b"], value: .nan)]),
        MetricFamily(name: "empty", type: .gauge, help: "No samples."),
        MetricFamily(name: "requests", type: .counter, samples: [MetricSample(name: "requests", value: 1)]),
    ]

    @Test func textIsByteExact() {
        #expect(
            encoded(Self.allKinds, .text) == #"""
                # HELP http_requests_total Total "requests".\nSecond \\ line.
                # TYPE http_requests_total counter
                http_requests_total{code="200",method="get"} 1027 1700000000123
                http_requests_total{code="500",method="post",path="say \"hi\"\n\\"} 3
                # TYPE temperature_celsius gauge
                temperature_celsius -3.5 -1500
                # HELP request_duration_seconds Latency.
                # TYPE request_duration_seconds histogram
                request_duration_seconds_bucket{method="get",le="0.1"} 5
                request_duration_seconds_bucket{method="get",le="+Inf"} 7
                request_duration_seconds_sum{method="get"} 1.25
                request_duration_seconds_count{method="get"} 7
                # HELP rpc_seconds RPC.
                # TYPE rpc_seconds summary
                rpc_seconds{service="a",quantile="0.5"} 0.0001
                rpc_seconds_sum{service="a"} 1.2345678e+07
                rpc_seconds_count{service="a"} 1.234567e+06
                # HELP build_info Build.
                # TYPE build_info gauge
                build_info{version="1.0"} 1
                # TYPE state gauge
                state{state="on"} 1
                state{state="off"} 0
                # TYPE queue histogram
                queue_bucket{le="+Inf"} 3
                queue_gcount 3
                queue_gsum 2
                # TYPE legacy untyped
                legacy 1e+06
                # HELP "my.metric" UTF-8 name
                # TYPE "my.metric" gauge
                {"my.metric",a="b","my.label"="x"} NaN
                # TYPE requests counter
                requests 1

                """#)
    }

    @Test func openMetricsIsByteExact() {
        #expect(
            encoded(Self.allKinds, .openMetrics) == #"""
                # HELP http_requests Total \"requests\".\nSecond \\ line.
                # TYPE http_requests counter
                http_requests_total{code="200",method="get"} 1027 1700000000.123
                http_requests_total{code="500",method="post",path="say \"hi\"\n\\"} 3 # {trace_id="abc"} 0.5 1700000000
                # TYPE temperature_celsius gauge
                # UNIT temperature_celsius celsius
                temperature_celsius -3.5 -1.5
                # HELP request_duration_seconds Latency.
                # TYPE request_duration_seconds histogram
                # UNIT request_duration_seconds seconds
                request_duration_seconds_bucket{method="get",le="0.1"} 5
                request_duration_seconds_bucket{method="get",le="+Inf"} 7 # {trace_id="def"} 0.25
                request_duration_seconds_sum{method="get"} 1.25
                request_duration_seconds_count{method="get"} 7
                # HELP rpc_seconds RPC.
                # TYPE rpc_seconds summary
                rpc_seconds{service="a",quantile="0.5"} 0.0001
                rpc_seconds_sum{service="a"} 1.2345678e+07
                rpc_seconds_count{service="a"} 1.234567e+06
                # HELP build Build.
                # TYPE build info
                build_info{version="1.0"} 1
                # TYPE state stateset
                state{state="on"} 1
                state{state="off"} 0
                # TYPE queue gaugehistogram
                queue_bucket{le="+Inf"} 3
                queue_gcount 3
                queue_gsum 2
                # TYPE legacy unknown
                legacy 1e+06
                # HELP "my.metric" UTF-8 name
                # TYPE "my.metric" gauge
                {"my.metric",a="b","my.label"="x"} NaN
                # HELP empty No samples.
                # TYPE empty gauge
                # TYPE requests counter
                requests_total 1
                # EOF

                """#)
    }

    @Test func encodedOutputParsesBack() throws {
        let text = try families(encoded(Self.allKinds, .text), .text)
        #expect(text.map(\.name) == Self.allKinds.filter { !$0.samples.isEmpty }.map(\.name))
        let openMetrics = try families(encoded(Self.allKinds, .openMetrics), .openMetrics)
        #expect(openMetrics.count == Self.allKinds.count)
        #expect(openMetrics[0].samples[1].exemplar?.timestampMs == 1_700_000_000_000)
    }

    @Test(arguments: [
        (Int64(1_700_000_000_123), "1700000000.123"), (1_700_000_000_000, "1700000000"), (1500, "1.5"), (1, "0.001"),
        (-1, "-0.001"), (10, "0.01"), (0, "0"), (Int64.max, "9223372036854775.807"),
        (Int64.min, "-9223372036854775.808"),
    ])
    func openMetricsTimestampsAreExactSeconds(_ milliseconds: Int64, _ expected: String) throws {
        let family = MetricFamily(
            name: "m", type: .gauge, samples: [MetricSample(name: "m", value: 1, timestampMs: milliseconds)])
        let output = encoded([family], .openMetrics)
        #expect(output == "# TYPE m gauge\nm 1 \(expected)\n# EOF\n")
        #expect(try samples(output, .openMetrics)[0].timestampMs == milliseconds)
    }

    @Test func appendsToTheCallersBuffer() {
        var buffer = Array("prefix\n".utf8)
        ExpositionEncoder.encode(
            [MetricFamily(name: "a", type: .gauge, samples: [MetricSample(name: "a", value: 1)])], format: .text,
            into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "prefix\n# TYPE a gauge\na 1\n")
    }

    @Test func emptyFamilyListInOpenMetricsIsJustEOF() {
        #expect(encoded([], .openMetrics) == "# EOF\n")
        #expect(encoded([], .text) == "")
    }
}
