import VigilModel

/// A line chart of time series as a standalone SVG document: grid, value and time axes, one path per series
/// (breaks at NaN and at gaps), a legend, and each drawn point in the path's `data-t`/`data-v` attributes
/// for hover read-outs.
///
/// On a dashboard page ``ChartScript`` makes the chart interactive (read-out, crosshair, drag to zoom, legend
/// toggles); it reads the plot's geometry from the `plot-frame` rectangle and the value axis from
/// `data-value-range`.
///
/// Rendering is pure: the same chart gives the same bytes on every platform.
public struct TimeSeriesChart: Sendable, Hashable {
    public var title: String
    public var series: [ChartSeries]
    /// The time range shown, in milliseconds since the epoch (`end > start`).
    public var start: Int64
    public var end: Int64
    /// The query resolution in ms; two samples further apart than 1.5 steps are drawn with a break between
    /// them. Nil: only NaN samples break a line.
    public var step: Int64?
    public var unit: ChartUnit
    /// Fixes the value axis (e.g. `0...100` for utilisation); nil fits it to the data.
    public var valueRange: ClosedRange<Double>?
    /// The size of the plot with its axes and title, in pixels; the legend adds to the height.
    public var width: Int
    public var height: Int
    /// Prefix of the ids in the document, unique per chart when several share a page.
    public var idPrefix: String
    /// Legend entries beyond this many are summarised as "… and N more".
    public var maxLegendEntries: Int

    public init(
        title: String, series: [ChartSeries], start: Int64, end: Int64, step: Int64? = nil, unit: ChartUnit = .none,
        valueRange: ClosedRange<Double>? = nil, width: Int = 800, height: Int = 240, idPrefix: String = "chart",
        maxLegendEntries: Int = 12
    ) {
        self.title = title
        self.series = series
        self.start = start
        self.end = end
        self.step = step
        self.unit = unit
        self.valueRange = valueRange
        self.width = width
        self.height = height
        self.idPrefix = idPrefix
        self.maxLegendEntries = maxLegendEntries
    }

    /// A rendered chart: the SVG text and what the page may want to say about it.
    public struct Rendering: Sendable, Hashable {
        public var svg: String
        /// Some series had more points than the plot has pixel columns and were reduced (min/max per column).
        public var downsampled: Bool
        /// Samples handed in, and points drawn, over all series.
        public var inputPoints: Int
        public var drawnPoints: Int
    }

    static let marginLeft = 64
    static let marginRight = 24
    static let marginTop = 28
    static let marginBottom = 24
    static let legendLineHeight = 16

    /// Checks the input; every problem names its key path.
    public func validate() throws(ChartError) {
        guard width >= Self.marginLeft + Self.marginRight + 40, width <= 20_000 else {
            throw ChartError(.invalidSize, "width \(width) must be between 120 and 20000 pixels", keyPath: "width")
        }
        guard height >= Self.marginTop + Self.marginBottom + 40, height <= 20_000 else {
            throw ChartError(.invalidSize, "height \(height) must be between 92 and 20000 pixels", keyPath: "height")
        }
        guard end > start else {
            throw ChartError(
                .invalidRange, "the time range ends (\(end)) at or before its start (\(start))", keyPath: "end")
        }
        if let step, step <= 0 {
            throw ChartError(.invalidRange, "step \(step) must be a positive number of milliseconds", keyPath: "step")
        }
        if let valueRange {
            guard valueRange.lowerBound.isFinite, valueRange.upperBound.isFinite,
                valueRange.lowerBound < valueRange.upperBound
            else {
                throw ChartError(
                    .invalidRange, "value range \(valueRange) must be finite and not empty", keyPath: "valueRange")
            }
        }
        guard maxLegendEntries >= 0 else {
            throw ChartError(.invalidSize, "maxLegendEntries must not be negative", keyPath: "maxLegendEntries")
        }
        try validateIdentifier(idPrefix, keyPath: "idPrefix")
        for (s, item) in series.enumerated() {
            var previous = Int64.min
            for (i, sample) in item.samples.enumerated() {
                guard sample.timestamp > previous || i == 0 else {
                    throw ChartError(
                        .unsortedSamples,
                        "timestamp \(sample.timestamp) does not follow \(previous); samples must be sorted by time "
                            + "without duplicates", keyPath: "series[\(s)].samples[\(i)]")
                }
                previous = sample.timestamp
            }
        }
    }

    /// The SVG document for this chart.
    public func render() throws(ChartError) -> Rendering {
        try validate()
        let plotX = Double(Self.marginLeft)
        let plotY = Double(Self.marginTop)
        let plotWidth = Double(width - Self.marginLeft - Self.marginRight)
        let plotHeight = Double(height - Self.marginTop - Self.marginBottom)
        let columns = width - Self.marginLeft - Self.marginRight

        // Breaks at gaps, then reduction to the pixel columns.
        var prepared: [[Sample]] = []
        var downsampled = false
        var inputPoints = 0
        var low = Double.infinity
        var high = -Double.infinity
        for item in series {
            inputPoints += item.samples.count
            let broken = Self.breakingGaps(item.samples, step: step)
            let reduced = Downsampler.minMax(broken, start: start, end: end, columns: columns)
            downsampled = downsampled || reduced.downsampled
            var drawable: [Sample] = []
            drawable.reserveCapacity(reduced.samples.count)
            for sample in reduced.samples {
                if sample.value.isFinite {
                    drawable.append(sample)
                    if sample.timestamp >= start && sample.timestamp <= end {
                        low = min(low, sample.value)
                        high = max(high, sample.value)
                    }
                } else if let last = drawable.last, !last.value.isNaN {
                    drawable.append(Sample(sample.timestamp, .nan))  // ±Inf cannot be placed: a break
                }
            }
            prepared.append(drawable)
        }
        if let valueRange {
            low = valueRange.lowerBound
            high = valueRange.upperBound
        } else if low <= high, low >= 0, unit.startsAtZero {
            low = 0
        }
        let axis = ValueAxis(
            minimum: low, maximum: high, unit: unit, targetTicks: max(2, Int(plotHeight / 40)))
        let timeAxis = TimeAxis(start: start, end: end, targetTicks: max(2, Int(plotWidth / 110)))
        let axisSpan = axis.upper - axis.lower
        func x(_ t: Int64) -> Double { plotX + Double(t - start) / Double(end - start) * plotWidth }
        func y(_ v: Double) -> Double {
            let clamped = min(max(v, axis.lower - axisSpan * 10), axis.upper + axisSpan * 10)
            return plotY + plotHeight - (clamped - axis.lower) / axisSpan * plotHeight
        }

        let styles = SeriesStyle.assign(to: series.map(\.labels))
        let legendCount = min(series.count, maxLegendEntries) + (series.count > maxLegendEntries ? 1 : 0)
        let totalHeight = height + (legendCount > 0 ? legendCount * Self.legendLineHeight + 8 : 0)
        let c = NumberText.coordinate

        var svg = SVGWriter(capacity: 8192 + inputPoints * 24)
        svg.open(
            "svg",
            [
                "xmlns": "http://www.w3.org/2000/svg", "class": "vigil-chart vigil-timeseries",
                "width": String(width), "height": String(totalHeight), "viewBox": "0 0 \(width) \(totalHeight)",
                "role": "img", "aria-labelledby": idPrefix + "-title", "font-family": "sans-serif", "font-size": "11",
                "data-start": String(start), "data-end": String(end), "data-unit": unit.rawValue,
                "data-downsampled": downsampled ? "true" : "false",
                // For ChartScript: the value axis's bounds (dots at the read-out's points), keyboard focus.
                "data-value-range": "\(axis.lower) \(axis.upper)", "tabindex": "0",
            ])
        svg.newline()
        svg.element("title", ["id": idPrefix + "-title"], text: title)
        svg.open("defs")
        svg.open("clipPath", ["id": idPrefix + "-plot"])
        svg.empty("rect", ["x": c(plotX), "y": c(plotY), "width": c(plotWidth), "height": c(plotHeight)])
        svg.close("clipPath")
        svg.close("defs")
        svg.empty("rect", ["width": String(width), "height": String(totalHeight), "fill": "#ffffff"])
        svg.element(
            "text", ["class": "chart-title", "x": c(plotX), "y": "17", "font-size": "13", "font-weight": "bold"],
            text: title)
        if downsampled {
            svg.element(
                "text",
                [
                    "class": "chart-note", "x": c(plotX + plotWidth), "y": "17", "text-anchor": "end",
                    "fill": "#555555",
                ], text: "downsampled for display")
        }

        // Grid and axes.
        svg.open("g", ["class": "grid", "stroke": "#e3e3e3", "stroke-width": "1"])
        svg.newline()
        for tick in axis.ticks {
            svg.empty("line", ["x1": c(plotX), "x2": c(plotX + plotWidth), "y1": c(y(tick)), "y2": c(y(tick))])
        }
        for tick in timeAxis.ticks {
            svg.empty(
                "line",
                ["x1": c(x(tick.timestamp)), "x2": c(x(tick.timestamp)), "y1": c(plotY), "y2": c(plotY + plotHeight)])
        }
        svg.close("g")
        svg.open("g", ["class": "y-axis", "text-anchor": "end", "fill": "#444444"])
        svg.newline()
        for (tick, label) in zip(axis.ticks, axis.labels) {
            svg.element("text", ["x": c(plotX - 6), "y": c(y(tick) + 4)], text: label)
        }
        svg.close("g")
        svg.open("g", ["class": "x-axis", "text-anchor": "middle", "fill": "#444444"])
        svg.newline()
        for tick in timeAxis.ticks {
            svg.element(
                "text", ["x": c(x(tick.timestamp)), "y": c(plotY + plotHeight + 15), "data-t": String(tick.timestamp)],
                text: tick.label)
        }
        svg.element(
            "text", ["x": "4", "y": c(plotY + plotHeight + 15), "text-anchor": "start", "fill": "#777777"],
            text: "UTC")
        svg.close("g")
        svg.empty(
            "rect",
            [
                "class": "plot-frame", "x": c(plotX), "y": c(plotY), "width": c(plotWidth), "height": c(plotHeight),
                "fill": "none", "stroke": "#999999",
            ])

        // Series.
        var drawnPoints = 0
        svg.open(
            "g",
            [
                "class": "series", "clip-path": "url(#\(idPrefix)-plot)", "fill": "none", "stroke-width": "1.5",
                "stroke-linejoin": "round", "stroke-linecap": "round",
            ])
        svg.newline()
        if prepared.allSatisfy({ $0.isEmpty }) {
            svg.element(
                "text",
                [
                    "class": "no-data", "x": c(plotX + plotWidth / 2), "y": c(plotY + plotHeight / 2),
                    "fill": "#777777",
                    "stroke": "none", "text-anchor": "middle", "font-size": "13",
                ], text: "No data")
        }
        for (index, points) in prepared.enumerated() {
            var path = ""
            var times = ""
            var values = ""
            var segmentStart = true
            var segmentLength = 0
            for sample in points {
                if sample.value.isNaN {
                    if segmentLength == 1 { path += "h0" }
                    segmentStart = true
                    continue
                }
                if segmentStart {
                    if segmentLength == 1 { path += "h0" }
                    path += "M" + c(x(sample.timestamp)) + " " + c(y(sample.value))
                    segmentStart = false
                    segmentLength = 1
                } else {
                    path += "L" + c(x(sample.timestamp)) + " " + c(y(sample.value))
                    segmentLength += 1
                }
                if !times.isEmpty {
                    times += ","
                    values += ","
                }
                times += String(sample.timestamp)
                values += sample.value.description
                drawnPoints += 1
            }
            if segmentLength == 1 { path += "h0" }
            let style = styles[index]
            svg.open(
                "path",
                [
                    "data-series": String(index), "stroke": style.color, "stroke-dasharray": style.dashArray,
                    "d": path.isEmpty ? "M0 0" : path, "data-t": times, "data-v": values,
                ])
            svg.element("title", text: series[index].displayName)
            svg.close("path")
        }
        svg.close("g")

        // Legend.
        if legendCount > 0 {
            let maxCharacters = max(8, (width - 40) / 6)
            svg.open("g", ["class": "legend", "fill": "#222222"])
            svg.newline()
            for index in 0..<min(series.count, maxLegendEntries) {
                let lineY = Double(height + 8 + index * Self.legendLineHeight)
                let style = styles[index]
                let name = series[index].displayName
                svg.open("g", ["class": "legend-entry", "data-series": String(index)])
                svg.element("title", text: name)
                svg.empty(
                    "line",
                    [
                        "x1": c(plotX), "x2": c(plotX + 20), "y1": c(lineY + 6), "y2": c(lineY + 6),
                        "stroke": style.color,
                        "stroke-width": "2", "stroke-dasharray": style.dashArray,
                    ])
                svg.element(
                    "text", ["x": c(plotX + 26), "y": c(lineY + 10)], text: Self.truncated(name, maxCharacters))
                svg.close("g")
            }
            if series.count > maxLegendEntries {
                let lineY = Double(height + 8 + maxLegendEntries * Self.legendLineHeight)
                svg.element(
                    "text", ["class": "legend-more", "x": c(plotX + 26), "y": c(lineY + 10), "fill": "#555555"],
                    text: "… and \(series.count - maxLegendEntries) more")
            }
            svg.close("g")
        }
        svg.close("svg")
        return Rendering(svg: svg.output, downsampled: downsampled, inputPoints: inputPoints, drawnPoints: drawnPoints)
    }

    /// The samples with a NaN marker inserted wherever two neighbours lie more than 1.5 steps apart.
    static func breakingGaps(_ samples: [Sample], step: Int64?) -> [Sample] {
        guard let step, samples.count > 1 else { return samples }
        let limit = step + step / 2
        var out: [Sample] = []
        out.reserveCapacity(samples.count + 8)
        for sample in samples {
            if let last = out.last, sample.timestamp - last.timestamp > limit, !last.value.isNaN {
                out.append(Sample(last.timestamp + step, .nan))
            }
            out.append(sample)
        }
        return out
    }

    static func truncated(_ text: String, _ limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(max(1, limit - 1))) + "…"
    }
}

extension ChartUnit {
    /// Quantities that are never negative and read best against zero.
    var startsAtZero: Bool {
        switch self {
        case .bytes, .bytesPerSecond, .percent, .ratio, .watts, .perSecond, .seconds: true
        case .none, .celsius: false
        }
    }
}
