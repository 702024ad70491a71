import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import VigilTestSupport

/// `vigil server`, `vigil check config` and `vigil query` as a user runs them: the built binary.
@Suite struct ServerCommandTests {
    static func workDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func json(_ url: String) async throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(try await ExternalTools.get(url))) as? [String: Any])
    }

    /// The scrape pools `/api/v1/targets` lists.
    static func pools(_ base: String) async throws -> Set<String> {
        let data = try #require(try await json(base + "/api/v1/targets")["data"] as? [String: Any])
        let active = data["activeTargets"] as? [[String: Any]] ?? []
        return Set(active.compactMap { $0["scrapePool"] as? String })
    }

    static func post(_ url: String) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    @Test func checkConfigSaysWhatIsWrongAndWhere() throws {
        let work = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let good = work.appendingPathComponent("good.yml")
        try "scrape_configs:\n  - job_name: nodes\n    static_configs: [{targets: ['node1:9471']}]\n".write(
            to: good, atomically: true, encoding: .utf8)
        let bad = work.appendingPathComponent("bad.yml")
        try "scrape_configs:\n  - job_name: nodes\n    scrape_intervall: 15s\n".write(
            to: bad, atomically: true, encoding: .utf8)
        let ok = try ExternalTools.run(ExternalTools.vigilBinary, ["check", "config", good.path])
        #expect(ok.status == 0)
        #expect(ok.output.contains("SUCCESS: 1 scrape job(s), 1 static target(s)"))
        let failed = try ExternalTools.run(ExternalTools.vigilBinary, ["check", "config", bad.path])
        #expect(failed.status == 1)
        #expect(failed.output.contains("bad.yml:3:5: scrape_configs[0].scrape_intervall"), "\(failed.output)")
        let missing = try ExternalTools.run(ExternalTools.vigilBinary, ["check", "config", work.path + "/none.yml"])
        #expect(missing.status == 1)
    }

    @Test func serverRefusesABadConfigurationAtStart() throws {
        let work = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let bad = work.appendingPathComponent("bad.yml")
        try "global:\n  scrape_interval: 15x\n".write(to: bad, atomically: true, encoding: .utf8)
        let result = try ExternalTools.run(
            ExternalTools.vigilBinary,
            ["server", "--config", bad.path, "--data-dir", work.path + "/data", "--listen", "127.0.0.1:0"])
        #expect(result.status == 1)
        #expect(result.output.contains("global.scrape_interval: not a valid duration \"15x\""), "\(result.output)")
        let usage = try ExternalTools.run(ExternalTools.vigilBinary, ["server", "--demo-nodes", "0"])
        #expect(usage.status == 2)
    }

    /// A reload takes a new job; a bad file is refused with its error and the running jobs stay; SIGHUP
    /// reloads too. `vigil query` reads what was scraped.
    @Test func reloadsKeepTheOldConfigurationWhenTheNewOneIsBad() async throws {
        let work = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let port = ExternalTools.freePort()
        let base = "http://127.0.0.1:\(port)"
        let config = work.appendingPathComponent("vigil.yml")
        func write(_ jobs: [String]) throws {
            var text = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n"
            for job in jobs { text += "  - job_name: \(job)\n    static_configs: [{targets: ['127.0.0.1:\(port)']}]\n" }
            try text.write(to: config, atomically: true, encoding: .utf8)
        }
        try write(["first"])
        let server = try ChildProcess(
            ExternalTools.vigilBinary,
            [
                "server", "--no-local-agent", "--config", config.path, "--data-dir", work.path + "/data", "--listen",
                "127.0.0.1:\(port)",
            ])
        defer { server.stop() }
        try await server.waitForHTTP(base + "/-/ready")
        #expect(try await Self.pools(base) == ["first"])

        try write(["first", "second"])
        let reloaded = try await Self.post(base + "/-/reload")
        #expect(reloaded.status == 200)
        #expect(try await Self.pools(base) == ["first", "second"])

        try "scrape_configs: [{job_name: third, unknown_key: 1}]\n".write(to: config, atomically: true, encoding: .utf8)
        let refused = try await Self.post(base + "/-/reload")
        #expect(refused.status == 500)
        #expect(refused.body.contains("unknown_key"), "\(refused.body)")
        #expect(try await Self.pools(base) == ["first", "second"])

        try write(["fourth"])
        kill(server.process.processIdentifier, SIGHUP)
        for _ in 0..<100 where try await Self.pools(base) != ["fourth"] {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try await Self.pools(base) == ["fourth"])

        // The server scrapes itself (its /metrics) as job "fourth": vigil query finds it.
        for _ in 0..<100 {
            let answer = try ExternalTools.run(
                ExternalTools.vigilBinary, ["query", "up{job=\"fourth\"}", "--server", base])
            if answer.output.contains("up{instance=\"127.0.0.1:\(port)\", job=\"fourth\"}") {
                #expect(answer.status == 0)
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("vigil query never showed the fourth job's up series")
    }

    /// `--enable-admin-api`: a snapshot lands under the data directory and opens; deleted series are gone
    /// from queries. Without the flag the endpoints answer 503 as Prometheus's do.
    @Test func adminAPIOnlyWhenEnabled() async throws {
        let work = try Self.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        for enabled in [false, true] {
            let port = ExternalTools.freePort()
            let base = "http://127.0.0.1:\(port)"
            let data = work.appendingPathComponent("data-\(enabled)")
            let server = try ChildProcess(
                ExternalTools.vigilBinary,
                ["server", "--data-dir", data.path, "--listen", "127.0.0.1:\(port)"]
                    + (enabled ? ["--enable-admin-api"] : []))
            defer { server.stop() }
            try await server.waitForHTTP(base + "/-/ready")
            let snapshot = try await Self.post(base + "/api/v1/admin/tsdb/snapshot")
            guard enabled else {
                #expect(snapshot.status == 503)
                #expect(snapshot.body.contains("admin APIs disabled"))
                continue
            }
            #expect(snapshot.status == 200, "\(snapshot.body)")
            let name = try #require(
                (try JSONSerialization.jsonObject(with: Data(snapshot.body.utf8)) as? [String: Any]).flatMap {
                    ($0["data"] as? [String: Any])?["name"] as? String
                })
            #expect(FileManager.default.fileExists(atPath: data.path + "/snapshots/" + name))
            // This machine's series appear after the first in-process scrape; delete them all.
            for _ in 0..<100 {
                let up = try await Self.json(base + "/api/v1/query?query=up%7Bjob%3D%22vigil-agent%22%7D")
                if !(((up["data"] as? [String: Any])?["result"] as? [Any]) ?? []).isEmpty { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let deleted = try await Self.post(base + "/api/v1/admin/tsdb/delete_series?match%5B%5D=up")
            #expect(deleted.status == 204)
            let after = try await Self.json(base + "/api/v1/query?query=up%7Bjob%3D%22vigil-agent%22%7D%5B1h%5D")
            #expect((((after["data"] as? [String: Any])?["result"] as? [Any]) ?? [1]).isEmpty)
        }
    }
}
