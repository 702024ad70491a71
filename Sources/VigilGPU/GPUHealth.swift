/// A health verdict for one GPU: OK, WARN or CRIT, with every reason found and what to do first.
public struct GPUHealth: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable, Comparable {
        case ok = "OK", warn = "WARN", crit = "CRIT"

        public static func < (lhs: Status, rhs: Status) -> Bool {
            let order: [Status] = [.ok, .warn, .crit]
            return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
        }
    }

    public struct Finding: Sendable, Equatable, Codable {
        public var status: Status
        public var reason: String
        public var action: String
    }

    /// The worst finding's status (OK when there is none).
    public var status: Status
    /// Worst first.
    public var findings: [Finding]

    /// The first thing to tell a person: the worst finding's reason and action, or "healthy".
    public var summary: String {
        guard let worst = findings.first else { return "healthy" }
        return "\(worst.reason) — \(worst.action)"
    }

    /// Judges one reading. Thresholds are the GPU's own when it reports them.
    public static func assess(_ reading: GPUReading) -> GPUHealth {
        var findings: [Finding] = []
        func add(_ status: Status, _ reason: String, _ action: XIDCatalog.Action) {
            findings.append(Finding(status: status, reason: reason, action: action.rawValue))
        }
        if reading.isLost {
            add(.crit, "GPU is lost (fallen off the bus or not answering)", .rebootNode)
            return GPUHealth(status: .crit, findings: findings)
        }
        if let rows = reading.remappedRows {
            if rows.failure { add(.crit, "row remapping failed", .contactSupport) }
            if rows.pending { add(.warn, "row remap pending a GPU reset", .resetGPU) }
        }
        if let pages = reading.retiredPages, pages.pending {
            add(.warn, "page retirement pending a driver reload", .resetGPU)
        }
        if let uncorrected = reading.ecc?.volatileUncorrected, uncorrected > 0 {
            add(.crit, "\(Int(uncorrected)) uncorrectable ECC error(s) since the driver loaded", .resetGPU)
        }
        if let code = reading.lastXID, code != 0 {
            let entry = XIDCatalog.entry(for: code)
            let status: Status = entry.severity == .critical ? .crit : entry.severity == .warning ? .warn : .ok
            if status != .ok {
                findings.append(
                    Finding(status: status, reason: "XID \(code): \(entry.meaning)", action: entry.action.rawValue))
            }
        }
        if let temperature = reading.gpuTemperatureCelsius {
            if let shutdown = reading.shutdownTemperatureCelsius, temperature >= shutdown - 5 {
                add(
                    .crit, "temperature \(Int(temperature)) °C is near shutdown (\(Int(shutdown)) °C)",
                    .checkPowerAndCooling)
            } else if let slowdown = reading.slowdownTemperatureCelsius, temperature >= slowdown {
                add(
                    .warn, "temperature \(Int(temperature)) °C is above slowdown (\(Int(slowdown)) °C)",
                    .checkPowerAndCooling)
            }
        }
        if let reasons = reading.clockEventReasons {
            if !reasons.isDisjoint(with: [.hwThermalSlowdown, .swThermalSlowdown]),
                !findings.contains(where: { $0.reason.hasPrefix("temperature") })
            {
                add(.warn, "clocks throttled for temperature", .checkPowerAndCooling)
            }
            if !reasons.isDisjoint(with: [.hwSlowdown, .hwPowerBrakeSlowdown]) {
                add(.warn, "hardware slowdown (power brake or external signal)", .checkPowerAndCooling)
            }
        }
        if let pcie = reading.pcie, let width = pcie.width, let maxWidth = pcie.maxWidth, width < maxWidth {
            add(.warn, "PCIe link degraded to x\(width) of x\(maxWidth)", .rebootNode)
        }
        let activeLinks = reading.nvlinks.filter(\.isActive).count
        if activeLinks > 0 && activeLinks < reading.nvlinks.count {
            add(
                .warn, "\(reading.nvlinks.count - activeLinks) of \(reading.nvlinks.count) NVLink links down",
                .checkNVLink)
        }
        findings.sort { $0.status > $1.status }
        return GPUHealth(status: findings.first?.status ?? .ok, findings: findings)
    }
}
