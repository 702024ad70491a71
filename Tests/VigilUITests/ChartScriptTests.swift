import Testing
import VigilModel
import VigilUI

/// What can be checked of the chart script without a browser (its behaviour is tested in Chromium by
/// VigilUIBrowserTests' ChartScriptBrowserTests).
@Suite struct ChartScriptTests {
    @Test func scriptCannotEndItsScriptElementEarly() {
        #expect(!ChartScript.source.contains("</"))
        #expect(!ChartScript.source.contains("<!--"))
        #expect(!ChartScript.source.lowercased().contains("<script"))
    }

    @Test func scriptUsesNoThirdPartyCodeOrNetwork() {
        for needle in ["https://", "import(", "fetch(", "XMLHttpRequest", "eval(", "innerHTML"] {
            #expect(!ChartScript.source.contains(needle), "\(needle)")
        }
        // The only URL is the SVG namespace.
        #expect(occurrences(of: "http://", in: ChartScript.source) == 1)
        #expect(ChartScript.source.contains("'http://www.w3.org/2000/svg'"))
    }

    @Test func footerCarriesTheScriptOnceWithAndWithoutRefresh() {
        for refresh in [nil, 0, 15] as [Int?] {
            let footer = HTMLPage.footer(refreshSeconds: refresh)
            #expect(occurrences(of: ChartScript.source, in: footer) == 1)
            #expect(occurrences(of: "window.vigilCharts = {", in: footer) == 1)
            #expect(occurrences(of: "<script id=\"vigil-chart-script\">", in: footer) == 1)
            // The refresh script is a separate element, only when refreshing.
            #expect(footer.contains("<script>") == ((refresh ?? 0) > 0))
            #expect(footer.hasSuffix("</body>\n</html>\n"))
        }
    }

    @Test func everyPageIncludesTheScriptOnce() throws {
        let overview = try OverviewPageTests.fleet().render()
        #expect(occurrences(of: "window.vigilCharts = {", in: overview) == 1)
        let error = HTMLPage.errorPage(title: "Not found", message: "nothing", links: [("/", "Fleet overview")])
        #expect(occurrences(of: "window.vigilCharts = {", in: error) == 1)
    }

    @Test func chartsCarryWhatTheScriptReads() throws {
        let svg = try ChartInputs.gpuUtilisation.render().svg
        let root = String(svg.prefix { $0 != "\n" })
        #expect(root.contains("class=\"vigil-chart vigil-timeseries\""))
        #expect(root.contains("tabindex=\"0\""))
        #expect(root.contains("data-value-range=\"0.0 100.0\""))
        #expect(root.contains("data-start=\"1741953600000\" data-end=\"1741957200000\" data-unit=\"percent\""))
        #expect(svg.contains("<rect class=\"plot-frame\" x=\"64\" y=\"28\" width=\"552\" height=\"168\""))
        #expect(occurrences(of: "<g class=\"legend-entry\" data-series=", in: svg) == 3)
    }

    @Test func valueRangeFollowsTheAxisNotTheData() throws {
        let svg = try ChartInputs.memoryBytes.render().svg
        let range = attribute("data-value-range", of: String(svg.prefix { $0 != "\n" }))
        let bounds = range.split(separator: " ").compactMap { Double($0) }
        #expect(bounds.count == 2)
        #expect(bounds[0] == 0 && bounds[1] > bounds[0])
    }
}
