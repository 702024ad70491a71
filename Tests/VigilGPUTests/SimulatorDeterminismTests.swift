import Testing
import VigilGPU

@Suite("Simulator determinism and identity")
struct SimulatorDeterminismTests {
    private static let start: Int64 = 1_700_000_000_000

    private func script(seed: UInt64) -> [[GPUReading]] {
        var fleet = SimulatedFleet(nodes: 3, gpusPerNode: 8, profile: .h100, seed: seed, startMs: Self.start)
        var seen: [[GPUReading]] = []
        // Irregular scrape times, a fault, a manual job: everything must replay identically.
        for (index, offset) in [1_500, 15_000, 16_250, 75_000, 600_000, 601_000, 3_600_000, 5_400_000].enumerated() {
            fleet.advance(toMs: Self.start + Int64(offset))
            if index == 3 { fleet.inject(.coolingFailure, node: 1, gpu: 4) }
            if index == 4 { fleet.startJob(.inference, node: 2, gpus: [6, 7]) }
            for node in 0..<fleet.nodeCount { seen.append(fleet.readings(node: node)) }
        }
        return seen
    }

    @Test("Same seed and steps give identical readings")
    func sameSeedSameReadings() {
        #expect(script(seed: 42) == script(seed: 42))
    }

    @Test("A different seed gives different GPUs and different readings")
    func differentSeedDiffers() {
        let first = script(seed: 42)
        let second = script(seed: 43)
        #expect(first != second)
        #expect(first[0][0].identity.uuid != second[0][0].identity.uuid)
    }

    @Test("Readings depend on the time reached, not on how often it was read")
    func stepwiseEqualsJump() {
        var stepwise = SimulatedFleet(nodes: 2, gpusPerNode: 8, profile: .a100, seed: 7, startMs: Self.start)
        var jump = stepwise
        for second in 1...1800 { stepwise.advance(toMs: Self.start + Int64(second) * 1000) }
        jump.advance(toMs: Self.start + 1_800_000)
        #expect(stepwise.nowMs == jump.nowMs)
        #expect(stepwise.readings(node: 0) == jump.readings(node: 0))
        #expect(stepwise.readings(node: 1) == jump.readings(node: 1))
    }

    @Test("Time moves on the step grid and never backwards")
    func timeGrid() {
        var fleet = SimulatorFixture.idleNode()
        fleet.advance(toMs: 2_999)
        #expect(fleet.nowMs == 2_000)
        let before = fleet.readings(node: 0)
        fleet.advance(toMs: 1_000)
        #expect(fleet.nowMs == 2_000)
        #expect(fleet.readings(node: 0) == before)
    }

    @Test("A huge jump is bounded: crossed coarsely, then the last hour step by step")
    func hugeJump() throws {
        var fleet = SimulatedFleet(nodes: 2, gpusPerNode: 8, profile: .h100, seed: 3, startMs: Self.start)
        let before = fleet.reading(node: 0, gpu: 0)
        let clock = ContinuousClock()
        let elapsed = clock.measure { fleet.advance(toMs: Self.start + 30 * 86_400_000) }
        #expect(fleet.nowMs == Self.start + 30 * 86_400_000)
        #expect(elapsed < .seconds(20))
        let after = fleet.reading(node: 0, gpu: 0)
        let energy = try #require(after.totalEnergyMillijoules) - (before.totalEnergyMillijoules ?? 0)
        // Thirty days between idle and full power.
        #expect(energy >= 30 * 86_400 * 60 * 1000)
        #expect(energy <= 30 * 86_400 * 700 * 1000)
    }

    @Test("Identities look like NVML's and are stable and unique")
    func identities() throws {
        let fleet = SimulatedFleet(nodes: 12, gpusPerNode: 8, profile: .h100, seed: 1, startMs: 0)
        #expect(fleet.nodeNames.first == "gpu-node-01")
        #expect(fleet.nodeNames[9] == "gpu-node-10")
        var uuids = Set<String>()
        for node in 0..<fleet.nodeCount {
            for reading in fleet.readings(node: node) {
                let identity = reading.identity
                uuids.insert(identity.uuid)
                let groups = identity.uuid.dropFirst(4).split(separator: "-").map(\.count)
                #expect(identity.uuid.hasPrefix("GPU-"))
                #expect(groups == [8, 4, 4, 4, 12])
                #expect(identity.uuid.dropFirst(4).allSatisfy { $0 == "-" || $0.isHexDigit && !$0.isUppercase })
                #expect(identity.name == "NVIDIA H100 80GB HBM3")
                #expect(identity.minorNumber == identity.index)
                #expect(identity.deviceName == "nvidia\(identity.index)")
                #expect(identity.serial?.count == 13)
                #expect(identity.driverVersion == "550.90.07")
                #expect(identity.cudaVersion == "12.4")
                #expect(identity.migEnabled == false)
            }
        }
        #expect(uuids.count == 96)
        let busIDs = fleet.readings(node: 0).map(\.identity.pciBusID)
        #expect(busIDs.first == "00000000:18:00.0")
        #expect(Set(busIDs).count == 8)
        // The same seed names the same GPUs whatever the workload.
        let manual = SimulatedFleet(nodes: 1, gpusPerNode: 8, profile: .h100, seed: 1, startMs: 5, scheduling: .manual)
        #expect(manual.readings(node: 0).map(\.identity) == fleet.readings(node: 0).map(\.identity))
    }

    @Test("An automatic fleet starts busy but not full, with Slurm-style jobs")
    func automaticFleetStartsBusy() throws {
        let fleet = SimulatedFleet(nodes: 16, gpusPerNode: 8, profile: .h100, seed: 21, startMs: Self.start)
        let readings = (0..<16).flatMap { fleet.readings(node: $0) }
        let busy = readings.filter { !$0.processes.isEmpty }.count
        #expect(busy > readings.count / 2)
        #expect(busy < readings.count)
        let jobIDs = Set(readings.compactMap { $0.processes.first?.slurmJobID })
        #expect(jobIDs.allSatisfy { $0.count == 7 && $0.allSatisfy(\.isNumber) })
        #expect(jobIDs.count == (0..<16).map { fleet.jobs(node: $0).count }.reduce(0, +))
    }
}
