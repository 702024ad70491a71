import Hummingbird
import HummingbirdTesting
import Testing
import VigilModel
import VigilPromQL
import VigilServer
import VigilStorage

/// `/api/v1/query` and `/api/v1/query_range`: Prometheus's JSON byte for byte, and every error path with its
/// status code and message.
@Suite struct QueryAPITests {
    @Test func instantVectorIsPrometheusJSON() async throws {
        let fixture = APIFixture()
        try fixture.addStandardSeries()
        try await fixture.app.test(.router) { client in
            let answer = try await client.get("/api/v1/query?query=up&time=1700000000")
            #expect(answer.status == .ok)
            #expect(answer.headers[.contentType] == "application/json")
            #expect(
                answer.body
                    == #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"a:9090","job":"api"},"value":[1700000000,"1"]},{"metric":{"__name__":"up","instance":"b:9100","job":"node"},"value":[1700000000,"0"]}]}}"#
            )
        }
    }

    @Test func timeDefaultsToNowAndFormPostEqualsGet() async throws {
        let fixture = APIFixture()
        try fixture.addStandardSeries()
        try await fixture.app.test(.router) { client in
            let get = try await client.get("/api/v1/query?query=\(encode("sum(up)"))")
            let post = try await client.postForm("/api/v1/query", "query=\(encode("sum(up)"))")
            #expect(
                get.body
                    == #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"1"]}]}}"#
            )
            #expect(post.body == get.body)
        }
    }

    @Test func scalarStringAndMatrixResults() async throws {
        let fixture = APIFixture()
        try fixture.addStandardSeries()
        try await fixture.app.test(.router) { client in
            let scalar = try await client.get("/api/v1/query?query=\(encode("1+1"))&time=4")
            #expect(scalar.body == #"{"status":"success","data":{"resultType":"scalar","result":[4,"2"]}}"#)
            let string = try await client.get("/api/v1/query?query=\(encode(#""a<b""#))&time=1.5")
            #expect(string.body == #"{"status":"success","data":{"resultType":"string","result":[1.5,"a\u003cb"]}}"#)
            let matrix = try await client.get("/api/v1/query?query=\(encode(#"up{job="api"}[30s]"#))&time=1700000000")
            #expect(
                matrix.body
                    == #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","instance":"a:9090","job":"api"},"values":[[1699999985,"1"],[1700000000,"1"]]}]}}"#
            )
        }
    }

    /// Sample values are strings in Go's `FormatFloat(v, 'f', -1, 64)`, switching to `'e'` below 1e-6 and
    /// from 1e21, as Prometheus's `MarshalFloat` does.
    @Test(arguments: [
        ("0.1", "0.1"), ("0.1+0.2", "0.30000000000000004"), ("1e-7", "1e-07"), ("0.000001", "0.000001"),
        ("1e21", "1e+21"), ("1.5e20", "150000000000000000000"), ("123456789.125", "123456789.125"),
        ("-2.5", "-2.5"), ("NaN", "NaN"), ("Inf", "+Inf"), ("-Inf", "-Inf"), ("1e15", "1000000000000000"),
        ("1/3", "0.3333333333333333"), ("2^60", "1152921504606847000"), ("2^70", "1.1805916207174113e+21"),
        ("1.7976931348623157e308", "1.7976931348623157e+308"),
    ])
    func sampleValuesAreFormattedAsGoDoes(expression: String, expected: String) async throws {
        try await APIFixture().app.test(.router) { client in
            let answer = try await client.get("/api/v1/query?query=\(encode("vector(\(expression))"))&time=10")
            #expect(answer.body.contains(#""value":[10,"\#(expected)"]"#), "\(answer.body)")
        }
    }

    /// Timestamps are seconds with the milliseconds written as three digits, as `MarshalTimestamp` does.
    @Test(arguments: [
        ("1.5", "1.500"), ("1.05", "1.050"), ("1.005", "1.005"), ("-1.5", "-1.500"),
        ("2023-11-14T22:13:20.25Z", "1700000000.250"),
        ("2023-11-14T23:13:20+01:00", "1700000000"), ("1700000000", "1700000000"),
    ])
    func timestampsAreMillisecondPrecise(time: String, expected: String) async throws {
        try await APIFixture().app.test(.router) { client in
            let answer = try await client.get("/api/v1/query?query=\(encode("vector(1)"))&time=\(encode(time))")
            #expect(answer.body.contains(#""value":[\#(expected),"1"]"#), "\(answer.body)")
        }
    }

    @Test func rangeQueryByGetAndFormPost() async throws {
        let fixture = APIFixture()
        try fixture.addStandardSeries()
        try await fixture.app.test(.router) { client in
            let params = "query=\(encode(#"up{job="api"}"#))&start=1699999940&end=1700000000&step=30s"
            let get = try await client.get("/api/v1/query_range?\(params)")
            #expect(
                get.body
                    == #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","instance":"a:9090","job":"api"},"values":[[1699999940,"1"],[1699999970,"1"],[1700000000,"1"]]}]}}"#
            )
            let post = try await client.postForm("/api/v1/query_range", params)
            #expect(post.body == get.body)
            // The step as float seconds, the times as RFC 3339.
            let rfc = try await client.get(
                "/api/v1/query_range?query=\(encode(#"up{job="api"}"#))&start=2023-11-14T22:12:20Z&end=2023-11-14T22:13:20Z&step=30"
            )
            #expect(rfc.body == get.body)
        }
    }

    @Test func rateWarningsTravelBesideTheData() async throws {
        let fixture = APIFixture()
        try fixture.addStandardSeries()
        try await fixture.app.test(.router) { client in
            let answer = try await client.get("/api/v1/query?query=\(encode("rate(up[5m])"))&time=1700000000")
            #expect(answer.status == .ok)
            #expect(answer.json["infos"] != nil || !answer.warnings.isEmpty, "\(answer.body)")
        }
    }

    /// Bad input: status code, error type and Prometheus's message.
    @Test(arguments: [
        (
            "/api/v1/query?query=up&time=x", 400, "bad_data",
            #"invalid parameter "time": Invalid time value for 'time': cannot parse "x" to a valid timestamp"#
        ),
        (
            "/api/v1/query?query=\(encode("sum(up"))", 400, "bad_data",
            #"invalid parameter "query": 1:7: parse error: unclosed left parenthesis"#
        ),
        (
            "/api/v1/query?query=\(encode("up{job=}"))", 400, "bad_data",
            #"invalid parameter "query": 1:8: parse error: unexpected "}" in label matching, expected string"#
        ),
        (
            "/api/v1/query?query=", 400, "bad_data",
            #"invalid parameter "query": unknown position: parse error: no expression found in input"#
        ),
        (
            "/api/v1/query?query=up&timeout=soon", 400, "bad_data",
            #"invalid parameter "timeout": cannot parse "soon" to a valid duration"#
        ),
        (
            "/api/v1/query?query=up&lookback_delta=x", 400, "bad_data",
            #"error parsing lookback delta duration: cannot parse "x" to a valid duration"#
        ),
        (
            "/api/v1/query_range?query=up&start=x&end=2&step=1", 400, "bad_data",
            #"invalid parameter "start": cannot parse "x" to a valid timestamp"#
        ),
        (
            "/api/v1/query_range?query=up&start=1&end=y&step=1", 400, "bad_data",
            #"invalid parameter "end": cannot parse "y" to a valid timestamp"#
        ),
        (
            "/api/v1/query_range?query=up&start=2&end=1&step=1", 400, "bad_data",
            #"invalid parameter "end": end timestamp must not be before start time"#
        ),
        (
            "/api/v1/query_range?query=up&start=1&end=2&step=abc", 400, "bad_data",
            #"invalid parameter "step": cannot parse "abc" to a valid duration"#
        ),
        (
            "/api/v1/query_range?query=up&start=1&end=2&step=0", 400, "bad_data",
            #"invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer"#
        ),
        (
            "/api/v1/query_range?query=up&start=1&end=2&step=1e300", 400, "bad_data",
            #"invalid parameter "step": cannot parse "1e300" to a valid duration. It overflows int64"#
        ),
        (
            "/api/v1/query_range?query=up&start=0&end=11001&step=1", 400, "bad_data",
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"
        ),
        (
            "/api/v1/query_range?query=\(encode("up[5m]"))&start=0&end=10&step=1", 400, "bad_data",
            #"invalid parameter "query": invalid expression type "range vector" for range query, must be Scalar or instant Vector"#
        ),
    ])
    func badInput(uri: String, status: Int, errorType: String, message: String) async throws {
        try await APIFixture().app.test(.router) { client in
            let answer = try await client.get(uri)
            #expect(answer.status.code == status, "\(answer.body)")
            #expect(answer.json["status"] as? String == "error")
            #expect(answer.errorType == errorType)
            #expect(answer.error == message)
        }
    }

    @Test func elevenThousandPointsAreAllowed() async throws {
        try await APIFixture().app.test(.router) { client in
            let answer = try await client.get("/api/v1/query_range?query=1&start=0&end=11000&step=1")
            #expect(answer.status == .ok)
        }
    }

    @Test func executionErrorsAre422() async throws {
        let fixture = APIFixture()
        try fixture.addStandardSeries()
        try await fixture.app.test(.router) { client in
            // Both `up` series lose the labels that told them apart.
            let query = #"label_replace(label_replace(up, "job", "", "job", ".*"), "instance", "", "instance", ".*")"#
            let answer = try await client.get("/api/v1/query?query=\(encode(query))&time=1700000000")
            #expect(answer.status.code == 422)
            #expect(answer.errorType == "execution")
            #expect(answer.error == "vector cannot contain metrics with the same labelset")
        }
    }

    @Test func sampleLimitIsAnExecutionError() async throws {
        var fixture = APIFixture()
        fixture.api.engineOptions.maxSamples = 3
        try fixture.addStandardSeries()
        try await fixture.app.test(.router) { client in
            let answer = try await client.get("/api/v1/query_range?query=up&start=1699999700&end=1700000000&step=15")
            #expect(answer.status.code == 422)
            #expect(answer.errorType == "execution")
            #expect(answer.error?.hasPrefix("query processing would load too many samples into memory") == true)
        }
    }

    /// A timeout already passed (Go's `context.WithTimeout` with a negative duration) stops the query at once.
    @Test func timeoutIs503() async throws {
        let fixture = APIFixture()
        try fixture.addStandardSeries()
        try await fixture.app.test(.router) { client in
            let answer = try await client.get("/api/v1/query?query=up&timeout=-1")
            #expect(answer.status == .serviceUnavailable)
            #expect(answer.errorType == "timeout")
            #expect(answer.error == "query timed out in query execution")
        }
    }

    /// The one mapping from module errors to API errors and HTTP statuses.
    @Test func errorMappingFollowsPrometheus() throws {
        let cases: [(any Error, String, Int)] = [
            (PromQLError(.timeout, "query timed out in query execution"), "timeout", 503),
            (PromQLError(.canceled, "query was canceled in query execution"), "canceled", 499),
            (PromQLError(.execution, "x"), "execution", 422),
            (PromQLError(.tooManySamples, "x"), "execution", 422),
            (StorageError(.limitExceeded, "x"), "internal", 500),
            (CancellationError(), "canceled", 499),
            (APIError(.notFound, "x"), "not_found", 404),
            (APIError(.unavailable, "x"), "unavailable", 503),
        ]
        for (error, errorType, status) in cases {
            let mapped = APIError(error)
            #expect(mapped.code.rawValue == errorType)
            #expect(mapped.status.code == status)
        }
        #expect(throws: PromQLError.self) { try PromQLParser().parse("sum(") }
        do {
            _ = try PromQLParser().parse("sum(")
        } catch {
            #expect(APIError(error) == APIError(.badData, error.description))
            #expect(APIError(error).message.hasPrefix("1:5: parse error"))
        }
    }

    @Test func formatQueryPrintsTheCanonicalForm() async throws {
        try await APIFixture().app.test(.router) { client in
            let answer = try await client.get("/api/v1/format_query?query=\(encode("sum(rate(x[5m]))by(job)"))")
            #expect(answer.body == #"{"status":"success","data":"sum by (job) (rate(x[5m]))"}"#)
            let bad = try await client.get("/api/v1/format_query?query=\(encode("sum("))")
            #expect(bad.status == .badRequest)
            #expect(bad.error?.hasPrefix(#"invalid parameter "query": 1:5: parse error"#) == true)
        }
    }
}
