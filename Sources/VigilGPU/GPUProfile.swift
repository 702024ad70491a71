/// The published limits and personality of one GPU model, as the simulator plays it.
///
/// Values marked "sourced" match what `nvidia-smi` prints on real machines or NVIDIA's data
/// sheets; the rest are estimates chosen to be plausible (see the comments on each profile).
public struct GPUProfile: Sendable, Hashable {
    /// Short name used on the command line: `--sim-profile h100`.
    public var key: String
    /// Product name exactly as `nvidia-smi` and NVML print it.
    public var productName: String
    public var memoryTotalBytes: Double
    /// Frame buffer the driver keeps for itself (total = reserved + used + free).
    public var memoryReservedBytes: Double
    public var defaultPowerLimitWatts: Double
    public var minPowerLimitWatts: Double
    /// Power with no context open (the idle P-state).
    public var idlePowerWatts: Double
    /// Power with a context open and nothing running: P0, clocks up, no kernels.
    public var contextIdlePowerWatts: Double
    public var maxSMClockMHz: Double
    public var idleSMClockMHz: Double
    public var maxMemoryClockMHz: Double
    /// HBM runs at one clock; GDDR drops in the idle P-state.
    public var idleMemoryClockMHz: Double
    public var maxVideoClockMHz: Double
    public var idleVideoClockMHz: Double
    /// Above this the driver starts software thermal slowdown.
    public var maxOperatingTemperatureCelsius: Double
    /// Above this the hardware slows the clocks.
    public var slowdownTemperatureCelsius: Double
    public var shutdownTemperatureCelsius: Double
    /// Nil where NVML reports no memory temperature (GDDR boards).
    public var memoryMaxOperatingTemperatureCelsius: Double?
    /// Steady-state die temperature rise per watt above the inlet air.
    public var thermalResistanceCelsiusPerWatt: Double
    /// First-order lag of die temperature toward its equilibrium.
    public var thermalTimeConstantSeconds: Double
    public var nvlinkCount: Int
    /// One direction of one link.
    public var nvlinkBytesPerSecondPerLink: Double
    public var pcieGeneration: Int
    public var pcieWidth: Int
    /// P-state with no context open. Real Hopper/Ampere SXM boards often stay in P0 when idle
    /// with persistence mode on; the simulator shows P8 so idleness is visible.
    public var idlePerformanceState: Int
    /// MIG capable (reported as disabled); nil mode for boards without MIG.
    public var supportsMIG: Bool
    /// Bus ids by slot, as NVML formats them; slots past the list get generated ids.
    public var pciBusIDs: [String]
    public var vbiosVersion: String
    public var driverVersion: String
    public var cudaVersion: String

    public init(
        key: String, productName: String, memoryTotalBytes: Double, memoryReservedBytes: Double,
        defaultPowerLimitWatts: Double, minPowerLimitWatts: Double, idlePowerWatts: Double,
        contextIdlePowerWatts: Double, maxSMClockMHz: Double, idleSMClockMHz: Double, maxMemoryClockMHz: Double,
        idleMemoryClockMHz: Double, maxVideoClockMHz: Double, idleVideoClockMHz: Double,
        maxOperatingTemperatureCelsius: Double, slowdownTemperatureCelsius: Double,
        shutdownTemperatureCelsius: Double, memoryMaxOperatingTemperatureCelsius: Double?,
        thermalResistanceCelsiusPerWatt: Double, thermalTimeConstantSeconds: Double, nvlinkCount: Int,
        nvlinkBytesPerSecondPerLink: Double, pcieGeneration: Int, pcieWidth: Int, idlePerformanceState: Int = 8,
        supportsMIG: Bool, pciBusIDs: [String], vbiosVersion: String, driverVersion: String = "550.90.07",
        cudaVersion: String = "12.4"
    ) {
        self.key = key
        self.productName = productName
        self.memoryTotalBytes = memoryTotalBytes
        self.memoryReservedBytes = memoryReservedBytes
        self.defaultPowerLimitWatts = defaultPowerLimitWatts
        self.minPowerLimitWatts = minPowerLimitWatts
        self.idlePowerWatts = idlePowerWatts
        self.contextIdlePowerWatts = contextIdlePowerWatts
        self.maxSMClockMHz = maxSMClockMHz
        self.idleSMClockMHz = idleSMClockMHz
        self.maxMemoryClockMHz = maxMemoryClockMHz
        self.idleMemoryClockMHz = idleMemoryClockMHz
        self.maxVideoClockMHz = maxVideoClockMHz
        self.idleVideoClockMHz = idleVideoClockMHz
        self.maxOperatingTemperatureCelsius = maxOperatingTemperatureCelsius
        self.slowdownTemperatureCelsius = slowdownTemperatureCelsius
        self.shutdownTemperatureCelsius = shutdownTemperatureCelsius
        self.memoryMaxOperatingTemperatureCelsius = memoryMaxOperatingTemperatureCelsius
        self.thermalResistanceCelsiusPerWatt = thermalResistanceCelsiusPerWatt
        self.thermalTimeConstantSeconds = thermalTimeConstantSeconds
        self.nvlinkCount = nvlinkCount
        self.nvlinkBytesPerSecondPerLink = nvlinkBytesPerSecondPerLink
        self.pcieGeneration = pcieGeneration
        self.pcieWidth = pcieWidth
        self.idlePerformanceState = idlePerformanceState
        self.supportsMIG = supportsMIG
        self.pciBusIDs = pciBusIDs
        self.vbiosVersion = vbiosVersion
        self.driverVersion = driverVersion
        self.cudaVersion = cudaVersion
    }
}

extension GPUProfile {
    private static let mebibyte = 1_048_576.0

    /// H100 SXM5 80GB (HGX/DGX H100).
    ///
    /// Sourced: name, 81559 MiB, 700 W, 1980/2619 MHz, 18 NVLink4 links (NV18, 25 GB/s a direction
    /// each), PCIe gen5 x16. Estimated: reserved memory, idle powers, idle and video clocks, the
    /// temperature thresholds (taken from A100 SXM and H100 PCIe figures), bus ids (DGX H100
    /// layout as remembered), VBIOS.
    public static let h100 = GPUProfile(
        key: "h100", productName: "NVIDIA H100 80GB HBM3", memoryTotalBytes: 81559 * mebibyte,
        memoryReservedBytes: 512 * mebibyte, defaultPowerLimitWatts: 700, minPowerLimitWatts: 200,
        idlePowerWatts: 70, contextIdlePowerWatts: 112, maxSMClockMHz: 1980, idleSMClockMHz: 345,
        maxMemoryClockMHz: 2619, idleMemoryClockMHz: 2619, maxVideoClockMHz: 1545, idleVideoClockMHz: 765,
        maxOperatingTemperatureCelsius: 87, slowdownTemperatureCelsius: 89, shutdownTemperatureCelsius: 92,
        memoryMaxOperatingTemperatureCelsius: 95, thermalResistanceCelsiusPerWatt: 0.068,
        thermalTimeConstantSeconds: 40, nvlinkCount: 18, nvlinkBytesPerSecondPerLink: 25e9, pcieGeneration: 5,
        pcieWidth: 16, supportsMIG: true,
        pciBusIDs: ["18", "2A", "3A", "5D", "9A", "AB", "BA", "DB"].map { "00000000:\($0):00.0" },
        vbiosVersion: "96.00.89.00.01"
    )

    /// H200 SXM 141GB (HGX H200).
    ///
    /// Sourced: name "NVIDIA H200", 143771 MiB, 700 W, idle ~76 W, ~111–116 W with a context open
    /// (a p5en nvidia-smi capture), 1980 MHz SM, 3201 MHz HBM3e, 18 NVLink4 links, PCIe gen5 x16.
    /// Estimated: reserved memory, thresholds (as H100), idle/video clocks, bus ids, VBIOS.
    public static let h200 = GPUProfile(
        key: "h200", productName: "NVIDIA H200", memoryTotalBytes: 143771 * mebibyte,
        memoryReservedBytes: 640 * mebibyte, defaultPowerLimitWatts: 700, minPowerLimitWatts: 200,
        idlePowerWatts: 76, contextIdlePowerWatts: 114, maxSMClockMHz: 1980, idleSMClockMHz: 345,
        maxMemoryClockMHz: 3201, idleMemoryClockMHz: 3201, maxVideoClockMHz: 1545, idleVideoClockMHz: 765,
        maxOperatingTemperatureCelsius: 87, slowdownTemperatureCelsius: 89, shutdownTemperatureCelsius: 92,
        memoryMaxOperatingTemperatureCelsius: 95, thermalResistanceCelsiusPerWatt: 0.068,
        thermalTimeConstantSeconds: 40, nvlinkCount: 18, nvlinkBytesPerSecondPerLink: 25e9, pcieGeneration: 5,
        pcieWidth: 16, supportsMIG: true,
        pciBusIDs: ["19", "3B", "4C", "5D", "9B", "BB", "CB", "DB"].map { "00000000:\($0):00.0" },
        vbiosVersion: "96.00.A5.00.01"
    )

    /// A100 SXM4 80GB (HGX/DGX A100).
    ///
    /// Sourced: name, 81920 MiB, 400 W, 1410/1593 MHz, 12 NVLink3 links (25 GB/s a direction each),
    /// PCIe gen4 x16, thresholds 85/89/92 °C and memory 95 °C (an 8×A100 `nvidia-smi -q` capture).
    /// Estimated: reserved memory, idle powers, idle/video clocks, bus ids (DGX A100 layout as
    /// remembered), VBIOS.
    public static let a100 = GPUProfile(
        key: "a100", productName: "NVIDIA A100-SXM4-80GB", memoryTotalBytes: 81920 * mebibyte,
        memoryReservedBytes: 512 * mebibyte, defaultPowerLimitWatts: 400, minPowerLimitWatts: 100,
        idlePowerWatts: 60, contextIdlePowerWatts: 82, maxSMClockMHz: 1410, idleSMClockMHz: 210,
        maxMemoryClockMHz: 1593, idleMemoryClockMHz: 1593, maxVideoClockMHz: 1290, idleVideoClockMHz: 795,
        maxOperatingTemperatureCelsius: 85, slowdownTemperatureCelsius: 89, shutdownTemperatureCelsius: 92,
        memoryMaxOperatingTemperatureCelsius: 95, thermalResistanceCelsiusPerWatt: 0.107,
        thermalTimeConstantSeconds: 40, nvlinkCount: 12, nvlinkBytesPerSecondPerLink: 25e9, pcieGeneration: 4,
        pcieWidth: 16, supportsMIG: true,
        pciBusIDs: ["07", "0F", "47", "4E", "87", "90", "B7", "BD"].map { "00000000:\($0):00.0" },
        vbiosVersion: "92.00.45.00.06"
    )

    /// L40S 48GB (PCIe, passively cooled, no NVLink, no MIG).
    ///
    /// Sourced: name, 46068 MiB, 350 W, 2520 MHz boost, PCIe gen4 x16, no NVLink. Estimated:
    /// memory clock (9001 MHz for 18 Gbps GDDR6), idle powers and clocks, all thresholds, bus ids,
    /// VBIOS.
    public static let l40s = GPUProfile(
        key: "l40s", productName: "NVIDIA L40S", memoryTotalBytes: 46068 * mebibyte,
        memoryReservedBytes: 456 * mebibyte, defaultPowerLimitWatts: 350, minPowerLimitWatts: 100,
        idlePowerWatts: 35, contextIdlePowerWatts: 62, maxSMClockMHz: 2520, idleSMClockMHz: 210,
        maxMemoryClockMHz: 9001, idleMemoryClockMHz: 405, maxVideoClockMHz: 1965, idleVideoClockMHz: 1185,
        maxOperatingTemperatureCelsius: 89, slowdownTemperatureCelsius: 92, shutdownTemperatureCelsius: 95,
        memoryMaxOperatingTemperatureCelsius: nil, thermalResistanceCelsiusPerWatt: 0.137,
        thermalTimeConstantSeconds: 45, nvlinkCount: 0, nvlinkBytesPerSecondPerLink: 0, pcieGeneration: 4,
        pcieWidth: 16, supportsMIG: false,
        pciBusIDs: ["01", "25", "41", "61", "81", "A1", "C1", "E1"].map { "00000000:\($0):00.0" },
        vbiosVersion: "95.02.66.00.02"
    )

    /// Every built-in profile, by key.
    public static let all: [GPUProfile] = [.a100, .h100, .h200, .l40s]

    /// The built-in profile called `name` (case-insensitive), or an error listing the valid names.
    public static func named(_ name: String) throws(GPUError) -> GPUProfile {
        let wanted = name.lowercased()
        if let profile = all.first(where: { $0.key == wanted }) { return profile }
        let valid = all.map(\.key).joined(separator: ", ")
        throw GPUError(.unsupported, "unknown simulator GPU profile '\(name)'; valid profiles: \(valid)")
    }

    /// The bus id of `slot`: the profile's list, then made-up ids past its end.
    func pciBusID(slot: Int) -> String {
        if slot < pciBusIDs.count { return pciBusIDs[slot] }
        let bus = String(0xE0 + slot - pciBusIDs.count, radix: 16, uppercase: true)
        return "00000000:\(bus.count < 2 ? "0" + bus : bus):00.0"
    }
}
