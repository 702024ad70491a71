import Testing
import VigilModel
import VigilUI

@Suite struct ExplorePageTests {
    static let now: Int64 = 1_700_000_000_000
    static let lastHour = TimeRange.last(3_600_000, now: now)
    static let hostile = "<script>alert(1)</script>"

    static func page(
        _ query: String, view: ExplorePage.View = .graph, outcome: ExplorePage.Outcome, refresh: Int? = nil
    ) -> ExplorePage {
        ExplorePage(
            query: query, view: view, timeRange: lastHour, outcome: outcome, examples: ["up", "sum(up)"],
            metricNames: ["up", hostile], refreshSeconds: refresh, generatedAt: now)
    }

    static func series(_ count: Int, points: Int = 10) -> [ChartSeries] {
        (0..<count).map { index in
            ChartSeries(
                labels: ["__name__": "DCGM_FI_DEV_GPU_UTIL", "gpu": String(index)],
                samples: (0..<points).map { Sample(now - 3_600_000 + Int64($0) * 3_600_000 / Int64(points), 50) })
        }
    }

    @Test func graphDrawsAChartInsideResultWithTheEditorOutsideMain() throws {
        let html = Self.page("DCGM_FI_DEV_GPU_UTIL", outcome: .series(Self.series(3))).render()
        let main = try #require(html.firstRange(of: "<main id=\"explore\""))
        let editor = try #require(html.firstRange(of: "<textarea id=\"query\" name=\"query\""))
        let result = try #require(html.firstRange(of: "<div id=\"result\">"))
        let svg = try #require(html.firstRange(of: "class=\"vigil-chart vigil-timeseries\""))
        #expect(editor.lowerBound < main.lowerBound)
        #expect(main.lowerBound < result.lowerBound && result.lowerBound < svg.lowerBound)
        #expect(html.contains("data-unit=\"percent\""))
        #expect(html.contains(">DCGM_FI_DEV_GPU_UTIL</textarea>"))
        #expect(html.contains("<input type=\"radio\" name=\"view\" value=\"graph\" checked>"))
        // No refresh unless asked for: the user is typing.
        #expect(!html.contains("<script>\n(function () {\n  var every"))
        #expect(!html.contains("http-equiv=\"refresh\""))
        #expect(html.contains("aria-current=\"page\">Explore</a>"))
    }

    @Test func theURLKeepsQueryViewAndRange() {
        let page = Self.page("sum by (Hostname) (x)", outcome: .empty)
        #expect(page.link(query: "a + b") == "/ui/explore?query=a%20%2B%20b&view=graph&range=1h")
        let html = page.render()
        // The table tab links to the same query and range.
        #expect(
            html.contains("href=\"/ui/explore?query=sum%20by%20%28Hostname%29%20%28x%29&amp;view=table&amp;range=1h\""))
        #expect(html.contains("<input type=\"hidden\" name=\"range\" value=\"1h\">"))
        #expect(html.contains("Enter a PromQL expression"))
    }

    @Test func legendsLeaveOutTheLabelsEverySeriesShares() {
        let series = ["1", "2"].map { gpu in
            ChartSeries(
                labels: ["__name__": "DCGM_FI_DEV_GPU_TEMP", "Hostname": "node-1", "gpu": gpu, "job": "demo"],
                samples: [Sample(Self.now - 60_000, 40)])
        }
        let html = Self.page("DCGM_FI_DEV_GPU_TEMP", outcome: .series(series)).render()
        #expect(html.contains(">DCGM_FI_DEV_GPU_TEMP{gpu=&quot;1&quot;}<"))
        #expect(html.contains(">DCGM_FI_DEV_GPU_TEMP{gpu=&quot;2&quot;}<"))
        #expect(html.contains("Every series has {Hostname=&quot;node-1&quot;, job=&quot;demo&quot;}"))
        let one = Self.page("x", outcome: .series([series[0]])).render()
        #expect(
            one.contains(">DCGM_FI_DEV_GPU_TEMP{Hostname=&quot;node-1&quot;, gpu=&quot;1&quot;, job=&quot;demo&quot;}<")
        )
        #expect(!one.contains("Every series has"))
    }

    @Test func tooManySeriesAreCappedWithANote() {
        let html = Self.page("x", outcome: .series(Self.series(250))).render()
        #expect(html.contains("data-series-shown=\"200\" data-series-total=\"250\""))
        #expect(html.contains("… and 160 more"))
    }

    @Test func largeResultsAreDownsampledWithANote() {
        let html = Self.page("x", outcome: .series(Self.series(2, points: 5000))).render()
        #expect(html.contains("data-downsampled=\"true\""))
        #expect(html.contains("10000 points reduced to"))
    }

    @Test func tableListsVectorScalarAndString() throws {
        let rows = [
            ExplorePage.Row(labels: ["__name__": "up", "job": "b"], samples: [Sample(Self.now, 0)]),
            ExplorePage.Row(labels: ["__name__": "up", "job": "a"], samples: [Sample(Self.now, 1.5)]),
        ]
        let html = Self.page("up", view: .table, outcome: .rows(rows)).render()
        #expect(html.contains("<table id=\"result-table\""))
        let a = try #require(html.firstRange(of: "up{job=&quot;a&quot;}</td><td class=\"value\">1.5</td>"))
        let b = try #require(html.firstRange(of: "up{job=&quot;b&quot;}</td><td class=\"value\">0</td>"))
        #expect(a.lowerBound < b.lowerBound)
        #expect(!html.contains("class=\"vigil-chart vigil-timeseries\""))

        let scalar = Self.page("1/0", view: .table, outcome: .scalar(.infinity, timestamp: Self.now)).render()
        #expect(scalar.contains("data-result-type=\"scalar\""))
        #expect(scalar.contains("<td class=\"value\">+Inf</td>"))
        let string = Self.page("\"x\"", view: .table, outcome: .string(Self.hostile, timestamp: Self.now)).render()
        #expect(string.contains("data-result-type=\"string\""))
        #expect(string.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!string.contains(Self.hostile))
    }

    @Test func aRangeVectorInTheTableListsEverySample() {
        let row = ExplorePage.Row(labels: ["job": "a"], samples: [Sample(Self.now - 15_000, 1), Sample(Self.now, 2)])
        let html = Self.page("up[1m]", view: .table, outcome: .rows([row])).render()
        #expect(html.contains("{job=&quot;a&quot;}</td><td class=\"value\">1 @1699999985<br>2 @1700000000</td>"))
    }

    @Test func tableRowsAreCappedWithANote() {
        let rows = (0..<1500).map { ExplorePage.Row(labels: ["i": String($0)], samples: [Sample(Self.now, 1)]) }
        let html = Self.page("x", view: .table, outcome: .rows(rows)).render()
        #expect(html.contains("data-rows-shown=\"1000\" data-rows-total=\"1500\""))
        #expect(occurrences(of: "<td class=\"series\">", in: html) == 1000)
    }

    @Test func aParseErrorShowsACaretUnderItsPositionInAMultiByteQuery() throws {
        // `{job="äöü"} + }`: the stray `}` is at byte 17, character 15 (ä, ö and ü take two bytes each).
        let query = "{job=\"äöü\"} + }"
        let failure = ExplorePage.Failure(
            kind: .parse, message: "1:18: parse error: unexpected \"}\"", position: 17..<18)
        let html = Self.page(query, outcome: .failure(failure)).render()
        #expect(
            html.contains(
                "<div id=\"query-error\" class=\"query-error\" role=\"alert\" data-kind=\"parse\" data-position=\"17\">"
            ))
        let caret = ExplorePage.caret(for: 17..<18, in: query)
        #expect(caret.line == 1)
        #expect(caret.column == 15)
        #expect(caret.marker == String(repeating: " ", count: 14) + "^")
        #expect(html.contains("<pre class=\"caret\" aria-label=\"line 1, column 15\">{job=&quot;äöü&quot;} + }\n"))
        #expect(!html.contains("<div id=\"result\">\n<svg"))
    }

    @Test(arguments: [
        // (query, byte range, line, column, marker)
        ("sum(\n  rate(x[5m]\n", 18..<18, 3, 1, "^"),
        ("a +\n\tb ) c", 7..<8, 2, 4, "\t  ^"),
        ("\"日本\" + ", 8..<11, 1, 5, "    ^~~"),
        ("up{a=\"é\"} == bad", 14..<17, 1, 14, "             ^~~"),
        ("x", 40..<50, 1, 2, " ^"),
    ])
    func caretPositions(query: String, range: Range<Int>, line: Int, column: Int, marker: String) {
        let caret = ExplorePage.caret(for: range, in: query)
        #expect(caret.line == line)
        #expect(caret.column == column)
        #expect(caret.marker == marker)
    }

    @Test func anOffsetInsideAMultiByteCharacterPointsAtThatCharacter() {
        // Byte 3 is the middle of é (bytes 2 and 3).
        let caret = ExplorePage.caret(for: 3..<4, in: "a é b")
        #expect(caret.column == 3)
        #expect(caret.marker == "  ^")
    }

    @Test func anExecutionErrorIsShownAsSuchWithoutAPosition() {
        let failure = ExplorePage.Failure(
            kind: .tooManySamples, message: "query processing would load too many samples into memory")
        let html = Self.page("x", outcome: .failure(failure)).render()
        #expect(html.contains("data-kind=\"too_many_samples\">"))
        #expect(!html.contains("data-position"))
        #expect(html.contains("The query needs too many samples:"))
        #expect(html.contains("Try a shorter range, a larger step"))
    }

    @Test func hostileQueryLabelsAndMetricNamesAreEscaped() {
        let hostileSeries = ChartSeries(labels: ["job": Self.hostile], samples: [Sample(Self.now - 60_000, 1)])
        let query = "up{job=\"" + Self.hostile + "\"}"
        let failure = ExplorePage.Failure(kind: .parse, message: "1:9: parse error: " + Self.hostile, position: 8..<9)
        for outcome in [ExplorePage.Outcome.series([hostileSeries]), .failure(failure)] {
            let html = Self.page(query, outcome: outcome, refresh: 30).render()
            #expect(!html.contains(Self.hostile))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
        let table = Self.page(
            query, view: .table, outcome: .rows([.init(labels: ["job": Self.hostile], samples: [Sample(Self.now, 1)])]))
        #expect(!table.render().contains(Self.hostile))
    }

    @Test func refreshWhenAskedKeepsTheEditorOutOfTheSwappedMain() throws {
        let page = Self.page("up", outcome: .empty, refresh: 30)
        let html = page.render()
        #expect(html.contains("var every = 30000"))
        #expect(html.contains("<input type=\"hidden\" name=\"refresh\" value=\"30\">"))
        #expect(!page.renderMain().contains("<textarea"))
    }

    @Test(arguments: [
        ("DCGM_FI_DEV_GPU_UTIL", ChartUnit.percent),
        ("avg by (Hostname) (DCGM_FI_DEV_GPU_TEMP)", .celsius),
        ("sum(DCGM_FI_DEV_POWER_USAGE{Hostname=\"node_bytes\"})", .watts),
        ("node_memory_MemAvailable_bytes", .bytes),
        ("rate(node_network_receive_bytes_total[5m])", .bytesPerSecond),
        ("rate(http_requests_total[5m])", .perSecond),
        ("http_requests_total", .none),
        ("histogram_quantile(0.9, rate(http_request_duration_seconds_bucket[5m]))", .none),
        ("scrape_duration_seconds", .seconds),
        ("node_hwmon_temp_celsius", .celsius),
        ("node_memory_MemFree_bytes / node_memory_MemTotal_bytes", .none),
        ("DCGM_FI_DEV_GPU_UTIL + DCGM_FI_DEV_GPU_TEMP", .none),
        ("1 + 1", .none),
    ])
    func unitFromTheMetricNames(query: String, unit: ChartUnit) {
        #expect(ExplorePage.unit(forQuery: query) == unit)
    }

    @Test func examplesAndMetricNamesAreOffered() {
        let html = Self.page("", outcome: .empty).render()
        #expect(
            html.contains(
                "<a href=\"/ui/explore?query=sum%28up%29&amp;view=graph&amp;range=1h\"><code>sum(up)</code></a>"))
        #expect(html.contains("<datalist id=\"metric-name-list\"><option value=\"up\">"))
        #expect(html.contains("<option value=\"&lt;script&gt;alert(1)&lt;/script&gt;\">"))
    }

    @Test(arguments: [0.0, 1.0, -3.0, 0.25, 1e-05, 1e20, Double.nan, -Double.infinity])
    func valuesReadAsTheAPIWritesThem(value: Double) {
        let expected: [Double: String] = [0: "0", 1: "1", -3: "-3", 0.25: "0.25", 1e-05: "1e-05", 1e20: "1e+20"]
        let text = ExplorePage.valueText(value)
        if value.isNaN {
            #expect(text == "NaN")
        } else if value.isInfinite {
            #expect(text == "-Inf")
        } else {
            #expect(text == expected[value])
        }
    }
}
