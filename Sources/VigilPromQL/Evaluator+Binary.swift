import VigilModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#else
    import Darwin
#endif

extension Evaluator {
    /// Go's float semantics for one operator; `keep` is false where a comparison fails.
    static func apply(_ op: BinaryOp, _ lhs: Double, _ rhs: Double) -> (value: Double, keep: Bool) {
        switch op {
        case .add: return (lhs + rhs, true)
        case .sub: return (lhs - rhs, true)
        case .mul: return (lhs * rhs, true)
        case .div: return (lhs / rhs, true)
        case .pow: return (goPow(lhs, rhs), true)
        case .mod: return (goMod(lhs, rhs), true)
        case .atan2: return (goAtan2(lhs, rhs), true)
        case .eql: return (lhs, lhs == rhs)
        case .neq: return (lhs, lhs != rhs)
        case .gtr: return (lhs, lhs > rhs)
        case .lss: return (lhs, lhs < rhs)
        case .gte: return (lhs, lhs >= rhs)
        case .lte: return (lhs, lhs <= rhs)
        case .and, .or, .unless: return (lhs, true)
        }
    }

    static func goMod(_ x: Double, _ y: Double) -> Double {
        if y == 0 || x.isInfinite || x.isNaN || y.isNaN { return .nan }
        return x.truncatingRemainder(dividingBy: y)
    }

    static func goPow(_ x: Double, _ y: Double) -> Double {
        // Go: Pow(x, ±0) = 1 for any x; Pow(1, y) = 1 for any y.
        if y == 0 || x == 1 { return 1 }
        return pow(x, y)
    }

    static func goAtan2(_ y: Double, _ x: Double) -> Double { atan2(y, x) }

    func evaluateBinary(_ b: BinaryExpr, at t: Int64) throws -> QueryValue {
        let lhs = try evaluate(b.lhs, at: t)
        let rhs = try evaluate(b.rhs, at: t)
        switch (lhs, rhs) {
        case (.scalar(let l, _), .scalar(let r, _)):
            let (v, keep) = Self.apply(b.op, l, r)
            if b.op.isComparison { return .scalar(keep ? 1 : 0, timestamp: t) }
            return .scalar(v, timestamp: t)
        case (.vector(let l), .scalar(let r, _)):
            return .vector(vectorScalar(b, l, r, swapped: false))
        case (.scalar(let l, _), .vector(let r)):
            return .vector(vectorScalar(b, r, l, swapped: true))
        case (.vector(let l), .vector(let r)):
            switch b.op {
            case .and: return .vector(and(l, r, b.matching))
            case .or: return .vector(or(l, r, b.matching))
            case .unless: return .vector(unless(l, r, b.matching))
            default: return .vector(try vectorVector(b, l, r, at: t))
            }
        default:
            throw PromQLError.execution("invalid binary operation")
        }
    }

    private func vectorScalar(_ b: BinaryExpr, _ vector: [VectorSample], _ scalar: Double, swapped: Bool)
        -> [VectorSample]
    {
        var out: [VectorSample] = []
        out.reserveCapacity(vector.count)
        let drop = !b.op.isComparison || b.returnBool
        for sample in vector {
            let (l, r) = swapped ? (scalar, sample.value) : (sample.value, scalar)
            var (value, keep) = Self.apply(b.op, l, r)
            if b.op.isComparison && swapped { value = sample.value }
            if b.returnBool {
                value = keep ? 1 : 0
                keep = true
            }
            guard keep else { continue }
            out.append(
                VectorSample(
                    labels: sample.labels, timestamp: sample.timestamp, value: value, dropName: sample.dropName || drop)
            )
        }
        return out
    }

    static func signature(_ labels: Labels, _ matching: VectorMatching?) -> Labels {
        guard let matching else { return labels.removing(metricNameLabel) }
        if matching.on {
            return Labels(labels.filter { matching.matchingLabels.contains($0.name) })
        }
        return Labels(labels.filter { $0.name != metricNameLabel && !matching.matchingLabels.contains($0.name) })
    }

    private func and(_ l: [VectorSample], _ r: [VectorSample], _ m: VectorMatching?) -> [VectorSample] {
        let right = Set(r.map { Self.signature($0.labels, m) })
        return l.filter { right.contains(Self.signature($0.labels, m)) }
    }

    private func or(_ l: [VectorSample], _ r: [VectorSample], _ m: VectorMatching?) -> [VectorSample] {
        let left = Set(l.map { Self.signature($0.labels, m) })
        return l + r.filter { !left.contains(Self.signature($0.labels, m)) }
    }

    private func unless(_ l: [VectorSample], _ r: [VectorSample], _ m: VectorMatching?) -> [VectorSample] {
        let right = Set(r.map { Self.signature($0.labels, m) })
        return l.filter { !right.contains(Self.signature($0.labels, m)) }
    }

    private func vectorVector(_ b: BinaryExpr, _ lhsIn: [VectorSample], _ rhsIn: [VectorSample], at t: Int64) throws
        -> [VectorSample]
    {
        let matching = b.matching ?? VectorMatching(cardinality: .oneToOne)
        if matching.cardinality == .manyToMany {
            throw PromQLError.execution("many-to-many only allowed for set operators")
        }
        var lhs = lhsIn
        var rhs = rhsIn
        let swapped = matching.cardinality == .oneToMany
        if swapped { swap(&lhs, &rhs) }
        var rightBySignature: [Labels: VectorSample] = [:]
        for sample in rhs {
            let sig = Self.signature(sample.labels, matching)
            if let existing = rightBySignature[sig] {
                let side = swapped ? "left" : "right"
                let a = existing.identity.description
                let c = sample.identity.description
                throw PromQLError.execution(
                    "found duplicate series for the match group \(sig.description) on the \(side) hand-side of the operation: [\(a), \(c)];many-to-many matching not allowed: matching labels must be unique on one side"
                )
            }
            rightBySignature[sig] = sample
        }
        var matchedSignatures: [Labels: Bool] = [:]
        var inserted = Set<Labels>()
        var out: [VectorSample] = []
        let dropName = !b.op.isComparison || b.returnBool
        for sample in lhs {
            let sig = Self.signature(sample.labels, matching)
            guard let other = rightBySignature[sig] else { continue }
            let (l, r) = swapped ? (other.value, sample.value) : (sample.value, other.value)
            var (value, keep) = Self.apply(b.op, l, r)
            if b.returnBool {
                value = keep ? 1 : 0
                keep = true
            }
            var labels = resultLabels(sample.labels, other.labels, matching, dropName: false)
            if matching.cardinality == .oneToOne {
                if matchedSignatures[sig] != nil {
                    throw PromQLError.execution(
                        "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
                }
                matchedSignatures[sig] = true
            }
            guard keep else { continue }
            var drop = sample.dropName || dropName
            if dropName && matching.cardinality != .oneToOne {
                labels = labels.removing(metricNameLabel)
                drop = false
            }
            if matching.cardinality != .oneToOne {
                let key = drop ? labels.removing(metricNameLabel) : labels
                if !inserted.insert(key).inserted {
                    throw PromQLError.execution(
                        "multiple matches for labels: grouping labels must ensure unique matches")
                }
            }
            out.append(VectorSample(labels: labels, timestamp: t, value: value, dropName: drop))
        }
        return out
    }

    private func resultLabels(_ l: Labels, _ r: Labels, _ matching: VectorMatching, dropName: Bool) -> Labels {
        var labels = l
        if matching.cardinality == .oneToOne {
            if matching.on {
                labels = Labels(labels.filter { matching.matchingLabels.contains($0.name) })
            } else {
                labels = Labels(labels.filter { !matching.matchingLabels.contains($0.name) })
            }
        }
        for name in matching.include {
            if let value = r[name], !value.isEmpty {
                labels = labels.setting(name, to: value)
            } else {
                labels = labels.removing(name)
            }
        }
        return labels
    }
}
