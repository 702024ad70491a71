/// Slurm's hostlist expressions (`gpu-node-[01-04,07]`, `rack[1-2]-n[1-2]`, `a,b`), as `scontrol show
/// hostnames` expands them.
public enum SlurmHostlist {
    /// The most names one expression may expand to; a larger one is treated as malformed.
    public static let maxNames = 65_536

    /// The host names in order, ranges keeping their zero padding (`[08-10]` gives 08, 09, 10); nil when
    /// the expression is malformed (unbalanced brackets, a range that runs backwards, a bound that is not
    /// a number) or expands to more than ``maxNames`` names. An empty expression has no names.
    public static func expand(_ expression: String) -> [String]? {
        guard let parts = topLevelParts(expression) else { return nil }
        var names: [String] = []
        for part in parts {
            guard !part.isEmpty, let expanded = expandPart(Substring(part)) else { return nil }
            names += expanded
            if names.count > maxNames { return nil }
        }
        return names
    }

    /// Splits at commas outside brackets; nil when brackets do not balance.
    static func topLevelParts(_ expression: String) -> [String]? {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in expression {
            switch character {
            case "[": depth += 1
            case "]":
                depth -= 1
                if depth < 0 { return nil }
            case "," where depth == 0:
                parts.append(current)
                current = ""
                continue
            default: break
            }
            if depth > 1 { return nil }
            current.append(character)
        }
        guard depth == 0 else { return nil }
        if !current.isEmpty || !parts.isEmpty { parts.append(current) }
        return parts
    }

    /// Expands the first bracket group of `part` and, recursively, the rest.
    static func expandPart(_ part: Substring) -> [String]? {
        guard let open = part.firstIndex(of: "[") else {
            return part.contains("]") ? nil : [String(part)]
        }
        guard let close = part[open...].firstIndex(of: "]") else { return nil }
        let prefix = part[..<open]
        guard let suffixes = expandPart(part[part.index(after: close)...]) else { return nil }
        var names: [String] = []
        for item in part[part.index(after: open)..<close].split(separator: ",", omittingEmptySubsequences: false) {
            guard let values = expandRange(item) else { return nil }
            for value in values {
                for suffix in suffixes {
                    names.append(prefix + value + suffix)
                    if names.count > maxNames { return nil }
                }
            }
        }
        return names
    }

    /// `07` → [07]; `08-10` → [08, 09, 10] with the lower bound's width.
    static func expandRange(_ item: Substring) -> [String]? {
        let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            return nil
        }
        switch bounds.count {
        case 1: return [String(item)]
        case 2:
            guard let low = Int(bounds[0]), let high = Int(bounds[1]), low <= high, high - low < maxNames else {
                return nil
            }
            let width = bounds[0].count
            return (low...high).map { value in
                let digits = String(value)
                return String(repeating: "0", count: max(0, width - digits.count)) + digits
            }
        default: return nil
        }
    }
}
