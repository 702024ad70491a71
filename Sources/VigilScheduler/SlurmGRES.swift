/// GPU counts out of Slurm's TRES and GRES strings.
///
/// TRES: `cpu=1,mem=1000M,node=1,billing=1,gres/gpu=2,gres/gpu:h100=2` (the untyped `gres/gpu` total
/// when present, else the sum of the typed ones). GRES: `gpu:h100:8(IDX:0-7)`, `gpu:4`,
/// `gres:gpu:h100:2` (22.05 `tres_per_node`), `gres/gpu:4` (24.11), lists separated by commas.
public enum SlurmGRES {
    /// GPUs in a TRES string, nil when it names none.
    public static func gpus(fromTRES text: String) -> Int? {
        var untyped: Int?
        var typed = 0
        var sawTyped = false
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let count = parseCount(parts[1]) else { continue }
            let key = parts[0].trimmingPrefix(while: { $0 == " " })
            if key == "gres/gpu" {
                untyped = count
            } else if key.hasPrefix("gres/gpu:") {
                typed += count
                sawTyped = true
            }
        }
        return untyped ?? (sawTyped ? typed : nil)
    }

    /// GPUs in a GRES string, nil when it names none.
    public static func gpus(fromGRES text: String) -> Int? {
        var total: Int?
        for item in splitTopLevel(text) {
            var spec = Substring(item)
            if let paren = spec.firstIndex(of: "(") { spec = spec[..<paren] }
            if spec.hasPrefix("gres:") || spec.hasPrefix("gres/") { spec = spec.dropFirst(5) }
            let fields = spec.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.first == "gpu" else { continue }
            // gpu → 1; gpu:N; gpu:type:N; a typed entry with no count (gpu:h100) means 1.
            let count: Int
            if fields.count == 1 {
                count = 1
            } else if let last = fields.last, let number = parseCount(last) {
                count = number
            } else {
                count = 1
            }
            total = (total ?? 0) + count
        }
        return total
    }

    /// The GPU indices listed in a GRES detail string (`gpu:h100:8(IDX:0-7)`), in order.
    public static func gpuIndices(fromGRES text: String) -> [Int] {
        var indices: [Int] = []
        for item in splitTopLevel(text) {
            guard item.hasPrefix("gpu"), let open = item.firstIndex(of: "(") else { continue }
            var list = item[item.index(after: open)...]
            guard list.hasPrefix("IDX:") else { continue }
            list = list.dropFirst(4)
            if let close = list.firstIndex(of: ")") { list = list[..<close] }
            for range in list.split(separator: ",") {
                let bounds = range.split(separator: "-")
                if bounds.count == 1, let one = Int(bounds[0]) {
                    indices.append(one)
                } else if bounds.count == 2, let low = Int(bounds[0]), let high = Int(bounds[1]), low <= high {
                    indices.append(contentsOf: low...high)
                }
            }
        }
        return indices
    }

    /// Splits on commas outside parentheses (`gpu:a:2(IDX:0,2),gpu:b:1(IDX:5)`).
    static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(": depth += 1
            case ")": depth = max(0, depth - 1)
            case "," where depth == 0:
                parts.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        if !current.isEmpty { parts.append(current) }
        return parts.filter { !$0.isEmpty && $0 != "N/A" && $0 != "(null)" }
    }

    /// A count with an optional K/M/G suffix as TRES writes them.
    static func parseCount(_ text: Substring) -> Int? {
        if let plain = Int(text) { return plain }
        guard let last = text.last, let base = Int(text.dropLast()) else { return nil }
        switch last {
        case "K", "k": return base * 1024
        case "M", "m": return base * 1024 * 1024
        case "G", "g": return base * 1024 * 1024 * 1024
        default: return nil
        }
    }
}
