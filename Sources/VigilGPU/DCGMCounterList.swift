import VigilModel

/// Which DCGM fields to export, in dcgm-exporter's counters-CSV format:
/// `DCGM_FI_DEV_GPU_TEMP, gauge, GPU temperature (in C).` — `#` starts a comment.
public struct DCGMCounterList: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case gauge, counter, label
    }

    public struct Counter: Sendable, Equatable {
        public var field: String
        public var kind: Kind
        public var help: String

        public init(field: String, kind: Kind, help: String) {
            self.field = field
            self.kind = kind
            self.help = help
        }
    }

    public var counters: [Counter]

    public init(counters: [Counter]) {
        self.counters = counters
    }

    /// Parses a counters CSV. Malformed lines are errors (with the line number); fields Vigil can't supply
    /// are dropped and named in `skipped`, so a dcgm-exporter file works as it is.
    public static func parse(_ text: String) throws(GPUError) -> (list: DCGMCounterList, skipped: [String]) {
        var counters: [Counter] = []
        var skipped: [String] = []
        var seen: Set<String> = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters()
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let columns = line.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters() }
            guard columns.count == 3 else {
                throw GPUError(
                    .malformedOutput,
                    "counters file line \(offset + 1): expected 'DCGM_FIELD, type, help', got \"\(line.prefix(80))\"")
            }
            guard let kind = Kind(rawValue: columns[1].lowercased()) else {
                throw GPUError(
                    .malformedOutput,
                    "counters file line \(offset + 1): type \"\(columns[1])\" is not gauge, counter or label")
            }
            let field = columns[0]
            guard field.hasPrefix("DCGM_"), !field.contains(" ") else {
                throw GPUError(
                    .malformedOutput, "counters file line \(offset + 1): \"\(field)\" is not a DCGM field name")
            }
            let known = kind == .label ? DCGMField.labelFields[field] != nil : DCGMField.values[field] != nil
            guard known else {
                skipped.append(field)
                continue
            }
            guard seen.insert(field).inserted else { continue }
            counters.append(Counter(field: field, kind: kind, help: columns[2]))
        }
        return (DCGMCounterList(counters: counters), skipped)
    }

    /// dcgm-exporter's default counters (its `default-counters.csv`) that Vigil can supply, same types and help.
    public static let dcgmExporterDefaults = DCGMCounterList(counters: [
        Counter(field: "DCGM_FI_DEV_SM_CLOCK", kind: .gauge, help: "SM clock frequency (in MHz)."),
        Counter(field: "DCGM_FI_DEV_MEM_CLOCK", kind: .gauge, help: "Memory clock frequency (in MHz)."),
        Counter(field: "DCGM_FI_DEV_MEMORY_TEMP", kind: .gauge, help: "Memory temperature (in C)."),
        Counter(field: "DCGM_FI_DEV_GPU_TEMP", kind: .gauge, help: "GPU temperature (in C)."),
        Counter(field: "DCGM_FI_DEV_POWER_USAGE", kind: .gauge, help: "Power draw (in W)."),
        Counter(
            field: "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", kind: .counter,
            help: "Total energy consumption since boot (in mJ)."),
        Counter(field: "DCGM_FI_DEV_PCIE_REPLAY_COUNTER", kind: .counter, help: "Total number of PCIe retries."),
        Counter(field: "DCGM_FI_DEV_GPU_UTIL", kind: .gauge, help: "GPU utilization (in %)."),
        Counter(field: "DCGM_FI_DEV_MEM_COPY_UTIL", kind: .gauge, help: "Memory utilization (in %)."),
        Counter(field: "DCGM_FI_DEV_ENC_UTIL", kind: .gauge, help: "Encoder utilization (in %)."),
        Counter(field: "DCGM_FI_DEV_DEC_UTIL", kind: .gauge, help: "Decoder utilization (in %)."),
        Counter(field: "DCGM_FI_DEV_XID_ERRORS", kind: .gauge, help: "Value of the last XID error encountered."),
        Counter(field: "DCGM_FI_DEV_FB_FREE", kind: .gauge, help: "Framebuffer memory free (in MiB)."),
        Counter(field: "DCGM_FI_DEV_FB_USED", kind: .gauge, help: "Framebuffer memory used (in MiB)."),
        Counter(field: "DCGM_FI_DEV_FB_RESERVED", kind: .gauge, help: "Framebuffer memory reserved (in MiB)."),
        Counter(
            field: "DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", kind: .counter,
            help: "Total number of NVLink bandwidth counters for all lanes."),
        Counter(
            field: "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", kind: .counter,
            help: "Number of remapped rows for uncorrectable errors"),
        Counter(
            field: "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", kind: .counter,
            help: "Number of remapped rows for correctable errors"),
        Counter(field: "DCGM_FI_DEV_ROW_REMAP_FAILURE", kind: .gauge, help: "Whether remapping of rows has failed"),
        Counter(field: "DCGM_FI_DRIVER_VERSION", kind: .label, help: "Driver Version"),
        Counter(
            field: "DCGM_FI_PROF_GR_ENGINE_ACTIVE", kind: .gauge, help: "Ratio of time the graphics engine is active."),
        Counter(
            field: "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", kind: .gauge,
            help: "Ratio of cycles the tensor (HMMA) pipe is active."),
        Counter(
            field: "DCGM_FI_PROF_DRAM_ACTIVE", kind: .gauge,
            help: "Ratio of cycles the device memory interface is active sending or receiving data."),
        Counter(
            field: "DCGM_FI_PROF_PCIE_TX_BYTES", kind: .gauge,
            help:
                "The rate of data transmitted over the PCIe bus - including both protocol headers and data payloads - in bytes per second."
        ),
        Counter(
            field: "DCGM_FI_PROF_PCIE_RX_BYTES", kind: .gauge,
            help:
                "The rate of data received over the PCIe bus - including both protocol headers and data payloads - in bytes per second."
        ),
    ])

    /// Vigil's default: dcgm-exporter's defaults plus the health fields an operator needs on day one
    /// (ECC totals, retired pages, NVLink errors, limits and thresholds), which dcgm-exporter leaves commented out.
    public static let vigilDefaults = DCGMCounterList(
        counters: dcgmExporterDefaults.counters + [
            Counter(field: "DCGM_FI_DEV_FB_TOTAL", kind: .gauge, help: "Framebuffer memory total (in MiB)."),
            Counter(field: "DCGM_FI_DEV_MAX_SM_CLOCK", kind: .gauge, help: "Maximum SM clock frequency (in MHz)."),
            Counter(field: "DCGM_FI_DEV_SLOWDOWN_TEMP", kind: .gauge, help: "Slowdown temperature threshold (in C)."),
            Counter(field: "DCGM_FI_DEV_SHUTDOWN_TEMP", kind: .gauge, help: "Shutdown temperature threshold (in C)."),
            Counter(field: "DCGM_FI_DEV_POWER_MGMT_LIMIT", kind: .gauge, help: "Power management limit (in W)."),
            Counter(field: "DCGM_FI_DEV_FAN_SPEED", kind: .gauge, help: "Fan speed (in 0-100%)."),
            Counter(field: "DCGM_FI_DEV_PSTATE", kind: .gauge, help: "Performance state (P-state) 0-15. 0=highest."),
            Counter(field: "DCGM_FI_DEV_PCIE_LINK_GEN", kind: .gauge, help: "PCIe current link generation."),
            Counter(field: "DCGM_FI_DEV_PCIE_LINK_WIDTH", kind: .gauge, help: "PCIe current link width."),
            Counter(
                field: "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", kind: .counter,
                help: "Total number of single-bit volatile ECC errors."),
            Counter(
                field: "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", kind: .counter,
                help: "Total number of double-bit volatile ECC errors."),
            Counter(
                field: "DCGM_FI_DEV_ECC_SBE_AGG_TOTAL", kind: .counter,
                help: "Total number of single-bit persistent ECC errors."),
            Counter(
                field: "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL", kind: .counter,
                help: "Total number of double-bit persistent ECC errors."),
            Counter(
                field: "DCGM_FI_DEV_RETIRED_SBE", kind: .counter,
                help: "Total number of retired pages due to single-bit errors."),
            Counter(
                field: "DCGM_FI_DEV_RETIRED_DBE", kind: .counter,
                help: "Total number of retired pages due to double-bit errors."),
            Counter(
                field: "DCGM_FI_DEV_RETIRED_PENDING", kind: .counter, help: "Total number of pages pending retirement."),
            Counter(
                field: "DCGM_FI_DEV_ROW_REMAP_PENDING", kind: .gauge,
                help: "Whether remapping of rows is pending (applied at the next GPU reset)."),
            Counter(
                field: "DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL", kind: .counter,
                help: "Total number of NVLink flow-control CRC errors."),
            Counter(
                field: "DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL", kind: .counter,
                help: "Total number of NVLink retries."),
            Counter(
                field: "DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL", kind: .counter,
                help: "Total number of NVLink recovery errors."),
        ])
}

extension StringProtocol {
    fileprivate func trimmingCharacters() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
