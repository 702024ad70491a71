import CNVML

/// Reads one NVML device field by field.
///
/// Every query answers nil on any error, so a field the GPU doesn't support (NOT_SUPPORTED), may not
/// read (NO_PERMISSION) or fails in any other way is just absent. GPU_IS_LOST also sets ``isLost``,
/// after which no further call is made: the caller reports the GPU as lost.
struct NVMLDeviceReader {
    let nvml: NVMLFunctions
    let device: nvmlDevice_t
    private(set) var isLost = false

    init(_ nvml: NVMLFunctions, device: nvmlDevice_t) {
        self.nvml = nvml
        self.device = device
    }

    /// True on success; notes a lost GPU.
    mutating func succeeded(_ status: nvmlReturn_t) -> Bool {
        if status == NVML_SUCCESS { return true }
        if status == NVML_ERROR_GPU_IS_LOST { isLost = true }
        return false
    }

    /// Marks the GPU lost (a sub-reader of one of its MIG devices found it so).
    mutating func markLost() { isLost = true }

    /// Runs `call` with storage for one value, unless the GPU is already lost or `function` is missing.
    mutating func query<F, T>(
        _ function: F?, _ initial: T, _ call: (F, UnsafeMutablePointer<T>) -> nvmlReturn_t
    ) -> T? {
        guard let function, !isLost else { return nil }
        var value = initial
        let status = call(function, &value)
        return succeeded(status) ? value : nil
    }

    mutating func uint(_ function: cnvml_device_uint_fn?) -> UInt32? {
        let device = device
        return query(function, 0) { $0(device, $1) }
    }

    mutating func ull(_ function: cnvml_device_ull_fn?) -> UInt64? {
        let device = device
        return query(function, 0) { $0(device, $1) }
    }

    mutating func string(_ function: cnvml_device_string_fn?, capacity: Int32) -> String? {
        guard let function, !isLost else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(capacity))
        let device = device
        let status = buffer.withUnsafeMutableBufferPointer { function(device, $0.baseAddress, UInt32(capacity)) }
        guard succeeded(status) else { return nil }
        return String(nulTerminated: buffer)
    }

    mutating func clock(_ function: cnvml_device_clock_fn?, _ type: nvmlClockType_t) -> UInt32? {
        let device = device
        return query(function, 0) { $0(device, type, $1) }
    }

    // MARK: - Identity

    /// Name, UUID, PCI bus id, serial, minor number, VBIOS and MIG mode. Missing strings are "".
    mutating func identity(index: Int) -> GPUIdentity {
        let name = string(nvml.name, capacity: CNVML_DEVICE_NAME_BUFFER_SIZE)
        let uuid = string(nvml.uuid, capacity: CNVML_DEVICE_UUID_BUFFER_SIZE)
        let device = device
        let pci = query(nvml.pciInfo, nvmlPciInfo_t()) { $0(device, $1) }
        var identity = GPUIdentity(
            index: index, name: name ?? "", uuid: uuid ?? "",
            pciBusID: pci.map { String(nulTerminatedTuple: $0.busId) } ?? ""
        )
        identity.serial = string(nvml.serial, capacity: CNVML_DEVICE_SERIAL_BUFFER_SIZE)
        identity.minorNumber = uint(nvml.minorNumber).map { Int($0) }
        identity.vbiosVersion = string(nvml.vbiosVersion, capacity: CNVML_DEVICE_VBIOS_VERSION_BUFFER_SIZE)
        identity.migEnabled = migMode()
        return identity
    }

    /// Whether MIG mode is on now; nil when the GPU has no MIG.
    mutating func migMode() -> Bool? {
        let device = device
        let modes = query(nvml.migMode, (current: UInt32(0), pending: UInt32(0))) { function, modes in
            function(device, &modes.pointee.current, &modes.pointee.pending)
        }
        return modes.map { $0.current == 1 }
    }

    // MARK: - Measurements

    /// Everything but identity, processes and XIDs.
    mutating func measure(into reading: inout GPUReading) {
        let device = device

        if let rates = query(nvml.utilizationRates, nvmlUtilization_t(), { $0(device, $1) }) {
            reading.gpuUtilizationPercent = Double(rates.gpu)
            reading.memoryUtilizationPercent = Double(rates.memory)
        }
        reading.encoderUtilizationPercent = codecUtilization(nvml.encoderUtilization)
        reading.decoderUtilizationPercent = codecUtilization(nvml.decoderUtilization)

        if let memory = memory() {
            reading.memoryTotalBytes = memory.total
            reading.memoryUsedBytes = memory.used
            reading.memoryFreeBytes = memory.free
            reading.memoryReservedBytes = memory.reserved
        }

        reading.graphicsClockMHz = clock(nvml.clockInfo, NVML_CLOCK_GRAPHICS).map { Double($0) }
        reading.smClockMHz = clock(nvml.clockInfo, NVML_CLOCK_SM).map { Double($0) }
        reading.memoryClockMHz = clock(nvml.clockInfo, NVML_CLOCK_MEM).map { Double($0) }
        reading.videoClockMHz = clock(nvml.clockInfo, NVML_CLOCK_VIDEO).map { Double($0) }
        reading.maxSMClockMHz = clock(nvml.maxClockInfo, NVML_CLOCK_SM).map { Double($0) }
        reading.maxMemoryClockMHz = clock(nvml.maxClockInfo, NVML_CLOCK_MEM).map { Double($0) }

        reading.gpuTemperatureCelsius = query(nvml.temperature, 0) { $0(device, NVML_TEMPERATURE_GPU, $1) }
            .map { Double($0) }
        reading.slowdownTemperatureCelsius = temperatureThreshold(NVML_TEMPERATURE_THRESHOLD_SLOWDOWN)
        reading.shutdownTemperatureCelsius = temperatureThreshold(NVML_TEMPERATURE_THRESHOLD_SHUTDOWN)

        reading.powerUsageWatts = uint(nvml.powerUsage).map(Self.watts)
        reading.powerLimitWatts = uint(nvml.powerLimit).map(Self.watts)
        reading.enforcedPowerLimitWatts = uint(nvml.enforcedPowerLimit).map(Self.watts)
        reading.totalEnergyMillijoules = ull(nvml.totalEnergy).map { Double($0) }
        reading.fanSpeedPercent = uint(nvml.fanSpeed).map { Double($0) }
        if let state = query(nvml.performanceState, NVML_PSTATE_UNKNOWN, { $0(device, $1) }), state.rawValue <= 15 {
            reading.performanceState = Int(state.rawValue)
        }
        reading.clockEventReasons = ull(nvml.clockEventReasons).map(ClockEventReasons.init(rawValue:))

        reading.ecc = ecc()
        reading.retiredPages = retiredPages()
        reading.remappedRows = remappedRows()
        reading.pcie = pcie()
        reading.nvlinks = nvlinks()
        fieldValues(into: &reading)
    }

    private mutating func codecUtilization(_ function: cnvml_device_codec_utilization_fn?) -> Double? {
        let device = device
        var period: UInt32 = 0
        return query(function, 0) { $0(device, $1, &period) }.map { Double($0) }
    }

    private mutating func temperatureThreshold(_ threshold: nvmlTemperatureThresholds_t) -> Double? {
        let device = device
        return query(nvml.temperatureThreshold, 0) { $0(device, threshold, $1) }.map { Double($0) }
    }

    private static func watts(milliwatts: UInt32) -> Double { Double(milliwatts) / 1000 }

    /// Frame-buffer memory: v2 (with the driver's reservation apart) when there, else v1.
    mutating func memory() -> (total: Double, used: Double, free: Double, reserved: Double?)? {
        let device = device
        if nvml.memoryInfoV2 != nil {
            var request = nvmlMemory_v2_t()
            request.version = CNVML_MEMORY_V2_VERSION
            if let memory = query(nvml.memoryInfoV2, request, { $0(device, $1) }) {
                return (Double(memory.total), Double(memory.used), Double(memory.free), Double(memory.reserved))
            }
            // A driver that exports _v2 but refuses it (version mismatch) still answers v1.
        }
        guard let memory = query(nvml.memoryInfo, nvmlMemory_t(), { $0(device, $1) }) else { return nil }
        return (Double(memory.total), Double(memory.used), Double(memory.free), nil)
    }

    private mutating func ecc() -> ECCCounters? {
        let device = device
        func count(_ type: nvmlMemoryErrorType_t, _ counter: nvmlEccCounterType_t, _ reader: inout Self) -> Double? {
            reader.query(reader.nvml.totalECCErrors, 0) { $0(device, type, counter, $1) }.map { Double($0) }
        }
        let counters = ECCCounters(
            volatileCorrected: count(NVML_MEMORY_ERROR_TYPE_CORRECTED, NVML_VOLATILE_ECC, &self),
            volatileUncorrected: count(NVML_MEMORY_ERROR_TYPE_UNCORRECTED, NVML_VOLATILE_ECC, &self),
            aggregateCorrected: count(NVML_MEMORY_ERROR_TYPE_CORRECTED, NVML_AGGREGATE_ECC, &self),
            aggregateUncorrected: count(NVML_MEMORY_ERROR_TYPE_UNCORRECTED, NVML_AGGREGATE_ECC, &self)
        )
        return counters == ECCCounters() ? nil : counters
    }

    private mutating func retiredPages() -> RetiredPages? {
        guard
            let single = retiredPageCount(NVML_PAGE_RETIREMENT_CAUSE_MULTIPLE_SINGLE_BIT_ECC_ERRORS),
            let double = retiredPageCount(NVML_PAGE_RETIREMENT_CAUSE_DOUBLE_BIT_ECC_ERROR)
        else { return nil }
        let device = device
        let pending = query(nvml.retiredPagesPending, NVML_FEATURE_DISABLED) { $0(device, $1) }
        return RetiredPages(singleBitECC: single, doubleBitECC: double, pending: pending == NVML_FEATURE_ENABLED)
    }

    /// Asks for the count only (a zero-sized buffer): NVML answers SUCCESS for none, INSUFFICIENT_SIZE for some.
    private mutating func retiredPageCount(_ cause: nvmlPageRetirementCause_t) -> Double? {
        guard let function = nvml.retiredPages, !isLost else { return nil }
        var count: UInt32 = 0
        let status = function(device, cause, &count, nil)
        if status == NVML_ERROR_INSUFFICIENT_SIZE { return Double(count) }
        return succeeded(status) ? Double(count) : nil
    }

    private mutating func remappedRows() -> RemappedRows? {
        let device = device
        let rows = query(nvml.remappedRows, (UInt32(0), UInt32(0), UInt32(0), UInt32(0))) { function, rows in
            function(device, &rows.pointee.0, &rows.pointee.1, &rows.pointee.2, &rows.pointee.3)
        }
        guard let rows else { return nil }
        return RemappedRows(
            correctable: Double(rows.0), uncorrectable: Double(rows.1), pending: rows.2 != 0, failure: rows.3 != 0
        )
    }

    private mutating func pcie() -> PCIeReading? {
        let device = device
        var pcie = PCIeReading()
        pcie.generation = uint(nvml.pcieLinkGeneration).map { Int($0) }
        pcie.maxGeneration = uint(nvml.pcieMaxLinkGeneration).map { Int($0) }
        pcie.width = uint(nvml.pcieLinkWidth).map { Int($0) }
        pcie.maxWidth = uint(nvml.pcieMaxLinkWidth).map { Int($0) }
        // NVML counts KB/s (1 KB granularity); NVIDIA's KB is 1024 bytes.
        pcie.txBytesPerSecond = query(nvml.pcieThroughput, 0) { $0(device, NVML_PCIE_UTIL_TX_BYTES, $1) }
            .map { Double($0) * 1024 }
        pcie.rxBytesPerSecond = query(nvml.pcieThroughput, 0) { $0(device, NVML_PCIE_UTIL_RX_BYTES, $1) }
            .map { Double($0) * 1024 }
        pcie.replayCounter = uint(nvml.pcieReplayCounter).map { Double($0) }
        return pcie == PCIeReading() ? nil : pcie
    }

    /// Every link NVML answers for (links 0 ..< 18); none on a GPU without NVLink.
    private mutating func nvlinks() -> [NVLinkReading] {
        guard nvml.nvLinkState != nil else { return [] }
        let device = device
        var links: [NVLinkReading] = []
        for link in 0..<UInt32(CNVML_NVLINK_MAX_LINKS) {
            guard let state = query(nvml.nvLinkState, NVML_FEATURE_DISABLED, { $0(device, link, $1) }) else {
                continue
            }
            var reading = NVLinkReading(link: Int(link), isActive: state == NVML_FEATURE_ENABLED)
            func counter(_ counter: nvmlNvLinkErrorCounter_t, _ reader: inout Self) -> Double? {
                reader.query(reader.nvml.nvLinkErrorCounter, 0) { $0(device, link, counter, $1) }.map { Double($0) }
            }
            reading.crcErrors = counter(NVML_NVLINK_ERROR_DL_CRC_FLIT, &self)
            reading.replayErrors = counter(NVML_NVLINK_ERROR_DL_REPLAY, &self)
            reading.recoveryErrors = counter(NVML_NVLINK_ERROR_DL_RECOVERY, &self)
            links.append(reading)
        }
        return links
    }

    /// Memory temperature and per-link NVLink data counters, in one nvmlDeviceGetFieldValues call.
    private mutating func fieldValues(into reading: inout GPUReading) {
        guard let function = nvml.fieldValues, !isLost else { return }
        var fields: [nvmlFieldValue_t] = [Self.field(CNVML_FI_DEV_MEMORY_TEMP, scope: 0)]
        for link in reading.nvlinks {
            fields.append(Self.field(CNVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX, scope: link.link))
            fields.append(Self.field(CNVML_FI_DEV_NVLINK_THROUGHPUT_DATA_RX, scope: link.link))
        }
        let device = device
        let status = fields.withUnsafeMutableBufferPointer { function(device, Int32($0.count), $0.baseAddress) }
        guard succeeded(status) else { return }
        for field in fields where field.nvmlReturn == NVML_SUCCESS {
            guard let value = Self.double(field) else { continue }
            switch Int32(field.fieldId) {
            case CNVML_FI_DEV_MEMORY_TEMP:
                reading.memoryTemperatureCelsius = value
            case CNVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX:
                if let i = reading.nvlinks.firstIndex(where: { $0.link == field.scopeId }) {
                    reading.nvlinks[i].txBytes = value * 1024  // KiB counter
                }
            case CNVML_FI_DEV_NVLINK_THROUGHPUT_DATA_RX:
                if let i = reading.nvlinks.firstIndex(where: { $0.link == field.scopeId }) {
                    reading.nvlinks[i].rxBytes = value * 1024
                }
            default:
                break
            }
        }
    }

    private static func field(_ id: Int32, scope: Int) -> nvmlFieldValue_t {
        var field = nvmlFieldValue_t()
        field.fieldId = UInt32(id)
        field.scopeId = UInt32(scope)
        return field
    }

    private static func double(_ field: nvmlFieldValue_t) -> Double? {
        switch field.valueType {
        case NVML_VALUE_TYPE_DOUBLE: field.value.dVal
        case NVML_VALUE_TYPE_UNSIGNED_INT: Double(field.value.uiVal)
        case NVML_VALUE_TYPE_UNSIGNED_LONG: Double(field.value.ulVal)
        case NVML_VALUE_TYPE_UNSIGNED_LONG_LONG: Double(field.value.ullVal)
        case NVML_VALUE_TYPE_SIGNED_LONG_LONG: Double(field.value.sllVal)
        case NVML_VALUE_TYPE_SIGNED_INT: Double(field.value.siVal)
        case NVML_VALUE_TYPE_UNSIGNED_SHORT: Double(field.value.usVal)
        default: nil
        }
    }

    // MARK: - Processes

    /// A running process as NVML lists it.
    struct RunningProcess {
        var pid: Int
        var usedMemoryBytes: Double?
        var gpuInstanceID: Int?
    }

    /// Compute (or graphics) processes: the _v3/_v2 list when exported, else the unversioned one.
    mutating func runningProcesses(compute: Bool) -> [RunningProcess]? {
        let device = device
        if let function = compute ? nvml.computeProcesses : nvml.graphicsProcesses {
            return list(nvmlProcessInfo_t()) { function(device, $0, $1) }?.map { info in
                RunningProcess(
                    pid: Int(info.pid), usedMemoryBytes: Self.bytes(info.usedGpuMemory),
                    gpuInstanceID: info.gpuInstanceId == CNVML_INVALID_INSTANCE_ID ? nil : Int(info.gpuInstanceId)
                )
            }
        }
        if let function = compute ? nvml.computeProcessesV1 : nvml.graphicsProcessesV1 {
            return list(nvmlProcessInfo_v1_t()) { function(device, $0, $1) }?.map { info in
                RunningProcess(pid: Int(info.pid), usedMemoryBytes: Self.bytes(info.usedGpuMemory))
            }
        }
        return nil
    }

    private static func bytes(_ value: UInt64) -> Double? {
        value == CNVML_VALUE_NOT_AVAILABLE_ULL ? nil : Double(value)
    }

    /// The latest SM utilisation per pid among samples newer than `since` (µs), and the newest timestamp.
    mutating func processSMUtilization(since: UInt64) -> (byPID: [Int: Double], newest: UInt64)? {
        guard let function = nvml.processUtilization else { return nil }
        let device = device
        let samples = list(nvmlProcessUtilizationSample_t()) { function(device, $1, $0, since) }
        guard let samples else { return nil }
        var latest: [Int: nvmlProcessUtilizationSample_t] = [:]
        for sample in samples where sample.timeStamp >= (latest[Int(sample.pid)]?.timeStamp ?? 0) {
            latest[Int(sample.pid)] = sample
        }
        let newest = samples.map(\.timeStamp).max() ?? since
        return (latest.mapValues { Double($0.smUtil) }, newest)
    }

    /// NVML's list protocol: ask with no buffer for the count, then fill a buffer (retrying if it grew).
    private mutating func list<T>(
        _ empty: T, _ call: (UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<T>?) -> nvmlReturn_t
    ) -> [T]? {
        guard !isLost else { return nil }
        var count: UInt32 = 0
        var status = call(&count, nil)
        if status == NVML_SUCCESS { return [] }
        for _ in 0..<3 where status == NVML_ERROR_INSUFFICIENT_SIZE {
            let capacity = count + 8  // room for processes that start between the two calls
            var items = [T](repeating: empty, count: Int(capacity))
            count = capacity
            status = items.withUnsafeMutableBufferPointer { call(&count, $0.baseAddress) }
            if status == NVML_SUCCESS { return Array(items.prefix(Int(min(count, capacity)))) }
        }
        _ = succeeded(status)
        return nil
    }

    // MARK: - MIG

    /// The MIG devices (GPU instance + compute instance) of a GPU in MIG mode.
    mutating func migInstances() -> [MIGInstance] {
        guard let count = uint(nvml.maxMIGDeviceCount), let byIndex = nvml.migDeviceByIndex else { return [] }
        let device = device
        var instances: [MIGInstance] = []
        for index in 0..<count {
            guard let handle = query(byIndex, nil, { $0(device, index, $1) }), let handle else { continue }
            var mig = NVMLDeviceReader(nvml, device: handle)
            guard let gpuInstance = mig.uint(nvml.gpuInstanceID) else {
                if mig.isLost { markLost() }
                continue
            }
            var instance = MIGInstance(gpuInstanceID: Int(gpuInstance))
            instance.computeInstanceID = mig.uint(nvml.computeInstanceID).map { Int($0) }
            instance.uuid = mig.string(nvml.uuid, capacity: CNVML_DEVICE_UUID_BUFFER_SIZE)
            if let memory = mig.memory() {
                instance.memoryTotalBytes = memory.total
                instance.memoryUsedBytes = memory.used
            }
            instance.multiprocessorCount = mig.query(nvml.attributes, nvmlDeviceAttributes_t()) { $0(handle, $1) }
                .map { Int($0.multiprocessorCount) }
            if mig.isLost { markLost() }
            instances.append(instance)
        }
        return instances
    }
}

extension String {
    /// The text before the first NUL of a C character buffer.
    init(nulTerminated buffer: [CChar]) {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self.init(decoding: bytes, as: UTF8.self)
    }

    /// The text before the first NUL of a fixed-size C array (imported as a tuple).
    init<Tuple>(nulTerminatedTuple tuple: Tuple) {
        self = withUnsafeBytes(of: tuple) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
