import VigilModel

/// `node_memory_*` from `/proc/meminfo`, named as node_exporter names them: `Active(anon)` becomes
/// `node_memory_Active_anon_bytes`; lines in kB are converted to bytes and get `_bytes`; unitless
/// lines (`HugePages_Total`) keep their name.
public struct MemoryCollector: Collector {
    public let name = "meminfo"

    public init() {}

    public func collect(into output: inout CollectorOutput) {
        let path = output.paths.proc("meminfo")
        guard let text = output.readText(path) else { return }
        for (lineIndex, line) in text.lines.enumerated() {
            let fields = line.fields
            guard fields.count == 2 || fields.count == 3, fields[0].last == ":", var value = Double(fields[1]) else {
                output.report(path, "line \(lineIndex + 1): malformed line \"\(line.prefix(80))\"")
                continue
            }
            var key = String(fields[0].dropLast())
                .replacingParentheses()
            if fields.count == 3 {
                guard fields[2] == "kB" else {
                    output.report(path, "line \(lineIndex + 1): unknown unit \"\(fields[2])\"")
                    continue
                }
                value *= 1024
                key += "_bytes"
            }
            guard
                key.utf8.allSatisfy({
                    $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
                })
            else {
                output.report(path, "line \(lineIndex + 1): key \"\(key)\" is not a valid metric name part")
                continue
            }
            output.metrics.gauge(
                "node_memory_" + key, help: "Memory information field \(key).", value: value)
        }
    }
}

extension String {
    /// `Active(anon)` → `Active_anon`, as node_exporter rewrites meminfo keys.
    fileprivate func replacingParentheses() -> String {
        guard let open = firstIndex(of: "("), let close = lastIndex(of: ")"), open < close else { return self }
        return String(self[..<open]) + "_" + String(self[index(after: open)..<close])
            + String(self[index(after: close)...])
    }
}
