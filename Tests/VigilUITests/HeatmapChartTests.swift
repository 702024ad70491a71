import Testing
import VigilModel
import VigilUI

@Suite struct HeatmapChartTests {
    @Test func fleetSnapshot() throws {
        let svg = try ChartInputs.fleet.render()
        #expect(
            occurrences(of: "<rect class=\"cell\"", in: svg)
                + occurrences(of: "<rect class=\"cell unhealthy\"", in: svg) == 28)
        #expect(occurrences(of: "class=\"cell unhealthy\"", in: svg) == 2)
        #expect(svg.contains("node-02 · GPU 5: no data"))
        #expect(isWellFormedXML(svg))
        expectSnapshot(svg, named: "heatmap-fleet.svg")
    }

    @Test func sixtyFourNodesOfEightGPUs() throws {
        let rows = (0..<64).map { node in
            HeatmapChart.Row(
                label: "node-\(node)",
                cells: (0..<8).map { gpu in
                    HeatmapChart.Cell(value: Double((node * 8 + gpu) % 100), labels: ["gpu": String(gpu)])
                })
        }
        let chart = HeatmapChart(
            title: "512 GPUs", columnLabels: (0..<8).map(String.init), rows: rows, unit: .percent, valueRange: 0...100)
        let svg = try chart.render()
        #expect(occurrences(of: "<rect class=\"cell\"", in: svg) == 512)
        #expect(occurrences(of: "<title>", in: svg) == 512 + 64)  // a tooltip per cell and row label
        #expect(isWellFormedXML(svg))
    }

    @Test func colourScaleRunsFromViridisPurpleToYellow() {
        #expect(ColorRamp.viridis.color(at: 0) == "#440154")
        #expect(ColorRamp.viridis.color(at: 1) == "#FDE725")
        #expect(ColorRamp.viridis.color(at: 0.5) == "#21918C")
        #expect(ColorRamp.viridis.color(at: .nan) == "#440154")
        #expect(ColorRamp.viridis.color(at: 7) == "#FDE725")
    }

    @Test func labelsAreEscaped() throws {
        let hostile = "<script>alert('x')</script>\""
        let chart = HeatmapChart(
            title: "<i>t</i>", columnLabels: [hostile],
            rows: [
                HeatmapChart.Row(
                    label: hostile, href: "/ui/node/\(hostile)",
                    cells: [HeatmapChart.Cell(value: 1, labels: ["job": hostile], href: "?q=\"><script>")])
            ])
        let svg = try chart.render()
        #expect(!svg.contains("<script"))
        #expect(!svg.contains("<i>"))
        #expect(svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;"))
        #expect(isWellFormedXML(svg))
    }

    static let badHeatmaps: [(String, HeatmapChart, ChartError.Code, String)] = {
        let ok = HeatmapChart(
            title: "t", columnLabels: ["0", "1"],
            rows: [HeatmapChart.Row(label: "n1", cells: [HeatmapChart.Cell(value: 1), HeatmapChart.Cell(value: 2)])])
        var wide = ok
        wide.rows[0].cells.append(HeatmapChart.Cell(value: 3))
        var script = ok
        script.rows[0].href = "javascript:alert(1)"
        var cellScript = ok
        cellScript.rows[0].cells[1].href = " JavaScript:alert(1)"
        var dataLink = ok
        dataLink.rows[0].cells[0].href = "data:text/html,<script>"
        var tiny = ok
        tiny.cellWidth = 1
        var tall = ok
        tall.cellHeight = 1000
        var range = ok
        range.valueRange = 1...1
        var id = ok
        id.idPrefix = ""
        return [
            ("too many cells", wide, .invalidGrid, "rows[0].cells"),
            ("javascript row link", script, .invalidLink, "rows[0].href"),
            ("javascript cell link", cellScript, .invalidLink, "rows[0].cells[1].href"),
            ("data link", dataLink, .invalidLink, "rows[0].cells[0].href"),
            ("cell width", tiny, .invalidSize, "cellWidth"), ("cell height", tall, .invalidSize, "cellHeight"),
            ("range", range, .invalidRange, "valueRange"), ("id", id, .invalidIdentifier, "idPrefix"),
        ]
    }()

    @Test(arguments: badHeatmaps)
    func badInputIsAPreciseError(name: String, chart: HeatmapChart, code: ChartError.Code, keyPath: String) {
        do {
            _ = try chart.render()
            Issue.record("\(name): rendered instead of failing")
        } catch {
            #expect(error.code == code, "\(name): \(error)")
            #expect(error.keyPath == keyPath, "\(name): \(error)")
        }
    }

    @Test(arguments: ["/ui/node/n1", "node?gpu=1", "#anchor", "https://grafana.example/d/x", "HTTP://a/b", "a/b:c"])
    func safeLinksAreAccepted(href: String) throws {
        let chart = HeatmapChart(
            title: "t", columnLabels: ["0"], rows: [HeatmapChart.Row(label: "n", href: href, cells: [])])
        _ = try chart.render()
    }
}
