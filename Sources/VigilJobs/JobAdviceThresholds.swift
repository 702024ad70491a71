/// The thresholds behind a job's advice (documented in docs/jobs.md). Defaults follow what Princeton's
/// jobstats uses for its alerts and what operators of shared GPU clusters usually ask of their users.
public struct JobAdviceThresholds: Sendable, Hashable, Codable {
    /// A GPU whose average utilisation over the job stays below this (percent) is idle. Default 5.
    public var idleUtilizationPercent: Double
    /// A job whose average utilisation over its busy GPUs stays below this (percent) under-uses them.
    /// Default 40.
    public var lowUtilizationPercent: Double
    /// An iowait share of CPU time at or above this (0…1) with low GPU utilisation means data loading is
    /// the bottleneck. Default 0.10.
    public var highIowaitFraction: Double
    /// CPU efficiency at or above this (0…1) with low GPU utilisation means CPU-side work is the
    /// bottleneck. Default 0.90.
    public var highCPUEfficiency: Double
    /// Peak memory of the job's busiest GPU below this share (0…1) of the board's memory means a smaller
    /// GPU or a MIG slice would do. Default 0.25.
    public var lowMemoryFraction: Double
    /// Jobs shorter than this (ms) get no advice: warm-up dominates. Default 5 minutes.
    public var minimumDurationMs: Int64

    public init(
        idleUtilizationPercent: Double = 5, lowUtilizationPercent: Double = 40, highIowaitFraction: Double = 0.10,
        highCPUEfficiency: Double = 0.90, lowMemoryFraction: Double = 0.25, minimumDurationMs: Int64 = 300_000
    ) {
        self.idleUtilizationPercent = idleUtilizationPercent
        self.lowUtilizationPercent = lowUtilizationPercent
        self.highIowaitFraction = highIowaitFraction
        self.highCPUEfficiency = highCPUEfficiency
        self.lowMemoryFraction = lowMemoryFraction
        self.minimumDurationMs = minimumDurationMs
    }
}

extension JobAdviceThresholds {
    /// The advice for a report whose figures are filled in (``JobReport/advice`` is ignored).
    public func advice(for report: JobReport) -> [JobAdvice] {
        guard report.durationMs >= minimumDurationMs, !report.gpus.isEmpty else { return [] }
        var advice: [JobAdvice] = []
        let idle = report.gpus.filter(\.idle)
        let busy = report.gpus.filter { !$0.idle && $0.utilizationAverage != nil }
        if !idle.isEmpty && busy.isEmpty {
            let average = Self.percent(report.utilizationAverage ?? 0)
            advice.append(
                JobAdvice(
                    code: "unused_gpus",
                    message:
                        "none of the \(report.gpuCount) GPUs was used (average \(average)): check that the program "
                        + "runs on the GPU (CUDA visible, framework built with GPU support)"))
        } else {
            let keep = report.gpuCount - idle.count
            for usage in idle {
                let request = "request \(keep) GPU\(keep == 1 ? "" : "s")"
                let name = "GPU \(usage.gpu.gpu) on \(usage.gpu.hostname)"
                if let max = usage.utilizationMax, max < idleUtilizationPercent {
                    advice.append(
                        JobAdvice(code: "idle_gpu", message: "\(name) was idle for the whole job: \(request)"))
                } else {
                    let average = Self.percent(usage.utilizationAverage ?? 0)
                    let max = Self.percent(usage.utilizationMax ?? 0)
                    advice.append(
                        JobAdvice(
                            code: "idle_gpu",
                            message: "\(name) was nearly idle (average \(average), max \(max)): \(request)"))
                }
            }
        }
        let busyAverage = Self.mean(busy.compactMap(\.utilizationAverage))
        if let utilization = busyAverage, utilization < lowUtilizationPercent {
            let text = Self.percent(utilization)
            if let iowait = report.iowait, iowait >= highIowaitFraction {
                advice.append(
                    JobAdvice(
                        code: "data_loading",
                        message:
                            "GPU utilisation \(text) with high iowait (\(Self.percent(iowait * 100)) of CPU time): "
                            + "data loading is the bottleneck; stage the data on local disk or use more loader workers")
                )
            } else if let cpu = report.cpuEfficiency, cpu >= highCPUEfficiency {
                advice.append(
                    JobAdvice(
                        code: "cpu_bound",
                        message:
                            "GPU utilisation \(text) with the CPUs \(Self.percent(cpu * 100)) busy: CPU-side work "
                            + "(preprocessing, Python) is the bottleneck; request more CPU cores per GPU"))
            } else {
                advice.append(
                    JobAdvice(
                        code: "low_utilization",
                        message:
                            "GPU utilisation \(text): larger batches, more work per GPU or fewer GPUs would use "
                            + "them better"))
            }
        }
        if !busy.isEmpty, let peak = report.peakMemoryMiB, let total = report.memoryTotalMiB, total > 0,
            peak / total < lowMemoryFraction
        {
            let gigabytes = Int((total / 1024).rounded())
            advice.append(
                JobAdvice(
                    code: "low_memory",
                    message:
                        "peak memory \(Self.percent(peak / total * 100)) of \(gigabytes) GB: a smaller GPU or MIG "
                        + "slice would do"))
        }
        return advice
    }

    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// "18 %": whole percent, as people read it.
    static func percent(_ value: Double) -> String {
        guard value.isFinite else { return "– %" }
        return "\(Int(value.rounded())) %"
    }
}
