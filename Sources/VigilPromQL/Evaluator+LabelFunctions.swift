import VigilModel

extension Evaluator {
    private func literalBytes(_ e: Expr, at t: Int64) throws -> (String, valid: Bool) {
        if case .stringLiteral(let s) = Self.unwrap(e) ?? e { return (s.value, s.isValidUTF8 && !s.bytes.isEmpty) }
        let s = try string(e, at: t)
        return (s, !s.isEmpty)
    }

    func labelReplace(_ args: [Expr], at t: Int64) throws -> [VectorSample] {
        let input = try vector(args[0], at: t)
        let (dst, dstValid) = try literalBytes(args[1], at: t)
        let replacement = try string(args[2], at: t)
        let (src, srcValid) = try literalBytes(args[3], at: t)
        let pattern = try string(args[4], at: t)
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex("(?s)^(?:" + pattern.replacing("(?P<", with: "(?<") + ")$")
        } catch {
            throw PromQLError.execution("invalid regular expression in label_replace(): \(pattern)")
        }
        if !dstValid { throw PromQLError.execution("invalid destination label name in label_replace(): \(dst)") }
        if !srcValid { throw PromQLError.execution("invalid source label name in label_replace(): \(src)") }
        var out: [VectorSample] = []
        for sample in input {
            let value = sample.labels[src] ?? ""
            guard let match = try? regex.wholeMatch(in: value) else {
                out.append(sample)
                continue
            }
            func group(_ name: String) -> String {
                if let index = Int(name) {
                    guard index < match.output.count else { return "" }
                    return match.output[index].substring.map(String.init) ?? ""
                }
                return match.output[name]?.substring.map(String.init) ?? ""
            }
            let result = Self.expand(replacement, group)
            var s = sample
            s.labels = result.isEmpty ? s.labels.removing(dst) : s.labels.setting(dst, to: result)
            if dst == metricNameLabel { s.dropName = false }
            out.append(s)
        }
        return out
    }

    /// Go's `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}`, `$$`.
    static func expand(_ template: String, _ group: (String) -> String) -> String {
        let b = Array(template.utf8)
        var out: [UInt8] = []
        var i = 0
        func isName(_ c: UInt8) -> Bool {
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95
        }
        while i < b.count {
            guard b[i] == UInt8(ascii: "$") else {
                out.append(b[i])
                i += 1
                continue
            }
            if i + 1 < b.count && b[i + 1] == UInt8(ascii: "$") {
                out.append(b[i])
                i += 2
                continue
            }
            var j = i + 1
            var braces = false
            if j < b.count && b[j] == UInt8(ascii: "{") {
                braces = true
                j += 1
            }
            let start = j
            while j < b.count && isName(b[j]) { j += 1 }
            if j == start || (braces && (j >= b.count || b[j] != UInt8(ascii: "}"))) {
                out.append(b[i])
                i += 1
                continue
            }
            let name = String(decoding: b[start..<j], as: UTF8.self)
            out.append(contentsOf: group(name).utf8)
            i = braces ? j + 1 : j
        }
        return String(decoding: out, as: UTF8.self)
    }

    func labelJoin(_ args: [Expr], at t: Int64) throws -> [VectorSample] {
        let input = try vector(args[0], at: t)
        let (dst, dstValid) = try literalBytes(args[1], at: t)
        let separator = try string(args[2], at: t)
        var sources: [String] = []
        for arg in args.dropFirst(3) {
            let (src, valid) = try literalBytes(arg, at: t)
            if !valid { throw PromQLError.execution("invalid source label name in label_join(): \(src)") }
            sources.append(src)
        }
        if !dstValid { throw PromQLError.execution("invalid destination label name in label_join(): \(dst)") }
        return input.map { sample in
            let value = sources.map { sample.labels[$0] ?? "" }.joined(separator: separator)
            var s = sample
            s.labels = value.isEmpty ? s.labels.removing(dst) : s.labels.setting(dst, to: value)
            if dst == metricNameLabel { s.dropName = false }
            return s
        }
    }
}
