import Testing
import VigilGPU

@Suite("Simulator faults")
struct SimulatorFaultTests {
    private let h100 = GPUProfile.h100

    @Test("Cooling failure: a loaded GPU overheats past slowdown and throttles; clear lets it recover")
    func coolingFailure() throws {
        var fleet = SimulatorFixture.trainingNode()
        fleet.inject(.coolingFailure, node: 0, gpu: 0)
        #expect(fleet.activeFaults(node: 0, gpu: 0) == [.coolingFailure])
        var hottest = 0.0
        for _ in 0..<(15 * 6) {
            SimulatorFixture.run(&fleet, seconds: 10)
            hottest = max(hottest, try #require(fleet.reading(node: 0, gpu: 0).gpuTemperatureCelsius))
        }
        let hot = fleet.reading(node: 0, gpu: 0)
        let temperature = try #require(hot.gpuTemperatureCelsius)
        #expect(temperature > h100.slowdownTemperatureCelsius)
        #expect(hottest < h100.shutdownTemperatureCelsius)
        let reasons = try #require(hot.clockEventReasons)
        #expect(reasons.isSuperset(of: [.hwThermalSlowdown, .swThermalSlowdown, .hwSlowdown]))
        #expect(try #require(hot.smClockMHz) < h100.maxSMClockMHz)
        #expect(try #require(hot.powerUsageWatts) < #require(fleet.reading(node: 0, gpu: 1).powerUsageWatts))
        // Its neighbour is untouched.
        let neighbour = fleet.reading(node: 0, gpu: 1)
        #expect(try #require(neighbour.gpuTemperatureCelsius) < h100.maxOperatingTemperatureCelsius)
        #expect(neighbour.clockEventReasons?.contains(.hwThermalSlowdown) == false)

        fleet.clear(node: 0, gpu: 0)
        SimulatorFixture.run(&fleet, seconds: 30)
        let cooling = try #require(fleet.reading(node: 0, gpu: 0).gpuTemperatureCelsius)
        #expect(cooling > 75)  // thermal inertia: not back yet
        SimulatorFixture.run(&fleet, seconds: 900)
        let recovered = fleet.reading(node: 0, gpu: 0)
        #expect(try #require(recovered.gpuTemperatureCelsius) < h100.maxOperatingTemperatureCelsius - 5)
        #expect(recovered.clockEventReasons?.contains(.hwThermalSlowdown) == false)
        #expect(recovered.clockEventReasons?.contains(.swThermalSlowdown) == false)
        #expect(fleet.activeFaults(node: 0, gpu: 0).isEmpty)
    }

    @Test("XID: the count for the code and the last code, nothing else")
    func xid() throws {
        var fleet = SimulatorFixture.trainingNode()
        fleet.inject(.xid(79), node: 0, gpu: 3)
        var reading = fleet.reading(node: 0, gpu: 3)
        #expect(reading.xidCounts == [79: 1])
        #expect(reading.lastXID == 79)
        #expect(!reading.isLost)
        fleet.inject(.xid(13), node: 0, gpu: 3)
        SimulatorFixture.run(&fleet, seconds: 10)
        reading = fleet.reading(node: 0, gpu: 3)
        #expect(reading.xidCounts == [79: 1, 13: 1])
        #expect(reading.lastXID == 13)
        #expect(reading.processes.count == 1)
        #expect(fleet.reading(node: 0, gpu: 2).lastXID == 0)
        #expect(fleet.reading(node: 0, gpu: 2).xidCounts.isEmpty)
    }

    @Test("Single-bit ECC storm: corrected errors climb fast, XID 92; clear stops the climb")
    func eccStorm() throws {
        var fleet = SimulatorFixture.trainingNode()
        fleet.inject(.eccSingleBitStorm, node: 0, gpu: 1)
        SimulatorFixture.run(&fleet, seconds: 60)
        let first = try #require(fleet.reading(node: 0, gpu: 1).ecc)
        #expect(try #require(first.volatileCorrected) >= 60 * 200)
        #expect(try #require(first.aggregateCorrected) >= first.volatileCorrected!)
        #expect(first.volatileUncorrected == 0)
        #expect(fleet.reading(node: 0, gpu: 1).xidCounts[92] == 1)
        SimulatorFixture.run(&fleet, seconds: 10)
        let second = try #require(fleet.reading(node: 0, gpu: 1).ecc)
        #expect(second.volatileCorrected! - first.volatileCorrected! >= 2000)
        #expect(fleet.reading(node: 0, gpu: 0).ecc?.volatileCorrected == 0)

        fleet.clear(node: 0, gpu: 1)
        SimulatorFixture.run(&fleet, seconds: 60)
        #expect(fleet.reading(node: 0, gpu: 1).ecc?.volatileCorrected == second.volatileCorrected)
    }

    @Test("Double-bit error: uncorrected + 1, XID 48, uncorrectable row remap pending, the job dies")
    func doubleBitError() throws {
        var fleet = SimulatorFixture.trainingNode()
        let before = fleet.reading(node: 0, gpu: 4)
        fleet.inject(.doubleBitError, node: 0, gpu: 4)
        let after = fleet.reading(node: 0, gpu: 4)
        let eccBefore = try #require(before.ecc)
        let eccAfter = try #require(after.ecc)
        #expect(eccAfter.volatileUncorrected == eccBefore.volatileUncorrected! + 1)
        #expect(eccAfter.aggregateUncorrected == eccBefore.aggregateUncorrected! + 1)
        let rows = try #require(after.remappedRows)
        #expect(rows.uncorrectable == before.remappedRows!.uncorrectable + 1)
        #expect(rows.pending)
        #expect(!rows.failure)
        #expect(after.xidCounts[48] == 1)
        #expect(after.lastXID == 48)
        #expect(fleet.jobs(node: 0).isEmpty)
        SimulatorFixture.run(&fleet, seconds: 60)
        #expect(fleet.reading(node: 0, gpu: 4).gpuUtilizationPercent == 0)
        #expect(fleet.reading(node: 0, gpu: 5).processes.isEmpty)  // every rank of the job died
        #expect(fleet.activeFaults(node: 0, gpu: 4) == [.doubleBitError])

        fleet.clear(node: 0, gpu: 4)
        let cleared = fleet.reading(node: 0, gpu: 4)
        #expect(cleared.remappedRows?.pending == false)
        #expect(cleared.remappedRows?.uncorrectable == rows.uncorrectable)
        #expect(cleared.ecc?.volatileUncorrected == eccAfter.volatileUncorrected)
    }

    @Test("Row remap failure: failure flag and XID 64")
    func rowRemapFailure() throws {
        var fleet = SimulatorFixture.trainingNode()
        fleet.inject(.rowRemapFailure, node: 0, gpu: 6)
        SimulatorFixture.run(&fleet, seconds: 5)
        let reading = fleet.reading(node: 0, gpu: 6)
        #expect(reading.remappedRows?.failure == true)
        #expect(reading.xidCounts[64] == 1)
        #expect(reading.lastXID == 64)
        fleet.clear(node: 0, gpu: 6)
        #expect(fleet.reading(node: 0, gpu: 6).remappedRows?.failure == false)
    }

    @Test("Fallen off the bus: lost, identity and XID 79 only; clear brings it back")
    func fallenOffBus() throws {
        var fleet = SimulatorFixture.trainingNode()
        let identity = fleet.reading(node: 0, gpu: 2).identity
        fleet.inject(.fallenOffBus, node: 0, gpu: 2)
        SimulatorFixture.run(&fleet, seconds: 30)
        var lost = GPUReading(identity: identity)
        lost.isLost = true
        lost.xidCounts = [79: 1]
        lost.lastXID = 79
        #expect(fleet.reading(node: 0, gpu: 2) == lost)
        #expect(fleet.reading(node: 0, gpu: 3).processes.isEmpty)  // the job died with it

        fleet.clear(node: 0, gpu: 2)
        SimulatorFixture.run(&fleet, seconds: 30)
        let back = fleet.reading(node: 0, gpu: 2)
        #expect(!back.isLost)
        #expect(back.powerUsageWatts != nil)
        #expect(back.xidCounts == [79: 1])
    }

    @Test("NVLink errors: CRC errors climb on the one bad link, with occasional XID 74")
    func nvlinkErrors() throws {
        var fleet = SimulatorFixture.trainingNode()
        fleet.inject(.nvlinkErrors(link: 3), node: 0, gpu: 0)
        SimulatorFixture.run(&fleet, seconds: 60)
        let first = fleet.reading(node: 0, gpu: 0).nvlinks
        let crc = try #require(first[3].crcErrors)
        #expect(crc >= 60 * 20)
        for link in first where link.link != 3 { #expect(link.crcErrors == 0) }
        SimulatorFixture.run(&fleet, seconds: 600)
        let second = fleet.reading(node: 0, gpu: 0)
        #expect(try #require(second.nvlinks[3].crcErrors) > crc + 600 * 20)
        #expect(try #require(second.nvlinks[3].replayErrors) > 0)
        #expect(second.xidCounts[74, default: 0] >= 1)
        #expect(fleet.reading(node: 0, gpu: 1).nvlinks.allSatisfy { $0.crcErrors == 0 })

        fleet.clear(node: 0, gpu: 0)
        let stopped = second.nvlinks[3].crcErrors
        SimulatorFixture.run(&fleet, seconds: 60)
        #expect(fleet.reading(node: 0, gpu: 0).nvlinks[3].crcErrors == stopped)
    }

    @Test("NVLink errors on a board without NVLink do nothing")
    func nvlinkErrorsWithoutNVLink() {
        var fleet = SimulatorFixture.trainingNode(profile: .l40s)
        fleet.inject(.nvlinkErrors(link: 0), node: 0, gpu: 0)
        SimulatorFixture.run(&fleet, seconds: 60)
        #expect(fleet.reading(node: 0, gpu: 0).nvlinks.isEmpty)
        #expect(fleet.activeFaults(node: 0, gpu: 0).isEmpty)
    }

    @Test("PCIe replay storm: the replay counter climbs by hundreds a second")
    func pcieReplayStorm() throws {
        var fleet = SimulatorFixture.trainingNode()
        #expect(fleet.reading(node: 0, gpu: 7).pcie?.replayCounter == 0)
        fleet.inject(.pcieReplayStorm, node: 0, gpu: 7)
        SimulatorFixture.run(&fleet, seconds: 60)
        let replays = try #require(fleet.reading(node: 0, gpu: 7).pcie?.replayCounter)
        #expect(replays >= 60 * 100)
        SimulatorFixture.run(&fleet, seconds: 10)
        #expect(try #require(fleet.reading(node: 0, gpu: 7).pcie?.replayCounter) >= replays + 1000)
        #expect(fleet.reading(node: 0, gpu: 6).pcie?.replayCounter == 0)
    }

    @Test("Power cap: limit lowered, sw_power_cap, power at or under it, clocks down; clear restores")
    func powerCapThrottling() throws {
        var fleet = SimulatorFixture.trainingNode()
        fleet.inject(.powerCapThrottling(watts: 300), node: 0, gpu: 5)
        for _ in 0..<120 {
            SimulatorFixture.run(&fleet, seconds: 1)
            let reading = fleet.reading(node: 0, gpu: 5)
            #expect(try #require(reading.powerUsageWatts) <= 300)
        }
        let capped = fleet.reading(node: 0, gpu: 5)
        #expect(capped.powerLimitWatts == 300)
        #expect(capped.enforcedPowerLimitWatts == 300)
        #expect(capped.clockEventReasons?.contains(.swPowerCap) == true)
        #expect(try #require(capped.powerUsageWatts) > 280)
        #expect(try #require(capped.smClockMHz) < 0.9 * h100.maxSMClockMHz)
        #expect(fleet.activeFaults(node: 0, gpu: 5) == [.powerCapThrottling(watts: 300)])

        fleet.inject(.powerCapThrottling(watts: 50), node: 0, gpu: 5)
        #expect(fleet.reading(node: 0, gpu: 5).powerLimitWatts == h100.minPowerLimitWatts)

        fleet.clear(node: 0, gpu: 5)
        SimulatorFixture.run(&fleet, seconds: 120)
        let restored = fleet.reading(node: 0, gpu: 5)
        #expect(restored.powerLimitWatts == h100.defaultPowerLimitWatts)
        #expect(try #require(restored.powerUsageWatts) > 400)
    }

    @Test("Stuck at zero: the process and its memory stay, utilisation 0 %, power near idle")
    func stuckAtZero() throws {
        var fleet = SimulatorFixture.trainingNode()
        let busy = fleet.reading(node: 0, gpu: 0)
        fleet.inject(.stuckAtZero, node: 0, gpu: 0)
        SimulatorFixture.run(&fleet, seconds: 30)
        let hung = fleet.reading(node: 0, gpu: 0)
        #expect(hung.gpuUtilizationPercent == 0)
        #expect(try #require(hung.powerUsageWatts) < h100.contextIdlePowerWatts + 10)
        #expect(hung.performanceState == 0)
        #expect(hung.clockEventReasons?.contains(.gpuIdle) == true)
        #expect(hung.tensorPipeActiveRatio == 0)
        let process = try #require(hung.processes.first)
        #expect(process.pid == busy.processes.first?.pid)
        #expect(process.slurmJobID == busy.processes.first?.slurmJobID)
        #expect(try #require(process.usedMemoryBytes) > 0.75 * h100.memoryTotalBytes)
        #expect(process.smUtilizationPercent == 0)
        SimulatorFixture.run(&fleet, seconds: 30)
        let stillHung = fleet.reading(node: 0, gpu: 0)
        #expect(stillHung.nvlinks.map(\.txBytes) == hung.nvlinks.map(\.txBytes))
        #expect(try #require(fleet.reading(node: 0, gpu: 1).gpuUtilizationPercent) > 80)

        fleet.clear(node: 0, gpu: 0)
        SimulatorFixture.run(&fleet, seconds: 30)
        #expect(try #require(fleet.reading(node: 0, gpu: 0).gpuUtilizationPercent) > 80)
    }

    @Test("Faults stay on their GPU and node")
    func faultsAreLocal() {
        var fleet = SimulatedFleet(nodes: 2, gpusPerNode: 4, profile: .a100, seed: 9, startMs: 0, scheduling: .manual)
        fleet.inject(.fallenOffBus, node: 1, gpu: 2)
        fleet.inject(.xid(31), node: 1, gpu: 1)
        SimulatorFixture.run(&fleet, seconds: 10)
        #expect(fleet.readings(node: 0).allSatisfy { !$0.isLost && $0.xidCounts.isEmpty })
        #expect(fleet.readings(node: 1).map(\.isLost) == [false, false, true, false])
        #expect(fleet.readings(node: 1).map(\.lastXID) == [0, 31, 79, 0])
    }
}
