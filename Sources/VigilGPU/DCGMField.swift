/// The DCGM fields Vigil can supply, by dcgm-exporter name, with how each is read from a ``GPUReading``
/// and the unit dcgm-exporter reports it in (MiB for memory, MHz, W, mJ, %, °C).
public enum DCGMField {
    public typealias Extract = @Sendable (GPUReading) -> Double?

    static let mebibyte = 1_048_576.0

    /// Field name → value. Label fields (`DCGM_FI_DRIVER_VERSION`, …) are in ``labelFields``.
    public static let values: [String: Extract] = [
        "DCGM_FI_DEV_SM_CLOCK": { $0.smClockMHz },
        "DCGM_FI_DEV_MEM_CLOCK": { $0.memoryClockMHz },
        "DCGM_FI_DEV_MAX_SM_CLOCK": { $0.maxSMClockMHz },
        "DCGM_FI_DEV_MAX_MEM_CLOCK": { $0.maxMemoryClockMHz },
        "DCGM_FI_DEV_VIDEO_CLOCK": { $0.videoClockMHz },
        "DCGM_FI_DEV_MEMORY_TEMP": { $0.memoryTemperatureCelsius },
        "DCGM_FI_DEV_GPU_TEMP": { $0.gpuTemperatureCelsius },
        "DCGM_FI_DEV_SLOWDOWN_TEMP": { $0.slowdownTemperatureCelsius },
        "DCGM_FI_DEV_SHUTDOWN_TEMP": { $0.shutdownTemperatureCelsius },
        "DCGM_FI_DEV_POWER_USAGE": { $0.powerUsageWatts },
        "DCGM_FI_DEV_POWER_MGMT_LIMIT": { $0.powerLimitWatts },
        "DCGM_FI_DEV_ENFORCED_POWER_LIMIT": { $0.enforcedPowerLimitWatts },
        "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION": { $0.totalEnergyMillijoules },
        "DCGM_FI_DEV_FAN_SPEED": { $0.fanSpeedPercent },
        "DCGM_FI_DEV_PSTATE": { $0.performanceState.map(Double.init) },
        "DCGM_FI_DEV_CLOCKS_EVENT_REASONS": { $0.clockEventReasons.map { Double($0.rawValue) } },
        "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS": { $0.clockEventReasons.map { Double($0.rawValue) } },
        "DCGM_FI_DEV_PCIE_REPLAY_COUNTER": { $0.pcie?.replayCounter },
        "DCGM_FI_DEV_PCIE_LINK_GEN": { $0.pcie?.generation.map(Double.init) },
        "DCGM_FI_DEV_PCIE_LINK_WIDTH": { $0.pcie?.width.map(Double.init) },
        "DCGM_FI_DEV_GPU_UTIL": { $0.gpuUtilizationPercent },
        "DCGM_FI_DEV_MEM_COPY_UTIL": { $0.memoryUtilizationPercent },
        "DCGM_FI_DEV_ENC_UTIL": { $0.encoderUtilizationPercent },
        "DCGM_FI_DEV_DEC_UTIL": { $0.decoderUtilizationPercent },
        "DCGM_FI_DEV_XID_ERRORS": { $0.lastXID.map(Double.init) },
        "DCGM_FI_DEV_FB_TOTAL": { $0.memoryTotalBytes.map { $0 / mebibyte } },
        "DCGM_FI_DEV_FB_FREE": { $0.memoryFreeBytes.map { $0 / mebibyte } },
        "DCGM_FI_DEV_FB_USED": { $0.memoryUsedBytes.map { $0 / mebibyte } },
        "DCGM_FI_DEV_FB_RESERVED": { $0.memoryReservedBytes.map { $0 / mebibyte } },
        "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL": { $0.ecc?.volatileCorrected },
        "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL": { $0.ecc?.volatileUncorrected },
        "DCGM_FI_DEV_ECC_SBE_AGG_TOTAL": { $0.ecc?.aggregateCorrected },
        "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL": { $0.ecc?.aggregateUncorrected },
        "DCGM_FI_DEV_RETIRED_SBE": { $0.retiredPages?.singleBitECC },
        "DCGM_FI_DEV_RETIRED_DBE": { $0.retiredPages?.doubleBitECC },
        "DCGM_FI_DEV_RETIRED_PENDING": { $0.retiredPages.map { $0.pending ? 1 : 0 } },
        "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS": { $0.remappedRows?.uncorrectable },
        "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS": { $0.remappedRows?.correctable },
        "DCGM_FI_DEV_ROW_REMAP_FAILURE": { $0.remappedRows.map { $0.failure ? 1 : 0 } },
        "DCGM_FI_DEV_ROW_REMAP_PENDING": { $0.remappedRows.map { $0.pending ? 1 : 0 } },
        "DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL": { sum($0.nvlinks) { link in sumOptional(link.txBytes, link.rxBytes) } },
        "DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL": { sum($0.nvlinks) { $0.crcErrors } },
        "DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL": { sum($0.nvlinks) { $0.replayErrors } },
        "DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL": { sum($0.nvlinks) { $0.recoveryErrors } },
        "DCGM_FI_PROF_GR_ENGINE_ACTIVE": { $0.graphicsEngineActiveRatio },
        "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE": { $0.tensorPipeActiveRatio },
        "DCGM_FI_PROF_DRAM_ACTIVE": { $0.dramActiveRatio },
        "DCGM_FI_PROF_PCIE_TX_BYTES": { $0.pcie?.txBytesPerSecond },
        "DCGM_FI_PROF_PCIE_RX_BYTES": { $0.pcie?.rxBytesPerSecond },
    ]

    /// Label fields: name → the label value read from the GPU's identity.
    public static let labelFields: [String: @Sendable (GPUIdentity) -> String?] = [
        "DCGM_FI_DRIVER_VERSION": { $0.driverVersion },
        "DCGM_FI_DEV_SERIAL": { $0.serial },
        "DCGM_FI_DEV_VBIOS_VERSION": { $0.vbiosVersion },
        "DCGM_FI_CUDA_DRIVER_VERSION": { $0.cudaVersion },
    ]

    /// Fields dcgm-exporter knows that no Vigil backend can supply (vGPU licensing, DCGM-only profiling).
    public static let unsupported: Set<String> = ["DCGM_FI_DEV_VGPU_LICENSE_STATUS"]

    /// The sum over links of what each link reports; nil when no link reports anything.
    private static func sum(_ links: [NVLinkReading], _ value: (NVLinkReading) -> Double?) -> Double? {
        let values = links.compactMap(value)
        return values.isEmpty ? nil : values.reduce(0, +)
    }

    private static func sumOptional(_ first: Double?, _ second: Double?) -> Double? {
        first == nil && second == nil ? nil : (first ?? 0) + (second ?? 0)
    }
}
