import VigilModel

/// GPU readings as dcgm-exporter exposes them, so DCGM dashboards and alerts work unchanged: its metric
/// names, types and help, and its labels in its order (`gpu, UUID, pci_bus_id, device, modelName,
/// Hostname, DCGM_FI_DRIVER_VERSION`; MIG instances add `GPU_I_PROFILE, GPU_I_ID`).
///
/// What dcgm-exporter lacks is added under `vigil_` names: an XID counter per code, one 0/1 series per
/// clock-event reason, a lost-GPU flag, per-process memory, and process/job attribution as a separate
/// info series (never as labels on every GPU series, for cardinality).
public struct DCGMExporterFormat: Sendable {
    public var counters: DCGMCounterList
    public var hostname: String
    /// `Hostname` (what every released dcgm-exporter emits) or `hostname`.
    public var hostnameLabel: String
    /// Names the pod of a process in a Kubernetes pod (`pod_uid`), for the `namespace` and `pod` labels of
    /// `vigil_gpu_job_info` and `vigil_gpu_process_info`; nil (the default) leaves them empty.
    public var podLookup: PodLookup?
    /// Names the user, account and partition of a process's Slurm job (`job_id`) from the latest job list of
    /// a Slurm collector running beside it, for `vigil_gpu_job_info`; nil (the default) leaves account and
    /// partition empty unless the process itself carries them (the simulator).
    public var slurmJobLookup: SlurmJobLookup?

    public init(
        counters: DCGMCounterList = .vigilDefaults, hostname: String, hostnameLabel: String = "Hostname",
        podLookup: PodLookup? = nil, slurmJobLookup: SlurmJobLookup? = nil
    ) {
        self.counters = counters
        self.hostname = hostname
        self.hostnameLabel = hostnameLabel
        self.podLookup = podLookup
        self.slurmJobLookup = slurmJobLookup
    }

    private var labelFields: [DCGMCounterList.Counter] { counters.counters.filter { $0.kind == .label } }

    /// Label names in dcgm-exporter's order, for a GPU or (with `mig`) a MIG instance.
    public func labelOrder(mig: Bool = false) -> [String] {
        ["gpu", "UUID", "pci_bus_id", "device", "modelName"] + (mig ? ["GPU_I_PROFILE", "GPU_I_ID"] : [])
            + [hostnameLabel] + labelFields.map(\.field)
    }

    /// The identifying labels of one GPU (and, with `instance`, of one of its MIG instances).
    public func labels(for identity: GPUIdentity, instance: MIGInstance? = nil) -> [Label] {
        var labels = [
            Label("gpu", String(identity.index)), Label("UUID", identity.uuid), Label("pci_bus_id", identity.pciBusID),
            Label("device", identity.deviceName), Label("modelName", identity.name), Label(hostnameLabel, hostname),
        ]
        if let instance {
            labels.append(Label("GPU_I_PROFILE", instance.profile ?? ""))
            labels.append(Label("GPU_I_ID", String(instance.gpuInstanceID)))
        }
        for field in labelFields {
            labels.append(Label(field.field, DCGMField.labelFields[field.field]?(identity) ?? ""))
        }
        return labels
    }

    public func metrics(for readings: [GPUReading]) -> MetricSet {
        var families: [MetricFamily] = []
        let order = labelOrder()
        let migOrder = labelOrder(mig: true)
        // Built once per GPU and shared by every sample (Labels sorts on construction).
        let gpuLabels = readings.map { Labels(labels(for: $0.identity)) }
        let migLabels = readings.map { reading in
            reading.migInstances.map { Labels(labels(for: reading.identity, instance: $0)) }
        }
        for counter in counters.counters where counter.kind != .label {
            guard let extract = DCGMField.values[counter.field] else { continue }
            var family = MetricFamily(
                name: counter.field, type: counter.kind == .counter ? .counter : .gauge, help: counter.help,
                labelOrder: order)
            for (index, reading) in readings.enumerated() where !reading.isLost {
                if let value = extract(reading) {
                    family.samples.append(MetricSample(name: counter.field, labels: gpuLabels[index], value: value))
                }
                for (instanceIndex, instance) in reading.migInstances.enumerated() {
                    guard let value = Self.migValue(counter.field, instance) else { continue }
                    family.samples.append(
                        MetricSample(name: counter.field, labels: migLabels[index][instanceIndex], value: value))
                }
            }
            if readings.contains(where: { !$0.migInstances.isEmpty }) { family.labelOrder = migOrder }
            if !family.samples.isEmpty { families.append(family) }
        }
        var set = MetricSet(families)
        appendVigilMetrics(readings, gpuLabels: gpuLabels, to: &set)
        return set
    }

    /// The job's user: the process's, unless it is only a UID (no passwd entry, e.g. an agent in a container
    /// without the host's /etc/passwd) and Slurm names the job's user.
    static func jobUser(process: String?, slurm: String?) -> String {
        if let process, slurm == nil || !process.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        {
            return process
        }
        return slurm ?? process ?? ""
    }

    /// MIG instances report their own memory; other fields belong to the parent GPU.
    private static func migValue(_ field: String, _ instance: MIGInstance) -> Double? {
        switch field {
        case "DCGM_FI_DEV_FB_USED": instance.memoryUsedBytes.map { $0 / DCGMField.mebibyte }
        case "DCGM_FI_DEV_FB_TOTAL": instance.memoryTotalBytes.map { $0 / DCGMField.mebibyte }
        case "DCGM_FI_DEV_FB_FREE":
            instance.memoryTotalBytes.flatMap { total in
                instance.memoryUsedBytes.map { (total - $0) / DCGMField.mebibyte }
            }
        default: nil
        }
    }

    private func appendVigilMetrics(_ readings: [GPUReading], gpuLabels: [Labels], to set: inout MetricSet) {
        let order = labelOrder()
        var lost = MetricFamily(
            name: "vigil_gpu_lost", type: .gauge,
            help: "1 when the GPU stopped answering (fallen off the bus, NVML GPU_IS_LOST).", labelOrder: order)
        var xids = MetricFamily(
            name: "vigil_gpu_xid_errors_total", type: .counter,
            help: "XID errors since the agent started, by code (DCGM_FI_DEV_XID_ERRORS only keeps the last code).",
            labelOrder: order)
        var reasons = MetricFamily(
            name: "vigil_gpu_clock_event_reason", type: .gauge,
            help: "1 while this clock-event (throttle) reason is active.", labelOrder: order)
        var processMemory = MetricFamily(
            name: "vigil_gpu_process_memory_bytes", type: .gauge, help: "GPU memory used by a process.",
            labelOrder: order)
        var processInfo = MetricFamily(
            name: "vigil_gpu_process_info", type: .gauge,
            help: "A process on a GPU and who owns it (user, Slurm job, container, pod); value is always 1.",
            labelOrder: order)
        var jobInfo = MetricFamily(
            name: "vigil_gpu_job_info", type: .gauge,
            help:
                "A Slurm job (with its account and partition where known) or Kubernetes pod (with its namespace "
                + "and name where known) using a GPU, from its processes' cgroups; value is always 1. Join with `* on (gpu, Hostname) group_left (job_id, user)`.",
            labelOrder: order)
        // One lookup per pod and collection, however many processes and GPUs it has.
        var pods: [String: PodName?] = [:]
        func podLabels(_ uid: String?) -> [Label] {
            var name: PodName?
            if let uid, let podLookup {
                if let known = pods[uid] {
                    name = known
                } else {
                    name = podLookup(uid)
                    pods[uid] = name
                }
            }
            return [Label("namespace", name?.namespace ?? ""), Label("pod", name?.name ?? "")]
        }
        // One lookup per Slurm job and collection, likewise; what the process itself carries wins.
        var slurmJobs: [String: SlurmJobOwner?] = [:]
        func slurmJob(_ id: String?) -> SlurmJobOwner? {
            guard let id, let slurmJobLookup else { return nil }
            if let known = slurmJobs[id] { return known }
            let owner = slurmJobLookup(id)
            slurmJobs[id] = owner
            return owner
        }
        for (index, reading) in readings.enumerated() {
            let base = Array(gpuLabels[index])
            lost.samples.append(
                MetricSample(name: lost.name, labels: gpuLabels[index], value: reading.isLost ? 1 : 0))
            for (code, count) in reading.xidCounts.sorted(by: { $0.key < $1.key }) {
                xids.samples.append(
                    MetricSample(name: xids.name, labels: Labels(base + [Label("xid", String(code))]), value: count))
            }
            guard !reading.isLost else { continue }
            if let active = reading.clockEventReasons {
                for (name, reason) in ClockEventReasons.named {
                    reasons.samples.append(
                        MetricSample(
                            name: reasons.name, labels: Labels(base + [Label("reason", name)]),
                            value: active.contains(reason) ? 1 : 0))
                }
            }
            for process in reading.processes {
                let pid = Label("pid", String(process.pid))
                if let bytes = process.usedMemoryBytes {
                    processMemory.samples.append(
                        MetricSample(name: processMemory.name, labels: Labels(base + [pid]), value: bytes))
                }
                let owner: [Label] =
                    [
                        pid, Label("process_name", process.name ?? ""), Label("user", process.user ?? ""),
                        Label("job_id", process.slurmJobID ?? ""), Label("container_id", process.containerID ?? ""),
                        Label("pod_uid", process.kubernetesPodUID ?? ""),
                    ] + podLabels(process.kubernetesPodUID)
                processInfo.samples.append(MetricSample(name: processInfo.name, labels: Labels(base + owner), value: 1))
            }
            // One series per job (or pod) on the GPU, however many processes it runs there.
            var jobs: [String: Labels] = [:]
            for process in reading.processes where process.slurmJobID != nil || process.kubernetesPodUID != nil {
                let key = (process.slurmJobID ?? "") + "/" + (process.kubernetesPodUID ?? "")
                guard jobs[key] == nil else { continue }
                let owner = slurmJob(process.slurmJobID)
                jobs[key] = Labels(
                    base + [
                        Label("job_id", process.slurmJobID ?? ""),
                        Label("user", Self.jobUser(process: process.user, slurm: owner?.user)),
                        Label("account", process.slurmAccount ?? owner?.account ?? ""),
                        Label("partition", process.slurmPartition ?? owner?.partition ?? ""),
                        Label("pod_uid", process.kubernetesPodUID ?? ""),
                    ] + podLabels(process.kubernetesPodUID))
            }
            for key in jobs.keys.sorted() {
                jobInfo.samples.append(MetricSample(name: jobInfo.name, labels: jobs[key]!, value: 1))
            }
        }
        for family in [lost, xids, reasons, processMemory, processInfo, jobInfo] where !family.samples.isEmpty {
            set.append(family)
        }
    }
}
