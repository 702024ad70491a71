extension SlurmDecoder {
    /// The GPU allocations of every job in `scontrol -d show job -o` (or its multi-line form): one per job
    /// and node that holds GPUs with known indices. Jobs without a `Nodes=… GRES=…(IDX:…)` detail (pending,
    /// finished, GPU-less, or `scontrol` without `-d`) yield none.
    ///
    /// - Throws: ``SchedulerError`` with the line, column and key: `malformed_text` for a line that is not
    ///   `Key=Value` pairs, `missing_key` for a record without `JobId`, `invalid_value` for a job id that is
    ///   not a number, a node list that does not expand, or an unreadable `IDX:` list.
    public static func allocations(scontrolJobs text: String) throws(SchedulerError) -> [SlurmJobAllocation] {
        var allocations: [SlurmJobAllocation] = []
        for record in try SlurmKeyValueRecord.parse(text, recordKey: "JobId") {
            guard let idField = record.field("JobId") else {
                throw SchedulerError(.missingKey, "the job has no JobId", keyPath: "JobId", line: record.line)
            }
            guard let id = Int64(idField.value), id >= 0 else {
                throw invalid(idField, "JobId \"\(idField.value)\" is not a job number")
            }
            let user = userName(record["UserId"] ?? "")
            let account = nullable(record["Account"] ?? "")
            let partition = nullable(record["Partition"] ?? "")
            var nodes: [String]?
            for field in record.fields {
                switch field.key {
                case "Nodes":
                    guard let expanded = SlurmHostlist.expand(field.value), !expanded.isEmpty else {
                        throw invalid(field, "node list \"\(field.value)\" does not expand to host names")
                    }
                    nodes = expanded
                case "GRES":
                    guard let nodes else { continue }  // only the per-node detail line, after its Nodes=
                    let indices = try gpuIndices(field)
                    guard !indices.isEmpty else { continue }
                    for node in nodes {
                        allocations.append(
                            SlurmJobAllocation(
                                jobID: String(id), user: user, account: account, partition: partition, node: node,
                                gpuIndices: indices))
                    }
                default: continue
                }
            }
        }
        return allocations
    }

    /// Nodes from `scontrol show node -o` (or its multi-line form).
    ///
    /// - Throws: ``SchedulerError`` with the line and key: `malformed_text` for a line that is not
    ///   `Key=Value` pairs, `missing_key` without `NodeName`/`State`, `unknown_state`, `invalid_value` for
    ///   a count that is not a number.
    public static func nodes(scontrolNodes text: String) throws(SchedulerError) -> [SlurmNode] {
        var nodes: [SlurmNode] = []
        for record in try SlurmKeyValueRecord.parse(text, recordKey: "NodeName") {
            guard let name = record["NodeName"], !name.isEmpty else {
                throw SchedulerError(.missingKey, "the node has no NodeName", keyPath: "NodeName", line: record.line)
            }
            guard let stateField = record.field("State") else {
                throw SchedulerError(
                    .missingKey, "node \(name) has no State", keyPath: "State", line: record.line)
            }
            var state: SlurmNodeState
            do {
                state = try SlurmNodeState(
                    names: stateField.value.split(separator: "+").map(String.init), keyPath: "State")
            } catch {
                var located = error
                located.line = stateField.line
                located.column = stateField.column
                throw located
            }
            func count(_ key: String) throws(SchedulerError) -> Int64 {
                guard let field = record.field(key), !field.value.isEmpty, field.value != "N/A" else { return 0 }
                guard let value = Int64(field.value) else {
                    throw invalid(field, "\(key) \"\(field.value)\" is not a number")
                }
                return value
            }
            let mebibyte: Int64 = 1024 * 1024
            nodes.append(
                SlurmNode(
                    name: name, state: state, reason: reasonText(record["Reason"] ?? ""),
                    partitions: (record["Partitions"] ?? "").split(separator: ",").map(String.init),
                    cpusTotal: try count("CPUTot"), cpusAllocated: try count("CPUAlloc"),
                    memoryTotalBytes: try count("RealMemory") * mebibyte,
                    memoryAllocatedBytes: try count("AllocMem") * mebibyte,
                    gpusTotal: SlurmGRES.gpus(fromGRES: record["Gres"] ?? "") ?? 0,
                    gpusAllocated: SlurmGRES.gpus(fromTRES: record["AllocTRES"] ?? "") ?? 0))
        }
        return nodes
    }

    /// The GPU indices of a per-node `GRES=` detail: `gpu(IDX:0-3)`, `gpu:h100:8(IDX:0-7)`,
    /// `gpu:a:2(IDX:0,2-3),gpu:b:1(IDX:5)`; other GRES (`nic:1`) and `IDX:N/A` contribute none.
    static func gpuIndices(_ field: SlurmKeyValueRecord.Field) throws(SchedulerError) -> [Int] {
        var indices: Set<Int> = []
        for item in SlurmGRES.splitTopLevel(field.value) {
            guard item == "gpu" || item.hasPrefix("gpu:") || item.hasPrefix("gpu(") else { continue }
            guard let open = item.firstIndex(of: "(") else { continue }
            guard item.hasSuffix(")") else { throw invalid(field, "\"\(item)\" has no closing parenthesis") }
            var list = item[item.index(after: open)..<item.index(before: item.endIndex)]
            guard list.hasPrefix("IDX:") else { continue }
            list = list.dropFirst(4)
            if list == "N/A" { continue }
            for range in list.split(separator: ",", omittingEmptySubsequences: false) {
                let bounds = range.split(separator: "-", omittingEmptySubsequences: false)
                if bounds.count == 1, let one = Int(bounds[0]), one >= 0 {
                    indices.insert(one)
                } else if bounds.count == 2, let low = Int(bounds[0]), let high = Int(bounds[1]), 0 <= low,
                    low <= high, high - low < 4096
                {
                    indices.formUnion(low...high)
                } else {
                    throw invalid(field, "GPU index list \"\(list)\" in \"\(item)\": expected N, N-M or N,M-K")
                }
            }
        }
        return indices.sorted()
    }

    /// `test [root@2026-11-29T15:46:25]` → `test`, as the JSON's `reason` (who and when are left out).
    static func reasonText(_ text: String) -> String {
        let reason = nullable(text)
        guard reason.hasSuffix("]"), let open = reason.lastIndex(of: "["), open > reason.startIndex,
            reason[reason.index(before: open)] == " ", reason[open...].contains("@")
        else { return reason }
        return String(reason[..<reason.index(before: open)])
    }

    /// `alice(1001)` → `alice`.
    static func userName(_ text: String) -> String {
        if let paren = text.firstIndex(of: "(") { return String(text[..<paren]) }
        return text
    }

    /// `(null)` and `N/A` → empty.
    static func nullable(_ text: String) -> String { text == "(null)" || text == "N/A" ? "" : text }

    static func invalid(_ field: SlurmKeyValueRecord.Field, _ message: String) -> SchedulerError {
        SchedulerError(.invalidValue, message, keyPath: field.key, line: field.line, column: field.column)
    }
}
