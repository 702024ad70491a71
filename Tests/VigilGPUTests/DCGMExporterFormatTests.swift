import Foundation
import Testing
import VigilExposition
import VigilGPU
import VigilModel

/// A fully populated H100 reading, as a backend would deliver it.
func sampleReading(index: Int = 0) -> GPUReading {
    var identity = GPUIdentity(
        index: index, name: "NVIDIA H100 80GB HBM3", uuid: "GPU-0000000\(index)-1111-2222-3333-444444444444",
        pciBusID: "00000000:1\(index):00.0")
    identity.minorNumber = index
    identity.driverVersion = "550.90.07"
    identity.serial = "1650923000001"
    var reading = GPUReading(identity: identity)
    reading.gpuUtilizationPercent = 97
    reading.memoryUtilizationPercent = 41
    reading.encoderUtilizationPercent = 0
    reading.decoderUtilizationPercent = 0
    reading.memoryTotalBytes = 81559 * 1_048_576
    reading.memoryUsedBytes = 70000 * 1_048_576
    reading.memoryFreeBytes = 11030 * 1_048_576
    reading.memoryReservedBytes = 529 * 1_048_576
    reading.smClockMHz = 1980
    reading.memoryClockMHz = 2619
    reading.gpuTemperatureCelsius = 71
    reading.memoryTemperatureCelsius = 80
    reading.powerUsageWatts = 655.5
    reading.totalEnergyMillijoules = 123_456_789
    reading.clockEventReasons = [.swPowerCap]
    reading.pcie = PCIeReading()
    reading.pcie?.replayCounter = 0
    reading.pcie?.txBytesPerSecond = 1e9
    reading.pcie?.rxBytesPerSecond = 2e9
    reading.nvlinks = [NVLinkReading(link: 0, isActive: true), NVLinkReading(link: 1, isActive: true)]
    reading.nvlinks[0].txBytes = 100
    reading.nvlinks[0].rxBytes = 200
    reading.nvlinks[1].txBytes = 300
    reading.nvlinks[1].rxBytes = 400
    reading.remappedRows = RemappedRows(correctable: 0, uncorrectable: 0, pending: false, failure: false)
    reading.graphicsEngineActiveRatio = 0.95
    reading.tensorPipeActiveRatio = 0.61
    reading.dramActiveRatio = 0.44
    reading.lastXID = 0
    reading.xidCounts = [79: 1, 13: 2]
    var process = GPUProcess(pid: 4242)
    process.name = "python"
    process.usedMemoryBytes = 69_000 * 1_048_576
    process.slurmJobID = "123456"
    process.user = "alice"
    reading.processes = [process]
    return reading
}

@Suite struct DCGMExporterFormatTests {
    let format = DCGMExporterFormat(counters: .dcgmExporterDefaults, hostname: "gpu-node-01")

    @Test func namesUnitsAndTypesAsDCGMExporter() {
        let metrics = format.metrics(for: [sampleReading()])
        func value(_ name: String) -> Double? { metrics.families.first { $0.name == name }?.samples.first?.value }
        #expect(value("DCGM_FI_DEV_GPU_UTIL") == 97)
        #expect(value("DCGM_FI_DEV_FB_USED") == 70000)
        #expect(value("DCGM_FI_DEV_FB_FREE") == 11030)
        #expect(value("DCGM_FI_DEV_FB_RESERVED") == 529)
        #expect(value("DCGM_FI_DEV_POWER_USAGE") == 655.5)
        #expect(value("DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL") == 1000)
        #expect(value("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE") == 0.61)
        #expect(value("DCGM_FI_DEV_XID_ERRORS") == 0)
        #expect(metrics.families.first { $0.name == "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION" }?.type == .counter)
        #expect(metrics.families.first { $0.name == "DCGM_FI_DEV_GPU_TEMP" }?.help == "GPU temperature (in C).")
    }

    /// The exact bytes dcgm-exporter writes: its label order, not sorted order.
    @Test func labelsInDCGMExporterOrder() {
        let metrics = format.metrics(for: [sampleReading()])
        let text = String(decoding: ExpositionEncoder.encode(metrics.families, format: .text), as: UTF8.self)
        #expect(
            text.contains(
                #"DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-00000000-1111-2222-3333-444444444444",pci_bus_id="00000000:10:00.0",device="nvidia0",modelName="NVIDIA H100 80GB HBM3",Hostname="gpu-node-01",DCGM_FI_DRIVER_VERSION="550.90.07"} 97"#
            ))
        let lowercase = DCGMExporterFormat(counters: .dcgmExporterDefaults, hostname: "n1", hostnameLabel: "hostname")
        let other = String(
            decoding: ExpositionEncoder.encode(lowercase.metrics(for: [sampleReading()]).families, format: .text),
            as: UTF8.self)
        #expect(other.contains(#"modelName="NVIDIA H100 80GB HBM3",hostname="n1","#))
    }

    @Test func vigilExtrasXIDCounterReasonsAndAttribution() {
        let metrics = format.metrics(for: [sampleReading()])
        let xids = metrics.families.first { $0.name == "vigil_gpu_xid_errors_total" }?.samples ?? []
        #expect(xids.map { $0.labels["xid"] } == ["13", "79"])
        #expect(xids.map(\.value) == [2, 1])
        let reasons = metrics.families.first { $0.name == "vigil_gpu_clock_event_reason" }?.samples ?? []
        #expect(reasons.count == ClockEventReasons.named.count)
        #expect(reasons.first { $0.labels["reason"] == "sw_power_cap" }?.value == 1)
        #expect(reasons.first { $0.labels["reason"] == "gpu_idle" }?.value == 0)
        let info = metrics.families.first { $0.name == "vigil_gpu_process_info" }?.samples.first
        #expect(info?.labels["job_id"] == "123456")
        #expect(info?.labels["user"] == "alice")
        // Attribution never lands on the GPU series themselves.
        #expect(metrics.families.first { $0.name == "DCGM_FI_DEV_GPU_UTIL" }?.samples.first?.labels["job_id"] == nil)
        #expect(metrics.families.first { $0.name == "vigil_gpu_lost" }?.samples.first?.value == 0)
    }

    /// The series a job join needs: one per job on each GPU, however many processes it has there.
    @Test func jobInfoHasOneSeriesPerJobPerGPU() {
        var reading = sampleReading()
        var second = reading.processes[0]
        second.pid += 1
        var pod = reading.processes[0]
        pod.pid += 2
        pod.slurmJobID = nil
        pod.kubernetesPodUID = "0f5e1c2a-1111-2222-3333-444455556666"
        var unowned = reading.processes[0]
        unowned.pid += 3
        unowned.slurmJobID = nil
        reading.processes += [second, pod, unowned]
        let jobs = format.metrics(for: [reading]).families.first { $0.name == "vigil_gpu_job_info" }?.samples ?? []
        #expect(jobs.map { $0.labels["job_id"] } == ["", "123456"])
        #expect(jobs.map { $0.labels["pod_uid"] } == ["0f5e1c2a-1111-2222-3333-444455556666", ""])
        #expect(jobs.allSatisfy { $0.labels["gpu"] == "0" && $0.labels["Hostname"] == "gpu-node-01" && $0.value == 1 })
        #expect(jobs.last?.labels["user"] == "alice")
    }

    @Test func lostGPUOnlyReportsItsLossAndXIDs() {
        var lost = sampleReading(index: 1)
        lost.isLost = true
        let metrics = format.metrics(for: [sampleReading(), lost])
        #expect(metrics.families.first { $0.name == "DCGM_FI_DEV_GPU_UTIL" }?.samples.count == 1)
        let flags = metrics.families.first { $0.name == "vigil_gpu_lost" }?.samples ?? []
        #expect(flags.map(\.value) == [0, 1])
    }

    @Test func migInstancesAreEntitiesOfTheirOwn() {
        var reading = sampleReading()
        var instance = MIGInstance(gpuInstanceID: 3)
        instance.profile = "1g.10gb"
        instance.memoryTotalBytes = 9984 * 1_048_576
        instance.memoryUsedBytes = 13 * 1_048_576
        reading.migInstances = [instance]
        let metrics = format.metrics(for: [reading])
        let used = metrics.families.first { $0.name == "DCGM_FI_DEV_FB_USED" }
        let mig = used?.samples.first { $0.labels["GPU_I_ID"] == "3" }
        #expect(mig?.value == 13)
        #expect(mig?.labels["GPU_I_PROFILE"] == "1g.10gb")
        let text = String(decoding: ExpositionEncoder.encode(metrics.families, format: .text), as: UTF8.self)
        #expect(
            text.contains(
                #"modelName="NVIDIA H100 80GB HBM3",GPU_I_PROFILE="1g.10gb",GPU_I_ID="3",Hostname="gpu-node-01""#))
    }

    /// dcgm-exporter's own default counter list, read from ../shared: every counter Vigil can supply is in
    /// Vigil's defaults with the same type, and only the ones no backend can supply are left out.
    @Test(.enabled(if: SharedFolder.available, "../shared is absent: dcgm-exporter counter list skipped"))
    func everyDefaultCounterOfDCGMExporter() throws {
        let (list, skipped) = try DCGMCounterList.parse(
            SharedFolder.text("fixtures/gpu/dcgm-exporter/default-counters.csv"))
        #expect(skipped == ["DCGM_FI_DEV_VGPU_LICENSE_STATUS"])
        #expect(Set(skipped).isSubset(of: DCGMField.unsupported))
        #expect(list == DCGMCounterList.dcgmExporterDefaults)
        for counter in list.counters {
            let ours = DCGMCounterList.vigilDefaults.counters.first { $0.field == counter.field }
            #expect(ours?.kind == counter.kind, "\(counter.field)")
        }
        // Every value field in the list is emitted for a fully populated reading.
        let emitted = Set(
            DCGMExporterFormat(counters: list, hostname: "h").metrics(for: [sampleReading()]).families.map(\.name))
        for counter in list.counters where counter.kind != .label {
            #expect(emitted.contains(counter.field), "\(counter.field) not emitted")
        }
    }

    /// The simulated backend supplies every default counter dcgm-exporter has (bar vGPU licensing).
    @Test(.enabled(if: SharedFolder.available, "../shared is absent: dcgm-exporter counter list skipped"))
    func simulatorSuppliesEveryDefaultCounter() throws {
        let (list, _) = try DCGMCounterList.parse(SharedFolder.text("fixtures/gpu/dcgm-exporter/default-counters.csv"))
        let backend = try SimulatedBackend(gpus: 2, profile: .h100, seed: 7, now: { 1_700_000_000_000 })
        let emitted = Set(
            DCGMExporterFormat(counters: list, hostname: "h").metrics(for: try backend.read()).families.map(\.name))
        for counter in list.counters where counter.kind != .label {
            #expect(emitted.contains(counter.field), "\(counter.field) not supplied by the simulator")
        }
    }

    @Test func countersFileAcceptsCommentsAndBlankLines() throws {
        let (list, skipped) = try DCGMCounterList.parse(
            """
            # Format: field, type, help

            DCGM_FI_DEV_GPU_TEMP,    gauge, GPU temperature (in C).
            DCGM_FI_PROF_SM_ACTIVE, gauge, Not something Vigil reads.
            DCGM_FI_DRIVER_VERSION, label, Driver Version
            DCGM_FI_DEV_GPU_TEMP, gauge, duplicate lines are ignored
            """)
        #expect(list.counters.map(\.field) == ["DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DRIVER_VERSION"])
        #expect(skipped == ["DCGM_FI_PROF_SM_ACTIVE"])
    }

    @Test(arguments: [
        ("DCGM_FI_DEV_GPU_TEMP gauge GPU temperature", "line 1: expected 'DCGM_FIELD, type, help'"),
        ("DCGM_FI_DEV_GPU_TEMP, histogram, x", "line 1: type \"histogram\" is not gauge, counter or label"),
        ("# c\nGPU_TEMP, gauge, x", "line 2: \"GPU_TEMP\" is not a DCGM field name"),
    ])
    func malformedCountersFile(text: String, message: String) {
        #expect {
            _ = try DCGMCounterList.parse(text)
        } throws: { error in
            (error as? GPUError)?.message.contains(message) == true
        }
    }
}

@Suite struct XIDAndHealthTests {
    @Test(arguments: [
        (79, XIDCatalog.Severity.critical, XIDCatalog.Action.rebootNode), (48, .critical, .resetGPU),
        (13, .warning, .checkApplication), (45, .info, .none),
    ])
    func catalogue(code: Int, severity: XIDCatalog.Severity, action: XIDCatalog.Action) {
        let entry = XIDCatalog.entry(for: code)
        #expect(entry.severity == severity)
        #expect(entry.action == action)
    }

    @Test func unknownXIDIsAWarningToLookUp() {
        let entry = XIDCatalog.entry(for: 9999)
        #expect(entry.severity == .warning)
        #expect(entry.meaning.contains("not in Vigil's catalogue"))
    }

    @Test func healthyGPU() {
        var reading = sampleReading()
        reading.clockEventReasons = []
        #expect(GPUHealth.assess(reading).status == .ok)
        #expect(GPUHealth.assess(reading).summary == "healthy")
    }

    @Test func worstFindingFirst() {
        var reading = sampleReading()
        reading.gpuTemperatureCelsius = 89
        reading.slowdownTemperatureCelsius = 87
        reading.shutdownTemperatureCelsius = 92
        reading.lastXID = 79
        let health = GPUHealth.assess(reading)
        #expect(health.status == .crit)
        #expect(
            health.findings.first?.reason == "temperature 89 °C is near shutdown (92 °C)"
                || health.findings.first?.reason.hasPrefix("XID 79") == true)
        #expect(health.findings.contains { $0.reason.hasPrefix("XID 79: GPU has fallen off the bus") })
    }

    @Test(arguments: [
        ("lost", GPUHealth.Status.crit), ("remapFailure", .crit), ("pending", .warn), ("dbe", .crit), ("hot", .warn),
        ("pcie", .warn), ("nvlink", .warn),
    ])
    func verdicts(condition: String, status: GPUHealth.Status) {
        var reading = sampleReading()
        reading.clockEventReasons = []
        switch condition {
        case "lost": reading.isLost = true
        case "remapFailure": reading.remappedRows?.failure = true
        case "pending": reading.remappedRows?.pending = true
        case "dbe": reading.ecc = ECCCounters(volatileUncorrected: 1)
        case "hot":
            reading.gpuTemperatureCelsius = 88
            reading.slowdownTemperatureCelsius = 87
            reading.shutdownTemperatureCelsius = 100
        case "pcie":
            reading.pcie?.width = 8
            reading.pcie?.maxWidth = 16
        default: reading.nvlinks[1].isActive = false
        }
        #expect(GPUHealth.assess(reading).status == status, "\(GPUHealth.assess(reading))")
    }
}
