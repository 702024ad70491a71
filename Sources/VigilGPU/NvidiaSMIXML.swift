/// Reads `nvidia-smi -q -x` output into ``GPUReading``s.
///
/// Handles the DTD v11–v13 schemas and the older output without a DOCTYPE: `clocks_throttle_reasons`
/// became `clocks_event_reasons`, ECC counts moved from `single_bit`/`double_bit` (with per-unit counts and a
/// `total`) to `sram_`/`dram_` `correctable`/`uncorrectable`, and `power_readings` became
/// `gpu_power_readings` with `average_`/`instant_power_draw`. Values carry their units as text and are
/// converted to the model's units (bytes, bytes/s, W, °C, MHz, %); a value nvidia-smi can't give (`N/A`,
/// `[Not Supported]`, …) is nil.
///
/// A GPU's ``GPUIdentity/index`` is its position among the `<gpu>` elements: nvidia-smi lists GPUs in NVML
/// index order (PCI bus order), which the minor number does not follow. A `<gpu>` without a UUID can't be
/// told apart from the others over time, so it is skipped and reported as an issue; the others are kept.
public enum NvidiaSMIXML {
    /// The GPUs read, and a line for each part that was skipped.
    public typealias ReadingsAndIssues = (readings: [GPUReading], issues: [String])

    /// The GPUs in `bytes`. Throws when the output isn't well-formed XML, isn't an `nvidia_smi_log`, or has
    /// `<gpu>` elements of which none could be read.
    public static func parse(_ bytes: [UInt8]) throws(GPUError) -> [GPUReading] {
        let (readings, issues) = try parseWithIssues(bytes)
        if readings.isEmpty, !issues.isEmpty {
            throw GPUError(
                .malformedOutput, "nvidia-smi -q -x: no GPU could be read: " + issues.joined(separator: "; "))
        }
        return readings
    }

    /// The GPUs in `bytes`, and a line for each part that was skipped (a `<gpu>` without a UUID, a process
    /// without a pid, …).
    public static func parseWithIssues(_ bytes: [UInt8]) throws(GPUError) -> ReadingsAndIssues {
        try readings(from: XMLReader().parse(bytes))
    }

    /// The GPUs in an already parsed document.
    public static func readings(from root: XMLElement) throws(GPUError) -> ReadingsAndIssues {
        guard root.name == "nvidia_smi_log" else {
            throw GPUError(
                .malformedOutput,
                "nvidia-smi -q -x: the document is <\(root.name)> (line \(root.line), column \(root.column)), "
                    + "not <nvidia_smi_log>")
        }
        let driverVersion = Value.name(root.value("driver_version"))
        let cudaVersion = Value.name(root.value("cuda_version"))
        var readings: [GPUReading] = []
        var issues: [String] = []
        var uuids: Set<String> = []
        for (index, gpu) in root.children(named: "gpu").enumerated() {
            let label = "<gpu> \(index) at line \(gpu.line)" + (gpu.attributes["id"].map { " (id \($0))" } ?? "")
            guard let uuid = Value.name(gpu.value("uuid")) else {
                issues.append("\(label) has no uuid: skipped")
                continue
            }
            guard uuids.insert(uuid).inserted else {
                issues.append("\(label) repeats \(uuid): skipped")
                continue
            }
            var identity = GPUIdentity(
                index: index, name: Value.name(gpu.value("product_name")) ?? "", uuid: uuid,
                pciBusID: Value.name(gpu.attributes["id"]) ?? Value.name(gpu.value("pci", "pci_bus_id")) ?? "")
            identity.minorNumber = Value.integer(gpu.value("minor_number"))
            identity.serial = Value.name(gpu.value("serial"))
            identity.vbiosVersion = Value.name(gpu.value("vbios_version"))
            identity.driverVersion = driverVersion
            identity.cudaVersion = cudaVersion
            identity.migEnabled = Value.enabled(gpu.value("mig_mode", "current_mig"))
            readings.append(reading(gpu, identity: identity, label: label, issues: &issues))
        }
        return (readings, issues)
    }

    static func reading(_ gpu: XMLElement, identity: GPUIdentity, label: String, issues: inout [String]) -> GPUReading {
        var reading = GPUReading(identity: identity)
        if reportsLost(gpu) {
            reading.isLost = true
            return reading
        }

        reading.gpuUtilizationPercent = Value.percent(gpu.value("utilization", "gpu_util"))
        reading.memoryUtilizationPercent = Value.percent(gpu.value("utilization", "memory_util"))
        reading.encoderUtilizationPercent = Value.percent(gpu.value("utilization", "encoder_util"))
        reading.decoderUtilizationPercent = Value.percent(gpu.value("utilization", "decoder_util"))

        reading.memoryTotalBytes = Value.bytes(gpu.value("fb_memory_usage", "total"))
        reading.memoryUsedBytes = Value.bytes(gpu.value("fb_memory_usage", "used"))
        reading.memoryFreeBytes = Value.bytes(gpu.value("fb_memory_usage", "free"))
        reading.memoryReservedBytes = Value.bytes(gpu.value("fb_memory_usage", "reserved"))

        reading.graphicsClockMHz = Value.megahertz(gpu.value("clocks", "graphics_clock"))
        reading.smClockMHz = Value.megahertz(gpu.value("clocks", "sm_clock"))
        reading.memoryClockMHz = Value.megahertz(gpu.value("clocks", "mem_clock"))
        reading.videoClockMHz = Value.megahertz(gpu.value("clocks", "video_clock"))
        reading.maxSMClockMHz = Value.megahertz(gpu.value("max_clocks", "sm_clock"))
        reading.maxMemoryClockMHz = Value.megahertz(gpu.value("max_clocks", "mem_clock"))

        reading.gpuTemperatureCelsius = Value.celsius(gpu.value("temperature", "gpu_temp"))
        reading.memoryTemperatureCelsius = Value.celsius(gpu.value("temperature", "memory_temp"))
        reading.slowdownTemperatureCelsius = Value.celsius(gpu.value("temperature", "gpu_temp_slow_threshold"))
        reading.shutdownTemperatureCelsius = Value.celsius(gpu.value("temperature", "gpu_temp_max_threshold"))

        // v11: power_readings with power_draw, power_limit (NVML's management limit) and enforced_power_limit.
        // v12+: gpu_power_readings, where requested_power_limit is the management limit and current_power_limit
        // the enforced one; v13 splits power_draw into average_ (what NVML's power usage returns on Ampere
        // and later) and instant_.
        let power = gpu.children.filter { $0.name == "power_readings" || $0.name == "gpu_power_readings" }
        /// The first of `names` that holds watts, in either element.
        func watts(_ names: String...) -> Double? {
            for name in names {
                for element in power { if let watts = Value.watts(element.value(name)) { return watts } }
            }
            return nil
        }
        reading.powerUsageWatts = watts("power_draw", "average_power_draw", "instant_power_draw")
        reading.powerLimitWatts = watts("power_limit", "requested_power_limit", "current_power_limit")
        reading.enforcedPowerLimitWatts = watts("enforced_power_limit", "current_power_limit")

        reading.fanSpeedPercent = Value.percent(gpu.value("fan_speed"))
        reading.performanceState =
            Value.performanceState(gpu.value("performance_state"))
            ?? power.lazy.compactMap { Value.performanceState($0.value("power_state")) }.first
        reading.clockEventReasons = clockEventReasons(gpu)

        reading.ecc = ecc(gpu)
        reading.retiredPages = retiredPages(gpu)
        reading.remappedRows = remappedRows(gpu)
        reading.pcie = pcie(gpu)

        for info in gpu.child("processes")?.children(named: "process_info") ?? [] {
            guard let pid = Value.integer(info.value("pid")) else {
                issues.append("\(label): process at line \(info.line) has no pid: skipped")
                continue
            }
            var process = GPUProcess(pid: pid)
            process.name = Value.name(info.value("process_name"))
            process.usedMemoryBytes = Value.bytes(info.value("used_memory"))
            process.type = processType(info.value("type"))
            process.gpuInstanceID = Value.integer(info.value("gpu_instance_id"))
            reading.processes.append(process)
        }

        for device in gpu.child("mig_devices")?.children(named: "mig_device") ?? [] {
            guard let gpuInstanceID = Value.integer(device.value("gpu_instance_id")) else {
                issues.append("\(label): MIG device at line \(device.line) has no gpu_instance_id: skipped")
                continue
            }
            // The profile ("1g.10gb") is not in the XML.
            var instance = MIGInstance(gpuInstanceID: gpuInstanceID)
            instance.computeInstanceID = Value.integer(device.value("compute_instance_id"))
            instance.memoryTotalBytes = Value.bytes(device.value("fb_memory_usage", "total"))
            instance.memoryUsedBytes = Value.bytes(device.value("fb_memory_usage", "used"))
            instance.multiprocessorCount = Value.integer(
                device.value("device_attributes", "shared", "multiprocessor_count"))
            reading.migInstances.append(instance)
        }
        return reading
    }

    /// nvidia-smi writes "GPU is lost" in place of the values of a GPU that fell off the bus.
    static func reportsLost(_ gpu: XMLElement) -> Bool {
        for path in [["fb_memory_usage", "total"], ["temperature", "gpu_temp"], ["utilization", "gpu_util"]] {
            if let text = gpu.child(path: path)?.trimmedText, text.contains("GPU is lost") { return true }
        }
        return false
    }

    /// The XML names, after their `clocks_event_reason_` or `clocks_throttle_reason_` prefix.
    static let reasonsByXMLName: [String: ClockEventReasons] = {
        var reasons = Dictionary(uniqueKeysWithValues: ClockEventReasons.named.map { ($0.name, $0.reason) })
        reasons["display_clocks_setting"] = .displayClockSetting
        return reasons
    }()

    /// Each `Active` reason sets its NVML bit; nil when no reason has a readable state.
    static func clockEventReasons(_ gpu: XMLElement) -> ClockEventReasons? {
        guard let element = gpu.child("clocks_event_reasons") ?? gpu.child("clocks_throttle_reasons") else {
            return nil
        }
        var reasons: ClockEventReasons = []
        var known = false
        for child in element.children {
            var name = Substring(child.name)
            for prefix in ["clocks_event_reason_", "clocks_throttle_reason_"] where name.hasPrefix(prefix) {
                name = name.dropFirst(prefix.count)
            }
            guard let reason = reasonsByXMLName[String(name)], let active = Value.active(child.trimmedText) else {
                continue
            }
            known = true
            if active { reasons.insert(reason) }
        }
        return known ? reasons : nil
    }

    static func ecc(_ gpu: XMLElement) -> ECCCounters? {
        guard let errors = gpu.child("ecc_errors") else { return nil }
        let volatile = eccCounts(errors.child("volatile"))
        let aggregate = eccCounts(errors.child("aggregate"))
        let counters = ECCCounters(
            volatileCorrected: volatile.corrected, volatileUncorrected: volatile.uncorrected,
            aggregateCorrected: aggregate.corrected, aggregateUncorrected: aggregate.uncorrected)
        return counters == ECCCounters() ? nil : counters
    }

    /// Corrected and uncorrected counts of one scope (volatile or aggregate), in either schema.
    static func eccCounts(_ scope: XMLElement?) -> (corrected: Double?, uncorrected: Double?) {
        guard let scope else { return (nil, nil) }
        if scope.child("single_bit") != nil || scope.child("double_bit") != nil {
            return (bitErrorTotal(scope.child("single_bit")), bitErrorTotal(scope.child("double_bit")))
        }
        let corrected = Value.sum([
            Value.count(scope.value("sram_correctable")), Value.count(scope.value("dram_correctable")),
        ])
        // v13 splits SRAM uncorrectable errors into parity and SEC-DED.
        let sramUncorrectable =
            Value.count(scope.value("sram_uncorrectable"))
            ?? Value.sum([
                Value.count(scope.value("sram_uncorrectable_parity")),
                Value.count(scope.value("sram_uncorrectable_secded")),
            ])
        let uncorrected = Value.sum([sramUncorrectable, Value.count(scope.value("dram_uncorrectable"))])
        return (corrected, uncorrected)
    }

    /// The old schema's `total`, or the sum of the per-unit counts when the total is missing.
    static func bitErrorTotal(_ element: XMLElement?) -> Double? {
        guard let element else { return nil }
        if let total = Value.count(element.value("total")) { return total }
        return Value.sum(element.children.filter { $0.name != "total" }.map { Value.count($0.trimmedText) })
    }

    static func retiredPages(_ gpu: XMLElement) -> RetiredPages? {
        guard let retired = gpu.child("retired_pages"),
            let single = Value.count(retired.value("multiple_single_bit_retirement", "retired_count")),
            let double = Value.count(retired.value("double_bit_retirement", "retired_count"))
        else { return nil }
        let pending =
            Value.yesNo(retired.value("pending_retirement")) == true
            || Value.yesNo(retired.value("pending_blacklist")) == true
        return RetiredPages(singleBitECC: single, doubleBitECC: double, pending: pending)
    }

    static func remappedRows(_ gpu: XMLElement) -> RemappedRows? {
        guard let rows = gpu.child("remapped_rows"),
            let correctable = Value.count(rows.value("remapped_row_corr")),
            let uncorrectable = Value.count(rows.value("remapped_row_unc"))
        else { return nil }
        return RemappedRows(
            correctable: correctable, uncorrectable: uncorrectable,
            pending: Value.yesNo(rows.value("remapped_row_pending")) == true,
            failure: Value.yesNo(rows.value("remapped_row_failure")) == true)
    }

    static func pcie(_ gpu: XMLElement) -> PCIeReading? {
        guard let pci = gpu.child("pci") else { return nil }
        var reading = PCIeReading()
        reading.generation = Value.integer(pci.value("pci_gpu_link_info", "pcie_gen", "current_link_gen"))
        reading.maxGeneration = Value.integer(pci.value("pci_gpu_link_info", "pcie_gen", "max_link_gen"))
        reading.width = Value.linkWidth(pci.value("pci_gpu_link_info", "link_widths", "current_link_width"))
        reading.maxWidth = Value.linkWidth(pci.value("pci_gpu_link_info", "link_widths", "max_link_width"))
        reading.txBytesPerSecond = Value.bytesPerSecond(pci.value("tx_util"))
        reading.rxBytesPerSecond = Value.bytesPerSecond(pci.value("rx_util"))
        reading.replayCounter = Value.count(pci.value("replay_counter"))
        return reading == PCIeReading() ? nil : reading
    }

    /// "C" (compute), "G" (graphics), "C+G" (both), "M"/"M+C" (MPS). A process with a CUDA context counts as
    /// compute: that is the list NVML's compute-process query returns it in.
    static func processType(_ text: String?) -> String? {
        guard let text else { return nil }
        if text.contains("C") || text.contains("M") { return "compute" }
        return text == "G" ? "graphics" : nil
    }
}
