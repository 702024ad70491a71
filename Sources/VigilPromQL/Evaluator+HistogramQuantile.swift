import VigilModel

extension Evaluator {
    func histogramQuantile(_ args: [Expr], at t: Int64) throws -> [VectorSample] {
        let q = try scalar(args[0], at: t)
        let input = try vector(args[1], at: t)
        if q.isNaN || q < 0 || q > 1 {
            warn("PromQL warning: quantile value should be between 0 and 1, got \(GoStrconv.formatShortest(q))")
        }
        var order: [Labels] = []
        var groups: [Labels: [(upper: Double, count: Double)]] = [:]
        var names: [Labels: String] = [:]
        for sample in input {
            guard let le = sample.labels["le"], let upper = Self.parseGoFloat(le) else {
                warn(
                    "PromQL warning: bucket label \"le\" is missing or has a malformed value of \(GoStrconv.quote(sample.labels["le"] ?? "")) for metric name \(GoStrconv.quote(sample.labels.metricName ?? ""))"
                )
                continue
            }
            let key = sample.labels.removing("le").removing(metricNameLabel)
            if groups[key] == nil {
                order.append(key)
                groups[key] = []
                names[key] = sample.labels.metricName ?? ""
            }
            groups[key]!.append((upper, sample.value))
        }
        var out: [VectorSample] = []
        for key in order {
            let (value, forced) = Self.bucketQuantile(q, groups[key]!)
            if forced {
                info(
                    "PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name \(GoStrconv.quote(names[key] ?? ""))"
                )
            }
            out.append(VectorSample(labels: key, timestamp: t, value: value))
        }
        return out
    }

    static func parseGoFloat(_ text: String) -> Double? {
        switch text.lowercased() {
        case "+inf", "inf", "+infinity", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan": return .nan
        default: break
        }
        if case .value(let v) = GoStrconv.parseFloat(text) { return v }
        return nil
    }

    static func bucketQuantile(_ q: Double, _ input: [(upper: Double, count: Double)]) -> (Double, Bool) {
        if q.isNaN { return (.nan, false) }
        if q < 0 { return (-.infinity, false) }
        if q > 1 { return (.infinity, false) }
        let sorted = input.sorted { $0.upper < $1.upper }
        guard let last = sorted.last, last.upper == .infinity else { return (.nan, false) }
        var buckets: [(upper: Double, count: Double)] = []
        for b in sorted {
            if let l = buckets.last, l.upper == b.upper {
                buckets[buckets.count - 1].count += b.count
            } else {
                buckets.append(b)
            }
        }
        var forced = false
        var previous = buckets[0].count
        for i in 1..<buckets.count {
            let current = buckets[i].count
            if current == previous { continue }
            if almostEqual(previous, current, 1e-12) {
                buckets[i].count = previous
                continue
            }
            if current < previous {
                buckets[i].count = previous
                forced = true
                continue
            }
            previous = current
        }
        guard buckets.count >= 2 else { return (.nan, forced) }
        let observations = buckets[buckets.count - 1].count
        guard observations != 0 else { return (.nan, forced) }
        var rank = q * observations
        var b = 0
        while b < buckets.count - 1 && !(buckets[b].count >= rank) { b += 1 }
        if b == buckets.count - 1 { return (buckets[buckets.count - 2].upper, forced) }
        if b == 0 && buckets[0].upper <= 0 { return (buckets[0].upper, forced) }
        var bucketStart = 0.0
        let bucketEnd = buckets[b].upper
        var count = buckets[b].count
        if b > 0 {
            bucketStart = buckets[b - 1].upper
            count -= buckets[b - 1].count
            rank -= buckets[b - 1].count
        }
        return (bucketStart + (bucketEnd - bucketStart) * (rank / count), forced)
    }

    static func almostEqual(_ a: Double, _ b: Double, _ epsilon: Double) -> Bool {
        if a == b { return true }
        let minNormal = Double(bitPattern: 0x0010_0000_0000_0000)
        let absSum = abs(a) + abs(b)
        let diff = abs(a - b)
        if a == 0 || b == 0 || absSum < minNormal { return diff < epsilon * minNormal }
        return diff / min(absSum, Double.greatestFiniteMagnitude) < epsilon
    }
}
