import Foundation
import Testing
import VigilTestSupport

/// The dashboard in a real browser: one `vigil server --demo --demo-nodes 64` (512 simulated GPUs) and one
/// headless Chromium, driven over the DevTools protocol, shared by the suite's tests (starting them is most of
/// the cost on a two-core CI machine). Every page loads without a console error or exception and shows what it
/// should; screenshots go to `$VIGIL_TEST_ARTIFACTS/dashboard-<page>.png`.
@Suite(.serialized) struct DashboardBrowserTests {
    static func skip() -> Bool {
        guard DevToolsBrowser.shouldRun else {
            print("skipped: chromium is not installed (apt-get install -y chromium); CI runs this test")
            return true
        }
        return false
    }

    /// Opens `path` in a new tab, checks that it loaded without console errors, and runs `body` on it.
    static func withPage(
        _ path: String, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: (DevToolsPage, String) async throws -> Void
    ) async throws {
        let (base, browser) = try await DashboardFixture.shared.start()
        let tab = try await browser.openPage()
        do {
            try await tab.navigate(to: base + path)
            try await body(tab, base)
        } catch {
            await tab.close()
            throw error
        }
        let errors = tab.consoleErrors
        #expect(errors.isEmpty, "\(path): \(tab.consoleMessages)", sourceLocation: sourceLocation)
        await tab.close()
    }

    static func saveScreenshot(_ tab: DevToolsPage, _ name: String) async throws {
        let png = try await tab.screenshot()
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(png.count > 20_000, "a blank screenshot is a few kilobytes")
        if let artifacts = ProcessInfo.processInfo.environment["VIGIL_TEST_ARTIFACTS"] {
            try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
            try png.write(to: URL(fileURLWithPath: artifacts).appendingPathComponent("dashboard-\(name).png"))
        }
    }

    static func count(_ tab: DevToolsPage, _ selector: String) async throws -> Int {
        let quoted = String(decoding: try JSONEncoder().encode(selector), as: UTF8.self)
        return try await tab.evaluate("document.querySelectorAll(\(quoted)).length", as: Int.self)
    }

    static func text(_ tab: DevToolsPage, _ selector: String) async throws -> String? {
        let quoted = String(decoding: try JSONEncoder().encode(selector), as: UTF8.self)
        return try await tab.evaluate(
            "(function () { var e = document.querySelector(\(quoted)); return e ? e.textContent : null; })()",
            as: String?.self)
    }

    /// The query parameters of `url`, decoded as a form's GET writes them (`+` is a space).
    static func query(_ url: String) -> [String: String] {
        let query = URLComponents(string: url)?.percentEncodedQuery ?? ""
        var parameters: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            parameters[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return parameters
    }

    @Test func overviewShows512GPUsAndACellOpensItsNode() async throws {
        if Self.skip() { return }
        try await Self.withPage("/") { tab, _ in
            #expect(try await tab.evaluate("document.title", as: String.self) == "Fleet overview · Vigil")
            #expect(try await Self.count(tab, "main#overview") == 1)
            #expect(try await Self.count(tab, "rect.cell") == 512)
            func counter(_ name: String) async throws -> Int? {
                try await Self.text(tab, "[data-count=\"\(name)\"]").flatMap { Int($0) }
            }
            let busy = try #require(try await counter("busy"))
            let idle = try #require(try await counter("idle"))
            let sick = try #require(try await counter("unhealthy"))
            #expect(try await counter("total") == 512)
            #expect(busy + idle + sick == 512)
            #expect(busy > 0 && idle > 0)
            let body = try await tab.evaluate("document.body.textContent", as: String.self)
            #expect(!body.contains("no datapower draw"))
            #expect(try await Self.count(tab, "a[href^=\"/ui/node/\"]") >= 512)

            // A click on a cell opens that node's page.
            let href = try #require(
                try await tab.evaluate(
                    "document.querySelector('a[href^=\"/ui/node/\"] rect.cell').closest('a').getAttribute('href')",
                    as: String?.self))
            let mark = tab.browser.eventCount
            try await tab.click("a[href=\"\(href)\"] rect.cell")
            try await tab.waitForLoad(after: mark)
            #expect(try await tab.evaluate("location.pathname", as: String.self) == href)
            #expect(try await Self.count(tab, "main#node") == 1, "the node page's main#node")
        }
        try await Self.withPage("/?metric=temperature") { tab, _ in
            #expect(try await Self.count(tab, "rect.cell") == 512)
            try await Self.saveScreenshot(tab, "overview-temperature")
        }
        try await Self.withPage("/ui/node/no-such-node") { tab, _ in
            let text = try await tab.evaluate("document.body.textContent", as: String.self)
            #expect(text.contains("no-such-node"))
            #expect(
                try await Self.count(tab, "main#error a[href=\"/\"]") + Self.count(tab, "header a[href=\"/\"]") >= 1)
            // The 404 is an error page, but not a console error of the page itself: clear what loading it logged.
            tab.clearConsole()
        }
    }

    /// The `main` element each page of the navigation bar has (the hooks the page tests rely on).
    static let mainIDs = [
        "/": "overview", "/ui/overview": "overview", "/ui/alerts": "alerts", "/ui/jobs": "jobs",
        "/ui/explore": "explore",
        "/ui/targets": "targets", "/ui/status": "status",
    ]

    /// Every page of the navigation bar (read from the served page, so a page added to `HTMLPage.navigation`
    /// is visited too) and a node page: loads with no console error, has its `main`, and a screenshot.
    @Test func everyPageLoadsWithoutConsoleErrors() async throws {
        if Self.skip() { return }
        var paths: [String] = []
        try await Self.withPage("/") { tab, _ in
            paths = try await tab.evaluate(
                "Array.from(document.querySelectorAll('header nav a')).map(function (a) { return a.getAttribute('href'); })",
                as: [String].self)
        }
        #expect(paths.count >= 5, "\(paths)")
        paths.append(try await DashboardFixture.shared.nodePath())
        for path in paths {
            let id = path.hasPrefix("/ui/node/") ? "node" : Self.mainIDs[path] ?? "?"
            try await Self.withPage(path) { tab, _ in
                #expect(try await Self.count(tab, "main#\(id)") == 1, "\(path) has main#\(id)")
                #expect(try await Self.count(tab, "header nav a") == paths.count - 1)
                switch id {
                case "node":
                    #expect(try await Self.count(tab, "section.gpu[data-gpu]") == 8, "one section.gpu per GPU")
                    #expect(try await Self.count(tab, "section.host") == 1)
                    #expect(try await Self.count(tab, "svg.vigil-timeseries") > 0)
                case "explore":
                    #expect(try await Self.count(tab, "textarea#query[name=\"query\"]") == 1)
                case "alerts":
                    #expect(try await Self.count(tab, "form#silence-form") == 1)
                case "jobs":
                    #expect(try await Self.count(tab, "main#jobs table.jobs tbody tr") > 0, "the demo's jobs")
                case "targets":
                    #expect(try await Self.count(tab, "main#targets tr") > 1, "a row per target")
                case "status":
                    let text = try await Self.text(tab, "main#status") ?? ""
                    #expect(text.lowercased().contains("series"), "storage statistics")
                case "overview":
                    #expect(try await Self.count(tab, "rect.cell") == 512)
                default:
                    Issue.record("\(path): a page the test does not know; add its main id to mainIDs")
                }
                try await Self.saveScreenshot(tab, id)
            }
        }
    }

    @Test func exploreDrawsAQueryZoomsAndShowsErrors() async throws {
        if Self.skip() { return }
        try await Self.withPage("/ui/explore") { tab, _ in
            try await tab.click("textarea#query")
            try await tab.run("document.querySelector('textarea#query').select()")
            try await tab.insertText("avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL)")
            let mark = tab.browser.eventCount
            try await tab.run("document.querySelector('textarea#query').form.requestSubmit()")
            try await tab.waitForLoad(after: mark)
            #expect(try await Self.count(tab, "#query-error") == 0)
            try await tab.waitUntil(
                "document.querySelectorAll('#result svg.vigil-timeseries path[data-series]').length > 0",
                "a chart with paths in #result")
            let url = try await tab.evaluate("location.href", as: String.self)
            #expect(Self.query(url)["query"] == "avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL)")

            // Hover: the read-out.
            let frame = try await tab.box(of: "#result svg.vigil-timeseries rect.plot-frame")
            try await tab.moveMouse(x: frame.x + frame.width * 0.9, y: frame.y + frame.height / 2)
            try await tab.waitUntil(
                "document.querySelector('.vigil-readout') && !document.querySelector('.vigil-readout').hidden",
                "the hover read-out")
            #expect((try await Self.text(tab, ".vigil-readout") ?? "").contains("UTC"))

            // Drag: the same query for the selected span.
            let before = tab.browser.eventCount
            try await tab.drag(
                from: (frame.x + frame.width * 0.5, frame.y + frame.height / 2),
                to: (frame.x + frame.width * 0.8, frame.y + frame.height / 2))
            try await tab.waitForLoad(after: before)
            let zoomed = Self.query(try await tab.evaluate("location.href", as: String.self))
            #expect(zoomed["range"] == nil)
            let start = try #require(Int(zoomed["start"] ?? ""))
            let end = try #require(Int(zoomed["end"] ?? ""))
            #expect(end > start)
            #expect(zoomed["query"] == "avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL)")
        }
        try await Self.withPage("/ui/explore") { tab, _ in
            try await tab.click("textarea#query")
            try await tab.run("document.querySelector('textarea#query').select()")
            try await tab.insertText("sum(rate(DCGM_FI_DEV_GPU_UTIL[5m])")
            let mark = tab.browser.eventCount
            try await tab.run("document.querySelector('textarea#query').form.requestSubmit()")
            try await tab.waitForLoad(after: mark)
            #expect(try await Self.count(tab, "#query-error[data-position]") == 1)
            #expect(try await Self.count(tab, "#result svg.vigil-timeseries") == 0)
            try await Self.saveScreenshot(tab, "explore-error")
        }
    }

    @Test func silenceCreatedInTheFormIsListedAndExpires() async throws {
        if Self.skip() { return }
        var silenceID = ""
        try await Self.withPage("/ui/alerts") { tab, base in
            func fill(_ name: String, _ value: String) async throws {
                let quoted = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
                try await tab.run("document.querySelector('form#silence-form [name=\"\(name)\"]').value = \(quoted)")
            }
            try await fill("matchers", "alertname=\"VigilBrowserTest\"")
            try await fill("duration", "1h")
            try await fill("createdBy", "browser test")
            try await fill("comment", "created by DashboardBrowserTests")
            // With script the form posts to /api/v2/silences and shows the result in place: no page load.
            try await tab.click("form#silence-form [type=\"submit\"]")
            try await tab.waitUntil("document.querySelector('#silence-result[data-silence-id]') !== null")
            silenceID = try #require(
                try await tab.evaluate(
                    "(function () { var e = document.querySelector('#silence-result[data-silence-id]'); "
                        + "return e ? e.getAttribute('data-silence-id') : null; })()", as: String?.self),
                "#silence-result with data-silence-id")
            let listed = try Self.silences(try await ExternalTools.get(base + "/api/v2/silences"))
            let created = try #require(listed.first { $0["id"] as? String == silenceID })
            let matchers = created["matchers"] as? [[String: Any]] ?? []
            #expect(
                matchers.contains {
                    $0["name"] as? String == "alertname" && $0["value"] as? String == "VigilBrowserTest"
                })
            #expect((created["status"] as? [String: Any])?["state"] as? String == "active")
            #expect(created["createdBy"] as? String == "browser test")

            // Expire it from the list.
            try await tab.navigate(to: base + "/ui/alerts")
            let row = "tr.silence[data-silence-id=\"\(silenceID)\"] button.expire"
            #expect(try await Self.count(tab, row) == 1)
            try await tab.click(row)
            try await tab.waitUntil(
                "document.querySelector('tr.silence[data-silence-id=\"\(silenceID)\"]') === null")
            let after = try Self.silences(try await ExternalTools.get(base + "/api/v2/silences"))
            let expired = try #require(after.first { $0["id"] as? String == silenceID })
            #expect((expired["status"] as? [String: Any])?["state"] as? String == "expired")
            try await Self.saveScreenshot(tab, "alerts-silence")
        }
    }

    /// `vigil jobs`, `vigil jobs report` and `vigil jobs showback` against the same demo server: the built binary
    /// reads the jobs API and prints what the jobs page shows.
    @Test func jobsCommandsReadTheDemosJobs() async throws {
        if Self.skip() { return }
        let (base, _) = try await DashboardFixture.shared.start()
        let list = try ExternalTools.run(ExternalTools.vigilBinary, ["jobs", "--server", base])
        #expect(list.status == 0, "\(list.output)")
        let lines = list.output.split(separator: "\n")
        #expect(lines.first?.hasPrefix("JOB") == true, "\(list.output)")
        let id = try #require(lines.dropFirst().first?.split(separator: " ").first.map(String.init), "\(list.output)")
        let report = try ExternalTools.run(ExternalTools.vigilBinary, ["jobs", "report", id, "--server", base])
        #expect(report.status == 0, "\(report.output)")
        #expect(report.output.contains("Job \(id)"), "\(report.output)")
        let unknown = try ExternalTools.run(
            ExternalTools.vigilBinary, ["jobs", "report", "no-such-job", "--server", base])
        #expect(unknown.status != 0)
        let showback = try ExternalTools.run(ExternalTools.vigilBinary, ["jobs", "showback", "--server", base])
        #expect(showback.status == 0, "\(showback.output)")
        #expect(showback.output.contains("GPU-H ALLOCATED"), "\(showback.output)")
    }

    static func silences(_ body: [UInt8]) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]])
    }
}

/// The suite's server and browser: started by the first test that asks, ended when the test process exits.
actor DashboardFixture {
    static let shared = DashboardFixture()

    private var started: Result<(base: String, browser: DevToolsBrowser), any Error>?
    private var node: String?

    /// The server's base URL (once every simulated GPU has been scraped) and the browser.
    func start() async throws -> (base: String, browser: DevToolsBrowser) {
        if let started { return try started.get() }
        do {
            let value = try await launch()
            started = .success(value)
            return value
        } catch {
            started = .failure(error)
            throw error
        }
    }

    /// The path of a node page of the demo (the overview's first cell's link).
    func nodePath() async throws -> String {
        if let node { return node }
        let (base, _) = try await start()
        let html = String(decoding: try await ExternalTools.get(base + "/"), as: UTF8.self)
        guard let range = html.range(of: #"href="/ui/node/[^"]+""#, options: .regularExpression) else {
            throw TestFailure("no node link on the overview")
        }
        let path = String(html[range].dropFirst(6).dropLast())
        node = path
        return path
    }

    private func launch() async throws -> (base: String, browser: DevToolsBrowser) {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-ui-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        // A one-second interval so that the first scrapes of every node land within seconds.
        let config = work.appendingPathComponent("vigil.yml")
        try "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n".write(
            to: config, atomically: true, encoding: .utf8)
        let port = ExternalTools.freePort()
        let server = try ChildProcess(
            ExternalTools.vigilBinary,
            [
                "server", "--demo", "--demo-nodes", "64", "--no-local-agent", "--config", config.path, "--data-dir",
                work.appendingPathComponent("data").path, "--listen", "127.0.0.1:\(port)",
            ])
        Self.atExit { server.stop() }
        Self.atExit { try? FileManager.default.removeItem(at: work) }
        let base = "http://127.0.0.1:\(port)"
        _ = try await server.waitForLog(containing: "simulated cluster of 64 nodes")
        // Until every GPU has been scraped at least once.
        let countQuery = "/api/v1/query?query=count(DCGM_FI_DEV_GPU_UTIL)"
        var reported = 0
        for _ in 0..<600 where reported < 512 {
            let body = String(decoding: (try? await ExternalTools.get(base + countQuery)) ?? [], as: UTF8.self)
            if let range = body.range(of: #""\d+"\]"#, options: .regularExpression) {
                reported = Int(body[range].dropFirst().prefix { $0.isNumber }) ?? 0
            }
            if reported < 512 { try await Task.sleep(for: .milliseconds(200)) }
        }
        guard reported == 512 else { throw TestFailure("the demo's GPUs were not all scraped: \(server.log)") }
        let browser = try DevToolsBrowser.launch()
        Self.atExit { browser.stop() }
        return (base, browser)
    }

    private static let cleanupLock = NSLock()
    nonisolated(unsafe) private static var cleanups: [@Sendable () -> Void] = []
    nonisolated(unsafe) private static var registered = false

    /// Runs `cleanup` when the test process exits (Swift Testing has no suite teardown).
    static func atExit(_ cleanup: @escaping @Sendable () -> Void) {
        cleanupLock.withLock {
            cleanups.append(cleanup)
            if !registered {
                registered = true
                atexit { DashboardFixture.runCleanups() }
            }
        }
    }

    private static func runCleanups() {
        let all = cleanupLock.withLock {
            defer { cleanups = [] }
            return cleanups
        }
        for cleanup in all.reversed() { cleanup() }
    }
}
