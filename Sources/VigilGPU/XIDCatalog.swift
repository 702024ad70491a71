/// NVIDIA's XID error codes: what each means, how bad it is and what an operator should do.
///
/// From NVIDIA's published XID catalogue (r555 era) and field experience; codes not listed here get a
/// generic entry that says to look the code up. Used by `vigil smi`, alert annotations and diagnosis.
public enum XIDCatalog {
    public enum Severity: String, Sendable, Codable, Comparable {
        case info, warning, critical

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            let order: [Severity] = [.info, .warning, .critical]
            return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
        }
    }

    public enum Action: String, Sendable, Codable {
        case none = "none"
        case checkApplication = "check the application (its code, inputs or CUDA version)"
        case restartApplication = "restart the application"
        case resetGPU = "reset the GPU (nvidia-smi -r) once its jobs are drained"
        case rebootNode = "drain and reboot the node"
        case checkPowerAndCooling = "check power delivery and cooling"
        case checkNVLink = "check NVLink/NVSwitch health and the fabric manager"
        case contactSupport = "contact NVIDIA or the hardware vendor (RMA if it persists)"
    }

    public struct Entry: Sendable, Equatable, Codable {
        public var code: Int
        public var meaning: String
        public var severity: Severity
        public var action: Action
        /// Likely causes, most likely first: "application", "driver", "hardware", "thermal", "power", "nvlink".
        public var causes: [String]
    }

    /// The entry for `code`; unknown codes get a generic warning.
    public static func entry(for code: Int) -> Entry {
        if let entry = known[code] { return entry }
        return Entry(
            code: code, meaning: "XID \(code) (not in Vigil's catalogue; see NVIDIA's XID documentation)",
            severity: .warning, action: .checkApplication, causes: ["unknown"])
    }

    static let known: [Int: Entry] = {
        let entries: [Entry] = [
            Entry(
                code: 8, meaning: "GPU stopped processing (timeout)", severity: .critical, action: .resetGPU,
                causes: ["driver", "application", "hardware"]),
            Entry(
                code: 13, meaning: "Graphics engine exception (illegal instruction, out-of-range access)",
                severity: .warning, action: .checkApplication, causes: ["application", "driver"]),
            Entry(
                code: 31, meaning: "GPU memory page fault (illegal memory access by the application)",
                severity: .warning, action: .checkApplication, causes: ["application", "driver"]),
            Entry(
                code: 32, meaning: "Invalid or corrupted push buffer stream (often PCIe errors)", severity: .warning,
                action: .rebootNode, causes: ["hardware", "driver"]),
            Entry(
                code: 38, meaning: "Driver firmware error", severity: .critical, action: .resetGPU, causes: ["driver"]),
            Entry(
                code: 43, meaning: "GPU stopped processing the application's channel (application fault)",
                severity: .warning, action: .restartApplication, causes: ["application"]),
            Entry(
                code: 45, meaning: "Preemptive cleanup after a previous error (usually follows another XID)",
                severity: .info, action: .none, causes: ["application"]),
            Entry(
                code: 48, meaning: "Double-bit (uncorrectable) ECC error", severity: .critical, action: .resetGPU,
                causes: ["hardware"]),
            Entry(
                code: 54, meaning: "Auxiliary power is not connected", severity: .critical,
                action: .checkPowerAndCooling, causes: ["power"]),
            Entry(
                code: 56, meaning: "Display engine error", severity: .warning, action: .resetGPU,
                causes: ["driver", "hardware"]),
            Entry(
                code: 57, meaning: "Error programming the video memory interface", severity: .critical,
                action: .contactSupport, causes: ["hardware"]),
            Entry(
                code: 61, meaning: "Internal micro-controller breakpoint or warning", severity: .critical,
                action: .resetGPU, causes: ["driver", "hardware"]),
            Entry(
                code: 62, meaning: "Internal micro-controller halt", severity: .critical, action: .resetGPU,
                causes: ["driver", "hardware", "thermal"]),
            Entry(
                code: 63, meaning: "ECC page retirement or row remapping recorded", severity: .warning,
                action: .resetGPU, causes: ["hardware"]),
            Entry(
                code: 64, meaning: "ECC page retirement or row remapping failed", severity: .critical,
                action: .contactSupport, causes: ["hardware"]),
            Entry(
                code: 68, meaning: "Video decoder (NVDEC) exception", severity: .warning, action: .restartApplication,
                causes: ["application", "driver"]),
            Entry(
                code: 69, meaning: "Graphics engine class error", severity: .warning, action: .restartApplication,
                causes: ["application", "driver"]),
            Entry(
                code: 74, meaning: "NVLink error", severity: .critical, action: .checkNVLink,
                causes: ["nvlink", "hardware"]),
            Entry(
                code: 79, meaning: "GPU has fallen off the bus", severity: .critical, action: .rebootNode,
                causes: ["hardware", "power", "thermal"]),
            Entry(
                code: 92, meaning: "High single-bit ECC error rate", severity: .warning, action: .contactSupport,
                causes: ["hardware"]),
            Entry(
                code: 93, meaning: "InfoROM wear limit exceeded (non-fatal)", severity: .warning,
                action: .contactSupport, causes: ["hardware"]),
            Entry(
                code: 94, meaning: "Contained ECC error (only the affected application was stopped)",
                severity: .warning, action: .restartApplication, causes: ["hardware"]),
            Entry(
                code: 95, meaning: "Uncontained ECC error (all applications on the GPU affected)", severity: .critical,
                action: .resetGPU, causes: ["hardware"]),
            Entry(
                code: 109, meaning: "Context switch timeout", severity: .warning, action: .restartApplication,
                causes: ["application", "driver"]),
            Entry(
                code: 119, meaning: "GSP RPC timeout (GPU System Processor not responding)", severity: .critical,
                action: .rebootNode, causes: ["driver", "hardware"]),
            Entry(
                code: 120, meaning: "GSP error", severity: .critical, action: .resetGPU, causes: ["driver", "hardware"]),
            Entry(
                code: 121, meaning: "C2C (chip-to-chip) link error", severity: .critical, action: .rebootNode,
                causes: ["hardware"]),
            Entry(
                code: 140, meaning: "Unrecovered ECC error", severity: .critical, action: .resetGPU,
                causes: ["hardware"]),
            Entry(
                code: 143, meaning: "GPU initialisation failure", severity: .critical, action: .contactSupport,
                causes: ["hardware"]),
        ]
        return Dictionary(uniqueKeysWithValues: entries.map { ($0.code, $0) })
    }()
}
