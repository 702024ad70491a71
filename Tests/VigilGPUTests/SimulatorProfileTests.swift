import Testing
import VigilGPU

@Suite("Simulator profiles")
struct SimulatorProfileTests {
    @Test("Every profile's readings respect its limits over a simulated hour", arguments: GPUProfile.all)
    func limitsHoldForAnHour(profile: GPUProfile) throws {
        var fleet = SimulatedFleet(nodes: 2, gpusPerNode: 8, profile: profile, seed: 17, startMs: 1_700_000_000_000)
        // Stress the limits too: a power cap, a cooling failure and a hung job among normal load.
        fleet.startJob(.training, node: 1, gpus: Array(0..<8))
        fleet.inject(.powerCapThrottling(watts: profile.minPowerLimitWatts), node: 1, gpu: 0)
        fleet.inject(.coolingFailure, node: 1, gpu: 1)
        fleet.inject(.stuckAtZero, node: 1, gpu: 2)
        var sawLoad = false
        for _ in 0..<360 {
            SimulatorFixture.run(&fleet, seconds: 10)
            for node in 0..<2 {
                for reading in fleet.readings(node: node) {
                    try expectWithinLimits(reading, profile: profile)
                    if (reading.gpuUtilizationPercent ?? 0) > 80 { sawLoad = true }
                }
            }
        }
        #expect(sawLoad)
    }

    private func expectWithinLimits(_ reading: GPUReading, profile: GPUProfile) throws {
        #expect(reading.identity.name == profile.productName)
        let limit = try #require(reading.powerLimitWatts)
        #expect(limit <= profile.defaultPowerLimitWatts)
        #expect(limit >= profile.minPowerLimitWatts)
        #expect(try #require(reading.powerUsageWatts) <= limit)
        #expect(try #require(reading.powerUsageWatts) >= profile.idlePowerWatts * 0.9)
        #expect(try #require(reading.smClockMHz) <= profile.maxSMClockMHz)
        #expect(try #require(reading.smClockMHz) >= profile.idleSMClockMHz)
        #expect(try #require(reading.memoryClockMHz) <= profile.maxMemoryClockMHz)
        #expect(try #require(reading.videoClockMHz) <= profile.maxVideoClockMHz)
        #expect(reading.maxSMClockMHz == profile.maxSMClockMHz)
        #expect(reading.maxMemoryClockMHz == profile.maxMemoryClockMHz)
        #expect(try #require(reading.memoryUsedBytes) <= profile.memoryTotalBytes - profile.memoryReservedBytes)
        #expect(reading.memoryTotalBytes == profile.memoryTotalBytes)
        #expect(try #require(reading.gpuTemperatureCelsius) < profile.shutdownTemperatureCelsius)
        #expect(reading.slowdownTemperatureCelsius == profile.slowdownTemperatureCelsius)
        #expect(reading.shutdownTemperatureCelsius == profile.shutdownTemperatureCelsius)
        #expect((reading.memoryTemperatureCelsius != nil) == (profile.memoryMaxOperatingTemperatureCelsius != nil))
        #expect(reading.nvlinks.count == profile.nvlinkCount)
        #expect(reading.pcie?.maxGeneration == profile.pcieGeneration)
        #expect(reading.pcie?.width == profile.pcieWidth)
        #expect(try #require(reading.pcie?.generation) <= profile.pcieGeneration)
        #expect(reading.fanSpeedPercent == nil)  // SXM modules and passive L40S report no fan
        #expect(reading.retiredPages == nil)  // Ampere and later remap rows instead
        #expect(reading.remappedRows != nil)
    }

    @Test("Published limits of the built-in profiles")
    func publishedLimits() {
        #expect(GPUProfile.h100.productName == "NVIDIA H100 80GB HBM3")
        #expect(GPUProfile.h100.memoryTotalBytes == 81559 * 1_048_576)
        #expect(GPUProfile.h100.defaultPowerLimitWatts == 700)
        #expect(GPUProfile.h100.maxSMClockMHz == 1980)
        #expect(GPUProfile.h100.maxMemoryClockMHz == 2619)
        #expect(GPUProfile.h100.nvlinkCount == 18)
        #expect(GPUProfile.h200.productName == "NVIDIA H200")
        #expect(GPUProfile.h200.memoryTotalBytes == 143771 * 1_048_576)
        #expect(GPUProfile.h200.maxMemoryClockMHz == 3201)
        #expect(GPUProfile.a100.productName == "NVIDIA A100-SXM4-80GB")
        #expect(GPUProfile.a100.memoryTotalBytes == 81920 * 1_048_576)
        #expect(GPUProfile.a100.defaultPowerLimitWatts == 400)
        #expect(GPUProfile.a100.maxSMClockMHz == 1410)
        #expect(GPUProfile.a100.maxMemoryClockMHz == 1593)
        #expect(GPUProfile.a100.nvlinkCount == 12)
        #expect(GPUProfile.a100.pcieGeneration == 4)
        #expect(GPUProfile.l40s.nvlinkCount == 0)
        for profile in GPUProfile.all {
            #expect(profile.maxOperatingTemperatureCelsius < profile.slowdownTemperatureCelsius)
            #expect(profile.slowdownTemperatureCelsius < profile.shutdownTemperatureCelsius)
            #expect(profile.idlePowerWatts < profile.contextIdlePowerWatts)
            #expect(profile.contextIdlePowerWatts < profile.minPowerLimitWatts)
            #expect(profile.pciBusIDs.count == 8)
        }
    }

    @Test("Profiles are found by name, case-insensitively", arguments: ["h100", "H200", "a100", "L40S"])
    func namedLookup(name: String) throws {
        #expect(try GPUProfile.named(name).key == name.lowercased())
    }

    @Test("An unknown profile name is an error listing the valid names")
    func unknownName() {
        #expect {
            try GPUProfile.named("b200")
        } throws: { error in
            guard let error = error as? GPUError else { return false }
            return error.code == .unsupported && error.message.contains("'b200'")
                && error.message.contains("a100, h100, h200, l40s")
        }
    }
}
