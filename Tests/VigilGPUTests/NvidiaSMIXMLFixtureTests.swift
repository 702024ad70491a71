import Foundation
import Testing
import VigilGPU

/// What one real `nvidia-smi -q -x` file must read as: values copied by hand from the file.
struct SMIFileExpectation: Sendable, CustomTestStringConvertible {
    struct Process: Sendable, Equatable {
        var pid: Int
        var name: String
        var memoryMiB: Double
        var type: String
    }

    var file: String
    var gpuCount: Int
    var driverVersion: String
    var cudaVersion: String
    // The first GPU:
    var name: String
    var uuid: String
    var pciBusID: String
    var minorNumber: Int
    var serial: String?
    var migEnabled: Bool?
    var gpuUtilization: Double?
    var memoryUsedMiB: Double
    var memoryTotalMiB: Double
    var memoryReservedMiB: Double?
    var powerWatts: Double
    var powerLimitWatts: Double
    var temperature: Double
    var slowdownTemperature: Double
    var shutdownTemperature: Double
    var fanSpeed: Double?
    var performanceState: Int
    var smClockMHz: Double
    var maxMemoryClockMHz: Double
    var reasons: ClockEventReasons
    var ecc: ECCCounters?
    var retiredPages: RetiredPages?
    var remappedRows: RemappedRows?
    var pcieGeneration: Int
    var pcieWidth: Int
    var pcieMaxWidth: Int
    var txKBps: Double
    var processes: [Process]
    var migGPUInstances: [Int]

    var testDescription: String { file }

    static let zeroECC = ECCCounters(
        volatileCorrected: 0, volatileUncorrected: 0, aggregateCorrected: 0, aggregateUncorrected: 0)

    static let all: [SMIFileExpectation] = [
        SMIFileExpectation(
            file: "telegraf__a100-sxm4-v12.xml", gpuCount: 1, driverVersion: "535.54.03", cudaVersion: "12.2",
            name: "NVIDIA A100-SXM4-80GB", uuid: "GPU-513536b6-7d19-9063-b049-1e69664bb298",
            pciBusID: "00000000:01:00.0", minorNumber: 1, serial: "1650522003820", migEnabled: true,
            gpuUtilization: nil, memoryUsedMiB: 50, memoryTotalMiB: 81920, memoryReservedMiB: 869, powerWatts: 67.03,
            powerLimitWatts: 500, temperature: 27, slowdownTemperature: 89, shutdownTemperature: 92, fanSpeed: nil,
            performanceState: 0, smClockMHz: 1275, maxMemoryClockMHz: 1593, reasons: [], ecc: zeroECC,
            retiredPages: nil, remappedRows: nil, pcieGeneration: 4, pcieWidth: 16, pcieMaxWidth: 16, txKBps: 4000,
            processes: [], migGPUInstances: [3, 4, 5, 6]),
        SMIFileExpectation(
            file: "telegraf__a10g.xml", gpuCount: 1, driverVersion: "515.105.01", cudaVersion: "11.7",
            name: "NVIDIA A10G", uuid: "GPU-9a9a6c50-2a47-2f51-a902-b82c3b127e94", pciBusID: "00000000:00:1E.0",
            minorNumber: 0, serial: "0000000000000", migEnabled: nil, gpuUtilization: 0, memoryUsedMiB: 22,
            memoryTotalMiB: 23028, memoryReservedMiB: 435, powerWatts: 25.58, powerLimitWatts: 300, temperature: 17,
            slowdownTemperature: 95, shutdownTemperature: 98, fanSpeed: 0, performanceState: 8, smClockMHz: 210,
            maxMemoryClockMHz: 6251, reasons: .gpuIdle, ecc: zeroECC, retiredPages: nil,
            remappedRows: RemappedRows(correctable: 0, uncorrectable: 0, pending: false, failure: false),
            pcieGeneration: 1, pcieWidth: 8, pcieMaxWidth: 16, txKBps: 0,
            processes: [Process(pid: 725, name: "/usr/lib/xorg/Xorg", memoryMiB: 22, type: "graphics")],
            migGPUInstances: []),
        SMIFileExpectation(
            file: "telegraf__dual_a5000-v13.xml", gpuCount: 2, driverVersion: "590.44.01", cudaVersion: "13.1",
            name: "NVIDIA RTX A5000", uuid: "GPU-12345678-aaaa-bbbb-cccc-0123456789ab", pciBusID: "00000000:81:00.0",
            minorNumber: 1, serial: "0123456789012", migEnabled: nil, gpuUtilization: 0, memoryUsedMiB: 22437,
            memoryTotalMiB: 24564, memoryReservedMiB: 450, powerWatts: 6.41, powerLimitWatts: 230, temperature: 13,
            slowdownTemperature: 95, shutdownTemperature: 98, fanSpeed: 30, performanceState: 8, smClockMHz: 210,
            maxMemoryClockMHz: 8001, reasons: .gpuIdle, ecc: nil, retiredPages: nil,
            remappedRows: RemappedRows(correctable: 0, uncorrectable: 0, pending: false, failure: false),
            pcieGeneration: 1, pcieWidth: 16, pcieMaxWidth: 16, txKBps: 488,
            processes: [
                Process(
                    pid: 100477, name: "/root/src/llama.cpp/build/bin/llama-server", memoryMiB: 22430, type: "compute")
            ], migGPUInstances: []),
        SMIFileExpectation(
            file: "telegraf__gtx-1660-ti.xml", gpuCount: 1, driverVersion: "418.43", cudaVersion: "10.1",
            name: "Graphics Device", uuid: "GPU-304a277d-3545-63b8-3a36-dfde3c992989", pciBusID: "00000000:43:00.0",
            minorNumber: 0, serial: nil, migEnabled: nil, gpuUtilization: 0, memoryUsedMiB: 0, memoryTotalMiB: 5912,
            memoryReservedMiB: nil, powerWatts: 8.93, powerLimitWatts: 130, temperature: 40, slowdownTemperature: 93,
            shutdownTemperature: 96, fanSpeed: 0, performanceState: 8, smClockMHz: 300, maxMemoryClockMHz: 4001,
            reasons: .gpuIdle, ecc: nil, retiredPages: nil, remappedRows: nil, pcieGeneration: 1, pcieWidth: 16,
            pcieMaxWidth: 16, txKBps: 0, processes: [], migGPUInstances: []),
        SMIFileExpectation(
            file: "telegraf__quadro-p2000-v12.xml", gpuCount: 1, driverVersion: "525.125.06", cudaVersion: "12.0",
            name: "Quadro P2000", uuid: "GPU-396caaed-39ca-3199-2e68-717cdb786ec6", pciBusID: "00000000:17:00.0",
            minorNumber: 0, serial: "0322218049033", migEnabled: nil, gpuUtilization: 0, memoryUsedMiB: 1,
            memoryTotalMiB: 5120, memoryReservedMiB: 66, powerWatts: 4.61, powerLimitWatts: 75, temperature: 34,
            slowdownTemperature: 101, shutdownTemperature: 104, fanSpeed: 46, performanceState: 8, smClockMHz: 139,
            maxMemoryClockMHz: 3504, reasons: .gpuIdle, ecc: nil, retiredPages: nil, remappedRows: nil,
            pcieGeneration: 1, pcieWidth: 8, pcieMaxWidth: 16, txKBps: 0, processes: [], migGPUInstances: []),
        SMIFileExpectation(
            file: "telegraf__rtx-3060-v12.xml", gpuCount: 1, driverVersion: "570.124.04", cudaVersion: "12.8",
            name: "NVIDIA GeForce RTX 3060", uuid: "GPU-d6889ff6-2523-9142-ca3c-1ca3f396a625",
            pciBusID: "00000000:2D:00.0", minorNumber: 0, serial: nil, migEnabled: nil, gpuUtilization: 0,
            memoryUsedMiB: 116, memoryTotalMiB: 12288, memoryReservedMiB: 368, powerWatts: 11.60, powerLimitWatts: 170,
            temperature: 42, slowdownTemperature: 95, shutdownTemperature: 98, fanSpeed: 0, performanceState: 8,
            smClockMHz: 210, maxMemoryClockMHz: 7501, reasons: .gpuIdle, ecc: nil, retiredPages: nil,
            remappedRows: nil, pcieGeneration: 1, pcieWidth: 16, pcieMaxWidth: 16, txKBps: 550, processes: [],
            migGPUInstances: []),
        SMIFileExpectation(
            file: "telegraf__rtx-3080-v13.xml", gpuCount: 1, driverVersion: "595.58.03", cudaVersion: "13.2",
            name: "NVIDIA GeForce RTX 3080", uuid: "GPU-19d6d965-2acc-f646-00f8-4c76979aabb4",
            pciBusID: "00000000:0C:00.0", minorNumber: 0, serial: "REDACTED", migEnabled: nil, gpuUtilization: 65,
            memoryUsedMiB: 9184, memoryTotalMiB: 10240, memoryReservedMiB: 397, powerWatts: 139.62,
            powerLimitWatts: 320, temperature: 27, slowdownTemperature: 95, shutdownTemperature: 98, fanSpeed: 0,
            performanceState: 2, smClockMHz: 1950, maxMemoryClockMHz: 9501, reasons: [], ecc: nil, retiredPages: nil,
            remappedRows: nil, pcieGeneration: 4, pcieWidth: 16, pcieMaxWidth: 16, txKBps: 1_066_699, processes: [],
            migGPUInstances: []),
        SMIFileExpectation(
            file: "telegraf__tesla-t4.xml", gpuCount: 1, driverVersion: "515.105.01", cudaVersion: "11.7",
            name: "Tesla T4", uuid: "GPU-d37e67a5-91dd-3774-a5cb-99096249601a", pciBusID: "00000000:00:1E.0",
            minorNumber: 0, serial: "0000000000000", migEnabled: nil, gpuUtilization: 0, memoryUsedMiB: 1032,
            memoryTotalMiB: 15360, memoryReservedMiB: 388, powerWatts: 26.78, powerLimitWatts: 70, temperature: 40,
            slowdownTemperature: 93, shutdownTemperature: 96, fanSpeed: nil, performanceState: 0, smClockMHz: 585,
            maxMemoryClockMHz: 5001, reasons: [], ecc: zeroECC,
            retiredPages: RetiredPages(singleBitECC: 0, doubleBitECC: 0, pending: false), remappedRows: nil,
            pcieGeneration: 3, pcieWidth: 8, pcieMaxWidth: 16, txKBps: 0,
            processes: [
                Process(pid: 675, name: "/usr/lib/xorg/Xorg", memoryMiB: 22, type: "graphics"),
                Process(pid: 5762, name: "python", memoryMiB: 1005, type: "compute"),
            ], migGPUInstances: []),
    ]
}

/// The real `nvidia-smi -q -x` files in ../shared (telegraf's test data, DTD v11–v13 and a DOCTYPE-less one).
@Suite(.enabled(if: SharedFixtures.available, "../shared is absent: nvidia-smi fixtures skipped"))
struct NvidiaSMIXMLFixtureTests {
    static let mebibyte = 1_048_576.0

    @Test func everyFileHasAnExpectation() {
        #expect(SharedFixtures.files(in: "xml", suffix: ".xml") == SMIFileExpectation.all.map(\.file).sorted())
    }

    @Test(arguments: SharedFixtures.files(in: "xml", suffix: ".xml"))
    func everyFileParsesWithoutIssues(file: String) throws {
        let (readings, issues) = try NvidiaSMIXML.parseWithIssues(SharedFixtures.bytes("xml/" + file))
        #expect(issues == [])
        #expect(!readings.isEmpty)
        #expect(readings.map(\.identity.index) == Array(readings.indices))
        for reading in readings {
            #expect(reading.identity.uuid.hasPrefix("GPU-"))
            #expect(!reading.isLost)
            #expect(reading.memoryTotalBytes.map { $0 > 0 } == true)
            #expect(reading.gpuTemperatureCelsius != nil)
            #expect(reading.clockEventReasons != nil)
            #expect(reading.pcie?.replayCounter == 0)
        }
    }

    @Test(arguments: SMIFileExpectation.all)
    func values(_ expected: SMIFileExpectation) throws {
        let readings = try NvidiaSMIXML.parse(SharedFixtures.bytes("xml/" + expected.file))
        try #require(readings.count == expected.gpuCount)
        let gpu = readings[0]
        let identity = gpu.identity
        #expect(identity.index == 0)
        #expect(identity.name == expected.name)
        #expect(identity.uuid == expected.uuid)
        #expect(identity.pciBusID == expected.pciBusID)
        #expect(identity.minorNumber == expected.minorNumber)
        #expect(identity.serial == expected.serial)
        #expect(identity.driverVersion == expected.driverVersion)
        #expect(identity.cudaVersion == expected.cudaVersion)
        #expect(identity.migEnabled == expected.migEnabled)
        #expect(identity.vbiosVersion?.isEmpty == false)

        #expect(gpu.gpuUtilizationPercent == expected.gpuUtilization)
        #expect(gpu.memoryUsedBytes == expected.memoryUsedMiB * Self.mebibyte)
        #expect(gpu.memoryTotalBytes == expected.memoryTotalMiB * Self.mebibyte)
        #expect(gpu.memoryReservedBytes == expected.memoryReservedMiB.map { $0 * Self.mebibyte })
        #expect(gpu.powerUsageWatts == expected.powerWatts)
        #expect(gpu.powerLimitWatts == expected.powerLimitWatts)
        #expect(gpu.enforcedPowerLimitWatts == expected.powerLimitWatts)
        #expect(gpu.gpuTemperatureCelsius == expected.temperature)
        #expect(gpu.slowdownTemperatureCelsius == expected.slowdownTemperature)
        #expect(gpu.shutdownTemperatureCelsius == expected.shutdownTemperature)
        #expect(gpu.fanSpeedPercent == expected.fanSpeed)
        #expect(gpu.performanceState == expected.performanceState)
        #expect(gpu.smClockMHz == expected.smClockMHz)
        #expect(gpu.maxMemoryClockMHz == expected.maxMemoryClockMHz)
        #expect(gpu.clockEventReasons == expected.reasons)
        #expect(gpu.ecc == expected.ecc)
        #expect(gpu.retiredPages == expected.retiredPages)
        #expect(gpu.remappedRows == expected.remappedRows)
        #expect(gpu.pcie?.generation == expected.pcieGeneration)
        #expect(gpu.pcie?.width == expected.pcieWidth)
        #expect(gpu.pcie?.maxWidth == expected.pcieMaxWidth)
        #expect(gpu.pcie?.txBytesPerSecond == expected.txKBps * 1024)

        let processes = gpu.processes.map {
            SMIFileExpectation.Process(
                pid: $0.pid, name: $0.name ?? "", memoryMiB: ($0.usedMemoryBytes ?? -1) / Self.mebibyte,
                type: $0.type ?? "")
        }
        #expect(processes == expected.processes)
        #expect(gpu.processes.allSatisfy { $0.gpuInstanceID == nil })
        #expect(gpu.migInstances.map(\.gpuInstanceID) == expected.migGPUInstances)
    }

    /// attached_gpus says 4 but there is one <gpu>: one GPU with its 4 MIG instances.
    @Test func a100MIGDevices() throws {
        let readings = try NvidiaSMIXML.parse(SharedFixtures.bytes("xml/telegraf__a100-sxm4-v12.xml"))
        try #require(readings.count == 1)
        let instances = readings[0].migInstances
        #expect(instances.count == 4)
        for (instance, gpuInstanceID) in zip(instances, [3, 4, 5, 6]) {
            #expect(instance.gpuInstanceID == gpuInstanceID)
            #expect(instance.computeInstanceID == 0)
            #expect(instance.memoryTotalBytes == 19968 * Self.mebibyte)
            #expect(instance.memoryUsedBytes == 12 * Self.mebibyte)
            #expect(instance.multiprocessorCount == 14)
            #expect(instance.profile == nil, "the XML has no profile name")
        }
        #expect(readings[0].identity.deviceName == "nvidia1")
        #expect(readings[0].gpuUtilizationPercent == nil, "N/A under MIG")
        #expect(readings[0].memoryClockMHz == 1593)
        #expect(readings[0].videoClockMHz == 1275)
        #expect(readings[0].memoryTemperatureCelsius == 44)
    }

    /// v13: two GPUs whose minor numbers run against file order; average_power_draw is the draw.
    @Test func dualA5000SecondGPU() throws {
        let readings = try NvidiaSMIXML.parse(SharedFixtures.bytes("xml/telegraf__dual_a5000-v13.xml"))
        try #require(readings.count == 2)
        let gpu = readings[1]
        #expect(gpu.identity.index == 1)
        #expect(gpu.identity.minorNumber == 0)
        #expect(gpu.identity.deviceName == "nvidia0")
        #expect(gpu.identity.uuid == "GPU-12345678-aaaa-bbbb-cccc-0123456789cd")
        #expect(gpu.identity.pciBusID == "00000000:C1:00.0")
        #expect(gpu.memoryUsedBytes == 17253 * Self.mebibyte)
        #expect(gpu.memoryFreeBytes == 6862 * Self.mebibyte)
        #expect(gpu.powerUsageWatts == 13.60)
        #expect(gpu.gpuTemperatureCelsius == 15)
        #expect(gpu.pcie?.rxBytesPerSecond == 488 * 1024.0)
        #expect(gpu.processes.map(\.pid) == [100477])
        #expect(gpu.processes.first?.usedMemoryBytes == 17246 * Self.mebibyte)
    }

    /// A driver from 2019: no DOCTYPE, no mig_mode, no reserved memory, clocks_throttle_reasons.
    @Test func gtx1660TiWithoutDoctype() throws {
        let bytes = try SharedFixtures.bytes("xml/telegraf__gtx-1660-ti.xml")
        #expect(!String(decoding: bytes, as: UTF8.self).contains("DOCTYPE"))
        let gpu = try #require(NvidiaSMIXML.parse(bytes).first)
        #expect(gpu.memoryUtilizationPercent == 1)
        #expect(gpu.encoderUtilizationPercent == 0)
        #expect(gpu.graphicsClockMHz == 300)
        #expect(gpu.memoryClockMHz == 405)
        #expect(gpu.videoClockMHz == 540)
        #expect(gpu.maxSMClockMHz == 2145)
        #expect(gpu.memoryFreeBytes == 5912 * Self.mebibyte)
        #expect(gpu.enforcedPowerLimitWatts == 130)
        #expect(gpu.identity.vbiosVersion == "90.16.25.00.4C")
        #expect(gpu.clockEventReasons?.names == ["gpu_idle"])
        #expect(gpu.pcie?.maxGeneration == 3)
    }

    /// Prefixes of a real file, cut at a stride: each is an error with a position, or (past the root) success.
    @Test func prefixesOfARealFile() throws {
        let bytes = try SharedFixtures.bytes("xml/telegraf__gtx-1660-ti.xml")
        let closing = Array("</nvidia_smi_log>".utf8)
        let rootEnd =
            try #require(
                (0...(bytes.count - closing.count)).first { Array(bytes[$0..<($0 + closing.count)]) == closing }
            ) + closing.count
        for length in stride(from: 0, to: bytes.count, by: 37) {
            switch Result(catching: { () throws(GPUError) in try NvidiaSMIXML.parse(Array(bytes[0..<length])) }) {
            case .success:
                #expect(length >= rootEnd, "a prefix of \(length) bytes parsed")
            case .failure(let error):
                #expect(error.code == .malformedOutput)
                #expect(error.message.contains("line "), "\(error.message)")
            }
        }
    }
}
