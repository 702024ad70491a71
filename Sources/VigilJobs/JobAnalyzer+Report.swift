import VigilModel
import VigilPromQL
import VigilStorage

/// One GPU's samples over a job, for charts.
public struct JobGPUSeries: Sendable, Hashable {
    public var gpu: JobGPU
    public var samples: [Sample]

    public init(gpu: JobGPU, samples: [Sample]) {
        self.gpu = gpu
        self.samples = samples
    }
}

/// A report with the per-GPU series it was computed from (utilisation in percent, memory in MiB).
public struct JobDetail: Sendable {
    public var report: JobReport
    public var utilization: [JobGPUSeries]
    public var memoryUsedMiB: [JobGPUSeries]
    /// The step of the range queries (ms).
    public var stepMs: Int64
}

extension JobAnalyzer {
    /// The report of the job `id` found in `[start, end]`.
    public func report(jobID id: String, start: Int64, end: Int64, on storage: any Queryable) throws(JobsError)
        -> JobDetail
    {
        try report(for: job(id: id, start: start, end: end, on: storage), on: storage)
    }

    /// The reports of every job in `[start, end]`, newest first.
    public func reports(start: Int64, end: Int64, on storage: any Queryable) throws(JobsError) -> [JobReport] {
        var reports: [JobReport] = []
        for job in try jobs(start: start, end: end, on: storage) {
            reports.append(try report(for: job, on: storage).report)
        }
        return reports
    }

    /// Measures `job` over its lifetime (first to last info sample): utilisation, memory, energy per GPU;
    /// CPU efficiency and iowait per node when `node_cpu_seconds_total` exists; advice.
    public func report(for job: JobAllocation, on storage: any Queryable) throws(JobsError) -> JobDetail {
        let start = job.firstSampleMs
        let end = max(job.lastSampleMs, start)
        let span = end - start
        var step = (span + Int64(maxPointsPerSeries) - 1) / Int64(maxPointsPerSeries)
        step = max(minimumStepMs, (step + 999) / 1000 * 1000)
        let key = "job \(job.id)"
        let hosts = "Hostname=~\"\(Self.alternation(job.hostnames))\""
        let info =
            job.gpuSource == .slurmGRES
            ? "max by (Hostname, gpu, job_id) (label_replace(\(Self.gresInfoMetric){\(Self.infoSelector(for: job))}, "
                + "\"Hostname\", \"$1\", \"node\", \"(.*)\"))"
            : "max by (Hostname, gpu, job_id) (\(Self.infoMetric){\(Self.infoSelector(for: job))})"
        func joined(_ metric: String) throws(JobsError) -> [GPUKey: [Sample]] {
            let series = try range(
                "\(metric) * on(Hostname, gpu) group_left(job_id) \(info)", start: start, end: end, step: step,
                on: storage, key: key)
            var out: [GPUKey: [Sample]] = [:]
            for s in series {
                let gpuKey = GPUKey(hostname: s.labels["Hostname"] ?? "", gpu: s.labels["gpu"] ?? "")
                out[gpuKey, default: []].append(contentsOf: s.samples)
            }
            return out
        }
        let utilization = try joined("DCGM_FI_DEV_GPU_UTIL{\(hosts)}")
        let used = try joined("DCGM_FI_DEV_FB_USED{\(hosts)}")
        let total = try joined("(DCGM_FI_DEV_FB_USED{\(hosts)} + DCGM_FI_DEV_FB_FREE{\(hosts)})")
        let energy = try joined("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{\(hosts)}")
        var power: [GPUKey: [Sample]] = [:]
        if job.gpus.contains(where: { (energy[$0.key]?.count ?? 0) < 2 }) {
            power = try joined("DCGM_FI_DEV_POWER_USAGE{\(hosts)}")
        }

        var gpus: [GPUUsage] = []
        for gpu in job.gpus {
            let values = utilization[gpu.key]?.map(\.value).filter { $0.isFinite } ?? []
            let average = JobAdviceThresholds.mean(values)
            var joules: Double?
            if let counter = energy[gpu.key], counter.count >= 2 {
                joules = Self.increase(counter.sorted { $0.timestamp < $1.timestamp }) / 1000
            } else if let watts = JobAdviceThresholds.mean(power[gpu.key]?.map(\.value) ?? []) {
                joules = watts * Double(span) / 1000
            }
            gpus.append(
                GPUUsage(
                    gpu: gpu, utilizationAverage: average, utilizationMax: values.max(),
                    peakMemoryMiB: used[gpu.key]?.map(\.value).max(),
                    memoryTotalMiB: total[gpu.key]?.map(\.value).max(),
                    energyJoules: joules, idle: average.map { $0 < thresholds.idleUtilizationPercent } ?? false))
        }

        let cpu = try cpuUsage(hostnames: job.hostnames, start: start, end: end, step: step, on: storage, key: key)
        var nodes: [NodeUsage] = []
        for hostname in job.hostnames {
            let own = gpus.filter { $0.gpu.hostname == hostname }
            let samples = own.flatMap { utilization[$0.gpu.key]?.map(\.value) ?? [] }
            nodes.append(
                NodeUsage(
                    hostname: hostname, gpuCount: own.count, utilizationAverage: JobAdviceThresholds.mean(samples),
                    peakMemoryMiB: own.compactMap(\.peakMemoryMiB).max(),
                    energyJoules: Self.sum(own.map(\.energyJoules)),
                    cpuEfficiency: cpu[hostname].map { $0.busy / $0.total },
                    iowait: cpu[hostname].map { $0.iowait / $0.total }))
        }

        let allUtilization = job.gpus.flatMap { utilization[$0.key]?.map(\.value) ?? [] }.filter { $0.isFinite }
        let peak = gpus.filter { $0.peakMemoryMiB != nil }.max { $0.peakMemoryMiB! < $1.peakMemoryMiB! }
        let cpuTotal = cpu.values.reduce(0) { $0 + $1.total }
        var notes: [String] = []
        if !cpu.isEmpty {
            notes.append(
                "CPU efficiency and iowait are whole-node figures from node_cpu_seconds_total: they assume the job "
                    + "had its nodes to itself (exclusive allocation)")
        }
        if gpus.contains(where: { $0.energyJoules != nil }) && !power.isEmpty {
            notes.append("energy of GPUs without DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION is integrated power")
        }
        var report = JobReport(
            job: job, utilizationAverage: JobAdviceThresholds.mean(allUtilization),
            utilizationMax: allUtilization.max(), peakMemoryMiB: peak?.peakMemoryMiB,
            memoryTotalMiB: peak?.memoryTotalMiB ?? gpus.compactMap(\.memoryTotalMiB).max(),
            energyJoules: Self.sum(gpus.map(\.energyJoules)),
            cpuEfficiency: cpuTotal > 0 ? cpu.values.reduce(0) { $0 + $1.busy } / cpuTotal : nil,
            iowait: cpuTotal > 0 ? cpu.values.reduce(0) { $0 + $1.iowait } / cpuTotal : nil, nodes: nodes,
            gpus: gpus, advice: [], notes: notes)
        report.advice = thresholds.advice(for: report)
        func series(_ values: [GPUKey: [Sample]]) -> [JobGPUSeries] {
            job.gpus.map {
                JobGPUSeries(gpu: $0, samples: (values[$0.key] ?? []).sorted { $0.timestamp < $1.timestamp })
            }
        }
        return JobDetail(report: report, utilization: series(utilization), memoryUsedMiB: series(used), stepMs: step)
    }

    /// CPU seconds per node over the job: all modes, busy (neither idle nor iowait) and iowait.
    private func cpuUsage(
        hostnames: [String], start: Int64, end: Int64, step: Int64, on storage: any Queryable, key: String
    ) throws(JobsError) -> [String: (total: Double, busy: Double, iowait: Double)] {
        let window = max(end - start, step)
        let query =
            "sum by (instance, mode) (increase(node_cpu_seconds_total{instance=~\"(\(Self.alternation(hostnames)))"
            + "(:[0-9]+)?\"}[\(window)ms]))"
        var out: [String: (total: Double, busy: Double, iowait: Double)] = [:]
        for sample in try vector(query, at: end, on: storage, key: key) where sample.value.isFinite {
            guard let instance = sample.labels["instance"] else { continue }
            let hostname = Self.hostname(ofInstance: instance)
            var entry = out[hostname] ?? (0, 0, 0)
            entry.total += sample.value
            switch sample.labels["mode"] {
            case "idle": break
            case "iowait": entry.iowait += sample.value
            default: entry.busy += sample.value
            }
            out[hostname] = entry
        }
        return out.filter { $0.value.total > 0 }
    }

    /// `gpu-node-01:9100` → `gpu-node-01`; `[::1]:9100` → `::1`.
    static func hostname(ofInstance instance: String) -> String {
        if instance.hasPrefix("["), let close = instance.firstIndex(of: "]") {
            return String(instance[instance.index(after: instance.startIndex)..<close])
        }
        if let colon = instance.lastIndex(of: ":"), instance.firstIndex(of: ":") == colon,
            instance[instance.index(after: colon)...].allSatisfy(\.isNumber)
        {
            return String(instance[..<colon])
        }
        return instance
    }

    /// A counter's increase over samples in time order, counting a drop as a reset (as `increase` does,
    /// without extrapolation).
    static func increase(_ samples: [Sample]) -> Double {
        var total = 0.0
        for (previous, next) in zip(samples, samples.dropFirst()) where previous.value.isFinite && next.value.isFinite {
            total += next.value >= previous.value ? next.value - previous.value : next.value
        }
        return total
    }

    static func sum(_ values: [Double?]) -> Double? {
        let present = values.compactMap { $0 }
        return present.isEmpty ? nil : present.reduce(0, +)
    }
}
