/// The host of one simulated node: CPUs, memory, a system and a scratch NVMe, the front-end Ethernet port and
/// one InfiniBand HCA per GPU, driven by what its GPUs do.
///
/// Training keeps data-loader cores busy, reads its dataset from the scratch disk and moves gradients over
/// InfiniBand; a checkpoint writes every rank's shard to the scratch disk in a burst (the page cache grows,
/// I/O wait rises); inference mostly moves requests over Ethernet. Counters integrate rates step by step, so
/// they never go backwards, and the host has its own random stream: adding it changes no GPU reading.
/// ``families()`` renders it with node_exporter's names and labels, the same shape as VigilCollectors'.
struct SimulatedHost: Sendable {
    static let cpuCount = 32
    static let modes = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]
    static let memoryTotalBytes = 2_199_023_255_552.0  // 2 TiB
    static let kernelRelease = "5.15.0-119-generic"
    static let kernelVersion = "#129-Ubuntu SMP Fri Aug 2 19:25:20 UTC 2024"
    /// Block devices: the system disk and the scratch disk.
    static let disks = ["nvme0n1", "nvme1n1"]
    /// Mounts: (device, fstype, mountpoint, size).
    static let mounts: [(device: String, fsType: String, mountPoint: String, size: Double)] = [
        ("/dev/nvme0n1p2", "ext4", "/", 1_888_745_000_960),
        ("/dev/nvme1n1", "xfs", "/raid", 15_361_287_389_184),
    ]
    static let ethernet = "eno1"
    /// InfiniBand NDR: 400 Gb/s per port.
    static let infinibandRateBytesPerSecond = 400e9 / 8

    let name: String
    var random: SimulationRandom
    let bootTimeSeconds: Double
    /// Each CPU's share of the node's CPU work (data-loader workers crowd some cores), mean 1.
    let cpuWeights: [Double]
    let portCount: Int

    // Counters (monotonic), in node_exporter's units.
    /// `[cpu * modes.count + mode]`, seconds.
    var cpuSeconds: [Double]
    var disk: [DiskCounters]
    var ethernetCounters = InterfaceCounters()
    var ports: [PortCounters]

    // Gauges.
    var load1 = 0.0
    var load5 = 0.0
    var load15 = 0.0
    var anonymousBytes: Double
    var cacheBytes: Double
    var diskInFlight = [0.0, 0.0]
    var usedBytes: [Double]

    var faults = SimulatedHostFaultState()

    struct DiskCounters: Sendable {
        var reads = 0.0
        var readBytes = 0.0
        var readSeconds = 0.0
        var writes = 0.0
        var writtenBytes = 0.0
        var writeSeconds = 0.0
        var ioSeconds = 0.0
        var weightedIOSeconds = 0.0
    }

    struct InterfaceCounters: Sendable {
        var receiveBytes = 0.0
        var receivePackets = 0.0
        var receiveErrors = 0.0
        var receiveDrops = 0.0
        var transmitBytes = 0.0
        var transmitPackets = 0.0
        var transmitErrors = 0.0
        var transmitDrops = 0.0
    }

    struct PortCounters: Sendable {
        var receiveBytes = 0.0
        var transmitBytes = 0.0
        var receivePackets = 0.0
        var transmitPackets = 0.0
        var receiveErrors = 0.0
        var symbolErrors = 0.0
        var linkErrorRecoveries = 0.0
        var linkDowned = 0.0
        var transmitWait = 0.0
    }

    init(name: String, index: Int, gpuCount: Int, seed: UInt64, startMs: Int64) {
        self.name = name
        var random = SimulationRandom(seed: seed, stream: 0x484F_5354, UInt64(index))  // "HOST"
        // Up for 3 to 60 days, rebooted at a whole second.
        bootTimeSeconds = (Double(startMs / 1000) - random.uniform(3...60) * 86_400).rounded(.down)
        let uptime = Double(startMs) / 1000 - bootTimeSeconds
        cpuWeights = (0..<Self.cpuCount).map { _ in random.uniform(0.4...1.6) }
        portCount = min(8, max(1, gpuCount))
        // Counters start where `uptime` of light use leaves them.
        var cpu = [Double](repeating: 0, count: Self.cpuCount * Self.modes.count)
        for index in 0..<Self.cpuCount {
            let busy = 0.2 * cpuWeights[index]
            cpu[index * 8 + 0] = uptime * busy * 0.8
            cpu[index * 8 + 2] = uptime * busy * 0.15
            cpu[index * 8 + 3] = uptime * (1 - busy)
            cpu[index * 8 + 4] = uptime * busy * 0.02
            cpu[index * 8 + 6] = uptime * busy * 0.03
            for mode in 0..<8 { cpu[index * 8 + mode] = (cpu[index * 8 + mode] * 100).rounded(.down) / 100 }
        }
        cpuSeconds = cpu
        disk = [DiskCounters(), DiskCounters()]
        for index in disk.indices {
            let scale = uptime * (index == 0 ? 1 : 40)
            disk[index].reads = (scale * 30).rounded(.down)
            disk[index].readBytes = disk[index].reads * 65_536
            disk[index].readSeconds = disk[index].reads * 0.000_09
            disk[index].writes = (scale * 20).rounded(.down)
            disk[index].writtenBytes = disk[index].writes * 131_072
            disk[index].writeSeconds = disk[index].writes * 0.000_03
            disk[index].ioSeconds = disk[index].readSeconds + disk[index].writeSeconds
            disk[index].weightedIOSeconds = disk[index].ioSeconds * 1.5
        }
        ethernetCounters.receiveBytes = (uptime * random.uniform(2e6...6e6)).rounded(.down)
        ethernetCounters.transmitBytes = (uptime * random.uniform(1e6...3e6)).rounded(.down)
        ethernetCounters.receivePackets = (ethernetCounters.receiveBytes / 900).rounded(.down)
        ethernetCounters.transmitPackets = (ethernetCounters.transmitBytes / 700).rounded(.down)
        ports = (0..<portCount).map { _ in
            var port = PortCounters()
            port.receiveBytes = (uptime * random.uniform(2e9...8e9) / 4).rounded(.down) * 4
            port.transmitBytes = (uptime * random.uniform(2e9...8e9) / 4).rounded(.down) * 4
            port.receivePackets = (port.receiveBytes / 4096).rounded(.down)
            port.transmitPackets = (port.transmitBytes / 4096).rounded(.down)
            port.transmitWait = (port.transmitBytes / 2e6).rounded(.down)
            return port
        }
        anonymousBytes = 24 * 1_073_741_824
        cacheBytes = random.uniform(80...200) * 1_073_741_824
        usedBytes = [
            random.uniform(0.18...0.32) * Self.mounts[0].size, random.uniform(0.2...0.45) * Self.mounts[1].size,
        ]
        self.random = random
    }

    // MARK: Stepping

    /// Advances the host by `step`, given what the node's GPUs and jobs do now.
    mutating func step(_ step: SimulationStep, gpus: [SimulatedGPU], jobs: [SimulatedJob]) {
        let seconds = step.seconds
        let gpuCount = Double(max(1, gpus.count))
        var training = 0.0
        var inference = 0.0
        var checkpointing = 0.0
        for gpu in gpus {
            guard let slot = gpu.jobSlot, slot < jobs.count else { continue }
            switch jobs[slot].kind {
            case .training:
                training += gpu.utilization
                if jobs[slot].isCheckpointing(atMs: step.nowMs) { checkpointing += 1 }
            case .inference:
                inference += gpu.utilization
            }
        }
        let trainingShare = training / gpuCount
        let inferenceShare = inference / gpuCount
        let checkpointShare = checkpointing / gpuCount

        // Disks: the dataset streams from scratch while training; checkpoints write in bursts.
        let slow = faults.slowDisk
        var readRate = [random.uniform(20...60), 300 * training + 40 * inference + random.uniform(5...30)]
        var writeRate = [random.uniform(30...90), 1200 * checkpointing + random.uniform(10...40)]
        if slow {
            // A slow disk serves fewer operations: the work waits instead.
            readRate[1] *= 0.25
            writeRate[1] *= 0.25
        }
        let readSize = [65_536.0, 524_288.0]
        let writeSize = [32_768.0, checkpointing > 0 ? 1_048_576.0 : 131_072.0]
        let readLatency = slow ? [0.000_09, 0.018] : [0.000_09, 0.000_12]
        let writeLatency = slow ? [0.000_03, 0.035] : [0.000_03, 0.000_05 + 0.000_2 * checkpointShare]
        var waiting = 0.0
        for index in disk.indices {
            let reads = (readRate[index] * seconds).rounded(.down)
            let writes = (writeRate[index] * seconds).rounded(.down)
            let readTime = reads * readLatency[index]
            let writeTime = writes * writeLatency[index]
            disk[index].reads += reads
            disk[index].readBytes += reads * readSize[index]
            disk[index].readSeconds += readTime
            disk[index].writes += writes
            disk[index].writtenBytes += writes * writeSize[index]
            disk[index].writeSeconds += writeTime
            // NVMe serves several operations at once: busy time is what the queue was non-empty for.
            disk[index].ioSeconds += min(seconds, (readTime + writeTime) * 0.7)
            disk[index].weightedIOSeconds += readTime + writeTime
            diskInFlight[index] = seconds > 0 ? ((readTime + writeTime) / seconds).rounded() : 0
            waiting += seconds > 0 ? (readTime + writeTime) / seconds : 0
            if seconds > 0 {
                usedBytes[index] += writes * writeSize[index] * (index == 1 ? 0.9 : 0.001)
            }
        }
        let scratchSize = Self.mounts[1].size
        if usedBytes[1] > scratchSize * 0.7, !faults.scratchFilling {
            // The nightly cleanup removes old checkpoints.
            usedBytes[1] = scratchSize * random.uniform(0.3...0.4)
        }
        if faults.scratchFilling { usedBytes[1] += 40e6 * seconds }
        usedBytes[1] = min(usedBytes[1], scratchSize - 2e9)
        usedBytes[0] = min(usedBytes[0], Self.mounts[0].size * 0.95)

        // CPUs: data loaders and NCCL proxies per training rank, request handling per inference replica.
        let busy = min(0.95, max(0.01, 0.03 + 0.34 * trainingShare + 0.14 * inferenceShare + random.gaussian() * 0.01))
        let iowait = min(0.3, waiting / Double(Self.cpuCount) + 0.04 * checkpointShare)
        let system = 0.13 + 0.2 * checkpointShare
        for cpu in 0..<Self.cpuCount {
            let weight = cpuWeights[cpu]
            let working = min(0.97, busy * weight)
            let wait = min(1 - working, iowait * weight)
            let base = cpu * 8
            let user = working * (0.84 - system)
            let kernel = working * system
            let softirq = working * 0.025
            let irq = working * 0.005
            let idle = max(0, 1 - user - kernel - softirq - irq - wait)
            cpuSeconds[base + 0] += user * seconds
            cpuSeconds[base + 2] += kernel * seconds
            cpuSeconds[base + 3] += idle * seconds
            cpuSeconds[base + 4] += wait * seconds
            cpuSeconds[base + 5] += irq * seconds
            cpuSeconds[base + 6] += softirq * seconds
        }
        let running = busy * Double(Self.cpuCount) + iowait * Double(Self.cpuCount)
        if seconds > 0 {
            load1 += (running - load1) * (1 - SimulationMath.exp(-seconds / 60))
            load5 += (running - load5) * (1 - SimulationMath.exp(-seconds / 300))
            load15 += (running - load15) * (1 - SimulationMath.exp(-seconds / 900))
        } else {
            (load1, load5, load15) = (running, running, running)
        }

        // Memory: pinned buffers and loader workers per busy GPU; checkpoints fill the page cache.
        let gibibyte = 1_073_741_824.0
        let anonymousTarget = (24 + 110 * training + 40 * inference) * gibibyte
        let lag = seconds > 0 ? min(1, seconds / 120) : 1
        anonymousBytes += (anonymousTarget - anonymousBytes) * lag
        let written = writeRate[1] * seconds * writeSize[1] + readRate[1] * seconds * readSize[1]
        let cacheLimit = Self.memoryTotalBytes * 0.85 - anonymousBytes
        cacheBytes = max(
            8 * gibibyte, min(cacheLimit, cacheBytes + written * 0.5 - cacheBytes * min(1, seconds / 7200)))

        // Front-end Ethernet: requests and responses for inference, logs and metrics otherwise.
        let receive = 3e6 + 60e6 * inferenceShare * random.uniform(0.8...1.2)
        let transmit = 1.5e6 + 45e6 * inferenceShare * random.uniform(0.8...1.2)
        ethernetCounters.receiveBytes += (receive * seconds).rounded(.down)
        ethernetCounters.transmitBytes += (transmit * seconds).rounded(.down)
        ethernetCounters.receivePackets += (receive * seconds / 900).rounded(.down)
        ethernetCounters.transmitPackets += (transmit * seconds / 700).rounded(.down)
        if random.chance(min(1, seconds / 900)) { ethernetCounters.receiveDrops += 1 }

        // InfiniBand: port p carries GPU p's traffic (GPUDirect RDMA, one HCA per GPU).
        for port in ports.indices {
            let gpu = gpus.indices.contains(port) ? gpus[port] : nil
            var activity = 0.0
            if let gpu, let slot = gpu.jobSlot, slot < jobs.count {
                activity = jobs[slot].kind == .training ? 0.55 * gpu.utilization : 0.01 * gpu.utilization
            }
            let rate = Self.infinibandRateBytesPerSecond * activity * random.uniform(0.9...1.1) + 2e4
            let bytes = (rate * seconds / 4).rounded(.down) * 4
            ports[port].receiveBytes += bytes
            ports[port].transmitBytes += (bytes * random.uniform(0.97...1.0) / 4).rounded(.down) * 4
            ports[port].receivePackets += (bytes / 4096).rounded(.down)
            ports[port].transmitPackets += (bytes / 4096).rounded(.down)
            ports[port].transmitWait += (bytes / 2e6 * (1 + activity)).rounded(.down)
            if faults.infinibandErrorPort == port, seconds > 0 {
                let symbols = (random.uniform(0.5...3.5) * (0.3 + activity) * seconds).rounded(.down)
                ports[port].symbolErrors += symbols
                ports[port].receiveErrors += (symbols * 0.3).rounded(.down)
                if random.chance(min(1, seconds / 600)) { ports[port].linkErrorRecoveries += 1 }
                if random.chance(min(1, seconds / 14_400)) { ports[port].linkDowned += 1 }
            }
        }
    }
}

/// The host problems acting on a node now.
struct SimulatedHostFaultState: Sendable {
    var infinibandErrorPort: Int?
    var slowDisk = false
    var scratchFilling = false
}

extension SimulatedJob {
    /// A training job writes a checkpoint now (the same schedule that pauses its GPUs in `demand`).
    func isCheckpointing(atMs nowMs: Int64) -> Bool {
        guard kind == .training, checkpointPeriodMs > 0 else { return false }
        let sinceWarmup = nowMs - startMs - warmupMs
        return sinceWarmup >= checkpointPeriodMs && sinceWarmup % checkpointPeriodMs < checkpointDurationMs
    }
}
