import Testing
import VigilGPU
import VigilJobs
import VigilModel
import VigilStorage

/// Kubernetes pods as jobs: the simulated fleet's training job (GPU 3 hung at 0 %) runs in a pod.
@Suite struct PodJobTests {
    static let named = Result { try JobFixture(trainingAs: .namedPod) }
    static let unnamed = Result { try JobFixture(trainingAs: .unnamedPod) }
    static let podID = "ml-team/trainer-0"

    @Test func infoSeriesNamesThePod() throws {
        var fleet = SimulatedFleet(
            nodes: 1, gpusPerNode: 2, profile: .h100, seed: 1, startMs: JobFixture.start, scheduling: .manual)
        fleet.startJob(.inference, node: 0, gpus: [1], user: "root")
        var readings = fleet.readings(node: 0)
        readings[1].processes[0].slurmJobID = nil
        readings[1].processes[0].kubernetesPodUID = JobFixture.podUID
        let lookup: PodLookup = { $0 == JobFixture.podUID ? JobFixture.podName : nil }
        for (podLookup, namespace, pod) in [(lookup, "ml-team", "trainer-0"), (nil, "", "")] {
            let format = DCGMExporterFormat(hostname: "gpu-node-01", podLookup: podLookup)
            let families = format.metrics(for: readings).families
            let info = try #require(families.first { $0.name == "vigil_gpu_job_info" })
            #expect(info.samples.count == 1)
            let labels = try #require(info.samples.first?.labels)
            #expect(labels["gpu"] == "1")
            #expect(labels["job_id"] ?? "" == "")
            #expect(labels["pod_uid"] == JobFixture.podUID)
            #expect(labels["namespace"] ?? "" == namespace)
            #expect(labels["pod"] ?? "" == pod)
            let process = try #require(families.first { $0.name == "vigil_gpu_process_info" }?.samples.first)
            #expect(process.labels["pod"] ?? "" == pod)
        }
    }

    @Test func podIsAJob() throws {
        let fixture = try Self.named.get()
        let jobs = try JobAnalyzer().jobs(start: JobFixture.start, end: JobFixture.end, on: fixture.storage)
        #expect(jobs.map(\.id) == [Self.podID, fixture.inferenceID])
        let pod = try #require(jobs.first)
        #expect(pod.user == "ml-team")
        #expect(pod.account == "ml-team")
        #expect(pod.partition == "kubernetes")
        #expect(pod.podUID == JobFixture.podUID)
        #expect(pod.isPod)
        #expect(pod.state == .finished)
        #expect(pod.gpus.map(\.gpu) == ["0", "1", "2", "3"])
        let inference = try #require(jobs.last)
        #expect(!inference.isPod)
        #expect(inference.partition != "kubernetes")
    }

    @Test(arguments: [podID, JobFixture.podUID])
    func idlePodGPUGetsTheAdvice(id: String) throws {
        let fixture = try Self.named.get()
        let report = try JobAnalyzer().report(
            jobID: id, start: JobFixture.start, end: JobFixture.end, on: fixture.storage
        ).report
        #expect(report.job.id == Self.podID)
        #expect(report.gpuCount == 4)
        #expect(report.idleGPUCount == 1)
        #expect(
            report.advice.contains(
                JobAdvice(code: "idle_gpu", message: "GPU 3 on gpu-node-02 was idle for the whole job: request 3 GPUs"))
        )
    }

    @Test func unnamedPodIsItsUID() throws {
        let fixture = try Self.unnamed.get()
        let jobs = try JobAnalyzer().jobs(start: JobFixture.start, end: JobFixture.end, on: fixture.storage)
        #expect(jobs.map(\.id) == [JobFixture.podUID, fixture.inferenceID])
        #expect(jobs.first?.user == "")
        #expect(jobs.first?.account == nil)
        #expect(jobs.first?.partition == "kubernetes")
        let report = try JobAnalyzer().report(
            jobID: JobFixture.podUID, start: JobFixture.start, end: JobFixture.end, on: fixture.storage
        ).report
        #expect(report.idleGPUCount == 1)
    }

    @Test(arguments: ["ml-team/trainer-1", "other/trainer-0", "ml-team/", "/trainer-0", "4f0c1a2b"])
    func otherPodsAreNotFound(id: String) throws {
        let fixture = try Self.named.get()
        let error = #expect(throws: JobsError.self) {
            try JobAnalyzer().report(jobID: id, start: JobFixture.start, end: JobFixture.end, on: fixture.storage)
        }
        #expect(error?.code == .notFound)
        #expect(error?.key == "job \(id)")
    }

    @Test(arguments: [ShowbackGrouping.user, .account])
    func showbackCountsTheNamespace(by grouping: ShowbackGrouping) throws {
        let fixture = try Self.named.get()
        let rows = try JobAnalyzer().showback(
            start: JobFixture.start, end: JobFixture.end, by: grouping, on: fixture.storage)
        let team = try #require(rows.first { $0.key == "ml-team" })
        #expect(team.jobs == 1)
        // Four GPUs for 44 minutes.
        #expect((2.5...3.2).contains(team.gpuHoursAllocated))
        #expect(team.gpuHoursUsed > 0 && team.gpuHoursUsed < team.gpuHoursAllocated)
    }

    @Test func idleAllocatedGPUNamesThePod() throws {
        let fixture = try Self.named.get()
        let idle = try JobAnalyzer().idleAllocatedGPUs(
            at: JobFixture.trainingEnd - 60_000, windowMs: 600_000, on: fixture.storage)
        let gpu = try #require(idle.first { $0.gpu.hostname == "gpu-node-02" })
        #expect(gpu.gpu.gpu == "3")
        #expect(gpu.jobID == Self.podID)
        #expect(gpu.user == "ml-team")
    }
}
