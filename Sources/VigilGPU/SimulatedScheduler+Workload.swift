extension SimulatedScheduler {
    /// Who submits: a user and the account their jobs are charged to.
    struct User: Sendable {
        var name: String
        var account: String
        var service: Bool
    }

    static let baseUsers: [User] = [
        User(name: "alice", account: "nlp", service: false), User(name: "bkumar", account: "nlp", service: false),
        User(name: "chen.wei", account: "vision", service: false),
        User(name: "dmitri", account: "vision", service: false),
        User(name: "emma.r", account: "speech", service: false),
        User(name: "fatima.z", account: "speech", service: false),
        User(name: "gsingh", account: "research", service: false),
        User(name: "hiro.t", account: "research", service: false),
        User(name: "svc-inference", account: "serving", service: true),
        User(name: "svc-llm", account: "serving", service: true),
        User(name: "mlops", account: "serving", service: true),
    ]

    /// The base users, and for big fleets one more researcher per 16 nodes.
    static func users(nodes: Int) -> [User] {
        var users = baseUsers
        let accounts = ["nlp", "vision", "speech", "research"]
        for extra in 0..<(nodes / 16) {
            let number = extra + 1
            let name = "user" + (number < 10 ? "00" : number < 100 ? "0" : "") + String(number)
            users.append(User(name: name, account: accounts[extra % accounts.count], service: false))
        }
        return users
    }

    static let trainingNames = [
        "llama-pretrain", "gpt-finetune", "resnet50-sweep", "vit-large", "bert-mlm", "diffusion-xl", "whisper-ft",
        "moe-ablation",
    ]
    static let inferenceNames = ["vllm-serve", "triton-ensemble", "embed-batch", "rerank-serve"]
    static let timeLimitsMs: [Int64] = [3_600_000, 7_200_000, 14_400_000, 28_800_000, 43_200_000, 86_400_000]

    /// Draws a new job: who, where, what and how long, and whether it wastes GPUs.
    mutating func drawJob(id: Int, submitMs: Int64, gpusPerNode: Int, in forced: String? = nil) -> Job {
        var roll = random.unit()
        if forced == "gpu" { roll = 0.26 + roll * 0.74 } else if forced == "inference" { roll = 0.08 + roll * 0.18 }
        let partition: Partition
        let kind: SimulatedJob.Kind
        var size: Int
        var runMs: Double
        var name: String
        var activeGPUs: Int?
        var processName: String?
        var user = random.element(of: users.filter { !$0.service })
        if roll < 0.08, let debug = self.partition(named: "debug") {
            partition = debug
            kind = .training
            size = random.integer(1...2)
            runMs = random.uniform(120_000...1_500_000)
            name = "debug-" + random.element(of: ["nccl", "dataloader", "oom-repro", "smoke"])
        } else if roll < 0.26, let inference = self.partition(named: "inference") {
            partition = inference
            kind = .inference
            user = random.element(of: users.filter(\.service))
            size = [1, 1, 2, 4][random.integer(0...3)]
            runMs = random.logUniform(1_800_000...43_200_000)
            name = random.element(of: Self.inferenceNames)
        } else {
            partition = self.partition(named: "gpu") ?? partitions[0]
            kind = .training
            size = [1, 2, 4, 8, 8, 8][random.integer(0...5)]
            runMs = random.logUniform(1_200_000...28_800_000)
            name = random.element(of: Self.trainingNames)
            let waste = random.unit()
            if waste < 0.06, gpusPerNode >= 4 {
                // Asked for a whole node, uses two GPUs of it.
                size = 8
                activeGPUs = 2
            } else if waste < 0.10 {
                // An interactive notebook that holds its GPUs and mostly sits idle.
                size = random.integer(1...2)
                activeGPUs = 0
                runMs = random.uniform(7_200_000...28_800_000)
                name = "jupyter"
                processName = "jupyter-lab"
            }
        }
        size = max(1, min(size, gpusPerNode))
        let plannedRunMs = Int64(runMs)
        let limit = Self.timeLimitsMs.first { $0 >= plannedRunMs * 5 / 4 } ?? Self.timeLimitsMs.last!
        let cpusPerGPU = max(1, SimulatedHost.cpuCount / gpusPerNode)
        let memoryPerGPU = Int64(SimulatedHost.memoryTotalBytes * 0.9) / Int64(gpusPerNode)
        return Job(
            id: id, name: name, user: user.name, account: user.account, partition: partition.name, kind: kind,
            state: .pending(.priority), gpus: size, activeGPUs: min(size, activeGPUs ?? size), cpus: size * cpusPerGPU,
            memoryBytes: Int64(size) * memoryPerGPU, timeLimitMs: min(limit, partition.maxTimeMs), submitMs: submitMs,
            startMs: nil, endMs: nil, node: nil, nodeName: "", gpuIndexes: [], exitCode: nil, signal: nil,
            plannedRunMs: min(plannedRunMs, partition.maxTimeMs),
            cancelIfPendingAtMs: random.chance(0.05) ? submitMs + Int64(random.uniform(300_000...5_400_000)) : nil,
            processName: processName)
    }

    /// How a job that starts now on `node` ends, and after how long.
    mutating func drawEnding(for job: Job, node: Int) -> (outcome: Outcome, runMs: Int64) {
        if node == failingNode {
            // The black-hole node: jobs die within minutes, as its GPUs or fabric fail them.
            let runMs = Int64(random.uniform(60_000...600_000))
            return (random.chance(0.55) ? .failed : .nodeFail, runMs)
        }
        let planned = job.plannedRunMs
        let roll = random.unit()
        func part(_ range: ClosedRange<Double>) -> Int64 { max(30_000, Int64(Double(planned) * random.uniform(range))) }
        switch roll {
        case ..<0.68: return (.completed, planned)
        case ..<0.78: return (.failed, part(0.02...0.6))
        case ..<0.84: return (.cancelled, part(0.05...0.9))
        case ..<0.88: return (.outOfMemory, min(planned, Int64(random.uniform(120_000...1_800_000))))
        case ..<0.94: return (.timeout, job.timeLimitMs)
        case ..<0.945: return (.nodeFail, part(0.1...0.9))
        default: return (.completed, planned)
        }
    }

    func partition(named name: String) -> Partition? {
        partitions.first { $0.name == name }
    }
}
