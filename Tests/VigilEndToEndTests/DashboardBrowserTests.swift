import Foundation
import Testing
import VigilTestSupport

/// The dashboard in a real browser: `vigil server --demo --demo-nodes 64` (512 simulated GPUs) and Debian's
/// headless Chromium, which loads the page, runs its script and hands back the DOM and a screenshot.
@Suite struct DashboardBrowserTests {
    static let browser = "chromium"

    /// The value of `data-count="name"` in the DOM, e.g. `<span class="value" data-count="busy">412</span>`.
    static func count(_ name: String, in dom: String) -> Int? {
        guard let start = dom.range(of: "data-count=\"\(name)\">") else { return nil }
        return Int(dom[start.upperBound...].prefix { $0.isNumber })
    }

    static func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// Runs headless Chromium with `arguments` then `url`, with a profile of its own under `work`.
    static func chromium(_ arguments: [String], url: String, work: URL) throws -> (status: Int32, output: String) {
        let executable = try #require(ExternalTools.path(of: browser), "\(browser) is not installed")
        let profile = work.appendingPathComponent("chromium-profile-\(UUID().uuidString)").path
        return try ExternalTools.run(
            "/usr/bin/timeout",
            [
                "120", executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--user-data-dir=\(profile)", "--enable-logging=stderr", "--v=0",
            ] + arguments + [url])
    }

    @Test func overviewShows512GPUsInChromium() async throws {
        guard ExternalTools.shouldRun(Self.browser) else {
            print("skipped: \(Self.browser) is not installed (apt-get install -y chromium); CI runs this test")
            return
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-ui-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
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
        defer { server.stop() }
        let base = "http://127.0.0.1:\(port)"
        _ = try await server.waitForLog(containing: "simulated cluster of 64 nodes")
        // Until every GPU has been scraped at least once.
        let countQuery = "/api/v1/query?query=count(DCGM_FI_DEV_GPU_UTIL)"
        var reported = 0
        for _ in 0..<600 where reported < 512 {
            let body = String(decoding: try await ExternalTools.get(base + countQuery), as: UTF8.self)
            if let range = body.range(of: #""\d+"\]"#, options: .regularExpression) {
                reported = Int(body[range].dropFirst().prefix { $0.isNumber }) ?? 0
            }
            if reported < 512 { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(reported == 512, "the demo's GPUs were not all scraped: \(server.log)")

        let dump = try Self.chromium(["--dump-dom"], url: base + "/", work: work)
        #expect(dump.status == 0, "\(dump.output.suffix(2000))")
        let dom = dump.output
        #expect(dom.contains("<title>Fleet overview · Vigil</title>"), "\(dom.suffix(2000))")
        let cells = Self.occurrences(of: "<rect class=\"cell\"", in: dom)
        let unhealthy = Self.occurrences(of: "<rect class=\"cell unhealthy\"", in: dom)
        #expect(cells + unhealthy == 512)
        let busy = try #require(Self.count("busy", in: dom))
        let idle = try #require(Self.count("idle", in: dom))
        let sick = try #require(Self.count("unhealthy", in: dom))
        #expect(Self.count("total", in: dom) == 512)
        #expect(busy + idle + sick == 512)
        #expect(busy > 0 && idle > 0)
        #expect(!dom.contains(">no data</span><span class=\"label\">power draw"))
        #expect(Self.occurrences(of: "href=\"/ui/node/", in: dom) >= 512)
        #expect(!dom.contains("Uncaught"), "a script error in the page")
        #expect(!dom.contains("CONSOLE"), "the page wrote to the console")

        let screenshot = work.appendingPathComponent("overview.png")
        let shot = try Self.chromium(
            ["--screenshot=\(screenshot.path)", "--window-size=1400,1000", "--hide-scrollbars"],
            url: base + "/?metric=temperature", work: work)
        #expect(shot.status == 0, "\(shot.output.suffix(2000))")
        let png = try Data(contentsOf: screenshot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(png.count > 20_000, "a blank screenshot is a few kilobytes")
        if let artifacts = ProcessInfo.processInfo.environment["VIGIL_TEST_ARTIFACTS"] {
            try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
            let target = URL(fileURLWithPath: artifacts).appendingPathComponent("dashboard-overview.png")
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: screenshot, to: target)
        }

        let node = try Self.chromium(["--dump-dom"], url: base + "/ui/node/no-such-node", work: work)
        #expect(node.output.contains("No GPU reports Hostname \"no-such-node\" now"))
        #expect(node.output.contains("<a href=\"/\">Fleet overview</a>"))
    }
}
