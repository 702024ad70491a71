import AsyncHTTPClient
import Hummingbird
import HummingbirdTesting
import Testing
import VigilModel
import VigilServer

/// `vigil query`'s client against a live server on a free port, and its table rendering.
@Suite struct PrometheusQueryClientTests {
    @Test func instantAndRangeQueriesOverHTTP() async throws {
        let fixture = APIFixture()
        try fixture.addStandardSeries()
        try await fixture.app.test(.live) { client in
            let port = try #require(client.port)
            let queries = PrometheusQueryClient(serverURL: "http://127.0.0.1:\(port)/")
            let instant = try await queries.instantQuery("up", time: APIFixture.now)
            #expect(instant.resultType == "vector")
            #expect(
                instant.table() == """
                    SERIES                             VALUE  TIMESTAMP
                    up{instance="a:9090", job="api"}   1      2023-11-14T22:13:20Z
                    up{instance="b:9100", job="node"}  0      2023-11-14T22:13:20Z

                    """)
            #expect(
                String(decoding: instant.json, as: UTF8.self).hasPrefix(
                    #"{"status":"success","data":{"resultType":"vector""#))

            let range = try await queries.rangeQuery(
                #"sum(up)"#, start: APIFixture.now - 30_000, end: APIFixture.now, step: 15_000)
            #expect(range.resultType == "matrix")
            #expect(
                range.table() == """
                    SERIES  POINTS
                    {}      1 @2023-11-14T22:12:50Z  1 @2023-11-14T22:13:05Z  1 @2023-11-14T22:13:20Z

                    """)

            let scalar = try await queries.instantQuery("1+1", time: 4000)
            #expect(scalar.table() == "SERIES  VALUE  TIMESTAMP\nscalar  2      1970-01-01T00:00:04Z\n")

            await #expect(
                throws: APIError(.badData, #"invalid parameter "query": 1:7: parse error: unclosed left parenthesis"#)
            ) {
                _ = try await queries.instantQuery("sum(up")
            }
        }
    }

    @Test func unreachableServerIsUnavailable() async throws {
        let queries = PrometheusQueryClient(serverURL: "http://127.0.0.1:1", timeout: .seconds(2))
        do {
            _ = try await queries.instantQuery("up")
            Issue.record("a query to a closed port succeeded")
        } catch {
            #expect(error.code == .unavailable)
            #expect(error.message.hasPrefix("cannot query http://127.0.0.1:1/api/v1/query: "))
        }
    }

    @Test func answersThatAreNotTheAPIsAreErrors() throws {
        #expect(throws: APIError.self) { try QueryAnswer(json: Array("<html>".utf8), httpStatus: 502) }
        let answer = try QueryAnswer(
            json: Array(
                #"{"status":"success","data":{"resultType":"string","result":[1.5,"hi"]},"warnings":["w"]}"#.utf8))
        #expect(answer.table() == "SERIES  VALUE  TIMESTAMP\nstring  hi     1970-01-01T00:00:01.5Z\nwarning: w\n")
    }

    /// The benchmark program encodes what the API would send: a valid answer of the stated size.
    @Test func encodingBenchmarkReportsItsFigures() throws {
        let report = APIEncodingBenchmark.run(series: 20, pointsPerSeries: 50, iterations: 1)
        #expect(report.series == 20 && report.pointsPerSeries == 50)
        #expect(report.bytes > 20 * 50 * 10)
        #expect(report.seconds > 0)
        #expect(report.description.contains("1000 samples"))
    }
}
