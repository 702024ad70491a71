import Foundation

/// What `vigil smi` prints: a row per GPU (utilisation, memory, temperature, power, P-state, active
/// clock-event reasons, health verdict) and the processes on the GPUs, as text or JSON.
public enum SMIReport {
    /// The JSON document `vigil smi --json` prints: readings with their health verdicts.
    public struct Document: Codable, Sendable {
        public struct GPU: Codable, Sendable {
            public var reading: GPUReading
            public var health: GPUHealth
        }

        public var hostname: String
        public var backend: String
        public var gpus: [GPU]
    }

    public static func json(_ readings: [GPUReading], hostname: String, backend: String) throws -> String {
        let document = Document(
            hostname: hostname, backend: backend,
            gpus: readings.map { Document.GPU(reading: $0, health: GPUHealth.assess($0)) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }

    /// The table; `color` adds ANSI colours (with the verdict's word, so colour is never the only signal).
    public static func text(_ readings: [GPUReading], hostname: String, backend: String, color: Bool) -> String {
        let driver = readings.first?.identity.driverVersion ?? "?"
        let cuda = readings.first?.identity.cudaVersion ?? "?"
        var lines = ["\(hostname) · \(readings.count) GPU(s) · driver \(driver) · CUDA \(cuda) · via \(backend)", ""]
        let header = ["GPU", "Name", "Util", "Memory", "Temp", "Power", "Perf", "Throttle", "Health"]
        var rows: [[String]] = []
        var healthColumn: [GPUHealth] = []
        for reading in readings {
            let health = GPUHealth.assess(reading)
            healthColumn.append(health)
            let id = reading.identity
            guard !reading.isLost else {
                rows.append([String(id.index), id.name, "-", "-", "-", "-", "-", "-", health.status.rawValue])
                continue
            }
            rows.append([
                String(id.index), id.name,
                reading.gpuUtilizationPercent.map { "\(Int($0.rounded())) %" } ?? "n/a",
                memory(reading),
                reading.gpuTemperatureCelsius.map { "\(Int($0.rounded())) °C" } ?? "n/a",
                power(reading),
                reading.performanceState.map { "P\($0)" } ?? "n/a",
                reading.clockEventReasons.map { $0.names.filter { $0 != "gpu_idle" }.joined(separator: ",") } ?? "n/a",
                health.status.rawValue,
            ])
        }
        lines += table(
            header: header, rows: rows,
            color: color
                ? { row, column, text in
                    column == header.count - 1 && row < healthColumn.count
                        ? paint(text, healthColumn[row].status) : text
                } : nil)
        let problems = zip(readings, healthColumn).filter { $0.1.status != .ok }
        if !problems.isEmpty {
            lines.append("")
            for (reading, health) in problems {
                for finding in health.findings {
                    let word = color ? paint(finding.status.rawValue, finding.status) : finding.status.rawValue
                    lines.append("GPU \(reading.identity.index) \(word): \(finding.reason) — \(finding.action)")
                }
            }
        }
        let processes = readings.flatMap { reading in reading.processes.map { (reading.identity.index, $0) } }
        lines.append("")
        if processes.isEmpty {
            lines.append("No processes on the GPUs.")
        } else {
            let processRows = processes.map { gpu, process -> [String] in
                let owner =
                    process.slurmJobID.map { "job \($0)" } ?? process.kubernetesPodUID.map { "pod \($0)" }
                    ?? process.containerID.map { "container \($0.prefix(12))" } ?? "-"
                return [
                    String(gpu), String(process.pid), process.user ?? "-", owner, process.name ?? "-",
                    process.usedMemoryBytes.map { "\(Int($0 / 1_048_576)) MiB" } ?? "n/a",
                ]
            }
            lines += table(
                header: ["GPU", "PID", "User", "Job/Pod", "Process", "Memory"], rows: processRows, color: nil)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func memory(_ reading: GPUReading) -> String {
        guard let used = reading.memoryUsedBytes, let total = reading.memoryTotalBytes else { return "n/a" }
        return "\(Int(used / 1_048_576)) / \(Int(total / 1_048_576)) MiB"
    }

    private static func power(_ reading: GPUReading) -> String {
        guard let usage = reading.powerUsageWatts else { return "n/a" }
        guard let limit = reading.enforcedPowerLimitWatts ?? reading.powerLimitWatts else {
            return "\(Int(usage.rounded())) W"
        }
        return "\(Int(usage.rounded())) / \(Int(limit.rounded())) W"
    }

    private static func paint(_ text: String, _ status: GPUHealth.Status) -> String {
        let code =
            switch status {
            case .ok: "32"
            case .warn: "33"
            case .crit: "1;31"
            }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    /// Left-aligned columns separated by two spaces; `color` may decorate a cell after padding.
    private static func table(
        header: [String], rows: [[String]], color: ((Int, Int, String) -> String)?
    ) -> [String] {
        var widths = header.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        func render(_ cells: [String], row: Int?) -> String {
            cells.enumerated().map { column, cell in
                let padded =
                    column == cells.count - 1
                    ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                guard let row, let color else { return padded }
                return color(row, column, padded)
            }.joined(separator: "  ")
        }
        return [render(header, row: nil)] + rows.enumerated().map { render($1, row: $0) }
    }
}
