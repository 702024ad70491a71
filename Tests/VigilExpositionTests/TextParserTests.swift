import Testing
import VigilExposition
import VigilModel

@Suite("Text format 0.0.4 parser")
struct TextParserTests {
    @Test func counterWithHelpTypeAndLabels() throws {
        let text = """
            # HELP http_requests_total The total number of HTTP requests.
            # TYPE http_requests_total counter
            http_requests_total{method="post",code="200"} 1027 1395066363000
            http_requests_total{method="post",code="400"}    3 1395066363000

            """
        #expect(
            try entries(text, .text) == [
                .help(family: "http_requests_total", text: "The total number of HTTP requests."),
                .type(family: "http_requests_total", .counter),
                .sample(
                    MetricSample(
                        name: "http_requests_total", labels: ["method": "post", "code": "200"], value: 1027,
                        timestampMs: 1_395_066_363_000)),
                .sample(
                    MetricSample(
                        name: "http_requests_total", labels: ["method": "post", "code": "400"], value: 3,
                        timestampMs: 1_395_066_363_000)),
            ])
    }

    @Test func gaugeAndUntyped() throws {
        let text = """
            # TYPE temperature gauge
            temperature -3.5
            # TYPE legacy untyped
            legacy 1
            no_metadata 2

            """
        let parsed = try families(text, .text)
        #expect(parsed.map(\.name) == ["temperature", "legacy", "no_metadata"])
        #expect(parsed.map(\.type) == [.gauge, .unknown, .unknown])
        #expect(parsed[0].samples == [MetricSample(name: "temperature", value: -3.5)])
    }

    @Test func histogram() throws {
        let text = """
            # HELP http_request_duration_seconds A histogram of the request duration.
            # TYPE http_request_duration_seconds histogram
            http_request_duration_seconds_bucket{le="0.05"} 24054
            http_request_duration_seconds_bucket{le="0.1"} 33444
            http_request_duration_seconds_bucket{le="+Inf"} 144320
            http_request_duration_seconds_sum 53423
            http_request_duration_seconds_count 144320

            """
        let parsed = try families(text, .text)
        #expect(parsed.count == 1)
        #expect(parsed[0].type == .histogram)
        #expect(parsed[0].samples.count == 5)
        #expect(parsed[0].samples[2].labels["le"] == "+Inf")
        #expect(parsed[0].samples[4] == MetricSample(name: "http_request_duration_seconds_count", value: 144_320))
    }

    @Test func summary() throws {
        let text = """
            # TYPE rpc_duration_seconds summary
            rpc_duration_seconds{quantile="0.01"} 3102
            rpc_duration_seconds{quantile="0.5"} 4773
            rpc_duration_seconds_sum 1.7560473e+07
            rpc_duration_seconds_count 2693

            """
        let parsed = try families(text, .text)
        #expect(parsed.count == 1)
        #expect(parsed[0].type == .summary)
        #expect(parsed[0].samples[2].value == 17_560_473)
    }

    @Test func commentsAndBlankLines() throws {
        let text = """
            # A normal comment.
            #
            #   HELPER is not HELP
            \t
            # HELP
            x 1

            """
        #expect(
            try entries(text, .text) == [
                .comment("A normal comment."), .comment(""), .comment("HELPER is not HELP"), .comment("HELP"),
                .sample(MetricSample(name: "x", value: 1)),
            ])
    }

    @Test func escapesInHelpAndLabelValues() throws {
        let text = #"""
            # HELP escaped A \\ backslash, a \n newline, a \" kept, an \x unknown.
            escaped{path="C:\\dir",quote="say \"hi\"",multi="a\nb",odd="\t"} 1

            """#
        let parsed = try entries(text, .text)
        #expect(
            parsed[0] == .help(family: "escaped", text: "A \\ backslash, a \n newline, a \\\" kept, an \\x unknown."))
        let sample = try #require(parsed.last.flatMap { if case .sample(let sample) = $0 { sample } else { nil } })
        #expect(sample.labels["path"] == #"C:\dir"#)
        #expect(sample.labels["quote"] == #"say "hi""#)
        #expect(sample.labels["multi"] == "a\nb")
        #expect(sample.labels["odd"] == #"\t"#)
    }

    @Test func lenientSpacing() throws {
        let text = "  spaced { a = \"1\" ,\tb=\"2\", }\t 7 \t 1000 \n tight{a=\"x\"}8\n"
        #expect(
            try samples(text, .text) == [
                MetricSample(name: "spaced", labels: ["a": "1", "b": "2"], value: 7, timestampMs: 1000),
                MetricSample(name: "tight", labels: ["a": "x"], value: 8),
            ])
    }

    @Test func trailingCommaAndEmptyLabelSet() throws {
        #expect(
            try samples("a{x=\"1\",} 1\nb{} 2\n", .text) == [
                MetricSample(name: "a", labels: ["x": "1"], value: 1), MetricSample(name: "b", value: 2),
            ])
    }

    @Test(arguments: [
        ("NaN", Double.nan), ("nan", .nan), ("+Inf", .infinity), ("-Inf", -.infinity), ("Inf", .infinity),
        ("inf", .infinity), ("+infinity", .infinity), ("-INFINITY", -.infinity), ("0", 0), ("-0", -0.0),
        ("1e3", 1000), ("1E-3", 0.001), ("+5", 5), (".5", 0.5), ("5.", 5), ("1.7560473e+07", 17_560_473),
        ("0.1", 0.1), ("123456789012345678901234567890", 1.2345678901234568e29), ("4.9e-324", .leastNonzeroMagnitude),
        ("1e-400", 0), ("2.2250738585072011e-308", Double(bitPattern: 0x000F_FFFF_FFFF_FFFF)), ("007", 7),
        ("9007199254740993", 9_007_199_254_740_992), ("1.7976931348623157e308", .greatestFiniteMagnitude),
        ("12e30", 12e30), ("0.000000000000000000000000001", 1e-27),
    ])
    func values(_ token: String, _ expected: Double) throws {
        let parsed = try samples("m \(token)\n", .text)
        #expect(parsed.count == 1)
        #expect(parsed[0].value.bitPattern == expected.bitPattern, "\(token) parsed as \(parsed[0].value)")
    }

    @Test(arguments: [
        ("0", Int64(0)), ("-1", -1), ("+5", 5), ("9223372036854775807", .max), ("-9223372036854775808", .min),
    ])
    func timestamps(_ token: String, _ expected: Int64) throws {
        #expect(try samples("m 1 \(token)\n", .text)[0].timestampMs == expected)
    }

    @Test func utf8QuotedNames() throws {
        let text = """
            # HELP "my.metric" Dots need quotes.
            # TYPE "my.metric" histogram
            {"my.metric_bucket", le="1"} 1
            {"my.metric_bucket",le="+Inf", "my.label"="x"} 2
            # TYPE plain gauge
            plain{"quoted.label"="v", "école"="ok"} 3
            {__name__="via_label"} 4

            """
        let parsed = try families(text, .text)
        #expect(parsed.map(\.name) == ["my.metric", "plain", "via_label"])
        #expect(parsed[0].type == .histogram)
        #expect(parsed[0].help == "Dots need quotes.")
        #expect(
            parsed[0].samples[1]
                == MetricSample(name: "my.metric_bucket", labels: ["le": "+Inf", "my.label": "x"], value: 2))
        #expect(parsed[1].samples[0].labels == ["quoted.label": "v", "école": "ok"])
        #expect(parsed[2].samples[0] == MetricSample(name: "via_label", value: 4))
    }

    @Test func labelsAreSortedWhateverTheInputOrder() throws {
        let sample = try samples("m{zone=\"b\",app=\"a\",mid=\"c\"} 1\n", .text)[0]
        #expect(sample.labels.map(\.name) == ["app", "mid", "zone"])
    }

    @Test func interleavedFamiliesMergeInText() throws {
        let text = """
            # TYPE a gauge
            a 1
            # TYPE b gauge
            b 2
            a{x="y"} 3

            """
        let parsed = try families(text, .text)
        #expect(parsed.map(\.name) == ["a", "b"])
        #expect(parsed[0].samples.count == 2)
    }

    @Test func samplesOutsideTheTypeStartUnknownFamilies() throws {
        let text = """
            # TYPE requests_total counter
            requests_total 1
            requests_total_created 2
            # TYPE g gauge
            g_total 3

            """
        let parsed = try families(text, .text)
        #expect(parsed.map(\.name) == ["requests_total", "g", "g_total"])
        #expect(parsed[0].samples.map(\.name) == ["requests_total", "requests_total_created"])
        #expect(parsed[1].samples.isEmpty)
        #expect(parsed[2].type == .unknown)
    }

    @Test func emptyInputHasNoEntries() throws {
        #expect(try entries("", .text).isEmpty)
        #expect(try entries("\n\n  \n", .text).isEmpty)
    }

    @Test func nextKeepsReturningNilAtTheEnd() throws {
        var parser = ExpositionParser(bytes: Array("a 1\n".utf8), format: .text)
        #expect(try parser.next() != nil)
        #expect(try parser.next() == nil)
        #expect(try parser.next() == nil)
    }

    @Test func errorsAreSticky() {
        var parser = ExpositionParser(bytes: Array("a x\nb 1\n".utf8), format: .text)
        #expect(throws: ExpositionError.self) { try parser.next() }
        #expect(throws: ExpositionError.self) { try parser.next() }
    }

    @Test func resetParsesANewInputWithTheSameParser() throws {
        var parser = ExpositionParser(bytes: Array("# HELP a x\na 1\n".utf8), format: .text)
        _ = try parser.parseFamilies()
        parser.reset(bytes: Array("# HELP a x\na 2\n".utf8), format: .text)
        let again = try parser.parseFamilies()
        #expect(again[0].samples == [MetricSample(name: "a", value: 2)])
    }

    @Test func carriageReturnsAreRejected() throws {
        let error = try #require(parseError("a 1\r\n", .text))
        #expect(error.line == 1)
        #expect(error.column == 4)
        #expect(error.message.contains("CRLF"))
    }
}
