import VigilModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#else
    import Darwin
#endif

extension Evaluator {
    /// The range (ms) and the end of the window (ms) of a function's range-vector argument.
    private func window(_ arg: Expr, at t: Int64) -> (range: Int64, end: Int64) {
        switch Self.unwrap(arg) ?? arg {
        case .matrixSelector(let m):
            return (m.rangeMilliseconds, referenceTime(m.vectorSelector.at, t) - m.vectorSelector.offsetMilliseconds)
        case .subquery(let s):
            return (s.rangeMilliseconds, referenceTime(s.at, t) - s.offsetMilliseconds)
        default: return (0, t)
        }
    }

    func rangeFunction(_ call: Call, at t: Int64) throws -> [VectorSample] {
        let name = call.function.name
        let matrixIndex = call.function.argTypes.firstIndex(of: .matrix) ?? 0
        let matrixArg = call.args[matrixIndex]
        var scalars: [Double] = []
        for (i, arg) in call.args.enumerated() where i != matrixIndex { scalars.append(try scalar(arg, at: t)) }
        let input = try matrix(matrixArg, at: t)
        let (range, rangeEnd) = window(matrixArg, at: t)
        if name == "quantile_over_time", let q = scalars.first, q.isNaN || q < 0 || q > 1 {
            if !input.isEmpty {
                warn("PromQL warning: quantile value should be between 0 and 1, got \(GoStrconv.formatShortest(q))")
            }
        }
        if name == "double_exponential_smoothing" {
            for (i, f) in scalars.enumerated() where !(f > 0 && f < 1) {
                throw PromQLError.execution(
                    "invalid \(i == 0 ? "smoothing" : "trend") factor. Expected: 0 < \(i == 0 ? "sf" : "tf") < 1, got: \(GoStrconv.formatFixed(f, decimals: 6))"
                )
            }
        }
        var out: [VectorSample] = []
        for series in input {
            let p = series.samples
            guard !p.isEmpty else { continue }
            var value: Double?
            switch name {
            case "rate", "increase", "delta":
                if name != "delta", let metric = series.labels.metricName,
                    !["_total", "_sum", "_count", "_bucket"].contains(where: { metric.hasSuffix($0) })
                {
                    info(
                        "PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \(GoStrconv.quote(metric))"
                    )
                }
                value = Self.extrapolatedRate(
                    p, isCounter: name != "delta", isRate: name == "rate", rangeStart: rangeEnd - range,
                    rangeEnd: rangeEnd,
                    range: range)
            case "irate", "idelta":
                guard p.count >= 2 else { break }
                let last = p[p.count - 1]
                let previous = p[p.count - 2]
                var v = name == "irate" && last.value < previous.value ? last.value : last.value - previous.value
                let interval = last.timestamp - previous.timestamp
                guard interval != 0 else { break }
                if name == "irate" { v /= Double(interval) / 1000 }
                value = v
            case "deriv":
                guard p.count >= 2 else { break }
                value = Self.linearRegression(p, interceptTime: p[0].timestamp).slope
            case "predict_linear":
                guard p.count >= 2 else { break }
                let (slope, intercept) = Self.linearRegression(p, interceptTime: t)
                value = slope * scalars[0] + intercept
            case "resets":
                var count = 0
                for i in 1..<max(1, p.count) where p[i].value < p[i - 1].value { count += 1 }
                value = Double(count)
            case "changes":
                var count = 0
                for i in 1..<max(1, p.count) {
                    let a = p[i].value
                    let b = p[i - 1].value
                    if !(a == b || (a.isNaN && b.isNaN)) { count += 1 }
                }
                value = Double(count)
            case "avg_over_time": value = Self.average(p.map(\.value))
            case "sum_over_time":
                var sum = 0.0
                var c = 0.0
                for s in p { (sum, c) = kahanSumInc(s.value, sum, c) }
                value = sum + c
            case "count_over_time": value = Double(p.count)
            case "min_over_time":
                var m = p[0].value
                for s in p.dropFirst() where s.value < m || m.isNaN { m = s.value }
                value = m
            case "max_over_time":
                var m = p[0].value
                for s in p.dropFirst() where s.value > m || m.isNaN { m = s.value }
                value = m
            case "last_over_time":
                out.append(
                    VectorSample(
                        labels: series.labels, timestamp: t, value: p[p.count - 1].value, dropName: series.dropName))
                continue
            case "present_over_time": value = 1
            case "quantile_over_time": value = promQuantile(scalars[0], p.map(\.value))
            case "stddev_over_time", "stdvar_over_time":
                var count = 0.0
                var mean = 0.0
                var cMean = 0.0
                var aux = 0.0
                var cAux = 0.0
                for s in p {
                    count += 1
                    let delta = s.value - (mean + cMean)
                    (mean, cMean) = kahanSumInc(delta / count, mean, cMean)
                    (aux, cAux) = kahanSumInc(delta * (s.value - (mean + cMean)), aux, cAux)
                }
                let variance = (aux + cAux) / count
                value = name == "stdvar_over_time" ? variance : variance.squareRoot()
            case "mad_over_time":
                let values = p.map(\.value)
                let median = promQuantile(0.5, values)
                value = promQuantile(0.5, values.map { abs($0 - median) })
            case "ts_of_last_over_time": value = Double(p[p.count - 1].timestamp) / 1000
            case "ts_of_max_over_time", "ts_of_min_over_time":
                var best = p[0]
                for s in p.dropFirst() {
                    let better = name == "ts_of_max_over_time" ? s.value >= best.value : s.value <= best.value
                    if better || best.value.isNaN { best = s }
                }
                value = Double(best.timestamp) / 1000
            case "double_exponential_smoothing":
                guard p.count >= 2 else { break }
                let sf = scalars[0]
                let tf = scalars[1]
                var s0 = 0.0
                var s1 = p[0].value
                var b = p[1].value - p[0].value
                for i in 1..<p.count {
                    let x = sf * p[i].value
                    if i > 1 { b = tf * (s1 - s0) + (1 - tf) * b }
                    s0 = s1
                    s1 = x + (1 - sf) * (s1 + b)
                }
                value = s1
            default:
                throw PromQLError.execution("function \(name) is not supported")
            }
            if let value {
                out.append(VectorSample(labels: series.labels, timestamp: t, value: value, dropName: true))
            }
        }
        return out
    }

    static func extrapolatedRate(
        _ p: [Sample], isCounter: Bool, isRate: Bool, rangeStart: Int64, rangeEnd: Int64, range: Int64
    ) -> Double? {
        guard p.count >= 2 else { return nil }
        let first = p[0]
        let last = p[p.count - 1]
        var result = last.value - first.value
        if isCounter {
            for i in 1..<p.count where p[i].value < p[i - 1].value { result += p[i - 1].value }
        }
        var durationToStart = Double(first.timestamp - rangeStart) / 1000
        var durationToEnd = Double(rangeEnd - last.timestamp) / 1000
        let sampledInterval = Double(last.timestamp - first.timestamp) / 1000
        let averageDuration = sampledInterval / Double(p.count - 1)
        let threshold = averageDuration * 1.1
        if durationToStart >= threshold { durationToStart = averageDuration / 2 }
        if isCounter && result > 0 && first.value >= 0 {
            let durationToZero = sampledInterval * (first.value / result)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        if durationToEnd >= threshold { durationToEnd = averageDuration / 2 }
        var factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval
        if isRate { factor /= Double(range) / 1000 }
        return result * factor
    }

    static func linearRegression(_ p: [Sample], interceptTime: Int64) -> (slope: Double, intercept: Double) {
        var n = 0.0
        var sumX = 0.0
        var cX = 0.0
        var sumY = 0.0
        var cY = 0.0
        var sumXY = 0.0
        var cXY = 0.0
        var sumX2 = 0.0
        var cX2 = 0.0
        let initY = p[0].value
        var constY = true
        for (i, s) in p.enumerated() {
            if constY && i > 0 && s.value != initY { constY = false }
            n += 1
            let x = Double(s.timestamp - interceptTime) / 1000
            (sumX, cX) = kahanSumInc(x, sumX, cX)
            (sumY, cY) = kahanSumInc(s.value, sumY, cY)
            (sumXY, cXY) = kahanSumInc(x * s.value, sumXY, cXY)
            (sumX2, cX2) = kahanSumInc(x * x, sumX2, cX2)
        }
        if constY {
            if initY.isInfinite { return (.nan, .nan) }
            return (0, initY)
        }
        sumX += cX
        sumY += cY
        sumXY += cXY
        sumX2 += cX2
        let covXY = sumXY - sumX * sumY / n
        let varX = sumX2 - sumX * sumX / n
        let slope = covXY / varX
        let intercept = sumY / n - slope * sumX / n
        return (slope, intercept)
    }
}
