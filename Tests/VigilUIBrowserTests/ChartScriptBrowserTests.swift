import Foundation
import Testing
import VigilModel
import VigilTestSupport
import VigilUI

/// ChartScript in headless Chromium on a static page (a file:// document with two charts that TimeSeriesChart
/// rendered, the footer's script and nothing else): read-out, synced crosshair, legend toggles, keyboard,
/// drag to zoom, double-click to zoom out, and its unit formatting against ChartUnit's.
@Suite(.serialized) struct ChartScriptBrowserTests {
    /// 2025-03-14T12:00:00Z, an hour at a 15 s step.
    static let start: Int64 = 1_741_953_600_000
    static let end: Int64 = start + 3_600_000
    static let step: Int64 = 15_000

    static func series(_ name: String, _ value: (Int) -> Double) -> ChartSeries {
        ChartSeries(
            labels: ["__name__": name, "gpu": "0"], name: nil,
            samples: (0...240).map { Sample(start + Int64($0) * step, value($0)) })
    }

    /// Two charts over the same hour: utilisation in percent (two series) and memory in bytes (one).
    static func page() throws -> String {
        let utilisation = TimeSeriesChart(
            title: "GPU utilisation",
            series: [
                series("util_a") { Double($0 % 100) },
                ChartSeries(
                    labels: ["__name__": "util_b", "job": "<script>alert(1)</script>"],
                    samples: (0...240).map { Sample(start + Int64($0) * step, 50 + Double($0 % 7)) }),
            ], start: start, end: end, step: step, unit: .percent, valueRange: 0...100, idPrefix: "util")
        let memory = TimeSeriesChart(
            title: "Memory", series: [series("memory") { Double($0) * 1_048_576 * 1.5 }], start: start, end: end,
            step: step, unit: .bytes, idPrefix: "memory")
        return HTMLPage.header(title: "Charts", refreshSeconds: nil) + "<main id=\"charts\">\n<section id=\"a\">"
            + (try utilisation.render().svg) + "</section>\n<section id=\"b\">" + (try memory.render().svg)
            + "</section>\n</main>\n" + HTMLPage.footer(refreshSeconds: nil)
    }

    /// A browser on the static page at `?range=1h&step=15s`, with a folder that is removed afterwards.
    static func withPage(_ body: (DevToolsPage, URL) async throws -> Void) async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-charts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let file = work.appendingPathComponent("charts.html")
        try page().write(to: file, atomically: true, encoding: .utf8)
        let browser = try DevToolsBrowser.launch()
        defer { browser.stop() }
        let tab = try await browser.openPage()
        try await tab.navigate(to: file.absoluteString + "?range=1h&step=15s")
        try await body(tab, file)
        #expect(tab.consoleErrors.isEmpty, "\(tab.consoleMessages)")
    }

    /// The viewport x of time `t` in the chart inside `section`, and the plot's vertical middle.
    static func point(_ tab: DevToolsPage, _ section: String, at t: Int64) async throws -> (x: Double, y: Double) {
        let frame = try await tab.box(of: "#\(section) rect.plot-frame")
        return (frame.x + Double(t - start) / Double(end - start) * frame.width, frame.y + frame.height / 2)
    }

    static func query(_ url: String) -> [String: String] {
        let items = URLComponents(string: url)?.queryItems ?? []
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
    }

    @Test func formatsValuesAsChartUnitDoes() async throws {
        guard DevToolsBrowser.shouldRun else {
            print("skipped: chromium is not installed (apt-get install -y chromium); CI runs this test")
            return
        }
        let values: [Double] = [
            0, 1, -1, 0.5, 0.999, 12.345, 99.95, 999.7, 1000, 1023, 1024, 1536, 1_048_575, 1.5e9, 3.2e12, 86400,
            3599, 0.012345, 2.5e-7, -4321, .nan, .infinity, -.infinity, 183_400, 0.87,
        ]
        try await Self.withPage { tab, _ in
            for unit in ChartUnit.allCases {
                let list = values.map {
                    $0.isNaN ? "NaN" : $0.isInfinite ? ($0 > 0 ? "Infinity" : "-Infinity") : "\($0)"
                }
                let script =
                    "[\(list.joined(separator: ","))].map(function (v) { return vigilCharts.format('\(unit.rawValue)', v); })"
                let formatted = try await tab.evaluate(script, as: [String].self)
                #expect(formatted == values.map { unit.format($0) }, "\(unit)")
            }
            #expect(
                try await tab.evaluate("vigilCharts.formatTime(\(Self.start + 15_000))", as: String.self)
                    == "2025-03-14 12:00:15 UTC")
        }
    }

    @Test func hoverShowsTheReadOutAndACrosshairOnEveryChart() async throws {
        guard DevToolsBrowser.shouldRun else { return }
        try await Self.withPage { tab, _ in
            // Sample 40 (12:10:00): util_a 40%, util_b 50 + 40 % 7 = 55%, memory 40 × 1.5 MiB = 60 MiB.
            let t = Self.start + 40 * Self.step
            let at = try await Self.point(tab, "a", at: t + 3_000)  // a little off: snaps to the nearest point
            try await tab.moveMouse(x: at.x, y: at.y)
            try await tab.waitUntil(
                "document.querySelector('.vigil-readout') && !document.querySelector('.vigil-readout').hidden")
            #expect(
                try await tab.evaluate(
                    "document.querySelector('.vigil-readout').getAttribute('data-t')", as: String.self) == "\(t)")
            let text = try await tab.evaluate("document.querySelector('.vigil-readout').textContent", as: String.self)
            #expect(text.contains("2025-03-14 12:10:00 UTC"))
            #expect(text.contains("40%") && text.contains("55%"), "\(text)")
            #expect(text.contains("<script>alert(1)</script>"), "label values are text, not markup: \(text)")
            #expect(
                try await tab.evaluate("document.querySelectorAll('.vigil-readout script').length", as: Int.self) == 0)
            // The crosshair at the same time on both charts, a dot per series.
            let crosshairs = try await tab.evaluate(
                "Array.from(document.querySelectorAll('line.vigil-crosshair')).map(function (l) { return l.closest('section').id + '@' + l.getAttribute('data-t'); })",
                as: [String].self)
            #expect(crosshairs == ["a@\(t)", "b@\(t)"])
            #expect(
                try await tab.evaluate("document.querySelectorAll('#a circle.vigil-point').length", as: Int.self) == 2)
            #expect(
                try await tab.evaluate("document.querySelectorAll('#b circle.vigil-point').length", as: Int.self) == 1)
            // Hovering the second chart reads its own unit.
            let other = try await Self.point(tab, "b", at: t)
            try await tab.moveMouse(x: other.x, y: other.y)
            try await tab.waitUntil("document.querySelector('.vigil-readout').textContent.indexOf('60 MiB') >= 0")
            // Leaving the plot hides everything.
            try await tab.moveMouse(x: 2, y: 2)
            try await tab.waitUntil("document.querySelector('.vigil-readout').hidden")
            #expect(
                try await tab.evaluate("document.querySelectorAll('line.vigil-crosshair').length", as: Int.self) == 0)
        }
    }

    @Test func legendClickTogglesAndShiftClickSolos() async throws {
        guard DevToolsBrowser.shouldRun else { return }
        try await Self.withPage { tab, _ in
            let display =
                "Array.from(document.querySelectorAll('#a g.series path')).map(function (p) { return p.style.display || 'shown'; })"
            try await tab.click("#a g.legend-entry[data-series=\"1\"] text")
            #expect(try await tab.evaluate(display, as: [String].self) == ["shown", "none"])
            #expect(
                try await tab.evaluate(
                    "document.querySelector('#a g.legend-entry[data-series=\"1\"]').classList.contains('vigil-off')",
                    as: Bool.self))
            // The hidden series is left out of the read-out.
            let at = try await Self.point(tab, "a", at: Self.start + 40 * Self.step)
            try await tab.moveMouse(x: at.x, y: at.y)
            try await tab.waitUntil("!document.querySelector('.vigil-readout').hidden")
            #expect(
                try await tab.evaluate("document.querySelectorAll('.vigil-readout .row').length", as: Int.self) == 1)
            try await tab.click("#a g.legend-entry[data-series=\"1\"] text")
            #expect(try await tab.evaluate(display, as: [String].self) == ["shown", "shown"])
            try await tab.click("#a g.legend-entry[data-series=\"1\"] text", modifiers: .shift)
            #expect(try await tab.evaluate(display, as: [String].self) == ["none", "shown"])
            try await tab.click("#a g.legend-entry[data-series=\"1\"] text", modifiers: .shift)
            #expect(try await tab.evaluate(display, as: [String].self) == ["shown", "shown"])
            // The other chart is not touched.
            #expect(
                try await tab.evaluate("document.querySelector('#b g.series path').style.display", as: String.self)
                    == "")
        }
    }

    @Test func arrowKeysMoveTheReadOut() async throws {
        guard DevToolsBrowser.shouldRun else { return }
        try await Self.withPage { tab, _ in
            try await tab.run("document.querySelector('#a svg').focus()")
            #expect(
                try await tab.evaluate("document.activeElement === document.querySelector('#a svg')", as: Bool.self))
            let readoutTime = "document.querySelector('.vigil-readout').getAttribute('data-t')"
            try await tab.press("ArrowRight")
            #expect(try await tab.evaluate(readoutTime, as: String.self) == "\(Self.start)")
            try await tab.press("ArrowRight")
            try await tab.press("ArrowRight")
            #expect(try await tab.evaluate(readoutTime, as: String.self) == "\(Self.start + 2 * Self.step)")
            try await tab.press("ArrowLeft")
            #expect(try await tab.evaluate(readoutTime, as: String.self) == "\(Self.start + Self.step)")
            try await tab.press("End")
            #expect(try await tab.evaluate(readoutTime, as: String.self) == "\(Self.end)")
            try await tab.press("ArrowRight")  // stays at the last point
            #expect(try await tab.evaluate(readoutTime, as: String.self) == "\(Self.end)")
            try await tab.press("Escape")
            #expect(try await tab.evaluate("document.querySelector('.vigil-readout').hidden", as: Bool.self))
        }
    }

    @Test func dragZoomsToTheSelectionAndDoubleClickZoomsOut() async throws {
        guard DevToolsBrowser.shouldRun else { return }
        try await Self.withPage { tab, file in
            // From 12:15 to 12:45 on the first chart.
            let from = try await Self.point(tab, "a", at: Self.start + 900_000)
            let to = try await Self.point(tab, "a", at: Self.start + 2_700_000)
            try await tab.mouse("mouseMoved", x: from.x, y: from.y)
            try await tab.mouse("mousePressed", x: from.x, y: from.y, button: "left", clickCount: 1)
            try await tab.mouse("mouseMoved", x: (from.x + to.x) / 2, y: from.y, button: "left")
            // The band shows while the button is down.
            let band = try await tab.evaluate(
                "document.querySelector('#a rect.vigil-zoom-band').getAttribute('width')", as: String.self)
            #expect((Double(band) ?? 0) > 50)
            let mark = tab.browser.eventCount
            try await tab.mouse("mouseMoved", x: to.x, y: to.y, button: "left")
            try await tab.mouse("mouseReleased", x: to.x, y: to.y, button: "left", clickCount: 1)
            try await tab.waitForLoad(after: mark)
            let url = try await tab.evaluate("location.href", as: String.self)
            #expect(url.hasPrefix(file.absoluteString))
            let zoomed = Self.query(url)
            #expect(zoomed["range"] == nil)
            #expect(zoomed["step"] == "15s")
            let start = try #require(Int64(zoomed["start"] ?? ""))
            let end = try #require(Int64(zoomed["end"] ?? ""))
            // Within two seconds of 12:15 and 12:45 (a pixel is 6.5 s of this chart).
            #expect(abs(start - (Self.start + 900_000) / 1000) <= 8, "\(url)")
            #expect(abs(end - (Self.start + 2_700_000) / 1000) <= 8, "\(url)")

            // A double-click on the (static) page's chart: twice its hour, around its centre.
            let centre = try await Self.point(tab, "b", at: Self.start + 1_800_000)
            let before = tab.browser.eventCount
            try await tab.click(x: centre.x, y: centre.y)
            try await tab.click(x: centre.x, y: centre.y, clickCount: 2)
            try await tab.waitForLoad(after: before)
            let out = Self.query(try await tab.evaluate("location.href", as: String.self))
            #expect(out["start"] == "\((Self.start - 1_800_000) / 1000)")
            #expect(out["end"] == "\((Self.end + 1_800_000) / 1000)")
        }
    }

    @Test func aPageWithoutChartsRunsTheScriptQuietly() async throws {
        guard DevToolsBrowser.shouldRun else { return }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-nochart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let file = work.appendingPathComponent("error.html")
        try HTMLPage.errorPage(title: "Not found", message: "No such page", links: [("/", "Fleet overview")])
            .write(to: file, atomically: true, encoding: .utf8)
        let browser = try DevToolsBrowser.launch()
        defer { browser.stop() }
        let tab = try await browser.openPage()
        try await tab.navigate(to: file.absoluteString)
        try await tab.moveMouse(x: 300, y: 300)
        try await tab.click(x: 300, y: 300)
        try await tab.press("ArrowRight")
        #expect(try await tab.evaluate("typeof vigilCharts.format", as: String.self) == "function")
        #expect(try await tab.evaluate("document.querySelectorAll('.vigil-readout').length", as: Int.self) == 0)
        #expect(tab.consoleErrors.isEmpty, "\(tab.consoleMessages)")
    }
}
