import Testing
import VigilJobs
import VigilModel
import VigilStorage

/// `account` and `partition` labels on `vigil_gpu_job_info` (what the Slurm-like demo stream and a Slurm
/// source add), and a GPU id that needs regex quoting.
@Suite struct JobAccountTests {
    static let start: Int64 = 1_790_000_000_000

    static func storage() throws -> MemoryStorage {
        let storage = MemoryStorage()
        let appender = storage.appender()
        let gpus: [(host: String, gpu: String, job: String, user: String, account: String, util: Double)] = [
            ("node.a+1", "0", "11", "ann", "physics", 100), ("node.a+1", "1", "11", "ann", "physics", 50),
            ("node-b", "0", "12", "ben", "chemistry", 0),
        ]
        for time in stride(from: start, through: start + 3_600_000, by: 60_000) {
            for gpu in gpus {
                let base: Labels = ["Hostname": gpu.host, "gpu": gpu.gpu, "UUID": "GPU-\(gpu.host)-\(gpu.gpu)"]
                try appender.append(
                    base.setting(metricNameLabel, to: "vigil_gpu_job_info").setting("job_id", to: gpu.job)
                        .setting("user", to: gpu.user).setting("account", to: gpu.account)
                        .setting("partition", to: "gpu"),
                    timestamp: time, value: 1)
                try appender.append(
                    base.setting(metricNameLabel, to: "DCGM_FI_DEV_GPU_UTIL"), timestamp: time, value: gpu.util)
            }
        }
        try appender.commit()
        return storage
    }

    @Test func accountsPartitionsAndQuotedHostnames() throws {
        let storage = try Self.storage()
        let analyzer = JobAnalyzer(minimumStepMs: 60_000)
        let jobs = try analyzer.jobs(start: Self.start, end: Self.start + 3_600_000, on: storage)
        #expect(jobs.map(\.id) == ["12", "11"])
        #expect(jobs.map(\.account) == ["chemistry", "physics"])
        #expect(jobs.allSatisfy { $0.partition == "gpu" && $0.state == .running })
        let report = try analyzer.report(for: jobs[1], on: storage).report
        #expect(report.gpus.map(\.utilizationAverage) == [100, 50])
        #expect(report.utilizationAverage == 75)
        #expect(report.advice.isEmpty)
        let unused = try analyzer.report(for: jobs[0], on: storage).report
        #expect(unused.advice.map(\.code) == ["unused_gpus"])

        let rows = try analyzer.showback(
            start: Self.start, end: Self.start + 3_600_000, by: .account, stepMs: 60_000, on: storage)
        #expect(rows.map(\.key) == ["physics", "chemistry"])
        // 61 steps of one minute: two GPUs held, one and a half used.
        #expect(abs(rows[0].gpuHoursAllocated - 2 * 61 / 60.0) < 1e-9)
        #expect(abs(rows[0].gpuHoursUsed - 1.5 * 61 / 60.0) < 1e-9)
        #expect(rows[1].gpuHoursUsed == 0)
        #expect(rows.map(\.jobs) == [1, 1])
    }

    @Test func badShowbackStep() throws {
        let error = #expect(throws: JobsError.self) {
            try JobAnalyzer().showback(start: 0, end: 1, by: .user, stepMs: 0, on: MemoryStorage())
        }
        #expect(error?.key == "step")
    }
}
