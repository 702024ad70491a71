import Hummingbird
import HummingbirdTesting
import Testing
import VigilGPU
import VigilJobs
import VigilMeta
import VigilModel
import VigilServer
import VigilStorage

/// A Kubernetes pod as a job over HTTP: the simulated training job (GPU 3 hung at 0 %) runs in the pod
/// `ml-team/trainer-0`, whose id has a `/` that paths carry percent-encoded.
struct JobsPodFixture {
    static let podUID = "4f0c1a2b-9d3e-4c5f-8a6b-7c8d9e0f1a2b"
    static let podID = "ml-team/trainer-0"
    static let encodedID = "ml-team%2Ftrainer-0"

    let storage = MemoryStorage()

    init() throws {
        var fleet = SimulatedFleet(
            nodes: 1, gpusPerNode: 4, profile: .h100, seed: 7, startMs: JobsServerFixture.start, scheduling: .manual)
        var slurmID = ""
        let format = DCGMExporterFormat(
            hostname: fleet.nodeNames[0],
            podLookup: { $0 == Self.podUID ? PodName(namespace: "ml-team", name: "trainer-0") : nil })
        let appender = storage.appender()
        var previous: Set<Labels> = []
        for time in stride(from: JobsServerFixture.start, through: JobsServerFixture.end, by: 15_000) {
            fleet.advance(toMs: time)
            if time == JobsServerFixture.start + 60_000 {
                slurmID = fleet.startJob(.training, node: 0, gpus: [0, 1, 2, 3], user: "root").id
                fleet.inject(.stuckAtZero, node: 0, gpu: 3)
            }
            if time == JobsServerFixture.start + 40 * 60_000 { fleet.endJob(id: slurmID) }
            var readings = fleet.readings(node: 0)
            for gpu in readings.indices {
                for process in readings[gpu].processes.indices {
                    readings[gpu].processes[process].slurmJobID = nil
                    readings[gpu].processes[process].slurmAccount = nil
                    readings[gpu].processes[process].slurmPartition = nil
                    readings[gpu].processes[process].kubernetesPodUID = Self.podUID
                }
            }
            var current: Set<Labels> = []
            for family in format.metrics(for: readings).families {
                for sample in family.samples {
                    let labels = sample.labels.setting(metricNameLabel, to: sample.name)
                        .setting("instance", to: "\(fleet.nodeNames[0]):9471")
                    try appender.append(labels, timestamp: time, value: sample.value)
                    current.insert(labels)
                }
            }
            for gone in previous.subtracting(current) { try appender.append(gone, timestamp: time, value: staleNaN) }
            previous = current
        }
        try appender.commit()
    }

    static let shared = Result { try JobsPodFixture() }
}

@Suite struct JobsPodTests {
    static let idle = "GPU 3 on gpu-node-01 was idle for the whole job: request 3 GPUs"

    @Test func apiAndPagesTakeThePodID() async throws {
        let fixture = try JobsPodFixture.shared.get()
        try await JobsServerFixture.app(storage: fixture.storage, store: nil).test(.router) { client in
            let list = try await client.get("/api/v1/jobs?user=ml-team")
            let jobs = try #require(list.data as? [[String: Any]])
            let job = try #require(jobs.first?["job"] as? [String: Any])
            #expect(jobs.count == 1)
            #expect(job["id"] as? String == JobsPodFixture.podID)
            #expect(job["partition"] as? String == "kubernetes")
            #expect(job["podUID"] as? String == JobsPodFixture.podUID)
            for id in [JobsPodFixture.encodedID, JobsPodFixture.podUID] {
                let answer = try await client.get("/api/v1/jobs/\(id)")
                #expect(answer.status == .ok, "\(id)")
                #expect(answer.body.contains(Self.idle), "\(id)")
            }
            let missing = try await client.get("/api/v1/jobs/ml-team%2Ftrainer-9")
            #expect(missing.status == .notFound)
            #expect(missing.error?.contains("job \"ml-team/trainer-9\" not found") == true)
            let page = try await client.get("/ui/jobs")
            #expect(page.body.contains("/ui/jobs/\(JobsPodFixture.encodedID)"))
            let report = try await client.get("/ui/jobs/\(JobsPodFixture.encodedID)")
            #expect(report.status == .ok)
            #expect(report.body.contains(Self.idle))
            let showback = try await client.get(
                "/api/v1/jobs/showback?by=account&start=\(JobsServerFixture.start / 1000)"
                    + "&end=\(JobsServerFixture.end / 1000)")
            let rows = try #require(showback.data as? [[String: Any]])
            #expect(rows.compactMap { $0["key"] as? String } == ["ml-team"])
        }
    }

    @Test func recorderAndClientTakeThePodID() async throws {
        let fixture = try JobsPodFixture.shared.get()
        let store = JobSummaryStore(try MetaDatabase.inMemory())
        let recorder = JobsRecorder(
            storage: fixture.storage, store: store, now: { JobsServerFixture.end }, logger: JobsServerFixture.logger)
        #expect(recorder.recordFinishedJobs(at: JobsServerFixture.end) == [JobsPodFixture.podID])
        try await JobsServerFixture.app(storage: MemoryStorage(), store: store).test(.live) { client in
            let port = try #require(client.port)
            let jobs = JobsAPIClient(serverURL: "http://127.0.0.1:\(port)/")
            let text = JobsAPIClient.reportText(try await jobs.report(id: JobsPodFixture.podID))
            #expect(text.contains("- \(Self.idle)"))
        }
    }
}
