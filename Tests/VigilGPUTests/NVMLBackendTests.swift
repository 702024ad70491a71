import Foundation
import Testing
import VigilGPU

/// NVMLBackend end to end through dlopen of the fake libnvidia-ml (FakeNVML/fake_nvml.c): every field
/// the fake answers arrives in the reading, every NOT_SUPPORTED is nil, a lost GPU doesn't stop the others.
@Suite(.enabled(if: FakeNVML.canRun, FakeNVML.skipReason))
struct NVMLBackendTests {
    static let containerID = "3f0d9d2b1e4c5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
    static let podUID = "7c9f1e2a-3b4d-4c5e-8f6a-9b0c1d2e3f4a"

    /// A /proc with the fake's GPU processes 4242 (a pod's container, root) and 4343 (a Slurm job, a UID
    /// without a name); 5151 has no entry, as for a process that has exited.
    static let procRoot: String = {
        let root = FakeNVML.scratchDirectory + "/proc-\(UUID().uuidString)"
        let files = [
            "4242/cgroup":
                "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(podUID.replacingOccurrences(of: "-", with: "_")).slice/cri-containerd-\(containerID).scope\n",
            "4242/comm": "python3\n",
            "4242/status":
                "Name:\tpython3\nUmask:\t0022\nState:\tR (running)\nTgid:\t4242\nPid:\t4242\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n",
            "4343/cgroup": "0::/system.slice/slurmstepd.scope/job_4711/step_0/user/task_0\n",
            "4343/comm": "torchrun\n",
            "4343/status": "Name:\ttorchrun\nUid:\t123456\t123456\t123456\t123456\n",
        ]
        for (file, text) in files {
            let path = root + "/" + file
            try! FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try! text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return root
    }()

    // MARK: - What the fake answers

    static func expectedGPU0(old: Bool = false) -> GPUReading {
        var identity = GPUIdentity(
            index: 0, name: "NVIDIA H100 80GB HBM3", uuid: "GPU-11111111-2222-3333-4444-555555555555",
            pciBusID: "00000000:17:00.0")
        identity.minorNumber = 2
        identity.serial = "1650123456789"
        identity.vbiosVersion = "96.00.74.00.0D"
        identity.driverVersion = "550.54.15"
        identity.cudaVersion = old ? "11.8" : "12.4"
        identity.migEnabled = false
        var r = GPUReading(identity: identity)
        r.gpuUtilizationPercent = 87
        r.memoryUtilizationPercent = 45
        r.encoderUtilizationPercent = 3
        r.decoderUtilizationPercent = 5
        r.memoryTotalBytes = 85_520_809_984
        r.memoryFreeBytes = 10_000_000_000
        if old {
            r.memoryUsedBytes = 74_935_835_648 + 584_974_336  // v1 counts the reservation as used
        } else {
            r.memoryUsedBytes = 74_935_835_648
            r.memoryReservedBytes = 584_974_336
        }
        r.graphicsClockMHz = 1755
        r.smClockMHz = 1740
        r.memoryClockMHz = 2619
        r.videoClockMHz = 1530
        r.maxSMClockMHz = 1980
        r.maxMemoryClockMHz = 2619
        r.gpuTemperatureCelsius = 64
        r.memoryTemperatureCelsius = 71
        r.slowdownTemperatureCelsius = 89
        r.shutdownTemperatureCelsius = 92
        r.powerUsageWatts = 612.345
        r.powerLimitWatts = 700
        r.enforcedPowerLimitWatts = 690
        r.totalEnergyMillijoules = 123_456_789_012
        r.fanSpeedPercent = 42
        r.performanceState = 0
        r.clockEventReasons = [.swPowerCap, .hwThermalSlowdown]
        r.ecc = ECCCounters(
            volatileCorrected: 7, volatileUncorrected: 1, aggregateCorrected: 1234, aggregateUncorrected: 2)
        r.retiredPages = RetiredPages(singleBitECC: 3, doubleBitECC: 1, pending: true)
        r.remappedRows = RemappedRows(correctable: 5, uncorrectable: 1, pending: true, failure: false)
        var pcie = PCIeReading()
        pcie.generation = 5
        pcie.maxGeneration = 5
        pcie.width = 16
        pcie.maxWidth = 16
        pcie.txBytesPerSecond = 12345 * 1024
        pcie.rxBytesPerSecond = 54321 * 1024
        pcie.replayCounter = 17
        r.pcie = pcie
        r.nvlinks = (0..<18).map { link in
            var l = NVLinkReading(link: link, isActive: link != 17)
            l.crcErrors = Double(link * 10 + 1)
            l.replayErrors = Double(link * 10 + 2)
            l.recoveryErrors = link == 5 ? nil : Double(link * 10 + 3)
            l.txBytes = Double(1000 * (link + 1) * 1024)
            l.rxBytes = Double(2000 * (link + 1) * 1024)
            return l
        }
        var p4242 = GPUProcess(pid: 4242)
        p4242.name = "python3"
        p4242.usedMemoryBytes = 40 * 1_073_741_824
        p4242.smUtilizationPercent = 75  // the later of its two samples
        p4242.type = "compute"  // in both lists
        p4242.user = "root"
        p4242.containerID = containerID
        p4242.kubernetesPodUID = podUID
        var p4343 = GPUProcess(pid: 4343)
        p4343.name = "torchrun"
        p4343.smUtilizationPercent = 20
        p4343.type = "compute"
        p4343.user = "123456"
        p4343.slurmJobID = "4711"
        var p5151 = GPUProcess(pid: 5151)
        p5151.usedMemoryBytes = 100 * 1_048_576
        p5151.type = "graphics"
        r.processes = [p4242, p4343, p5151]
        return r
    }

    static func expectedGPU1(old: Bool = false) -> GPUReading {
        var identity = GPUIdentity(
            index: 1, name: "NVIDIA A100-SXM4-40GB", uuid: "GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            pciBusID: "00000000:CA:00.0")
        identity.minorNumber = 3
        identity.serial = "1320987654321"
        identity.vbiosVersion = "92.00.45.00.06"
        identity.driverVersion = "550.54.15"
        identity.cudaVersion = old ? "11.8" : "12.4"
        identity.migEnabled = true
        var r = GPUReading(identity: identity)
        r.gpuUtilizationPercent = 12
        r.memoryUtilizationPercent = 3
        r.decoderUtilizationPercent = 0
        r.memoryTotalBytes = 42_949_672_960
        r.memoryFreeBytes = 40_000_000_000
        if old {
            r.memoryUsedBytes = 2_449_672_960 + 500_000_000
        } else {
            r.memoryUsedBytes = 2_449_672_960
            r.memoryReservedBytes = 500_000_000
        }
        r.graphicsClockMHz = 1410
        r.smClockMHz = 1395
        r.memoryClockMHz = 1215
        r.videoClockMHz = 1275
        r.maxSMClockMHz = 1410
        r.maxMemoryClockMHz = 1215
        r.gpuTemperatureCelsius = 33
        r.slowdownTemperatureCelsius = 87
        r.shutdownTemperatureCelsius = 90
        r.powerUsageWatts = 71.234
        r.powerLimitWatts = 400
        r.enforcedPowerLimitWatts = 350
        r.totalEnergyMillijoules = 98_765_432
        r.performanceState = 2
        r.clockEventReasons = [.gpuIdle]
        r.remappedRows = RemappedRows(correctable: 0, uncorrectable: 0, pending: false, failure: false)
        var pcie = PCIeReading()
        pcie.generation = 3
        pcie.maxGeneration = 4
        pcie.width = 8
        pcie.maxWidth = 16
        pcie.txBytesPerSecond = 100 * 1024
        pcie.rxBytesPerSecond = 200 * 1024
        r.pcie = pcie
        var p6001 = GPUProcess(pid: 6001)
        p6001.usedMemoryBytes = 1_073_741_824
        p6001.type = "compute"
        p6001.gpuInstanceID = old ? nil : 1  // the unversioned (v1) list has no instance ids
        var p6002 = GPUProcess(pid: 6002)
        p6002.usedMemoryBytes = 2 * 1_073_741_824
        p6002.type = "compute"
        p6002.gpuInstanceID = old ? nil : 2
        r.processes = [p6001, p6002]
        var mig1 = MIGInstance(gpuInstanceID: 1)
        mig1.computeInstanceID = 0
        mig1.uuid = "MIG-11111111-aaaa-bbbb-cccc-000000000001"
        mig1.memoryTotalBytes = 10_200_547_328
        mig1.memoryUsedBytes = 13_107_200
        mig1.multiprocessorCount = 14
        var mig2 = MIGInstance(gpuInstanceID: 2)
        mig2.computeInstanceID = 0
        mig2.uuid = "MIG-22222222-aaaa-bbbb-cccc-000000000002"
        mig2.memoryTotalBytes = 20_401_094_656
        mig2.memoryUsedBytes = 26_214_400
        mig2.multiprocessorCount = 28
        r.migInstances = [mig1, mig2]
        return r
    }

    // MARK: - Reading

    @Test func readsEveryFieldOfBothGPUs() throws {
        let backend = try NVMLBackend(
            libraryPath: FakeNVML.library(.current), procRoot: Self.procRoot, listenForXIDs: false)
        #expect(backend.name == "nvml")
        let readings = try backend.read()
        try #require(readings.count == 2)
        Self.expectEqual(readings[0], Self.expectedGPU0())
        Self.expectEqual(readings[1], Self.expectedGPU1())
        #expect(readings[0].identity.deviceName == "nvidia2")
    }

    @Test func notSupportedFieldsAreNil() throws {
        let backend = try NVMLBackend(libraryPath: FakeNVML.library(.current), listenForXIDs: false)
        let gpu1 = try backend.read()[1]
        #expect(gpu1.fanSpeedPercent == nil)
        #expect(gpu1.ecc == nil)
        #expect(gpu1.retiredPages == nil)
        #expect(gpu1.encoderUtilizationPercent == nil)
        #expect(gpu1.memoryTemperatureCelsius == nil)
        #expect(gpu1.pcie?.replayCounter == nil)
        #expect(gpu1.nvlinks.isEmpty)
        #expect(gpu1.processes.allSatisfy { $0.smUtilizationPercent == nil })
        #expect(!gpu1.isLost)
    }

    @Test func oldDriverFallsBackToOlderFunctions() throws {
        let backend = try NVMLBackend(
            libraryPath: FakeNVML.library(.old), procRoot: Self.procRoot, listenForXIDs: true, xidWaitMilliseconds: 10)
        #expect(!backend.isListeningForXIDs)  // no nvmlEventSetWait_v2
        let readings = try backend.read()
        try #require(readings.count == 2)
        Self.expectEqual(readings[0], Self.expectedGPU0(old: true))
        Self.expectEqual(readings[1], Self.expectedGPU1(old: true))
    }

    @Test func readsRepeatedlyWithTheSameResult() throws {
        let backend = try NVMLBackend(
            libraryPath: FakeNVML.library(.current), procRoot: Self.procRoot, listenForXIDs: false)
        let first = try backend.read()
        let second = try backend.read()
        #expect(first == second)
    }

    // MARK: - Lost GPUs

    @Test func aGPULostLaterKeepsItsIdentityAndTheOthersAreRead() throws {
        let fake = try FakeNVML.privateCopy(.current)
        let backend = try NVMLBackend(libraryPath: fake.path, procRoot: Self.procRoot, listenForXIDs: false)
        let healthy = try backend.read()

        fake.setLost(gpu: 1, .measurements)
        var readings = try backend.read()
        Self.expectEqual(readings[0], Self.expectedGPU0())
        #expect(readings[1] == Self.lost(healthy[1].identity))

        fake.setLost(gpu: 1, .everything)  // even the handle: identity from the last full read
        readings = try backend.read()
        #expect(readings.count == 2)
        Self.expectEqual(readings[0], Self.expectedGPU0())
        #expect(readings[1] == Self.lost(healthy[1].identity))

        fake.setLost(gpu: 1, .healthy)
        #expect(try backend.read() == healthy)
    }

    @Test func aGPULostFromTheStartHasTheIdentityItStillAnswers() throws {
        let fake = try FakeNVML.privateCopy(.current)
        fake.setLost(gpu: 1, .measurements)
        let backend = try NVMLBackend(libraryPath: fake.path, procRoot: Self.procRoot, listenForXIDs: false)
        let readings = try backend.read()
        Self.expectEqual(readings[0], Self.expectedGPU0())
        #expect(readings[1] == Self.lost(Self.expectedGPU1().identity))
    }

    @Test func aGPUWithNoAnswerAtAllIsLostWithItsIndex() throws {
        let fake = try FakeNVML.privateCopy(.current)
        fake.setLost(gpu: 0, .everything)
        let backend = try NVMLBackend(libraryPath: fake.path, procRoot: Self.procRoot, listenForXIDs: false)
        let readings = try backend.read()
        #expect(readings[0] == Self.lost(GPUIdentity(index: 0, name: "", uuid: "", pciBusID: "")))
        Self.expectEqual(readings[1], Self.expectedGPU1())
    }

    // MARK: - Errors

    /// Whatever a call answers, nothing crashes: each field is just absent (NVML's codes, then made-up ones).
    @Test(
        arguments: [1, 2, 3, 4, 6, 7, 9, 10, 12, 13, 14, 17, 18, 20, 21, 25, 26, 999, 12345, 0xFFFF_FFFF] as [UInt32])
    func anyErrorCodeLeavesFieldsAbsent(code: UInt32) throws {
        let fake = try FakeNVML.privateCopy(.current)
        let backend = try NVMLBackend(
            libraryPath: fake.path, procRoot: Self.procRoot, listenForXIDs: true, xidWaitMilliseconds: 10)
        fake.failAll(code)
        let readings = try backend.read()
        #expect(readings.count == 2)
        for (index, reading) in readings.enumerated() {
            var expected = GPUReading(identity: GPUIdentity(index: index, name: "", uuid: "", pciBusID: ""))
            expected.identity.driverVersion = "550.54.15"
            expected.identity.cudaVersion = "12.4"
            if code == 7 {  // INSUFFICIENT_SIZE: what a retired-page count query answers when there are some
                expected.retiredPages = RetiredPages(singleBitECC: 0, doubleBitECC: 0, pending: false)
            }
            var actual = reading
            actual.xidCounts = [:]  // the listener may have counted the scripted XIDs before failAll
            actual.lastXID = nil
            #expect(actual == expected)
        }
        backend.shutdown()  // the listener, whose waits now fail at once, still stops
    }

    @Test func aFailingDeviceCountIsACallFailure() throws {
        let fake = try FakeNVML.privateCopy(.current)
        let backend = try NVMLBackend(libraryPath: fake.path, listenForXIDs: false)
        fake.failCount(999)
        let error = #expect(throws: GPUError.self) { try backend.read() }
        #expect(error == GPUError(.callFailed, "nvmlDeviceGetCount_v2: Unknown Error"))
        fake.failCount(0)
        #expect(try backend.read().count == 2)
    }

    static func lost(_ identity: GPUIdentity) -> GPUReading {
        var reading = GPUReading(identity: identity)
        reading.isLost = true
        return reading
    }

    /// Compares field group by field group, so a failure names the group that differs.
    static func expectEqual(
        _ actual: GPUReading, _ expected: GPUReading, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(actual.identity == expected.identity, sourceLocation: sourceLocation)
        #expect(actual.nvlinks == expected.nvlinks, sourceLocation: sourceLocation)
        #expect(actual.processes == expected.processes, sourceLocation: sourceLocation)
        #expect(actual.migInstances == expected.migInstances, sourceLocation: sourceLocation)
        var rest = actual
        rest.identity = expected.identity
        rest.nvlinks = expected.nvlinks
        rest.processes = expected.processes
        rest.migInstances = expected.migInstances
        #expect(rest == expected, sourceLocation: sourceLocation)
    }
}
