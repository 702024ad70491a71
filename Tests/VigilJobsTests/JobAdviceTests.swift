import Testing
import VigilJobs

/// The advice rules on their own, one case per rule and threshold edge.
@Suite struct JobAdviceTests {
    static func report(
        utilization: [Double], peakMemoryMiB: Double = 60_000, iowait: Double? = nil, cpu: Double? = nil,
        durationMs: Int64 = 3_600_000
    ) -> JobReport {
        let gpus = utilization.enumerated().map { index, value in
            GPUUsage(
                gpu: JobGPU(hostname: "gpu-node-02", gpu: "\(index)", uuid: "GPU-\(index)"),
                utilizationAverage: value, utilizationMax: value, peakMemoryMiB: peakMemoryMiB,
                memoryTotalMiB: 81_559, energyJoules: nil, idle: value < 5)
        }
        let job = JobAllocation(
            id: "42", user: "alice", gpus: gpus.map(\.gpu), firstSampleMs: 0, lastSampleMs: durationMs,
            state: .finished)
        return JobReport(
            job: job, utilizationAverage: nil, utilizationMax: nil, peakMemoryMiB: peakMemoryMiB,
            memoryTotalMiB: 81_559, energyJoules: nil, cpuEfficiency: cpu, iowait: iowait, nodes: [], gpus: gpus,
            advice: [], notes: [])
    }

    @Test(arguments: [
        (report(utilization: [95, 96]), [String]()),
        (report(utilization: [95, 0]), ["idle_gpu: GPU 1 on gpu-node-02 was idle for the whole job: request 1 GPU"]),
        (report(utilization: [0, 0]), ["unused_gpus"]),
        (report(utilization: [18, 20], iowait: 0.23), ["data_loading"]),
        (report(utilization: [18, 20], iowait: 0.02, cpu: 0.95), ["cpu_bound"]),
        (report(utilization: [18, 20], iowait: 0.02, cpu: 0.30), ["low_utilization"]),
        (report(utilization: [18, 20]), ["low_utilization"]),
        (report(utilization: [40, 40]), []),
        (
            report(utilization: [95], peakMemoryMiB: 7_500),
            ["low_memory: peak memory 9 % of 80 GB: a smaller GPU or MIG slice would do"]
        ),
        (report(utilization: [0, 18], durationMs: 120_000), []),
    ])
    func rules(report: JobReport, expected: [String]) {
        let advice = JobAdviceThresholds().advice(for: report)
        #expect(advice.count == expected.count)
        for (given, wanted) in zip(advice, expected) {
            if wanted.contains(": ") {
                #expect("\(given.code): \(given.message)" == wanted)
            } else {
                #expect(given.code == wanted)
            }
        }
    }

    @Test func dataLoadingMessage() {
        let advice = JobAdviceThresholds().advice(for: Self.report(utilization: [18, 18], iowait: 0.23))
        #expect(advice.first?.message.hasPrefix("GPU utilisation 18 % with high iowait (23 % of CPU time)") == true)
    }

    @Test func thresholdsAreAdjustable() {
        let strict = JobAdviceThresholds(lowUtilizationPercent: 97)
        #expect(strict.advice(for: Self.report(utilization: [95, 96])).map(\.code) == ["low_utilization"])
    }
}
