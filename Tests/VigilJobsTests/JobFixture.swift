import VigilGPU
import VigilModel
import VigilStorage

/// A simulated fleet's real dcgm-exporter and node_exporter output in an in-memory storage: two nodes of
/// four H100s; a training job on all of gpu-node-02 whose GPU 3 hangs at 0 % (the simulator's
/// `stuckAtZero`: the rank keeps its process and memory), finished before the end; an inference job on
/// two GPUs of gpu-node-01, still running at the end. Series that vanish get a staleness marker, as
/// the scrape loop writes them. With `trainingAs` a pod, the training job's processes are in a Kubernetes
/// pod's cgroup instead of a Slurm job's (no `job_id`, account or partition), named `ml-team/trainer-0`
/// by the agent's pod lookup or, unnamed, known by its UID only. With `trainingAs` `.slurmGRES`, no
/// process names the training job: only Slurm's allocation does, `slurm_job_gpu_info{job_id, user,
/// account, partition, node, gpu}` as `vigil agent --slurm` exposes it (scraped as job `slurm`).
struct JobFixture {
    enum TrainingAs { case slurmJob, namedPod, unnamedPod, slurmGRES }
    static let podUID = "4f0c1a2b-9d3e-4c5f-8a6b-7c8d9e0f1a2b"
    static let podName = PodName(namespace: "ml-team", name: "trainer-0")

    static let start: Int64 = 1_790_000_000_000
    static let end: Int64 = start + 70 * 60_000
    static let trainingStart: Int64 = start + 60_000
    static let trainingEnd: Int64 = start + 45 * 60_000

    let storage: MemoryStorage
    let trainingID: String
    let inferenceID: String

    init(hostile: Bool = false, trainingAs: TrainingAs = .slurmJob) throws {
        storage = MemoryStorage()
        var fleet = SimulatedFleet(
            nodes: 2, gpusPerNode: 4, profile: .h100, seed: 7, startMs: Self.start, scheduling: .manual)
        let inference = fleet.startJob(.inference, node: 0, gpus: [0, 1], user: hostile ? "<b>\"eve\"</b>" : "bob")
        inferenceID = inference.id
        var trainingID = ""
        var lookup: PodLookup?
        if trainingAs == .namedPod { lookup = { uid in uid == Self.podUID ? Self.podName : nil } }
        let formats = fleet.nodeNames.map { DCGMExporterFormat(hostname: $0, podLookup: lookup) }
        let appender = storage.appender()
        var previous: Set<Labels> = []
        for time in stride(from: Self.start, through: Self.end, by: 15_000) {
            fleet.advance(toMs: time)
            if time == Self.trainingStart {
                trainingID = fleet.startJob(.training, node: 1, gpus: [0, 1, 2, 3], user: "alice").id
                fleet.inject(.stuckAtZero, node: 1, gpu: 3)
            }
            if time == Self.trainingEnd { fleet.endJob(id: trainingID) }
            var current: Set<Labels> = []
            for node in 0..<fleet.nodeCount {
                var readings = fleet.readings(node: node)
                if trainingAs == .namedPod || trainingAs == .unnamedPod {
                    for gpu in readings.indices {
                        for process in readings[gpu].processes.indices
                        where readings[gpu].processes[process].slurmJobID == trainingID {
                            readings[gpu].processes[process].slurmJobID = nil
                            readings[gpu].processes[process].slurmAccount = nil
                            readings[gpu].processes[process].slurmPartition = nil
                            readings[gpu].processes[process].kubernetesPodUID = Self.podUID
                        }
                    }
                }
                let families = formats[node].metrics(for: readings).families
                for family in families + fleet.hostMetrics(node: node)
                where family.name.hasPrefix("DCGM_") || family.name.hasPrefix("vigil_gpu_job")
                    || family.name == "node_cpu_seconds_total"
                {
                    for sample in family.samples {
                        if trainingAs == .slurmGRES, sample.name == "vigil_gpu_job_info",
                            sample.labels["job_id"] == trainingID
                        {
                            var gres: Labels = [
                                metricNameLabel: "slurm_job_gpu_info", "node": sample.labels["Hostname"] ?? "",
                                "instance": "slurm", "job": "slurm",
                            ]
                            for name in ["job_id", "user", "account", "partition", "gpu"] {
                                gres = gres.setting(name, to: sample.labels[name] ?? "")
                            }
                            try appender.append(gres, timestamp: time, value: 1)
                            current.insert(gres)
                            continue
                        }
                        let labels = sample.labels
                            .setting(metricNameLabel, to: sample.name)
                            .setting("instance", to: "\(fleet.nodeNames[node]):9471")
                            .setting("job", to: "vigil-agent")
                        try appender.append(labels, timestamp: time, value: sample.value)
                        current.insert(labels)
                    }
                }
            }
            for gone in previous.subtracting(current) { try appender.append(gone, timestamp: time, value: staleNaN) }
            previous = current
        }
        try appender.commit()
        self.trainingID = trainingID
    }
}
