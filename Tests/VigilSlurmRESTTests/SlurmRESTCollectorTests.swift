import Foundation
import Testing
import VigilCollectors
import VigilModel
import VigilScheduler
import VigilSlurmREST

@Suite("slurmrestd client and collector against captured responses")
struct SlurmRESTCollectorTests {
    static let user = "alice"
    static let token = "eyJhbGciOiJIUzI1NiJ9.test.sig"

    /// ../shared/fixtures/slurm/RELEASE, or nil (the test then says it was skipped) when absent.
    static func fixtures(_ release: String) -> URL? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let directory = root.deletingLastPathComponent().appending(path: "shared/fixtures/slurm/\(release)")
        guard FileManager.default.fileExists(atPath: directory.path) else {
            print("skipped: \(directory.path) is absent (the shared Slurm fixtures)")
            return nil
        }
        return directory
    }

    static func read(_ directory: URL, _ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appending(path: name)))
    }

    static func collect(_ collector: SlurmRESTCollector) -> CollectorOutput {
        var output = CollectorOutput(paths: HostPaths())
        collector.collect(into: &output)
        return output
    }

    static func value(_ output: CollectorOutput, _ name: String, _ labels: Labels = [:]) -> Double? {
        output.metrics.families.first { $0.name == name }?.samples.first { $0.labels == labels }?.value
    }

    static let releases: [(String, String)] = [
        ("22.05.8-nodbd", "v0.0.38"), ("22.05.8-slurmdbd", "v0.0.38"), ("24.11.5-slurmdbd", "v0.0.42"),
    ]

    @Test(
        "every captured slurmrestd jobs, nodes and diag response decodes",
        arguments: [
            "22.05.8-nodbd/restd-v0.0.38", "22.05.8-slurmdbd/restd-v0.0.38", "24.11.5-slurmdbd/restd-v0.0.40",
            "24.11.5-slurmdbd/restd-v0.0.42",
        ])
    func everyCaptureDecodes(prefix: String) throws {
        let parts = prefix.split(separator: "/").map(String.init)
        guard let directory = Self.fixtures(parts[0]) else { return }
        #expect(try !SlurmDecoder.jobs(try Self.read(directory, parts[1] + "-jobs.json")).isEmpty)
        #expect(try !SlurmDecoder.nodes(try Self.read(directory, parts[1] + "-nodes.json")).isEmpty)
        let stats = try SlurmDecoder.schedulerStats(try Self.read(directory, parts[1] + "-diag.json"))
        #expect(stats.jobsSubmitted != nil)
    }

    @Test("the newest version /openapi/v3 lists; metrics equal SlurmMetrics of the same responses", arguments: releases)
    func pollsAndMatchesTheCommandPath(release: String, version: String) async throws {
        guard let directory = Self.fixtures(release) else { return }
        let server = SlurmRESTTestServer(directory: directory, user: Self.user, token: Self.token)
        try await server.serve { url in
            let client = SlurmRESTClient(baseURL: url + "/", user: Self.user, token: .value(Self.token))
            let collector = SlurmRESTCollector(client: client, now: { 1_700_000_000_000 })
            await collector.poll()
            #expect(client.currentVersion == version)
            #expect(
                server.requests == [
                    "/openapi/v3", "/slurm/\(version)/jobs", "/slurm/\(version)/nodes",
                    "/slurm/\(version)/diag", "/slurmdb/\(version)/jobs",
                ])
            #expect(collector.issues.isEmpty)

            // The data the command path's decoders read from the same bytes, through the same SlurmMetrics:
            // the live jobs plus the accounting's finished ones they no longer list (none without slurmdbd,
            // where /slurmdb answers 404).
            let live = try SlurmDecoder.jobs(try Self.read(directory, "restd-\(version)-jobs.json"))
            let hasHistory = FileManager.default.fileExists(
                atPath: directory.appending(path: "restd-db\(version)-jobs.json").path)
            let history =
                hasHistory ? try SlurmDecoder.jobs(try Self.read(directory, "restd-db\(version)-jobs.json")) : []
            let listed = Set(live.map(\.jobID))
            let expected = SlurmMetrics.metricSet(
                for: SlurmSnapshot(
                    jobs: live + history.filter { !listed.contains($0.jobID) },
                    nodes: try SlurmDecoder.nodes(try Self.read(directory, "restd-\(version)-nodes.json")),
                    scheduler: try SlurmDecoder.schedulerStats(try Self.read(directory, "restd-\(version)-diag.json")),
                    time: 1_700_000_000))
            let output = Self.collect(collector)
            let data = output.metrics.families.filter { family in expected.families.contains { $0.name == family.name }
            }
            #expect(data == expected.families)
            #expect(!expected.families.isEmpty)
            #expect(collector.snapshot?.jobs.isEmpty == false)
            #expect(collector.snapshot?.nodes.isEmpty == false)
            // The job list the agent's GPU collection names jobs from (vigil_gpu_job_info's partition, account).
            #expect(collector.job(id: "9")?.partition == "gpu")
            #expect(collector.job(id: "424242") == nil)
            #expect(Self.value(output, "slurm_up") == 1)
            #expect(Self.value(output, "slurm_data_stale") == 0)
            #expect(Self.value(output, "slurm_rest_request_success", ["endpoint": "diag"]) == 1)
            #expect(Self.value(output, "slurm_rest_errors_total", ["endpoint": "jobs"]) == 0)
            #expect(
                Self.value(output, "slurm_rest_request_success", ["endpoint": "slurmdb_jobs"]) == (hasHistory ? 1 : nil)
            )
            #expect(Self.value(output, "slurm_rest_errors_total", ["endpoint": "slurmdb_jobs"]) == 0)
            // What the real daemons accept: 22.05 refuses epoch seconds ("Unable to parse time format") and
            // a bare comma (400); 24.11 reads an encoded list as one unknown flag and wants state= per state.
            let states = SlurmCommand.finishedStates.split(separator: ",")
            let query =
                version == "v0.0.38"
                ? "start_time=now-3600&end_time=now&state=" + states.joined(separator: "%2C")
                : "start_time=1699996400&end_time=1700000000" + states.map { "&state=\($0)" }.joined()
            #expect(server.queries["/slurmdb/\(version)/jobs"] == query)
        }
    }

    @Test("the accounting's jobs fill in what slurmctld forgot; a failing /slurmdb costs only them")
    func historyFromSlurmdb() async throws {
        guard let directory = Self.fixtures("22.05.8-slurmdbd") else { return }
        // slurmctld lists only the running and the pending job (9, 10), as after MinJobAge.
        let source = try Self.read(directory, "restd-v0.0.38-jobs.json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(source)) as? [String: Any])
        var trimmed = object
        trimmed["jobs"] = (object["jobs"] as? [[String: Any]] ?? []).filter { [9, 10].contains($0["job_id"] as? Int) }
        let work = FileManager.default.temporaryDirectory.appending(path: "vigil-slurmrest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        for name in [
            "restd-openapi-v3.json", "restd-v0.0.38-nodes.json", "restd-v0.0.38-diag.json", "restd-dbv0.0.38-jobs.json",
        ] {
            try FileManager.default.copyItem(at: directory.appending(path: name), to: work.appending(path: name))
        }
        try JSONSerialization.data(withJSONObject: trimmed).write(to: work.appending(path: "restd-v0.0.38-jobs.json"))
        let server = SlurmRESTTestServer(directory: work, user: Self.user, token: Self.token)
        try await server.serve { url in
            let client = SlurmRESTClient(baseURL: url, user: Self.user, token: .value(Self.token))
            let collector = SlurmRESTCollector(client: client, now: { 1_795_967_300_000 })
            await collector.poll()
            #expect(collector.issues.isEmpty)
            let jobs = collector.snapshot?.jobs ?? []
            #expect(jobs.first { $0.jobID == 2 }?.outcome == .failed)
            #expect(jobs.first { $0.jobID == 1 }?.outcome == .completed)
            #expect(jobs.filter { $0.jobID == 9 }.count == 1)
            let output = Self.collect(collector)
            #expect(Self.value(output, "slurm_queue_failed") == 1)
            // 22.05's accounting JSON says exit 0 for the failed job and REST has no text form to correct
            // it: it is not counted by exit code.
            let exits = output.metrics.families.first { $0.name == "slurm_jobs_finished_exit_code" }?.samples ?? []
            #expect(!exits.contains { $0.labels["outcome"] == "failed" }, "\(exits)")

            server.fail("/slurmdb/v0.0.38/jobs")
            await collector.poll()
            let failing = Self.collect(collector)
            #expect(collector.issues.map(\.command) == ["slurmrestd /slurmdb/v0.0.38/jobs"])
            #expect(Self.value(failing, "slurm_up") == 1)
            #expect(Self.value(failing, "slurm_rest_errors_total", ["endpoint": "slurmdb_jobs"]) == 1)
            #expect(Self.value(failing, "slurm_queue_failed") == 0)
            #expect(Self.value(failing, "slurm_queue_running") == 1)
            #expect(client.currentVersion == "v0.0.38")
        }
    }

    @Test("22.05: the metrics of /jobs and /nodes equal those of squeue --json and sinfo --json")
    func sameMetricsAsTheCommands() throws {
        guard let directory = Self.fixtures("22.05.8-slurmdbd") else { return }
        let rest = SlurmSnapshot(
            jobs: try SlurmDecoder.jobs(try Self.read(directory, "restd-v0.0.38-jobs.json")),
            nodes: try SlurmDecoder.nodes(try Self.read(directory, "restd-v0.0.38-nodes.json")), time: 1_700_000_000)
        let cli = SlurmSnapshot(
            jobs: try SlurmDecoder.jobs(try Self.read(directory, "squeue.json")),
            nodes: try SlurmDecoder.nodes(try Self.read(directory, "sinfo.json")), time: 1_700_000_000)
        #expect(rest.jobs.map(\.jobID) == cli.jobs.map(\.jobID))
        #expect(SlurmMetrics.metricSet(for: rest).families == SlurmMetrics.metricSet(for: cli).families)
    }

    @Test("24.11: every job squeue --json lists reads the same from /slurm/v0.0.42/jobs")
    func sameJobsAsSqueue() throws {
        guard let directory = Self.fixtures("24.11.5-slurmdbd") else { return }
        let rest = try SlurmDecoder.jobs(try Self.read(directory, "restd-v0.0.42-jobs.json"))
        let cli = try SlurmDecoder.jobs(try Self.read(directory, "squeue.json"))
        #expect(!cli.isEmpty)
        for job in cli {
            #expect(rest.first { $0.jobID == job.jobID } == job)
        }
    }

    @Test("without /openapi/v3 the versions are tried in order", arguments: releases)
    func triesInOrder(release: String, version: String) async throws {
        guard let directory = Self.fixtures(release) else { return }
        let server = SlurmRESTTestServer(directory: directory, user: Self.user, token: Self.token, openAPI: false)
        try await server.serve { url in
            let client = SlurmRESTClient(baseURL: url, user: Self.user, token: .value(Self.token))
            let chosen = try await client.version()
            #expect(chosen == version)
            let tried = SlurmRESTClient.knownVersions.prefix { $0 != version }.map { "/slurm/\($0)/diag" }
            #expect(server.requests == ["/openapi/v3"] + tried + ["/slurm/\(version)/diag"])
        }
    }

    @Test("a server speaking no known version: the error names every version tried")
    func unknownVersion() async throws {
        let empty = FileManager.default.temporaryDirectory.appending(path: "vigil-slurmrest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let server = SlurmRESTTestServer(directory: empty, user: Self.user, token: Self.token)
        try await server.serve { url in
            let client = SlurmRESTClient(baseURL: url, user: Self.user, token: .value(Self.token))
            let collector = SlurmRESTCollector(client: client)
            await collector.poll()
            let issue = try #require(collector.issues.first)
            #expect(collector.issues.count == 1)
            #expect(issue.error.code == .unsupportedDocument)
            for version in SlurmRESTClient.knownVersions { #expect(issue.error.message.contains(version)) }
            #expect(Self.value(Self.collect(collector), "slurm_up") == 0)
        }
    }

    @Test("no token or a wrong one: 401, the error names the headers and where the token came from")
    func unauthorized() async throws {
        guard let directory = Self.fixtures("24.11.5-slurmdbd") else { return }
        let server = SlurmRESTTestServer(directory: directory, user: Self.user, token: Self.token)
        let tokenFile = FileManager.default.temporaryDirectory.appending(path: "vigil-jwt-\(UUID().uuidString)")
        try Data("SLURM_JWT=wrong\n".utf8).write(to: tokenFile)
        defer { try? FileManager.default.removeItem(at: tokenFile) }
        try await server.serve { url in
            let client = SlurmRESTClient(baseURL: url, user: Self.user, token: .file(tokenFile.path))
            let collector = SlurmRESTCollector(client: client)
            await collector.poll()
            let issue = try #require(collector.issues.first)
            #expect(collector.issues.count == 1)
            #expect(issue.error.code == .unauthorized)
            #expect(issue.error.message.contains("401"))
            #expect(issue.error.message.contains("Authentication failure"))
            #expect(issue.error.message.contains("X-SLURM-USER-TOKEN from --slurm-jwt-file \(tokenFile.path)"))
            #expect(issue.error.message.contains("X-SLURM-USER-NAME 'alice'"))
            #expect(!issue.error.message.contains("wrong"))
            #expect(server.requests == ["/openapi/v3"])

            // The file is read on every request: a rotated token works without a restart.
            try Data("\(Self.token)\n".utf8).write(to: tokenFile)
            await collector.poll()
            #expect(collector.issues.isEmpty)
            #expect(Self.value(Self.collect(collector), "slurm_up") == 1)
        }
    }

    /// What the real slurmrestd 22.05.8 (rest_auth/jwt) answered `GET /slurm/v0.0.38/jobs` with a token
    /// slurmctld refused: HTTP 500 with Slurm's error list (22.05 passes the token through; only a request
    /// without the headers gets a 401).
    static let refusedTokenBody = #"""
        {
          "meta": {
            "plugin": {
              "type": "openapi\/v0.0.38",
              "name": "Slurm OpenAPI v0.0.38"
            },
            "Slurm": {
              "version": {
                "major": 22,
                "micro": 8,
                "minor": 5
              },
              "release": "22.05.8"
            }
          },
          "errors": [
            {
              "description": "Failed while looking for jobs",
              "error_number": -1,
              "error": "Unspecified error",
              "source": "slurm_load_jobs"
            }
          ],
          "jobs": [
          ]
        }
        """#

    @Test("a token slurmctld refuses (22.05: 500 with Slurm's errors): the error names them and the token")
    func refusedTokenBehindA500() async throws {
        guard let directory = Self.fixtures("22.05.8-slurmdbd") else { return }
        let server = SlurmRESTTestServer(directory: directory, user: Self.user, token: Self.token)
        try await server.serve { url in
            let client = SlurmRESTClient(baseURL: url, user: Self.user, token: .value(Self.token))
            let collector = SlurmRESTCollector(client: client)
            await collector.poll()
            #expect(Self.value(Self.collect(collector), "slurm_up") == 1)

            server.fail("/slurm/v0.0.38/jobs", body: Self.refusedTokenBody)
            await collector.poll()
            let output = Self.collect(collector)
            let issue = try #require(collector.issues.first)
            #expect(collector.issues.count == 1)
            #expect(issue.command == "slurmrestd /slurm/v0.0.38/jobs")
            #expect(issue.error.code == .requestFailed)
            #expect(issue.error.message.contains("500"))
            #expect(issue.error.message.contains("Failed while looking for jobs: Unspecified error (slurm_load_jobs)"))
            #expect(issue.error.message.contains("invalid or expired X-SLURM-USER-TOKEN from $SLURM_JWT"))
            #expect(!issue.error.message.contains("\"meta\""))
            #expect(!issue.error.message.contains(Self.token))
            #expect(Self.value(output, "slurm_up") == 0)
            #expect(Self.value(output, "slurm_data_stale") == 1)
            #expect(Self.value(output, "slurm_rest_errors_total", ["endpoint": "jobs"]) == 1)
            #expect(Self.value(output, "slurm_queue_running") == 1)
        }
    }

    @Test("a missing or empty token file is a configuration error naming the flag")
    func badTokenFile() throws {
        let missing = SlurmRESTToken.file("/nonexistent/jwt")
        #expect(throws: SchedulerError.self) { try missing.current() }
        do {
            _ = try missing.current()
        } catch {
            #expect(error.code == .badConfiguration)
            #expect(error.message.contains("--slurm-jwt-file"))
        }
        #expect(SlurmRESTToken.resolve(file: nil, environment: ["SLURM_JWT": "t"]) == .value("t"))
        #expect(SlurmRESTToken.resolve(file: "/f", environment: ["SLURM_JWT": "t"]) == .file("/f"))
        #expect(SlurmRESTToken.resolve(file: nil, environment: [:]) == nil)
    }

    @Test("no server, or no token file: that error, not a version search")
    func noServerNoToken() async throws {
        // Port 1 on the loopback: nothing listens; AsyncHTTPClient retries a refused connection until the
        // deadline, so a short one.
        let down = SlurmRESTCollector(
            client: SlurmRESTClient(
                baseURL: "http://127.0.0.1:1", user: "a", token: .value("t"), timeout: .milliseconds(300)))
        await down.poll()
        #expect(down.issues.map(\.error.code) == [.requestFailed])
        #expect(down.issues.first?.command == "slurmrestd jobs")
        #expect(down.issues.first?.error.message.contains("GET http://127.0.0.1:1/openapi/v3") == true)
        #expect(Self.value(Self.collect(down), "slurm_up") == 0)

        let noToken = SlurmRESTCollector(
            client: SlurmRESTClient(baseURL: "http://127.0.0.1:1", user: "a", token: .file("/nonexistent/jwt")))
        await noToken.poll()
        #expect(noToken.issues.map(\.error.code) == [.badConfiguration])
        #expect(noToken.issues.first?.error.message.contains("/nonexistent/jwt") == true)
    }

    @Test("a hung slurmrestd: the timeout is named; the last good data stays, marked stale")
    func timeoutKeepsStaleData() async throws {
        guard let directory = Self.fixtures("22.05.8-slurmdbd") else { return }
        let server = SlurmRESTTestServer(directory: directory, user: Self.user, token: Self.token)
        try await server.serve { url in
            // A timeout long enough for a loaded CI machine to answer the good poll, well short of the delay.
            let client = SlurmRESTClient(
                baseURL: url, user: Self.user, token: .value(Self.token), timeout: .seconds(2))
            let collector = SlurmRESTCollector(client: client, now: { 1_700_000_000_000 })
            await collector.poll()
            let good = Self.collect(collector)
            #expect(Self.value(good, "slurm_up") == 1)

            server.setDelay(.seconds(8))
            await collector.poll()
            let stale = Self.collect(collector)
            let issue = try #require(collector.issues.first)
            #expect(issue.command == "slurmrestd /slurm/v0.0.38/jobs")
            #expect(issue.error.code == .requestFailed)
            #expect(issue.error.message.contains("no answer within"))
            #expect(Self.value(stale, "slurm_up") == 0)
            #expect(Self.value(stale, "slurm_data_stale") == 1)
            #expect(collector.job(id: "9")?.account == "ml-research", "the last good job list stays")
            #expect(Self.value(stale, "slurm_rest_errors_total", ["endpoint": "jobs"]) == 1)
            #expect(Self.value(stale, "slurm_last_success_timestamp_seconds") == 1_700_000_000)
            let dataNames = Set(good.metrics.families.map(\.name)).filter { !$0.hasPrefix("slurm_rest_") }
            #expect(dataNames.isSubset(of: Set(stale.metrics.families.map(\.name))))
            #expect(stale.issues.count == 1)
            // Said once per poll, not on every scrape until the next.
            #expect(Self.collect(collector).issues.isEmpty)
            #expect(Self.value(Self.collect(collector), "slurm_data_stale") == 1)
        }
    }

    @Test("unreadable JSON from /nodes: an issue with its key path or position; the other endpoints still run")
    func unreadableNodes() async throws {
        guard let source = Self.fixtures("24.11.5-slurmdbd") else { return }
        let directory = FileManager.default.temporaryDirectory.appending(path: "vigil-slurmrest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["restd-openapi-v3.json", "restd-v0.0.42-jobs.json", "restd-v0.0.42-diag.json"] {
            try FileManager.default.copyItem(at: source.appending(path: name), to: directory.appending(path: name))
        }
        let nodes = try Self.read(source, "restd-v0.0.42-nodes.json")
        try Data(nodes.prefix(nodes.count / 2)).write(to: directory.appending(path: "restd-v0.0.42-nodes.json"))
        let server = SlurmRESTTestServer(directory: directory, user: Self.user, token: Self.token)
        try await server.serve { url in
            let client = SlurmRESTClient(baseURL: url, user: Self.user, token: .value(Self.token))
            let collector = SlurmRESTCollector(client: client)
            await collector.poll()
            let issue = try #require(collector.issues.first)
            #expect(collector.issues.count == 1)
            #expect(issue.command == "slurmrestd /slurm/v0.0.42/nodes")
            #expect(issue.error.code == .malformedJSON)
            #expect(issue.error.line != nil)
            let output = Self.collect(collector)
            #expect(Self.value(output, "slurm_up") == 0)
            #expect(Self.value(output, "slurm_data_stale") == 0)
            #expect(Self.value(output, "slurm_rest_request_success", ["endpoint": "diag"]) == 1)
            #expect(Self.value(output, "slurm_rest_errors_total", ["endpoint": "nodes"]) == 1)
            #expect(collector.snapshot == nil)
        }
    }

    @Test("a 404 after an upgrade forgets the version; the next poll discovers it again")
    func rediscoversAfterNotFound() async throws {
        guard let directory = Self.fixtures("24.11.5-slurmdbd") else { return }
        let server = SlurmRESTTestServer(directory: directory, user: Self.user, token: Self.token)
        try await server.serve { url in
            let client = SlurmRESTClient(baseURL: url, user: Self.user, token: .value(Self.token))
            let collector = SlurmRESTCollector(client: client)
            await collector.poll()
            #expect(client.currentVersion == "v0.0.42")
            server.fail("/slurm/v0.0.42/jobs", status: 404)
            await collector.poll()
            #expect(client.currentVersion == nil)
            #expect(collector.issues.first?.error.message.contains("404") == true)
            server.fail("/slurm/v0.0.42/jobs", false)
            await collector.poll()
            #expect(client.currentVersion == "v0.0.42")
            #expect(collector.issues.isEmpty)
            #expect(server.requests.filter { $0 == "/openapi/v3" }.count == 2)
        }
    }

    @Test("diag failing costs only the scheduler metrics")
    func diagFailing() async throws {
        guard let directory = Self.fixtures("24.11.5-slurmdbd") else { return }
        let server = SlurmRESTTestServer(directory: directory, user: Self.user, token: Self.token)
        server.fail("/slurm/v0.0.42/diag")
        try await server.serve { url in
            let client = SlurmRESTClient(baseURL: url, user: Self.user, token: .value(Self.token))
            let collector = SlurmRESTCollector(client: client)
            await collector.poll()
            let output = Self.collect(collector)
            #expect(Self.value(output, "slurm_up") == 1)
            #expect(Self.value(output, "slurm_rest_request_success", ["endpoint": "diag"]) == 0)
            #expect(Self.value(output, "slurm_rest_errors_total", ["endpoint": "diag"]) == 1)
            #expect(collector.issues.map(\.command) == ["slurmrestd /slurm/v0.0.42/diag"])
            #expect(collector.issues.first?.error.message.contains("500") == true)
            #expect(collector.snapshot?.scheduler == nil)
        }
    }
}
