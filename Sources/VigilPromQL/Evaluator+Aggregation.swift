import VigilModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#else
    import Darwin
#endif

/// Kahan-Babuška summation step, as Prometheus's `kahanSumInc`.
func kahanSumInc(_ inc: Double, _ sum: Double, _ c: Double) -> (Double, Double) {
    let t = sum + inc
    var c = c
    if t.isInfinite {
        c = 0
    } else if abs(sum) >= abs(inc) {
        c += (sum - t) + inc
    } else {
        c += (inc - t) + sum
    }
    return (t, c)
}

/// Prometheus's `quantile` over unsorted values (linear interpolation between closest ranks).
func promQuantile(_ q: Double, _ values: [Double]) -> Double {
    if values.isEmpty || q.isNaN { return .nan }
    if q < 0 { return -.infinity }
    if q > 1 { return .infinity }
    let sorted = values.sorted { $0 < $1 || ($0.isNaN && !$1.isNaN) }
    let n = Double(sorted.count)
    let rank = q * (n - 1)
    let lower = max(0, Int(rank.rounded(.down)))
    let upper = min(sorted.count - 1, lower + 1)
    let weight = rank - rank.rounded(.down)
    return sorted[lower] * (1 - weight) + sorted[upper] * weight
}

extension Evaluator {
    static func groupingKey(_ labels: Labels, _ grouping: [String], without: Bool) -> Labels {
        if without {
            return Labels(labels.filter { $0.name != metricNameLabel && !grouping.contains($0.name) })
        }
        return Labels(labels.filter { grouping.contains($0.name) })
    }

    func evaluateAggregate(_ a: AggregateExpr, at t: Int64) throws -> QueryValue {
        var parameter: Double = 0
        var labelName = ""
        if let param = a.param {
            if a.op == .countValues {
                guard case .stringLiteral(let literal) = Self.unwrap(param) ?? param else {
                    labelName = try string(param, at: t)
                    return try aggregate(a, at: t, parameter: 0, labelName: labelName)
                }
                if !literal.isValidUTF8 || literal.bytes.isEmpty {
                    throw PromQLError.execution("invalid label name \(literal.goQuoted)")
                }
                labelName = literal.value
            } else {
                parameter = try scalar(param, at: t)
            }
        }
        return try aggregate(a, at: t, parameter: parameter, labelName: labelName)
    }

    static func unwrap(_ e: Expr) -> Expr? {
        var e = e
        while case .paren(let p) = e { e = p.expr }
        return e
    }

    private struct Group {
        var labels: Labels
        var dropName: Bool
        var samples: [VectorSample] = []
    }

    private func aggregate(_ a: AggregateExpr, at t: Int64, parameter: Double, labelName: String) throws -> QueryValue {
        let input = try vector(a.expr, at: t)
        var order: [Labels] = []
        var groups: [Labels: Group] = [:]
        for sample in input {
            let key = Self.groupingKey(sample.labels, a.grouping, without: a.without)
            if groups[key] == nil {
                order.append(key)
                groups[key] = Group(labels: key, dropName: false)
            }
            groups[key]!.samples.append(sample)
        }
        var out: [VectorSample] = []
        switch a.op {
        case .topk, .bottomk, .limitk:
            if parameter.isNaN { throw PromQLError.execution("Parameter value is NaN") }
            if parameter >= 9.223372036854775807e18 || parameter < -9.223372036854775807e18 {
                throw PromQLError.execution("Scalar value \(GoStrconv.formatShortest(parameter)) overflows int64")
            }
            let k = Int(parameter)
            guard k >= 1 else { return .vector([]) }
            for key in order {
                let members = groups[key]!.samples
                if a.op == .limitk {
                    out.append(contentsOf: members.prefix(k))
                    continue
                }
                let top = a.op == .topk
                let sorted = members.enumerated().sorted { x, y in
                    let l = x.element.value
                    let r = y.element.value
                    if l.isNaN != r.isNaN { return r.isNaN }
                    if l != r && !l.isNaN { return top ? l > r : l < r }
                    return x.offset < y.offset
                }
                out.append(
                    contentsOf: sorted.prefix(k).map {
                        var s = $0.element
                        s.timestamp = t
                        return s
                    })
            }
            return .vector(out)
        case .limitRatio:
            var ratio = parameter
            if ratio.isNaN { throw PromQLError.execution("Ratio value is NaN") }
            if ratio < -1 || ratio > 1 {
                let capped: Double = ratio < -1 ? -1 : 1
                warn(
                    "PromQL warning: ratio value should be between -1 and 1, got \(GoStrconv.formatShortest(ratio)), capping to \(GoStrconv.formatShortest(capped))"
                )
                ratio = capped
            }
            for key in order {
                for sample in groups[key]!.samples {
                    let offset = Double(sample.labels.prometheusHash) / Double(UInt64.max)
                    if (ratio >= 0 && offset < ratio) || (ratio < 0 && offset >= 1 + ratio) { out.append(sample) }
                }
            }
            return .vector(out)
        case .countValues:
            var counts: [Labels: Int] = [:]
            var countOrder: [Labels] = []
            for key in order {
                for sample in groups[key]!.samples {
                    let labels = key.setting(labelName, to: GoStrconv.formatShortest(sample.value))
                    if counts[labels] == nil { countOrder.append(labels) }
                    counts[labels, default: 0] += 1
                }
            }
            return .vector(countOrder.map { VectorSample(labels: $0, timestamp: t, value: Double(counts[$0]!)) })
        case .quantile:
            if parameter.isNaN || parameter < 0 || parameter > 1 {
                warn(
                    "PromQL warning: quantile value should be between 0 and 1, got \(GoStrconv.formatShortest(parameter))"
                )
            }
        default: break
        }
        for key in order {
            let group = groups[key]!
            let values = group.samples.map(\.value)
            let value: Double
            switch a.op {
            case .sum:
                var sum = 0.0
                var c = 0.0
                for v in values { (sum, c) = kahanSumInc(v, sum, c) }
                value = sum + c
            case .avg: value = Self.average(values)
            case .count: value = Double(values.count)
            case .group: value = 1
            case .min:
                var m = values[0]
                for v in values.dropFirst() where m > v || m.isNaN { m = v }
                value = m
            case .max:
                var m = values[0]
                for v in values.dropFirst() where m < v || m.isNaN { m = v }
                value = m
            case .stddev, .stdvar:
                var count = 0.0
                var mean = 0.0
                var m2 = 0.0
                for v in values {
                    count += 1
                    let delta = v - mean
                    mean += delta / count
                    m2 += delta * (v - mean)
                }
                value = a.op == .stdvar ? m2 / count : (m2 / count).squareRoot()
            case .quantile: value = promQuantile(parameter, values)
            default: value = 0
            }
            // Grouped by a name that is to be dropped: the clash shows when the result is produced.
            let drop = !a.without && a.grouping.contains(metricNameLabel) && group.samples.contains(where: \.dropName)
            out.append(VectorSample(labels: group.labels, timestamp: t, value: value, dropName: drop))
        }
        return .vector(out)
    }

    /// Prometheus's `avg` over non-empty `values`.
    static func average(_ values: [Double]) -> Double {
        var mean = MeanAccumulator(values[0])
        for v in values.dropFirst() { mean.add(v) }
        return mean.value
    }
}

/// Prometheus's `avg`, one value at a time: a Kahan sum, switching to an incremental mean when the sum
/// overflows.
struct MeanAccumulator {
    private var first: Double
    private var sum: Double
    private var c = 0.0
    private var mean = 0.0
    private var incremental = false
    private(set) var count = 1.0

    init(_ first: Double) {
        self.first = first
        sum = first
    }

    mutating func add(_ v: Double) {
        count += 1
        if !incremental {
            let (s, nc) = kahanSumInc(v, sum, c)
            if !s.isInfinite {
                sum = s
                c = nc
                return
            }
            incremental = true
            mean = sum / (count - 1)
            c /= count - 1
        }
        if mean.isInfinite {
            if v.isInfinite && (mean > 0) == (v > 0) { return }
            if !v.isInfinite && !v.isNaN { return }
        }
        let current = mean + c
        (mean, c) = kahanSumInc(v / count - current / count, mean, c)
    }

    var value: Double {
        if incremental { return mean + c }
        if count == 1 { return first }
        return sum / count + c / count
    }
}
