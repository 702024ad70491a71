import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import VigilGPU
import VigilJobs
import VigilMeta
import VigilModel
import VigilServer
import VigilStorage

/// The jobs API, recorder, client text and pages over a simulated fleet's real dcgm-exporter output: a
/// training job on all four GPUs of gpu-node-02 whose GPU 3 hangs at 0 % (finished), and an inference job
/// of a user whose name is markup (running).
struct JobsServerFixture {
    static let start: Int64 = 1_790_000_000_000
    static let end: Int64 = start + 50 * 60_000
    static let hostileUser = "<b>\"eve\"</b>"

    let storage = MemoryStorage()
    let trainingID: String
    let inferenceID: String

    init() throws {
        var fleet = SimulatedFleet(
            nodes: 2, gpusPerNode: 4, profile: .h100, seed: 7, startMs: Self.start, scheduling: .manual)
        inferenceID = fleet.startJob(.inference, node: 0, gpus: [0, 1], user: Self.hostileUser).id
        var trainingID = ""
        let formats = fleet.nodeNames.map { DCGMExporterFormat(hostname: $0) }
        let appender = storage.appender()
        var previous: Set<Labels> = []
        for time in stride(from: Self.start, through: Self.end, by: 15_000) {
            fleet.advance(toMs: time)
            if time == Self.start + 60_000 {
                trainingID = fleet.startJob(.training, node: 1, gpus: [0, 1, 2, 3], user: "alice").id
                fleet.inject(.stuckAtZero, node: 1, gpu: 3)
            }
            if time == Self.start + 40 * 60_000 { fleet.endJob(id: trainingID) }
            var current: Set<Labels> = []
            for node in 0..<fleet.nodeCount {
                for family in formats[node].metrics(for: fleet.readings(node: node)).families {
                    for sample in family.samples {
                        let labels = sample.labels.setting(metricNameLabel, to: sample.name)
                            .setting("instance", to: "\(fleet.nodeNames[node]):9471")
                        try appender.append(labels, timestamp: time, value: sample.value)
                        current.insert(labels)
                    }
                }
            }
            for gone in previous.subtracting(current) {
                try appender.append(gone, timestamp: time, value: staleNaN)
            }
            previous = current
        }
        try appender.commit()
        self.trainingID = trainingID
    }

    static let shared = Result { try JobsServerFixture() }

    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func app(storage: any Queryable, store: JobSummaryStore?) -> some ApplicationProtocol {
        let api = PrometheusAPI(storage: storage, now: { JobsServerFixture.end }, logger: logger)
        let router = Router()
        JobsAPI(api: api, store: store).register(on: router)
        DashboardRoutes(api: api).registerJobs(on: router, store: store)
        return Application(router: router, logger: logger)
    }
}

@Suite struct JobsAPITests {
    @Test func listFiltersAndErrors() async throws {
        let fixture = try JobsServerFixture.shared.get()
        try await JobsServerFixture.app(storage: fixture.storage, store: nil).test(.router) { client in
            let all = try await client.get("/api/v1/jobs")
            #expect(all.status == .ok)
            let jobs = try #require(all.data as? [[String: Any]])
            #expect(
                jobs.compactMap { ($0["job"] as? [String: Any])?["id"] as? String }
                    == [fixture.trainingID, fixture.inferenceID])
            let running = try await client.get("/api/v1/jobs?state=running")
            #expect((running.data as? [Any])?.count == 1)
            let alice = try await client.get("/api/v1/jobs?user=alice")
            #expect((alice.data as? [Any])?.count == 1)
            let nobody = try await client.get("/api/v1/jobs?account=physics")
            #expect((nobody.data as? [Any])?.count == 0)
            let bad = try await client.get("/api/v1/jobs?state=done")
            #expect(bad.status == .badRequest)
            #expect(bad.errorType == "bad_data")
            #expect(bad.error?.contains("state") == true)
            let backwards = try await client.get("/api/v1/jobs?start=2000&end=1000")
            #expect(backwards.status == .badRequest)
            for query in ["limit=0", "limit=ten", "start=yesterday", "state=%3Cscript%3E"] {
                let answer = try await client.get("/api/v1/jobs?\(query)")
                #expect(answer.status == .badRequest, "\(query)")
                #expect(answer.errorType == "bad_data", "\(query)")
            }
            let badStep = try await client.get("/api/v1/jobs/showback?step=-1m")
            #expect(badStep.status == .badRequest)
            #expect(badStep.error?.contains("step") == true)
        }
    }

    @Test func reportAndUnknownJob() async throws {
        let fixture = try JobsServerFixture.shared.get()
        try await JobsServerFixture.app(storage: fixture.storage, store: nil).test(.router) { client in
            let answer = try await client.get("/api/v1/jobs/\(fixture.trainingID)")
            #expect(answer.status == .ok)
            let data = try #require(answer.data as? [String: Any])
            let advice = try #require(data["advice"] as? [[String: Any]])
            #expect(
                advice.contains {
                    $0["message"] as? String == "GPU 3 on gpu-node-02 was idle for the whole job: request 3 GPUs"
                })
            let missing = try await client.get("/api/v1/jobs/12345678")
            #expect(missing.status == .notFound)
            #expect(missing.errorType == "not_found")
            #expect(missing.error?.contains("job \"12345678\" not found") == true)
            #expect(missing.error?.contains("GET /api/v1/jobs lists recent jobs") == true)
        }
    }

    @Test func showback() async throws {
        let fixture = try JobsServerFixture.shared.get()
        let start = JobsServerFixture.start / 1000
        let end = JobsServerFixture.end / 1000
        try await JobsServerFixture.app(storage: fixture.storage, store: nil).test(.router) { client in
            let answer = try await client.get("/api/v1/jobs/showback?by=user&start=\(start)&end=\(end)")
            #expect(answer.status == .ok)
            let rows = try #require(answer.data as? [[String: Any]])
            #expect(Set(rows.compactMap { $0["key"] as? String }) == ["alice", JobsServerFixture.hostileUser])
            let bad = try await client.get("/api/v1/jobs/showback?by=team")
            #expect(bad.status == .badRequest)
            #expect(bad.error?.contains("neither user nor account") == true)
        }
    }

    /// The recorder summarises the finished job once; the summary answers after the TSDB lost the samples.
    @Test func recorderPersistsFinishedJobs() async throws {
        let fixture = try JobsServerFixture.shared.get()
        let store = JobSummaryStore(try MetaDatabase.inMemory())
        let recorder = JobsRecorder(
            storage: fixture.storage, store: store, now: { JobsServerFixture.end }, logger: JobsServerFixture.logger
        )
        #expect(recorder.recordFinishedJobs(at: JobsServerFixture.end) == [fixture.trainingID])
        #expect(recorder.recordFinishedJobs(at: JobsServerFixture.end) == [])
        let record = try #require(try store.summary(jobID: fixture.trainingID))
        #expect(record.idleGPUs == 1 && record.gpuCount == 4)

        try await JobsServerFixture.app(storage: MemoryStorage(), store: store).test(.router) { client in
            let answer = try await client.get("/api/v1/jobs/\(fixture.trainingID)")
            #expect(answer.status == .ok)
            #expect(answer.body.contains("was idle for the whole job"))
            let finished = try await client.get("/api/v1/jobs?state=finished")
            #expect((finished.data as? [Any])?.count == 1)
            let page = try await client.get("/ui/jobs/\(fixture.trainingID)")
            #expect(page.status == .ok)
            #expect(page.body.contains("no longer in the TSDB"))
        }
    }

    @Test func recorderStateRemembersTheEarliestStart() {
        var state = JobsRecorderState()
        let gpu = JobGPU(hostname: "n", gpu: "0", uuid: "u")
        let running = JobAllocation(
            id: "7", user: "a", gpus: [gpu], firstSampleMs: 100, lastSampleMs: 200, state: .running)
        #expect(state.finishedJobs(in: [running], stored: []).isEmpty)
        var later = running
        later.firstSampleMs = 500
        later.lastSampleMs = 900
        later.state = .finished
        #expect(state.finishedJobs(in: [later], stored: []).map(\.firstSampleMs) == [100])
        state.recorded("7")
        #expect(state.firstSeenMs.isEmpty)
        #expect(state.finishedJobs(in: [later], stored: ["7"]).isEmpty)
    }

    @Test func pagesEscapeHostileLabels() async throws {
        let fixture = try JobsServerFixture.shared.get()
        try await JobsServerFixture.app(storage: fixture.storage, store: nil).test(.router) { client in
            let page = try await client.get("/ui/jobs")
            #expect(page.status == .ok)
            #expect(page.body.contains("/ui/jobs/\(fixture.trainingID)"))
            #expect(page.body.contains("Showback"))
            #expect(page.body.contains("GPUs allocated but idle"))
            #expect(!page.body.contains(JobsServerFixture.hostileUser))
            #expect(page.body.contains("&lt;b&gt;&quot;eve&quot;&lt;/b&gt;"))
            let report = try await client.get("/ui/jobs/\(fixture.trainingID)")
            #expect(report.status == .ok)
            #expect(report.body.contains("GPU 3 on gpu-node-02 was idle for the whole job: request 3 GPUs"))
            #expect(report.body.contains("<svg"))
            let hostile = try await client.get("/ui/jobs/\(fixture.inferenceID)")
            #expect(!hostile.body.contains(JobsServerFixture.hostileUser))
            let missing = try await client.get("/ui/jobs/%3Cscript%3E")
            #expect(missing.status == .notFound)
            #expect(missing.body.contains("Job not found"))
            #expect(!missing.body.contains("<script>"))
            let badRefresh = try await client.get("/ui/jobs?refresh=soon")
            #expect(badRefresh.status == .badRequest)
        }
    }

    /// The client against a live server, and the text `vigil jobs` prints.
    @Test func clientAndText() async throws {
        let fixture = try JobsServerFixture.shared.get()
        try await JobsServerFixture.app(storage: fixture.storage, store: nil).test(.live) { client in
            let port = try #require(client.port)
            let jobs = JobsAPIClient(serverURL: "http://127.0.0.1:\(port)/")
            let reports = try await jobs.jobs()
            let table = JobsAPIClient.table(reports)
            let lines = table.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines[0].hasPrefix("JOB"))
            #expect(lines[0].contains("UTIL AVG/MAX") && lines[0].contains("IDLE GPUS"))
            #expect(lines[1].hasPrefix(fixture.trainingID) && lines[1].contains("alice"))
            #expect(lines[1].hasSuffix("finished"))
            let text = JobsAPIClient.reportText(try await jobs.report(id: fixture.trainingID))
            #expect(text.contains("- GPU 3 on gpu-node-02 was idle for the whole job: request 3 GPUs"))
            #expect(text.contains("NODE         GPUS"))
            let error = await #expect(throws: APIError.self) { try await jobs.report(id: "nope") }
            #expect(error?.code == .notFound)
            #expect(error?.message.contains("not found") == true)
            let showback = JobsAPIClient.showbackTable(
                try await jobs.showback(by: .user, start: "\(JobsServerFixture.start / 1000)"), by: .user)
            #expect(showback.hasPrefix("USER"))
            #expect(showback.contains("alice"))
        }
    }
}
