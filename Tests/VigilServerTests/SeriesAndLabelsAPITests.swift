import Hummingbird
import HummingbirdTesting
import Testing
import VigilModel
import VigilScrape
import VigilServer

/// `/api/v1/series`, `/api/v1/labels`, `/api/v1/label/<name>/values` and `/api/v1/metadata`.
@Suite struct SeriesAndLabelsAPITests {
    func fixture() throws -> APIFixture {
        let fixture = APIFixture {
            // Two targets report `up` alike, a third differently.
            $0.metadata = StaticMetadataProvider([
                "up": [
                    MetricMetadata(type: .gauge, help: "1 if the target is up.", unit: ""),
                    MetricMetadata(type: .gauge, help: "1 if the target is up.", unit: ""),
                    MetricMetadata(type: .gauge, help: "Target <up> & scraped.", unit: ""),
                ],
                "http_requests_total": [MetricMetadata(type: .counter, help: "Requests.", unit: "")],
            ])
        }
        try fixture.addStandardSeries()
        try fixture.add(["__name__": "my.metric", "foo.bar": "x"], [(APIFixture.now, 1)])
        return fixture
    }

    @Test func seriesByGetAndPostWithSeveralSelectors() async throws {
        try await fixture().app.test(.router) { client in
            let query = "match[]=up&match[]=\(encode(#"{job="api"}"#))"
            let get = try await client.get("/api/v1/series?\(query)")
            #expect(
                get.body
                    == #"{"status":"success","data":[{"__name__":"http_requests_total","code":"200","instance":"a:9090","job":"api"},{"__name__":"up","instance":"a:9090","job":"api"},{"__name__":"up","instance":"b:9100","job":"node"}]}"#
            )
            let post = try await client.postForm("/api/v1/series", query)
            #expect(post.body == get.body)
        }
    }

    @Test func seriesLimitWarnsOfTruncation() async throws {
        try await fixture().app.test(.router) { client in
            let answer = try await client.get("/api/v1/series?match[]=up&limit=1")
            #expect((answer.data as? [Any])?.count == 1)
            #expect(answer.warnings == ["results truncated due to limit"])
            let exact = try await client.get("/api/v1/series?match[]=up&limit=2")
            #expect(exact.warnings.isEmpty)
        }
    }

    @Test(arguments: [
        ("/api/v1/series", "no match[] parameter provided"),
        (
            "/api/v1/series?match[]=\(encode("up{"))",
            #"invalid parameter "match[]": 1:4: parse error: unexpected end of input inside braces"#
        ),
        (
            "/api/v1/series?match[]=\(encode(#"{job=""}"#))",
            #"invalid parameter "match[]": match[] must contain at least one non-empty matcher"#
        ),
        (
            "/api/v1/series?match[]=\(encode("up + 1"))",
            #"invalid parameter "match[]": 1:4: parse error: unexpected <op:+>"#
        ),
        (
            "/api/v1/series?match[]=\(encode("1"))",
            #"invalid parameter "match[]": 1:1: parse error: unexpected number "1""#
        ),
        (
            "/api/v1/series?match[]=up&start=yesterday",
            #"invalid parameter "start": Invalid time value for 'start': cannot parse "yesterday" to a valid timestamp"#
        ),
        ("/api/v1/series?match[]=up&limit=-1", #"invalid parameter "limit": limit must be non-negative"#),
        ("/api/v1/series?match[]=up&limit=x", #"invalid parameter "limit": strconv.Atoi: parsing "x": invalid syntax"#),
        ("/api/v1/series?match[]=%zz", #"error parsing form values: invalid URL escape "%zz""#),
        ("/api/v1/labels?match[]=\(encode("up{"))", "1:4: parse error: unexpected end of input inside braces"),
        ("/api/v1/labels?match[]=\(encode(#"{a=~".*"}"#))", "match[] must contain at least one non-empty matcher"),
        (
            "/api/v1/label/job/values?match[]=\(encode("up{"))",
            "1:4: parse error: unexpected end of input inside braces"
        ),
        (
            "/api/v1/label/job/values?end=x",
            #"invalid parameter "end": Invalid time value for 'end': cannot parse "x" to a valid timestamp"#
        ),
        ("/api/v1/label/%FF/values", #"invalid label name: "\xff""#),
        ("/api/v1/metadata?limit=x", "limit must be a number"),
        ("/api/v1/metadata?limit_per_metric=x", "limit_per_metric must be a number"),
    ])
    func badInputIsBadData(uri: String, message: String) async throws {
        try await fixture().app.test(.router) { client in
            let answer = try await client.get(uri)
            #expect(answer.status == .badRequest, "\(answer.body)")
            #expect(answer.errorType == "bad_data")
            #expect(answer.error == message)
        }
    }

    @Test func labelNamesAllFilteredAndLimited() async throws {
        try await fixture().app.test(.router) { client in
            let all = try await client.get("/api/v1/labels")
            #expect(all.body == #"{"status":"success","data":["__name__","code","foo.bar","instance","job"]}"#)
            let filtered = try await client.postForm("/api/v1/labels", "match[]=up&start=1699999000&end=1700000000")
            #expect(filtered.body == #"{"status":"success","data":["__name__","instance","job"]}"#)
            let union = try await client.get("/api/v1/labels?match[]=up&match[]=http_requests_total")
            #expect(union.body == #"{"status":"success","data":["__name__","code","instance","job"]}"#)
            let limited = try await client.get("/api/v1/labels?limit=2")
            #expect(
                limited.body
                    == #"{"status":"success","data":["__name__","code"],"warnings":["results truncated due to limit"]}"#
            )
            // Nothing in a range before the data.
            let empty = try await client.get("/api/v1/labels?start=0&end=1")
            #expect(empty.body == #"{"status":"success","data":[]}"#)
        }
    }

    @Test func labelValuesWithMatchersLimitsAndEscapedNames() async throws {
        try await fixture().app.test(.router) { client in
            let jobs = try await client.get("/api/v1/label/job/values")
            #expect(jobs.body == #"{"status":"success","data":["api","node"]}"#)
            let names = try await client.get("/api/v1/label/__name__/values?match[]=\(encode(#"{job="api"}"#))")
            #expect(names.body == #"{"status":"success","data":["http_requests_total","up"]}"#)
            let limited = try await client.get("/api/v1/label/job/values?limit=1")
            #expect(
                limited.body == #"{"status":"success","data":["api"],"warnings":["results truncated due to limit"]}"#)
            // Prometheus 3 label names may hold any UTF-8; Grafana sends them as U__ escapes.
            let dotted = try await client.get("/api/v1/label/U__foo_2e_bar/values")
            #expect(dotted.body == #"{"status":"success","data":["x"]}"#)
            let percent = try await client.get("/api/v1/label/foo.bar/values")
            #expect(percent.body == dotted.body)
            let unknown = try await client.get("/api/v1/label/nothing/values")
            #expect(unknown.body == #"{"status":"success","data":[]}"#)
        }
    }

    @Test func metadataDeduplicatedSortedAndLimited() async throws {
        try await fixture().app.test(.router) { client in
            let all = try await client.get("/api/v1/metadata")
            #expect(
                all.body
                    == #"{"status":"success","data":{"http_requests_total":[{"type":"counter","help":"Requests.","unit":""}],"up":[{"type":"gauge","help":"1 if the target is up.","unit":""},{"type":"gauge","help":"Target \u003cup\u003e \u0026 scraped.","unit":""}]}}"#
            )
            let one = try await client.get("/api/v1/metadata?metric=up&limit_per_metric=1")
            #expect(
                one.body
                    == #"{"status":"success","data":{"up":[{"type":"gauge","help":"1 if the target is up.","unit":""}]}}"#
            )
            let limited = try await client.get("/api/v1/metadata?limit=1")
            #expect((limited.data as? [String: Any])?.keys.sorted() == ["http_requests_total"])
            let none = try await client.get("/api/v1/metadata?limit=0")
            #expect(none.body == #"{"status":"success","data":{}}"#)
        }
    }
}
