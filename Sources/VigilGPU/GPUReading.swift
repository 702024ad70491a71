/// One reading of one GPU: everything a backend (NVML, nvidia-smi, the simulator) could read.
///
/// Every measurement is optional: a field the GPU, driver or backend doesn't support is nil and its
/// metric is simply absent. Units are fixed by the property name (bytes, watts, °C, MHz, percent).
public struct GPUReading: Sendable, Equatable, Codable {
    public var identity: GPUIdentity

    /// The GPU answered "lost" (fallen off the bus, NVML_ERROR_GPU_IS_LOST): only identity is valid.
    public var isLost = false

    // Utilisation, percent 0…100 over the driver's last sample period.
    public var gpuUtilizationPercent: Double?
    public var memoryUtilizationPercent: Double?
    public var encoderUtilizationPercent: Double?
    public var decoderUtilizationPercent: Double?

    // Frame buffer memory, bytes.
    public var memoryTotalBytes: Double?
    public var memoryUsedBytes: Double?
    public var memoryFreeBytes: Double?
    public var memoryReservedBytes: Double?

    // Clocks, MHz.
    public var graphicsClockMHz: Double?
    public var smClockMHz: Double?
    public var memoryClockMHz: Double?
    public var videoClockMHz: Double?
    public var maxSMClockMHz: Double?
    public var maxMemoryClockMHz: Double?

    // Temperatures, °C.
    public var gpuTemperatureCelsius: Double?
    public var memoryTemperatureCelsius: Double?
    /// Above this the GPU slows its clocks.
    public var slowdownTemperatureCelsius: Double?
    /// Above this the GPU shuts down.
    public var shutdownTemperatureCelsius: Double?

    // Power.
    public var powerUsageWatts: Double?
    public var powerLimitWatts: Double?
    public var enforcedPowerLimitWatts: Double?
    /// Energy since the driver loaded, millijoules (a counter).
    public var totalEnergyMillijoules: Double?

    public var fanSpeedPercent: Double?
    /// P-state 0 (maximum performance) … 15 (minimum).
    public var performanceState: Int?
    /// Why the clocks are below their maximum right now.
    public var clockEventReasons: ClockEventReasons?

    // Datacenter profiling ratios (0…1), DCGM's DCP fields (DCGM_FI_PROF_*). NVML alone offers none of
    // these; the simulator does, and a DCGM-backed source could.
    public var graphicsEngineActiveRatio: Double?
    public var tensorPipeActiveRatio: Double?
    public var dramActiveRatio: Double?

    public var ecc: ECCCounters?
    public var retiredPages: RetiredPages?
    public var remappedRows: RemappedRows?
    public var pcie: PCIeReading?
    public var nvlinks: [NVLinkReading] = []

    /// XID errors seen since the backend started, by code (a counter per code).
    public var xidCounts: [Int: Double] = [:]
    /// The most recent XID code, as DCGM's `DCGM_FI_DEV_XID_ERRORS` gauge reports it (0: none).
    public var lastXID: Int?

    public var processes: [GPUProcess] = []
    public var migInstances: [MIGInstance] = []

    public init(identity: GPUIdentity) {
        self.identity = identity
    }
}

/// What identifies a GPU and its software.
public struct GPUIdentity: Sendable, Equatable, Codable {
    /// NVML index (0-based), the `gpu` label.
    public var index: Int
    /// Product name, e.g. "NVIDIA H100 80GB HBM3" (the `modelName` label).
    public var name: String
    /// "GPU-8f2a…" (the `UUID` label).
    public var uuid: String
    /// Domain:bus:device.function, e.g. "00000000:17:00.0" (the `pci_bus_id` label).
    public var pciBusID: String
    /// Device minor number: the GPU is /dev/nvidia<minor> (the `device` label is "nvidia<minor>").
    public var minorNumber: Int?
    public var serial: String?
    public var vbiosVersion: String?
    public var driverVersion: String?
    public var cudaVersion: String?
    /// MIG mode currently enabled; nil when the GPU has no MIG support.
    public var migEnabled: Bool?

    public init(index: Int, name: String, uuid: String, pciBusID: String) {
        self.index = index
        self.name = name
        self.uuid = uuid
        self.pciBusID = pciBusID
    }

    /// dcgm-exporter's `device` label: "nvidia0".
    public var deviceName: String { "nvidia\(minorNumber ?? index)" }
}

/// NVML's clock-event (formerly "throttle") reasons, with NVML's bit values.
public struct ClockEventReasons: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let gpuIdle = ClockEventReasons(rawValue: 0x1)
    public static let applicationsClocksSetting = ClockEventReasons(rawValue: 0x2)
    public static let swPowerCap = ClockEventReasons(rawValue: 0x4)
    public static let hwSlowdown = ClockEventReasons(rawValue: 0x8)
    public static let syncBoost = ClockEventReasons(rawValue: 0x10)
    public static let swThermalSlowdown = ClockEventReasons(rawValue: 0x20)
    public static let hwThermalSlowdown = ClockEventReasons(rawValue: 0x40)
    public static let hwPowerBrakeSlowdown = ClockEventReasons(rawValue: 0x80)
    public static let displayClockSetting = ClockEventReasons(rawValue: 0x100)

    /// Every reason with the name used in `vigil_gpu_clock_event_reason{reason}` and by `vigil smi`.
    public static let named: [(name: String, reason: ClockEventReasons)] = [
        ("gpu_idle", .gpuIdle), ("applications_clocks_setting", .applicationsClocksSetting),
        ("sw_power_cap", .swPowerCap), ("hw_slowdown", .hwSlowdown), ("sync_boost", .syncBoost),
        ("sw_thermal_slowdown", .swThermalSlowdown), ("hw_thermal_slowdown", .hwThermalSlowdown),
        ("hw_power_brake_slowdown", .hwPowerBrakeSlowdown), ("display_clock_setting", .displayClockSetting),
    ]

    /// The active reasons' names.
    public var names: [String] { Self.named.filter { contains($0.reason) }.map(\.name) }
}

/// ECC error counts: volatile (since the driver loaded) and aggregate (lifetime), corrected and not.
public struct ECCCounters: Sendable, Equatable, Codable {
    public var volatileCorrected: Double?
    public var volatileUncorrected: Double?
    public var aggregateCorrected: Double?
    public var aggregateUncorrected: Double?

    public init(
        volatileCorrected: Double? = nil, volatileUncorrected: Double? = nil, aggregateCorrected: Double? = nil,
        aggregateUncorrected: Double? = nil
    ) {
        self.volatileCorrected = volatileCorrected
        self.volatileUncorrected = volatileUncorrected
        self.aggregateCorrected = aggregateCorrected
        self.aggregateUncorrected = aggregateUncorrected
    }
}

/// Pages retired for ECC errors (pre-Ampere GPUs).
public struct RetiredPages: Sendable, Equatable, Codable {
    public var singleBitECC: Double
    public var doubleBitECC: Double
    /// A retirement waits for the next driver reload.
    public var pending: Bool

    public init(singleBitECC: Double, doubleBitECC: Double, pending: Bool) {
        self.singleBitECC = singleBitECC
        self.doubleBitECC = doubleBitECC
        self.pending = pending
    }
}

/// Memory rows remapped for ECC errors (Ampere and later).
public struct RemappedRows: Sendable, Equatable, Codable {
    public var correctable: Double
    public var uncorrectable: Double
    /// A remap waits for the next GPU reset.
    public var pending: Bool
    /// A remap failed: the GPU needs service.
    public var failure: Bool

    public init(correctable: Double, uncorrectable: Double, pending: Bool, failure: Bool) {
        self.correctable = correctable
        self.uncorrectable = uncorrectable
        self.pending = pending
        self.failure = failure
    }
}

/// The PCIe link and its traffic.
public struct PCIeReading: Sendable, Equatable, Codable {
    public var generation: Int?
    public var maxGeneration: Int?
    public var width: Int?
    public var maxWidth: Int?
    public var txBytesPerSecond: Double?
    public var rxBytesPerSecond: Double?
    /// Link-level retries (a counter); a storm means a bad slot, riser or cable.
    public var replayCounter: Double?

    public init() {}
}

/// One NVLink link.
public struct NVLinkReading: Sendable, Equatable, Codable {
    public var link: Int
    public var isActive: Bool
    public var txBytes: Double?
    public var rxBytes: Double?
    public var crcErrors: Double?
    public var replayErrors: Double?
    public var recoveryErrors: Double?

    public init(link: Int, isActive: Bool) {
        self.link = link
        self.isActive = isActive
    }
}

/// A process using a GPU, with what its cgroup says about who owns it.
public struct GPUProcess: Sendable, Equatable, Codable {
    public var pid: Int
    public var name: String?
    public var usedMemoryBytes: Double?
    public var smUtilizationPercent: Double?
    /// "compute" or "graphics".
    public var type: String?
    public var user: String?
    public var containerID: String?
    public var slurmJobID: String?
    /// The Slurm job's account and partition, where the attribution knows them (the simulator, Slurm's
    /// GRES listing); nil from cgroups alone.
    public var slurmAccount: String?
    public var slurmPartition: String?
    public var kubernetesPodUID: String?
    /// The MIG instance it runs on, when the GPU is partitioned.
    public var gpuInstanceID: Int?

    public init(pid: Int) {
        self.pid = pid
    }
}

/// A MIG GPU instance (a slice of a GPU), exposed as an entity of its own.
public struct MIGInstance: Sendable, Equatable, Codable {
    public var gpuInstanceID: Int
    public var computeInstanceID: Int?
    /// The profile, e.g. "1g.10gb" (the `GPU_I_PROFILE` label).
    public var profile: String?
    public var uuid: String?
    public var memoryTotalBytes: Double?
    public var memoryUsedBytes: Double?
    public var multiprocessorCount: Int?

    public init(gpuInstanceID: Int) {
        self.gpuInstanceID = gpuInstanceID
    }
}
