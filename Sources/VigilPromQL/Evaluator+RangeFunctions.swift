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
        let (range, rangeEnd) = window(matrixArg, at: t)
        var out: [VectorSample] = []
        if case .matrixSelector(let m) = Self.unwrap(matrixArg) ?? matrixArg {
            // Windows straight from the query's decoded series: no copy per step.
            let selected = try series(m.vectorSelector.matchers)
            var windows: [(series: Int, window: Range<Int>)] = []
            var total = 0
            for (i, series) in selected.enumerated() {
                let window = Self.window(series.points, after: rangeEnd - range, through: rangeEnd)
                guard !window.isEmpty else { continue }
                total += window.count
                windows.append((i, window))
            }
            try checkSampleCount(total)
            try checkRangeFunctionArguments(name, scalars, inputIsEmpty: windows.isEmpty)
            for (i, window) in windows {
                let series = selected[i]
                checkCounterName(name, series.labels)
                let value = try series.points.withUnsafeBufferPointer { buffer in
                    try rangeFunctionValue(
                        name, UnsafeBufferPointer(rebasing: buffer[window]), scalars: scalars,
                        rangeStart: rangeEnd - range, rangeEnd: rangeEnd, range: range, at: t)
                }
                if let value {
                    out.append(
                        VectorSample(
                            labels: series.labels, timestamp: t, value: value, dropName: name != "last_over_time"))
                }
            }
            return out
        }
        let input = try matrix(matrixArg, at: t)
        try checkRangeFunctionArguments(name, scalars, inputIsEmpty: input.isEmpty)
        for series in input where !series.samples.isEmpty {
            checkCounterName(name, series.labels)
            let value = try series.samples.withUnsafeBufferPointer { buffer in
                try rangeFunctionValue(
                    name, buffer, scalars: scalars,
                    rangeStart: rangeEnd - range, rangeEnd: rangeEnd, range: range, at: t)
            }
            if let value {
                let drop = name == "last_over_time" ? series.dropName : true
                out.append(VectorSample(labels: series.labels, timestamp: t, value: value, dropName: drop))
            }
        }
        return out
    }

    /// The warnings and errors a range function's scalar arguments cause at one evaluation time.
    func checkRangeFunctionArguments(_ name: String, _ scalars: [Double], inputIsEmpty: Bool) throws {
        if name == "quantile_over_time", let q = scalars.first, q.isNaN || q < 0 || q > 1, !inputIsEmpty {
            warn("PromQL warning: quantile value should be between 0 and 1, got \(GoStrconv.formatShortest(q))")
        }
        if name == "double_exponential_smoothing" {
            for (i, f) in scalars.enumerated() where !(f > 0 && f < 1) {
                throw PromQLError.execution(
                    "invalid \(i == 0 ? "smoothing" : "trend") factor. Expected: 0 < \(i == 0 ? "sf" : "tf") < 1, got: \(GoStrconv.formatFixed(f, decimals: 6))"
                )
            }
        }
    }

    /// The range functions ``rangeFunctionValue(_:_:scalars:rangeStart:rangeEnd:range:at:)`` knows.
    static let rangeFunctionNames: Set<String> = [
        "rate", "increase", "delta", "irate", "idelta", "deriv", "predict_linear", "resets", "changes",
        "avg_over_time", "sum_over_time", "count_over_time", "min_over_time", "max_over_time", "last_over_time",
        "present_over_time", "quantile_over_time", "stddev_over_time", "stdvar_over_time", "mad_over_time",
        "ts_of_last_over_time", "ts_of_max_over_time", "ts_of_min_over_time", "double_exponential_smoothing",
    ]

    /// The info annotation `rate` and `increase` add for a series whose name does not say it is a counter.
    func checkCounterName(_ function: String, _ labels: Labels) {
        guard function == "rate" || function == "increase", let metric = labels.metricName,
            !["_total", "_sum", "_count", "_bucket"].contains(where: { metric.hasSuffix($0) })
        else { return }
        info(
            "PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \(GoStrconv.quote(metric))"
        )
    }

    /// What range function `name` makes of one series' window `p` (non-empty, in time order, without
    /// staleness markers) evaluated at `t`; nil where the function has no value for it.
    func rangeFunctionValue(
        _ name: String, _ p: UnsafeBufferPointer<Sample>, scalars: [Double], rangeStart: Int64,
        rangeEnd: Int64, range: Int64, at t: Int64
    ) throws -> Double? {
        switch name {
        case "rate", "increase", "delta":
            return Self.extrapolatedRate(
                p, isCounter: name != "delta", isRate: name == "rate", rangeStart: rangeStart, rangeEnd: rangeEnd,
                range: range)
        case "irate", "idelta":
            guard p.count >= 2 else { return nil }
            let last = p[p.count - 1]
            let previous = p[p.count - 2]
            var v = name == "irate" && last.value < previous.value ? last.value : last.value - previous.value
            let interval = last.timestamp - previous.timestamp
            guard interval != 0 else { return nil }
            if name == "irate" { v /= Double(interval) / 1000 }
            return v
        case "deriv":
            guard p.count >= 2 else { return nil }
            return Self.linearRegression(p, interceptTime: p[0].timestamp).slope
        case "predict_linear":
            guard p.count >= 2 else { return nil }
            let (slope, intercept) = Self.linearRegression(p, interceptTime: t)
            return slope * scalars[0] + intercept
        case "resets":
            var count = 0
            for i in 1..<max(1, p.count) where p[i].value < p[i - 1].value { count += 1 }
            return Double(count)
        case "changes":
            var count = 0
            for i in 1..<max(1, p.count) {
                let a = p[i].value
                let b = p[i - 1].value
                if !(a == b || (a.isNaN && b.isNaN)) { count += 1 }
            }
            return Double(count)
        case "avg_over_time":
            var mean = MeanAccumulator(p[0].value)
            for s in p.dropFirst() { mean.add(s.value) }
            return mean.value
        case "sum_over_time":
            var sum = 0.0
            var c = 0.0
            for s in p { (sum, c) = kahanSumInc(s.value, sum, c) }
            return sum + c
        case "count_over_time": return Double(p.count)
        case "min_over_time":
            var m = p[0].value
            for s in p.dropFirst() where s.value < m || m.isNaN { m = s.value }
            return m
        case "max_over_time":
            var m = p[0].value
            for s in p.dropFirst() where s.value > m || m.isNaN { m = s.value }
            return m
        case "last_over_time": return p[p.count - 1].value
        case "present_over_time": return 1
        case "quantile_over_time": return promQuantile(scalars[0], p.map(\.value))
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
            return name == "stdvar_over_time" ? variance : variance.squareRoot()
        case "mad_over_time":
            let values = p.map(\.value)
            let median = promQuantile(0.5, values)
            return promQuantile(0.5, values.map { abs($0 - median) })
        case "ts_of_last_over_time": return Double(p[p.count - 1].timestamp) / 1000
        case "ts_of_max_over_time", "ts_of_min_over_time":
            var best = p[0]
            for s in p.dropFirst() {
                let better = name == "ts_of_max_over_time" ? s.value >= best.value : s.value <= best.value
                if better || best.value.isNaN { best = s }
            }
            return Double(best.timestamp) / 1000
        case "double_exponential_smoothing":
            guard p.count >= 2 else { return nil }
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
            return s1
        default:
            throw PromQLError.execution("function \(name) is not supported")
        }
    }

    static func extrapolatedRate(
        _ p: UnsafeBufferPointer<Sample>, isCounter: Bool, isRate: Bool, rangeStart: Int64, rangeEnd: Int64,
        range: Int64
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

    static func linearRegression(_ p: UnsafeBufferPointer<Sample>, interceptTime: Int64) -> (
        slope: Double, intercept: Double
    ) {
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
