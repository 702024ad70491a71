import VigilModel

/// A grid of values as a standalone SVG document (rows: nodes, columns: GPUs), coloured on a viridis scale,
/// with hatched cells for unhealthy GPUs and a dotted grey for missing data, so that neither state relies
/// on colour alone. Every cell is a `rect.cell` with a `<title>` (row, column, value, labels) and
/// `data-row`/`data-column`/`data-value` attributes.
public struct HeatmapChart: Sendable, Hashable {
    /// One cell: a value (nil: no data), whether it is unhealthy, labels for its tooltip, a link to open.
    public struct Cell: Sendable, Hashable {
        public var value: Double?
        public var unhealthy: Bool
        public var labels: Labels
        public var href: String?

        public init(value: Double?, unhealthy: Bool = false, labels: Labels = Labels(), href: String? = nil) {
            self.value = value
            self.unhealthy = unhealthy
            self.labels = labels
            self.href = href
        }
    }

    /// One row: its label, an optional link (e.g. the node page) and its cells, one per column from the left
    /// (a shorter row leaves its last columns empty).
    public struct Row: Sendable, Hashable {
        public var label: String
        public var href: String?
        public var cells: [Cell]

        public init(label: String, href: String? = nil, cells: [Cell]) {
            self.label = label
            self.href = href
            self.cells = cells
        }
    }

    public var title: String
    public var columnLabels: [String]
    /// What the columns are (e.g. `GPU`): shown left of the column labels and in each cell's tooltip.
    public var columnName: String?
    public var rows: [Row]
    public var unit: ChartUnit
    /// The values at the two ends of the colour scale; nil spans the data.
    public var valueRange: ClosedRange<Double>?
    public var cellWidth: Int
    public var cellHeight: Int
    public var ramp: ColorRamp
    /// Prefix of the ids in the document (patterns, gradient), unique per chart on a page.
    public var idPrefix: String

    public init(
        title: String, columnLabels: [String], columnName: String? = nil, rows: [Row], unit: ChartUnit = .none,
        valueRange: ClosedRange<Double>? = nil, cellWidth: Int = 28, cellHeight: Int = 16,
        ramp: ColorRamp = .viridis, idPrefix: String = "heatmap"
    ) {
        self.title = title
        self.columnLabels = columnLabels
        self.columnName = columnName
        self.rows = rows
        self.unit = unit
        self.valueRange = valueRange
        self.cellWidth = cellWidth
        self.cellHeight = cellHeight
        self.ramp = ramp
        self.idPrefix = idPrefix
    }

    /// Checks the input; every problem names its key path.
    public func validate() throws(ChartError) {
        guard (4...400).contains(cellWidth) else {
            throw ChartError(
                .invalidSize, "cell width \(cellWidth) must be between 4 and 400 pixels", keyPath: "cellWidth")
        }
        guard (4...400).contains(cellHeight) else {
            throw ChartError(
                .invalidSize, "cell height \(cellHeight) must be between 4 and 400 pixels", keyPath: "cellHeight")
        }
        guard rows.count <= 10_000, columnLabels.count <= 1000 else {
            throw ChartError(
                .invalidSize, "\(rows.count) rows × \(columnLabels.count) columns is beyond 10000 × 1000",
                keyPath: rows.count > 10_000 ? "rows" : "columnLabels")
        }
        if let valueRange {
            guard valueRange.lowerBound.isFinite, valueRange.upperBound.isFinite,
                valueRange.lowerBound < valueRange.upperBound
            else {
                throw ChartError(
                    .invalidRange, "value range \(valueRange) must be finite and not empty", keyPath: "valueRange")
            }
        }
        try validateIdentifier(idPrefix, keyPath: "idPrefix")
        for (r, row) in rows.enumerated() {
            guard row.cells.count <= columnLabels.count else {
                throw ChartError(
                    .invalidGrid,
                    "row \"\(row.label)\" has \(row.cells.count) cells but there are only \(columnLabels.count) columns",
                    keyPath: "rows[\(r)].cells")
            }
            try Self.validateLink(row.href, keyPath: "rows[\(r)].href")
            for (c, cell) in row.cells.enumerated() {
                try Self.validateLink(cell.href, keyPath: "rows[\(r)].cells[\(c)].href")
            }
        }
    }

    /// Links may be paths (`/node/n1`, `node?x=1`) or http(s) URLs; anything with another scheme is refused.
    static func validateLink(_ href: String?, keyPath: String) throws(ChartError) {
        guard let href else { return }
        let lower = href.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return }
        let schemeEnd = href.firstIndex { $0 == ":" || $0 == "/" || $0 == "?" || $0 == "#" }
        if let schemeEnd, href[schemeEnd] == ":" {
            throw ChartError(
                .invalidLink, "link \"\(href)\" must be a relative path or an http(s) URL", keyPath: keyPath)
        }
        if href.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            throw ChartError(.invalidLink, "link \"\(href)\" contains control characters", keyPath: keyPath)
        }
    }

    static let marginTop = 28
    static let headerHeight = 18
    static let gap = 2
    static let legendHeight = 44

    /// The SVG document for this heatmap.
    public func render() throws(ChartError) -> String {
        try validate()
        var low = Double.infinity
        var high = -Double.infinity
        for row in rows {
            for cell in row.cells {
                if let value = cell.value, value.isFinite {
                    low = min(low, value)
                    high = max(high, value)
                }
            }
        }
        if let valueRange {
            low = valueRange.lowerBound
            high = valueRange.upperBound
        } else if !(low <= high) {
            low = 0
            high = 1
        } else if low == high {
            high = low + 1
        }

        let longestLabel = rows.reduce(0) { max($0, $1.label.count) }
        let marginLeft = min(160, max(40, longestLabel * 7 + 12))
        let gridWidth = columnLabels.count * (cellWidth + Self.gap)
        let width = max(marginLeft + gridWidth + 16, marginLeft + 350)  // the legend needs about 340 px
        let gridTop = Self.marginTop + Self.headerHeight
        let gridHeight = rows.count * (cellHeight + Self.gap)
        let height = gridTop + gridHeight + Self.legendHeight
        let c = NumberText.coordinate
        let unhealthyPattern = idPrefix + "-unhealthy"
        let noDataPattern = idPrefix + "-nodata"
        let gradient = idPrefix + "-scale"

        var svg = SVGWriter(capacity: 2048 + rows.count * columnLabels.count * 220)
        svg.open(
            "svg",
            [
                "xmlns": "http://www.w3.org/2000/svg", "class": "vigil-chart vigil-heatmap", "width": String(width),
                "height": String(height), "viewBox": "0 0 \(width) \(height)", "role": "img",
                "aria-labelledby": idPrefix + "-title", "font-family": "sans-serif", "font-size": "11",
                "data-unit": unit.rawValue,
            ])
        svg.newline()
        svg.element("title", ["id": idPrefix + "-title"], text: title)
        svg.open("defs")
        svg.newline()
        svg.open(
            "pattern",
            [
                "id": unhealthyPattern, "width": "6", "height": "6", "patternUnits": "userSpaceOnUse",
                "patternTransform": "rotate(45)",
            ])
        svg.empty("rect", ["width": "3", "height": "6", "fill": "#000000", "fill-opacity": "0.55"])
        svg.empty("rect", ["x": "3", "width": "3", "height": "6", "fill": "#ffffff", "fill-opacity": "0.55"])
        svg.close("pattern")
        svg.open("pattern", ["id": noDataPattern, "width": "4", "height": "4", "patternUnits": "userSpaceOnUse"])
        svg.empty("rect", ["width": "4", "height": "4", "fill": "#eeeeee"])
        svg.empty("circle", ["cx": "1", "cy": "1", "r": "0.8", "fill": "#aaaaaa"])
        svg.close("pattern")
        svg.open("linearGradient", ["id": gradient, "x1": "0", "x2": "1", "y1": "0", "y2": "0"])
        svg.newline()
        let stopCount = ramp.stopValues.count
        for index in 0..<stopCount {
            let position = Double(index) / Double(stopCount - 1)
            svg.empty(
                "stop", ["offset": NumberText.trimmed(position, decimals: 3), "stop-color": ramp.color(at: position)])
        }
        svg.close("linearGradient")
        svg.close("defs")
        svg.empty("rect", ["width": String(width), "height": String(height), "fill": "#ffffff"])
        svg.element(
            "text", ["class": "chart-title", "x": "8", "y": "17", "font-size": "13", "font-weight": "bold"], text: title
        )

        // Column headers and row labels.
        svg.open("g", ["class": "column-labels", "text-anchor": "middle", "fill": "#444444"])
        svg.newline()
        for (index, label) in columnLabels.enumerated() {
            let centre = Double(marginLeft + index * (cellWidth + Self.gap)) + Double(cellWidth) / 2
            svg.element("text", ["x": c(centre), "y": c(Double(gridTop - 5))], text: label)
        }
        if let columnName {
            svg.element(
                "text", ["x": c(Double(marginLeft - 6)), "y": c(Double(gridTop - 5)), "text-anchor": "end"],
                text: columnName)
        }
        svg.close("g")
        svg.open("g", ["class": "row-labels", "text-anchor": "end", "fill": "#222222"])
        svg.newline()
        for (index, row) in rows.enumerated() {
            let baseline = Double(gridTop + index * (cellHeight + Self.gap)) + Double(cellHeight) / 2 + 4
            let text = TimeSeriesChart.truncated(row.label, max(4, (marginLeft - 12) / 7))
            if let href = row.href { svg.open("a", ["href": href]) }
            svg.open("text", ["x": c(Double(marginLeft - 6)), "y": c(baseline)])
            svg.element("title", text: row.label)
            svg.text(text)
            svg.close("text")
            if row.href != nil { svg.close("a") }
        }
        svg.close("g")

        // Cells.
        svg.open("g", ["class": "cells"])
        svg.newline()
        let span = high - low
        for (r, row) in rows.enumerated() {
            for (col, cell) in row.cells.enumerated() {
                let x = Double(marginLeft + col * (cellWidth + Self.gap))
                let y = Double(gridTop + r * (cellHeight + Self.gap))
                let fill: String
                var valueText: String
                if let value = cell.value, !value.isNaN {
                    fill = ramp.color(at: (value - low) / span)
                    valueText = unit.format(value)
                } else {
                    fill = "url(#\(noDataPattern))"
                    valueText = "no data"
                }
                if cell.unhealthy { valueText += " (unhealthy)" }
                let column = columnName.map { $0 + " " + columnLabels[col] } ?? columnLabels[col]
                var tooltip = row.label + " · " + column + ": " + valueText
                if !cell.labels.isEmpty { tooltip += "\n" + cell.labels.description }
                if let href = cell.href { svg.open("a", ["href": href]) }
                svg.open(
                    "rect",
                    [
                        "class": cell.unhealthy ? "cell unhealthy" : "cell", "x": c(x), "y": c(y),
                        "width": String(cellWidth), "height": String(cellHeight), "fill": fill,
                        "data-row": String(r), "data-column": String(col),
                        "data-value": cell.value.map { $0.description },
                    ])
                svg.element("title", text: tooltip)
                svg.close("rect")
                if cell.unhealthy {
                    svg.empty(
                        "rect",
                        [
                            "class": "cell-marker", "x": c(x + 0.75), "y": c(y + 0.75),
                            "width": c(Double(cellWidth) - 1.5),
                            "height": c(Double(cellHeight) - 1.5), "fill": "url(#\(unhealthyPattern))",
                            "stroke": "#000000", "stroke-width": "1.5", "pointer-events": "none",
                        ])
                }
                if cell.href != nil { svg.close("a") }
            }
        }
        svg.close("g")

        // Legend: the colour scale with its ends and middle, then the two states.
        let legendTop = Double(gridTop + gridHeight + 10)
        let barX = Double(marginLeft)
        let barWidth = 160.0
        svg.open("g", ["class": "legend", "fill": "#222222"])
        svg.newline()
        svg.empty(
            "rect",
            [
                "x": c(barX), "y": c(legendTop), "width": c(barWidth), "height": "10", "fill": "url(#\(gradient))",
                "stroke": "#999999", "stroke-width": "0.5",
            ])
        for (fraction, anchor) in [(0.0, "start"), (0.5, "middle"), (1.0, "end")] {
            svg.element(
                "text", ["x": c(barX + barWidth * fraction), "y": c(legendTop + 22), "text-anchor": anchor],
                text: unit.format(low + span * fraction))
        }
        let stateX = barX + barWidth + 20
        svg.empty(
            "rect",
            [
                "x": c(stateX), "y": c(legendTop), "width": "14", "height": "10", "fill": "url(#\(unhealthyPattern))",
                "stroke": "#000000", "stroke-width": "1.5",
            ])
        svg.element("text", ["x": c(stateX + 18), "y": c(legendTop + 9)], text: "unhealthy")
        svg.empty(
            "rect",
            [
                "x": c(stateX + 90), "y": c(legendTop), "width": "14", "height": "10", "fill": "url(#\(noDataPattern))",
                "stroke": "#999999", "stroke-width": "0.5",
            ])
        svg.element("text", ["x": c(stateX + 108), "y": c(legendTop + 9)], text: "no data")
        svg.close("g")
        svg.close("svg")
        return svg.output
    }
}
