import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VigilModel
import VigilPromQL
import VigilServer
import VigilUI

/// The explore page served in-process over the API fixture's in-memory storage.
@Suite struct DashboardExploreTests {
    static let hostile = "<script>alert(1)</script>"

    /// `up` for two jobs and a counter over the five minutes before now, and a series with a hostile label.
    static func fixture(configure: (inout PrometheusAPI) -> Void = { _ in }) throws -> APIFixture {
        let fixture = APIFixture(configure: configure)
        try fixture.addStandardSeries()
        let times = stride(from: APIFixture.now - 300_000, through: APIFixture.now, by: 15_000).map { $0 }
        try fixture.add(["__name__": "DCGM_FI_DEV_GPU_UTIL", "Hostname": hostile, "gpu": "0"], times.map { ($0, 42) })
        return fixture
    }

    @Test func aQueryDrawsAChart() async throws {
        let fixture = try Self.fixture()
        try await fixture.app.test(.router) { client in
            let page = try await client.get("/ui/explore?query=DCGM_FI_DEV_GPU_UTIL&range=10m")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.init("Server-Timing")!]?.hasPrefix("render;dur=") == true)
            let result = try #require(page.body.firstRange(of: "<div id=\"result\">"))
            let chart = try #require(
                page.body.firstRange(
                    of: "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"vigil-chart vigil-timeseries\""))
            #expect(result.lowerBound < chart.lowerBound)
            #expect(page.body.contains("data-unit=\"percent\""))
            #expect(page.body.contains("data-start=\"\(APIFixture.now - 600_000)\" data-end=\"\(APIFixture.now)\""))
            #expect(!page.body.contains("id=\"query-error\""))
            // No refresh while the user is typing, unless the URL asks for one.
            #expect(!page.body.contains("var every"))
            let refreshed = try await client.get("/ui/explore?query=up&refresh=30")
            #expect(refreshed.body.contains("var every = 30000"))
        }
    }

    @Test func aFormSubmissionDecodesPlusAsSpace() async throws {
        let fixture = try Self.fixture()
        try await fixture.app.test(.router) { client in
            let page = try await client.get("/ui/explore?query=sum+by+%28job%29+%28up%29&view=graph&range=1h")
            #expect(page.status == .ok)
            #expect(page.body.contains(">sum by (job) (up)</textarea>"))
            #expect(page.body.contains("{job=&quot;api&quot;}"))
            #expect(page.body.contains("{job=&quot;node&quot;}"))
        }
    }

    /// A parse error answers 200: the page was served as asked, the error is its content; and the refresh
    /// script, when the URL asks for one, would take any other status for an unreachable server.
    @Test func aParseErrorShowsItsPositionInAMultiByteQuery() async throws {
        let fixture = try Self.fixture()
        let query = "up{job=\"äöü\"} + foo bar"
        var expected: PromQLError?
        do { _ = try PromQLParser().parse(query) } catch { expected = error }
        let error = try #require(expected)
        let position = try #require(error.position)
        // `bar` starts at byte 23 (ä, ö, ü take two bytes each), the 21st character.
        #expect(position.start == 23)
        let before = String(decoding: Array(query.utf8)[..<position.start], as: UTF8.self).count
        #expect(before == 20)
        try await fixture.app.test(.router) { client in
            let page = try await client.get("/ui/explore?query=\(encode(query))")
            #expect(page.status == .ok)
            #expect(page.body.contains("id=\"query-error\""))
            #expect(page.body.contains("data-kind=\"parse\" data-position=\"23\""))
            #expect(page.body.contains(HTMLPage.escape(error.description)))
            #expect(page.body.contains("aria-label=\"line 1, column 21\">up{job=&quot;äöü&quot;} + foo bar\n"))
            #expect(page.body.contains("<span class=\"marker\">" + String(repeating: " ", count: 20) + "^~~</span>"))
            #expect(!page.body.contains("class=\"vigil-chart vigil-timeseries\""))
        }
    }

    @Test func theTableViewListsTheInstantVector() async throws {
        let fixture = try Self.fixture()
        try await fixture.app.test(.router) { client in
            let page = try await client.get("/ui/explore?query=up&view=table")
            #expect(page.status == .ok)
            #expect(page.body.contains("<table id=\"result-table\""))
            #expect(
                page.body.contains(
                    "<td class=\"series\">up{instance=&quot;a:9090&quot;, job=&quot;api&quot;}</td><td class=\"value\">1</td>"
                ))
            #expect(
                page.body.contains(
                    "<td class=\"series\">up{instance=&quot;b:9100&quot;, job=&quot;node&quot;}</td><td class=\"value\">0</td>"
                ))
            #expect(!page.body.contains("class=\"vigil-chart vigil-timeseries\""))

            let scalar = try await client.get("/ui/explore?query=\(encode("scalar(sum(up))"))&view=table")
            #expect(scalar.body.contains("data-result-type=\"scalar\""))
            #expect(scalar.body.contains("<td class=\"value\">1</td>"))

            let matrix = try await client.get("/ui/explore?query=\(encode("up{job=\"api\"}[30s]"))&view=table")
            #expect(matrix.body.contains("<td class=\"value\">1 @1699999985<br>1 @1700000000</td>"))
        }
    }

    @Test func anExecutionErrorIsShownAsSuch() async throws {
        let fixture = try Self.fixture { $0.engineOptions.maxSamples = 10 }
        try await fixture.app.test(.router) { client in
            let page = try await client.get("/ui/explore?query=up&range=5m")
            #expect(page.status == .ok)
            #expect(page.body.contains("id=\"query-error\""))
            #expect(page.body.contains("data-kind=\"too_many_samples\">"))
            #expect(page.body.contains("The query needs too many samples:"))

            let graphOfRange = try await client.get("/ui/explore?query=\(encode("up[5m]"))")
            #expect(graphOfRange.body.contains("data-kind=\"execution\">"))
            #expect(graphOfRange.body.contains("invalid expression type"))
        }
    }

    @Test func hostileLabelValuesAndQueriesAreEscaped() async throws {
        let fixture = try Self.fixture()
        try await fixture.app.test(.router) { client in
            for view in ["graph", "table"] {
                let page = try await client.get("/ui/explore?query=DCGM_FI_DEV_GPU_UTIL&view=\(view)")
                #expect(!page.body.contains(Self.hostile), "\(view)")
                #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(view)")
            }
            let query = try await client.get("/ui/explore?query=\(encode(Self.hostile))")
            #expect(!query.body.contains(Self.hostile))
        }
    }

    @Test func badParametersGetHelpfulPages() async throws {
        let fixture = try Self.fixture()
        try await fixture.app.test(.router) { client in
            let view = try await client.get("/ui/explore?query=up&view=%3Cb%3Epie")
            #expect(view.status == .badRequest)
            #expect(view.body.contains("cannot show &quot;&lt;b&gt;pie&quot;; view must be one of graph, table"))
            #expect(view.body.contains("href=\"/ui/explore?query=up&amp;view=table\""))

            let range = try await client.get("/ui/explore?query=up&range=forever")
            #expect(range.status == .badRequest)
            #expect(range.body.contains("is not a positive duration"))

            let refresh = try await client.get("/ui/explore?query=up&refresh=fast")
            #expect(refresh.status == .badRequest)
            #expect(refresh.body.contains("give whole seconds from 1 to 3600"))
        }
    }

    @Test func theEmptyPageOffersExamplesAndMetricNames() async throws {
        let fixture = try Self.fixture()
        try await fixture.app.test(.router) { client in
            let page = try await client.get("/ui/explore")
            #expect(page.status == .ok)
            #expect(page.body.contains("<main id=\"explore\" data-view=\"graph\">"))
            #expect(page.body.contains("<textarea id=\"query\" name=\"query\""))
            #expect(page.body.contains("Enter a PromQL expression"))
            #expect(page.body.contains("<code>avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL)</code>"))
            #expect(page.body.contains("<option value=\"http_requests_total\">"))
        }
    }
}
