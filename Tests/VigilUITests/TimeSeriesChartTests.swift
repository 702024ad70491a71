import Testing
import VigilModel
import VigilUI

@Suite struct TimeSeriesChartTests {
    @Test func gpuUtilisationSnapshot() throws {
        let rendering = try ChartInputs.gpuUtilisation.render()
        #expect(!rendering.downsampled)
        #expect(isWellFormedXML(rendering.svg))
        expectSnapshot(rendering.svg, named: "timeseries-gpu-utilisation.svg")
    }

    @Test func memoryBytesSnapshot() throws {
        let rendering = try ChartInputs.memoryBytes.render()
        #expect(rendering.svg.contains(">20 GiB<") || rendering.svg.contains(">20.0 GiB<"))
        #expect(isWellFormedXML(rendering.svg))
        expectSnapshot(rendering.svg, named: "timeseries-memory-bytes.svg")
    }

    @Test func denseSeriesIsDownsampledWithAFlagAndKeepsItsSpike() throws {
        let rendering = try ChartInputs.dense.render()
        #expect(rendering.downsampled)
        #expect(rendering.inputPoints == 5000)
        #expect(rendering.drawnPoints <= 2 * 320)
        #expect(rendering.svg.contains("data-downsampled=\"true\""))
        #expect(rendering.svg.contains("downsampled for display"))
        #expect(rendering.svg.contains(",450.0,"))  // the one spike, at sample 2500
        expectSnapshot(rendering.svg, named: "timeseries-downsampled.svg")
    }

    @Test func noSeriesSaysNoData() throws {
        let chart = TimeSeriesChart(
            title: "Nothing", series: [], start: ChartInputs.noon, end: ChartInputs.noon + 3_600_000, width: 320,
            height: 160, idPrefix: "empty")
        let svg = try chart.render().svg
        #expect(svg.contains(">No data<"))
        #expect(isWellFormedXML(svg))
        expectSnapshot(svg, named: "timeseries-empty.svg")
    }

    @Test func gapsAndNaNBreakTheLine() throws {
        let chart = ChartInputs.gpuUtilisation
        let svg = try chart.render().svg
        let paths = svg.split(separator: "\n").filter { $0.hasPrefix("<path") }
        #expect(paths.count == 3)
        // GPU 0: one piece; GPU 1: two (the hole); GPU 2: a NaN and two holes around a lone sample → four.
        #expect(
            paths.map { occurrences(of: "M", in: attribute("d", of: String($0))) } == [1, 2, 4])
        #expect(paths[2].contains("h0"))  // the lone sample is drawn as a dot
    }

    @Test func infinitiesAreBreaksNotAxisBounds() throws {
        let samples = [Sample(0, 1), Sample(1000, .infinity), Sample(2000, 2), Sample(3000, 3)]
        let chart = TimeSeriesChart(
            title: "inf", series: [ChartSeries(labels: ["a": "b"], samples: samples)], start: 0, end: 3000)
        let rendering = try chart.render()
        #expect(rendering.drawnPoints == 3)
        #expect(rendering.svg.contains("data-v=\"1.0,2.0,3.0\""))
    }

    @Test func labelValuesAndTitlesAreEscaped() throws {
        let hostile = "<script>alert(\"x\")</script>' & \u{01}"
        let chart = TimeSeriesChart(
            title: "Util <b>&</b> \"quoted\"",
            series: [
                ChartSeries(labels: ["__name__": "up", "job": hostile], samples: [Sample(0, 1), Sample(1000, 2)]),
                ChartSeries(labels: ["x": "1"], name: hostile, samples: [Sample(0, 3)]),
            ], start: 0, end: 1000)
        let svg = try chart.render().svg
        #expect(!svg.contains("<script"))
        #expect(!svg.contains("<b>"))
        #expect(svg.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; &amp; \u{FFFD}"))
        #expect(svg.contains("Util &lt;b&gt;&amp;&lt;/b&gt; &quot;quoted&quot;"))
        #expect(isWellFormedXML(svg))
    }

    @Test func legendNamesReadLikePromQL() {
        #expect(ChartSeries(labels: ["__name__": "up", "job": "a"], samples: []).displayName == "up{job=\"a\"}")
        #expect(ChartSeries(labels: ["__name__": "up"], samples: []).displayName == "up")
        #expect(ChartSeries(labels: [:], samples: []).displayName == "{}")
        #expect(ChartSeries(labels: ["a": "b"], name: "mine", samples: []).displayName == "mine")
    }

    @Test func manySeriesSummariseTheLegend() throws {
        let series = (0..<15).map { ChartSeries(labels: ["gpu": String($0)], samples: [Sample(0, Double($0))]) }
        let chart = TimeSeriesChart(title: "many", series: series, start: 0, end: 1000, maxLegendEntries: 12)
        let svg = try chart.render().svg
        #expect(occurrences(of: "class=\"legend-entry\"", in: svg) == 12)
        #expect(svg.contains("… and 3 more"))
    }

    static let badCharts: [(String, TimeSeriesChart, ChartError.Code, String)] = {
        let ok = TimeSeriesChart(
            title: "t", series: [ChartSeries(labels: ["a": "1"], samples: [Sample(0, 1), Sample(1000, 2)])], start: 0,
            end: 1000)
        var narrow = ok
        narrow.width = 50
        var flat = ok
        flat.height = 10
        var reversed = ok
        reversed.end = -5
        var badStep = ok
        badStep.step = 0
        var badRange = ok
        badRange.valueRange = 5...5
        var infiniteRange = ok
        infiniteRange.valueRange = 0...Double.infinity
        var badId = ok
        badId.idPrefix = "1\"><script>"
        var unsorted = ok
        unsorted.series.append(
            ChartSeries(labels: ["a": "2"], samples: [Sample(0, 1), Sample(2000, 1), Sample(1000, 1)]))
        var duplicate = ok
        duplicate.series[0].samples = [Sample(0, 1), Sample(0, 2)]
        var negativeLegend = ok
        negativeLegend.maxLegendEntries = -1
        return [
            ("narrow", narrow, .invalidSize, "width"), ("flat", flat, .invalidSize, "height"),
            ("reversed", reversed, .invalidRange, "end"), ("step", badStep, .invalidRange, "step"),
            ("empty range", badRange, .invalidRange, "valueRange"),
            ("infinite range", infiniteRange, .invalidRange, "valueRange"),
            ("id", badId, .invalidIdentifier, "idPrefix"),
            ("unsorted", unsorted, .unsortedSamples, "series[1].samples[2]"),
            ("duplicate", duplicate, .unsortedSamples, "series[0].samples[1]"),
            ("legend", negativeLegend, .invalidSize, "maxLegendEntries"),
        ]
    }()

    @Test(arguments: badCharts)
    func badInputIsAPreciseError(name: String, chart: TimeSeriesChart, code: ChartError.Code, keyPath: String) {
        #expect(throws: ChartError.self, "\(name)") { try chart.render() }
        do {
            _ = try chart.render()
        } catch {
            #expect(error.code == code, "\(name): \(error)")
            #expect(error.keyPath == keyPath, "\(name): \(error)")
            #expect(!error.message.isEmpty)
        }
    }
}
