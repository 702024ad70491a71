import Testing
import VigilExposition
import VigilModel

@Suite("OpenMetrics 1.0 parser")
struct OpenMetricsParserTests {
    @Test func counterWithCreatedExemplarAndTimestamps() throws {
        let text = """
            # TYPE acme_requests counter
            # UNIT acme_requests requests
            # HELP acme_requests Requests, \\"quoted\\" and \\\\ escaped.
            acme_requests_total{code="200"} 1027 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67 1520879602.012
            acme_requests_created{code="200"} 1520430000.123
            # EOF

            """
        #expect(
            try entries(text, .openMetrics) == [
                .type(family: "acme_requests", .counter),
                .unit(family: "acme_requests", unit: "requests"),
                .help(family: "acme_requests", text: #"Requests, "quoted" and \ escaped."#),
                .sample(
                    MetricSample(
                        name: "acme_requests_total", labels: ["code": "200"], value: 1027,
                        timestampMs: 1_520_879_607_789,
                        exemplar: Exemplar(
                            labels: ["trace_id": "KOO5S4vxi0o"], value: 0.67, timestampMs: 1_520_879_602_012))
                ),
                .sample(MetricSample(name: "acme_requests_created", labels: ["code": "200"], value: 1_520_430_000.123)),
                .eof,
            ])
    }

    @Test func everyType() throws {
        let text = """
            # TYPE c counter
            c_total 1
            # TYPE g gauge
            g 2
            # TYPE h histogram
            h_bucket{le="1"} 1 # {a="b"} 0.5
            h_bucket{le="+Inf"} 2
            h_count 2
            h_sum 1.5
            h_created 100
            # TYPE gh gaugehistogram
            gh_bucket{le="+Inf"} 3
            gh_gcount 3
            gh_gsum 4
            # TYPE s summary
            s{quantile="0.5"} 1
            s_sum 5
            s_count 6
            s_created 100
            # TYPE i info
            i_info{version="1"} 1
            # TYPE st stateset
            st{st="a"} 1
            st{st="b"} 0
            # TYPE u unknown
            u 7
            # EOF
            """
        let parsed = try families(text, .openMetrics)
        #expect(parsed.map(\.name) == ["c_total", "g", "h", "gh", "s", "i_info", "st", "u"])
        #expect(
            parsed.map(\.type) == [.counter, .gauge, .histogram, .gaugehistogram, .summary, .info, .stateset, .unknown])
        #expect(parsed.map(\.samples.count) == [1, 1, 5, 3, 4, 1, 2, 1])
        #expect(parsed[2].samples[0].exemplar == Exemplar(labels: ["a": "b"], value: 0.5))
    }

    @Test(arguments: [
        ("1520879607.789", Int64(1_520_879_607_789)), ("0", 0), ("1", 1000), ("-1.5", -1500), ("0.0005", 1),
        ("0.0004999", 0), ("-0.0005", -1), ("1.9995", 2000), ("1e3", 1_000_000), ("1.5E-3", 2), ("+2", 2000),
        ("9223372036854775.807", .max), ("-9223372036854775.808", .min), (".25", 250),
    ])
    func timestampsAreSecondsRoundedToMilliseconds(_ token: String, _ expected: Int64) throws {
        let sample = try samples("# TYPE m gauge\nm 1 \(token)\n# EOF\n", .openMetrics)[0]
        #expect(sample.timestampMs == expected)
    }

    @Test func specialValues() throws {
        let parsed = try samples("a NaN\nb +Inf\nc -Inf\n# EOF\n", .openMetrics)
        #expect(parsed[0].value.isNaN)
        #expect(parsed[1].value == .infinity)
        #expect(parsed[2].value == -.infinity)
    }

    @Test func eofMayEndWithOrWithoutANewline() throws {
        #expect(try entries("# EOF", .openMetrics) == [.eof])
        #expect(try entries("# EOF\n", .openMetrics) == [.eof])
        #expect(try entries("a 1\n# EOF", .openMetrics).count == 2)
    }

    @Test func exemplarWithoutTimestampAndEmptyLabels() throws {
        let text = "# TYPE c counter\nc_total 1 # {} 2\nc_total{x=\"y\"} 1 # {a=\"\"} 3 4\n# EOF\n"
        let parsed = try samples(text, .openMetrics)
        #expect(parsed[0].exemplar == Exemplar(labels: Labels(), value: 2))
        #expect(parsed[1].exemplar == Exemplar(labels: ["a": ""], value: 3, timestampMs: 4000))
    }

    @Test func exemplarOfExactly128Characters() throws {
        // "id" (2) + 126 characters of value, one of them multi-byte: 128 code points.
        let value = "é" + String(repeating: "x", count: 125)
        let text = "# TYPE c counter\nc_total 1 # {id=\"\(value)\"} 1\n# EOF\n"
        #expect(try samples(text, .openMetrics)[0].exemplar?.labels["id"] == value)
    }

    @Test func unitMayBeEmpty() throws {
        #expect(try entries("# UNIT m \n# EOF\n", .openMetrics) == [.unit(family: "m", unit: ""), .eof])
    }

    @Test func utf8QuotedNames() throws {
        let text = """
            # TYPE "my.counter" counter
            {"my.counter_total","my.label"="x"} 1 # {"trace.id"="t"} 1
            # EOF

            """
        let parsed = try families(text, .openMetrics)
        #expect(parsed[0].name == "my.counter_total")
        #expect(
            parsed[0].samples == [
                MetricSample(
                    name: "my.counter_total", labels: ["my.label": "x"], value: 1,
                    exemplar: Exemplar(labels: ["trace.id": "t"], value: 1))
            ])
    }

    @Test func samplesWithoutMetadataAreUnknownFamilies() throws {
        let parsed = try families("a 1\nb{x=\"1\"} 2\nb{x=\"2\"} 3\n# EOF\n", .openMetrics)
        #expect(parsed.map(\.name) == ["a", "b"])
        #expect(parsed.map(\.type) == [.unknown, .unknown])
    }
}
