import Testing
import VigilJobs
import VigilModel
import VigilStorage

@Suite struct JobAnalyzerTests {
    static let fixture = Result { try JobFixture() }

    @Test func findsJobsTheirGPUsAndState() throws {
        let fixture = try Self.fixture.get()
        let jobs = try JobAnalyzer().jobs(start: JobFixture.start, end: JobFixture.end, on: fixture.storage)
        #expect(jobs.map(\.id) == [fixture.trainingID, fixture.inferenceID])
        let training = try #require(jobs.first)
        #expect(training.user == "alice")
        #expect(training.state == .finished)
        #expect(training.hostnames == ["gpu-node-02"])
        #expect(training.gpus.map(\.gpu) == ["0", "1", "2", "3"])
        #expect(training.gpus.allSatisfy { !$0.uuid.isEmpty })
        #expect(training.firstSampleMs >= JobFixture.start + 60_000)
        #expect(training.lastSampleMs < JobFixture.trainingEnd)
        #expect(training.lastSampleMs > JobFixture.trainingEnd - 60_000)
        let inference = try #require(jobs.last)
        #expect(inference.state == .running)
        #expect(inference.user == "bob")
        #expect(inference.gpus.map(\.gpu) == ["0", "1"])
        #expect(inference.lastSampleMs == JobFixture.end)
    }

    @Test func reportNamesTheIdleGPU() throws {
        let fixture = try Self.fixture.get()
        let detail = try JobAnalyzer().report(
            jobID: fixture.trainingID, start: JobFixture.start, end: JobFixture.end, on: fixture.storage)
        let report = detail.report
        #expect(report.gpuCount == 4)
        #expect(report.idleGPUCount == 1)
        #expect(report.gpus.map(\.idle) == [false, false, false, true])
        #expect((report.gpus[3].utilizationMax ?? 100) < 5)
        #expect((report.gpus[0].utilizationAverage ?? 0) > 50)
        #expect((report.utilizationMax ?? 0) > 90)
        #expect(
            report.advice.contains(
                JobAdvice(code: "idle_gpu", message: "GPU 3 on gpu-node-02 was idle for the whole job: request 3 GPUs"))
        )
        #expect(!report.advice.contains { $0.code == "low_memory" })
        #expect((report.peakMemoryMiB ?? 0) > 10_000)
        #expect((report.memoryTotalMiB ?? 0) > 80_000)
        #expect((report.energyJoules ?? 0) > 0)
        // Four H100s for 44 minutes draw on the order of a kilowatt-hour.
        #expect((0.2...4).contains(report.energyKilowattHours ?? 0))
        let node = try #require(report.nodes.first)
        #expect(report.nodes.map(\.hostname) == ["gpu-node-02"])
        #expect(node.gpuCount == 4)
        #expect(node.cpuEfficiency != nil && node.iowait != nil)
        #expect(report.notes.contains { $0.contains("exclusive allocation") })
        #expect(detail.utilization.count == 4)
        #expect(detail.utilization[3].samples.allSatisfy { $0.value < 5 })
        #expect(detail.utilization[0].samples.count > 100)
    }

    /// No process attribution for the training job: its GPUs come from Slurm's GRES indices
    /// (`slurm_job_gpu_info`), and the report joins DCGM's series through them the same way.
    @Test func slurmGRESStandsInForProcessAttribution() throws {
        let fixture = try JobFixture(trainingAs: .slurmGRES)
        let analyzer = JobAnalyzer()
        let jobs = try analyzer.jobs(start: JobFixture.start, end: JobFixture.end, on: fixture.storage)
        #expect(jobs.map(\.id) == [fixture.trainingID, fixture.inferenceID])
        let training = try #require(jobs.first)
        #expect(training.gpuSource == .slurmGRES)
        #expect(training.user == "alice")
        #expect(training.state == .finished)
        #expect(training.hostnames == ["gpu-node-02"])
        #expect(training.gpus.map(\.gpu) == ["0", "1", "2", "3"])
        #expect(training.gpus.allSatisfy { $0.uuid.isEmpty })
        #expect(jobs.last?.gpuSource == nil)

        let report = try analyzer.report(
            jobID: fixture.trainingID, start: JobFixture.start, end: JobFixture.end, on: fixture.storage
        ).report
        #expect(report.job.gpuSource == .slurmGRES)
        #expect(report.gpuCount == 4)
        #expect(report.idleGPUCount == 1)
        #expect((report.gpus[0].utilizationAverage ?? 0) > 50)
        #expect(report.advice.contains { $0.code == "idle_gpu" })
    }

    /// A job both sources name is listed once, from the processes.
    @Test func processAttributionWinsOverGRES() throws {
        let fixture = try JobFixture()
        let appender = fixture.storage.appender()
        let labels: Labels = [
            metricNameLabel: "slurm_job_gpu_info", "job_id": fixture.inferenceID, "user": "bob", "node": "gpu-node-01",
            "gpu": "0", "instance": "slurm", "job": "slurm",
        ]
        try appender.append(labels, timestamp: JobFixture.end, value: 1)
        try appender.commit()
        let jobs = try JobAnalyzer().jobs(start: JobFixture.start, end: JobFixture.end, on: fixture.storage)
        #expect(jobs.filter { $0.id == fixture.inferenceID }.count == 1)
        #expect(jobs.first { $0.id == fixture.inferenceID }?.gpuSource == nil)
    }

    @Test func reportsListEveryJob() throws {
        let fixture = try Self.fixture.get()
        let reports = try JobAnalyzer().reports(start: JobFixture.start, end: JobFixture.end, on: fixture.storage)
        #expect(reports.count == 2)
        #expect(reports.allSatisfy { $0.utilizationAverage != nil })
    }

    @Test func unknownJobIsNotFound() throws {
        let fixture = try Self.fixture.get()
        let error = #expect(throws: JobsError.self) {
            try JobAnalyzer().report(jobID: "999", start: JobFixture.start, end: JobFixture.end, on: fixture.storage)
        }
        #expect(error?.code == .notFound)
        #expect(error?.key == "job 999")
        #expect(error?.message.contains("job_id=\"999\"") == true)
        #expect(error?.message.contains("widen the range") == true)
    }

    @Test(arguments: [
        (JobFixture.end, JobFixture.start, "end"),
        (JobFixture.start, JobFixture.end, "id"),
    ])
    func badRequests(start: Int64, end: Int64, key: String) throws {
        let fixture = try Self.fixture.get()
        let id = key == "id" ? "" : "1"
        let error = #expect(throws: JobsError.self) {
            try JobAnalyzer().report(jobID: id, start: start, end: end, on: fixture.storage)
        }
        #expect(error?.code == .badRequest)
        #expect(error?.key == key)
    }

    @Test func hostileJobIDsAreQuotedNotInjected() throws {
        let fixture = try Self.fixture.get()
        for id in ["\"}) or vector(1", "a\\\"b", "x\ny"] {
            let error = #expect(throws: JobsError.self) {
                try JobAnalyzer().job(id: id, start: JobFixture.start, end: JobFixture.end, on: fixture.storage)
            }
            #expect(error?.code == .notFound)
        }
    }

    @Test func showbackByUser() throws {
        let fixture = try Self.fixture.get()
        let rows = try JobAnalyzer().showback(
            start: JobFixture.start, end: JobFixture.end, by: .user, on: fixture.storage)
        #expect(rows.map(\.key) == ["alice", "bob"])
        let alice = rows[0]
        // 4 GPUs for 44 minutes, sampled every minute.
        #expect(abs(alice.gpuHoursAllocated - 4 * 44 / 60.0) < 0.15)
        #expect(alice.gpuHoursUsed < alice.gpuHoursAllocated * 0.8)
        #expect(alice.gpuHoursUsed > 0.5)
        #expect(alice.jobs == 1)
        #expect(abs(rows[1].gpuHoursAllocated - 2 * 70 / 60.0) < 0.15)
        #expect((rows[1].efficiency ?? 2) <= 1)
    }

    @Test func showbackByAccountWithoutTheLabel() throws {
        let fixture = try Self.fixture.get()
        let rows = try JobAnalyzer().showback(
            start: JobFixture.start, end: JobFixture.end, by: .account, on: fixture.storage)
        #expect(rows.count == 1)
        #expect(rows.first?.key == "")
        #expect(rows.first?.jobs == 2)
    }

    @Test func idleAllocatedGPUs() throws {
        let fixture = try Self.fixture.get()
        let idle = try JobAnalyzer().idleAllocatedGPUs(
            at: JobFixture.start + 30 * 60_000, windowMs: 10 * 60_000, on: fixture.storage)
        #expect(idle.map(\.gpu.gpu) == ["3"])
        #expect(idle.first?.jobID == fixture.trainingID)
        #expect(idle.first?.gpu.hostname == "gpu-node-02")
    }
}
