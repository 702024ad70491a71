import Testing
import VigilGPU

/// Fleets the simulator tests share.
enum SimulatorFixture {
    static let mebibyte = 1_048_576.0

    /// One H100 node with nothing running.
    static func idleNode(profile: GPUProfile = .h100, seed: UInt64 = 1) -> SimulatedFleet {
        SimulatedFleet(nodes: 1, gpusPerNode: 8, profile: profile, seed: seed, startMs: 0, scheduling: .manual)
    }

    /// One node running an 8-GPU training job, advanced `seconds` past the job's start.
    static func trainingNode(profile: GPUProfile = .h100, seed: UInt64 = 1, seconds: Int64 = 600) -> SimulatedFleet {
        var fleet = idleNode(profile: profile, seed: seed)
        fleet.startJob(.training, node: 0, gpus: Array(0..<8))
        fleet.advance(toMs: seconds * 1000)
        return fleet
    }

    /// Advances by `seconds` from the fleet's current time.
    static func run(_ fleet: inout SimulatedFleet, seconds: Int64) {
        fleet.advance(toMs: fleet.nowMs + seconds * 1000)
    }
}

@Suite("Simulator coherence")
struct SimulatorCoherenceTests {
    @Test("An idle GPU sits at idle power, P8, gpu_idle, cool, with no process")
    func idleGPU() throws {
        var fleet = SimulatorFixture.idleNode()
        SimulatorFixture.run(&fleet, seconds: 300)
        for reading in fleet.readings(node: 0) {
            let power = try #require(reading.powerUsageWatts)
            #expect(abs(power - GPUProfile.h100.idlePowerWatts) < 3)
            #expect(reading.performanceState == 8)
            #expect(reading.clockEventReasons == .gpuIdle)
            #expect(reading.gpuUtilizationPercent == 0)
            #expect(reading.smClockMHz == GPUProfile.h100.idleSMClockMHz)
            #expect(try #require(reading.gpuTemperatureCelsius) < 40)
            #expect(reading.processes.isEmpty)
            #expect(reading.memoryUsedBytes == SimulatorFixture.mebibyte)
            #expect(reading.pcie?.generation == 1)
            #expect(reading.pcie?.maxGeneration == 5)
            #expect(reading.tensorPipeActiveRatio == 0)
        }
    }

    @Test("A loaded GPU draws more power, runs P0 and warms toward equilibrium with a lag")
    func loadedGPUWarmsWithLag() throws {
        var fleet = SimulatorFixture.idleNode()
        let idleTemperature = try #require(fleet.reading(node: 0, gpu: 0).gpuTemperatureCelsius)
        fleet.startJob(.training, node: 0, gpus: Array(0..<8))
        fleet.advance(toMs: 10_000)
        let early = try #require(fleet.reading(node: 0, gpu: 0).gpuTemperatureCelsius)
        fleet.advance(toMs: 120_000)
        let later = try #require(fleet.reading(node: 0, gpu: 0).gpuTemperatureCelsius)
        #expect(idleTemperature <= early)
        #expect(early < later)

        fleet.advance(toMs: 600_000)
        let settled = fleet.reading(node: 0, gpu: 0)
        fleet.advance(toMs: 900_000)
        let steady = fleet.reading(node: 0, gpu: 0)
        #expect(try #require(settled.powerUsageWatts) > 450)
        #expect(settled.performanceState == 0)
        #expect(try #require(settled.gpuUtilizationPercent) >= 85)
        let temperature = try #require(steady.gpuTemperatureCelsius)
        #expect((55...85).contains(temperature))
        // Near equilibrium: five more minutes move it little.
        #expect(abs(temperature - (settled.gpuTemperatureCelsius ?? 0)) <= 4)
        #expect(try #require(steady.memoryTemperatureCelsius) > temperature)
    }

    @Test("The job's process is listed with its pid, memory, utilisation and owner")
    func processAttribution() throws {
        var fleet = SimulatorFixture.idleNode()
        let job = fleet.startJob(.training, node: 0, gpus: [2, 3, 4, 5], user: "dmitri")
        SimulatorFixture.run(&fleet, seconds: 600)
        #expect(fleet.jobs(node: 0) == [job])
        for (rank, gpu) in job.gpus.enumerated() {
            let reading = fleet.reading(node: 0, gpu: gpu)
            let process = try #require(reading.processes.first)
            #expect(reading.processes.count == 1)
            #expect(process.pid == job.firstPID + rank)
            #expect(process.name == "python")
            #expect(process.type == "compute")
            #expect(process.user == "dmitri")
            #expect(process.slurmJobID == job.id)
            #expect(process.smUtilizationPercent == reading.gpuUtilizationPercent)
            let used = try #require(reading.memoryUsedBytes)
            #expect(process.usedMemoryBytes == used - SimulatorFixture.mebibyte)
            #expect(used > 0.75 * GPUProfile.h100.memoryTotalBytes)
        }
        #expect(fleet.reading(node: 0, gpu: 0).processes.isEmpty)
        #expect(fleet.reading(node: 0, gpu: 6).processes.isEmpty)
    }

    @Test("Energy grows by the integral of power (sampled every step) within 1 %")
    func energyIntegratesPower() throws {
        var fleet = SimulatorFixture.idleNode()
        fleet.startJob(.training, node: 0, gpus: [0, 1])
        fleet.startJob(.inference, node: 0, gpus: [2])
        SimulatorFixture.run(&fleet, seconds: 60)
        let before = fleet.readings(node: 0)
        var integral = Array(repeating: 0.0, count: 8)
        for _ in 0..<900 {
            SimulatorFixture.run(&fleet, seconds: 1)
            for (index, reading) in fleet.readings(node: 0).enumerated() {
                integral[index] += try #require(reading.powerUsageWatts) * 1000
            }
        }
        let after = fleet.readings(node: 0)
        for index in 0..<8 {
            let delta = try #require(after[index].totalEnergyMillijoules) - (before[index].totalEnergyMillijoules ?? 0)
            #expect(abs(delta - integral[index]) <= 0.01 * integral[index], "GPU \(index)")
        }
    }

    @Test("Training dips for checkpoints and stalls but mostly runs at 90–99 %")
    func trainingShape() throws {
        var fleet = SimulatorFixture.idleNode(seed: 5)
        fleet.startJob(.training, node: 0, gpus: Array(0..<8))
        SimulatorFixture.run(&fleet, seconds: 300)
        var samples: [Double] = []
        var checkpointTraffic = false
        for _ in 0..<(2 * 3600 / 5) {
            SimulatorFixture.run(&fleet, seconds: 5)
            let reading = fleet.reading(node: 0, gpu: 0)
            let utilization = try #require(reading.gpuUtilizationPercent)
            samples.append(utilization)
            if utilization < 15, try #require(reading.pcie?.txBytesPerSecond) > 5e9 { checkpointTraffic = true }
        }
        let sorted = samples.sorted()
        #expect(sorted[sorted.count / 2] >= 90)
        #expect(sorted[sorted.count / 2] <= 99)
        #expect(sorted.first! < 15)
        #expect(checkpointTraffic)
    }

    @Test("Inference load follows the time of day")
    func inferenceIsDiurnal() throws {
        var fleet = SimulatorFixture.idleNode(seed: 3)
        fleet.startJob(.inference, node: 0, gpus: [0], durationMs: 2 * 86_400_000)
        var hourly = Array(repeating: 0.0, count: 24)
        for minute in 0..<(24 * 60) {
            fleet.advance(toMs: Int64(minute + 1) * 60_000)
            hourly[minute / 60] += try #require(fleet.reading(node: 0, gpu: 0).gpuUtilizationPercent) / 60
        }
        let busiest = try #require(hourly.indices.max { hourly[$0] < hourly[$1] })
        #expect(hourly.max()! > hourly.min()! + 20)
        #expect((10...22).contains(busiest))
        let memory = try #require(fleet.reading(node: 0, gpu: 0).memoryUsedBytes)
        #expect(memory < 0.95 * GPUProfile.h100.memoryTotalBytes)
    }

    @Test("Training moves NVLink traffic; an idle GPU moves none")
    func nvlinkFollowsLoad() throws {
        var fleet = SimulatorFixture.idleNode()
        fleet.startJob(.training, node: 0, gpus: Array(0..<4))
        fleet.startJob(.inference, node: 0, gpus: [7])
        SimulatorFixture.run(&fleet, seconds: 300)
        let before = fleet.readings(node: 0)
        SimulatorFixture.run(&fleet, seconds: 900)
        let after = fleet.readings(node: 0)
        let moved = { (gpu: Int) -> Double in
            zip(after[gpu].nvlinks, before[gpu].nvlinks).reduce(0) { $0 + ($1.0.txBytes ?? 0) - ($1.1.txBytes ?? 0) }
        }
        #expect(before[0].nvlinks.count == 18)
        #expect(moved(0) > 1e12)  // > 1 TB in 15 minutes across 18 links
        #expect(moved(5) == 0)  // idle
        #expect(moved(7) == 0)  // a single-GPU inference job has no peers
    }

    @Test("Readings stay in range and counters never decrease across a busy fleet's day")
    func rangesAndMonotonicCounters() throws {
        var fleet = SimulatedFleet(nodes: 4, gpusPerNode: 8, profile: .h100, seed: 11, startMs: 1_700_000_000_000)
        fleet.inject(.eccSingleBitStorm, node: 1, gpu: 2)
        fleet.inject(.nvlinkErrors(link: 5), node: 2, gpu: 3)
        fleet.inject(.pcieReplayStorm, node: 3, gpu: 4)
        var previous = (0..<4).map { fleet.readings(node: $0) }
        for _ in 0..<(6 * 60) {
            SimulatorFixture.run(&fleet, seconds: 60)
            for node in 0..<4 {
                let readings = fleet.readings(node: node)
                for (reading, earlier) in zip(readings, previous[node]) {
                    try expectInRange(reading)
                    try expectCountersGrew(from: earlier, to: reading)
                }
                previous[node] = readings
            }
        }
    }

    private func expectInRange(_ reading: GPUReading) throws {
        let profile = GPUProfile.h100
        let utilization = try #require(reading.gpuUtilizationPercent)
        #expect((0...100).contains(utilization))
        #expect((0...100).contains(try #require(reading.memoryUtilizationPercent)))
        let used = try #require(reading.memoryUsedBytes)
        let free = try #require(reading.memoryFreeBytes)
        let reserved = try #require(reading.memoryReservedBytes)
        #expect(used <= profile.memoryTotalBytes - reserved)
        #expect(free >= 0)
        #expect(used + free + reserved == profile.memoryTotalBytes)
        #expect(try #require(reading.powerUsageWatts) <= #require(reading.powerLimitWatts))
        #expect(try #require(reading.smClockMHz) <= profile.maxSMClockMHz)
        for ratio in [reading.graphicsEngineActiveRatio, reading.tensorPipeActiveRatio, reading.dramActiveRatio] {
            #expect((0...1).contains(try #require(ratio)))
        }
        #expect(try #require(reading.gpuTemperatureCelsius) < profile.slowdownTemperatureCelsius)
    }

    private func expectCountersGrew(from earlier: GPUReading, to reading: GPUReading) throws {
        #expect(try #require(reading.totalEnergyMillijoules) > #require(earlier.totalEnergyMillijoules))
        let eccNow = try #require(reading.ecc)
        let eccThen = try #require(earlier.ecc)
        #expect(eccNow.volatileCorrected! >= eccThen.volatileCorrected!)
        #expect(eccNow.aggregateCorrected! >= eccThen.aggregateCorrected!)
        #expect(eccNow.volatileUncorrected! >= eccThen.volatileUncorrected!)
        #expect(try #require(reading.pcie?.replayCounter) >= #require(earlier.pcie?.replayCounter))
        for (link, then) in zip(reading.nvlinks, earlier.nvlinks) {
            #expect(link.txBytes! >= then.txBytes!)
            #expect(link.rxBytes! >= then.rxBytes!)
            #expect(link.crcErrors! >= then.crcErrors!)
            #expect(link.replayErrors! >= then.replayErrors!)
            #expect(link.recoveryErrors! >= then.recoveryErrors!)
        }
        for (code, count) in earlier.xidCounts { #expect(reading.xidCounts[code, default: 0] >= count) }
    }
}
