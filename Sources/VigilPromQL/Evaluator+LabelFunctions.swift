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
            let result = RegexTemplate.expand(replacement) { reference in
                switch reference {
                case .number(let index):
                    guard index < match.output.count else { return "" }
                    return match.output[index].substring.map(String.init) ?? ""
                case .name(let name):
                    return match.output[name]?.substring.map(String.init) ?? ""
                }
            }
            var s = sample
            s.labels = result.isEmpty ? s.labels.removing(dst) : s.labels.setting(dst, to: result)
            if dst == metricNameLabel { s.dropName = false }
            out.append(s)
        }
        return out
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
