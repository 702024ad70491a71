import VigilModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#else
    import Darwin
#endif

extension Evaluator {
    func evaluateCall(_ call: Call, at t: Int64) throws -> QueryValue {
        let name = call.function.name
        let args = call.args
        switch name {
        case "time": return .scalar(Double(t) / 1000, timestamp: t)
        case "pi": return .scalar(Double.pi, timestamp: t)
        case "vector": return .vector([VectorSample(labels: Labels(), timestamp: t, value: try scalar(args[0], at: t))])
        case "scalar":
            let v = try vector(args[0], at: t)
            return .scalar(v.count == 1 ? v[0].value : .nan, timestamp: t)
        case "absent":
            if try !vector(args[0], at: t).isEmpty { return .vector([]) }
            return .vector([VectorSample(labels: Self.absentLabels(args[0]), timestamp: t, value: 1)])
        case "absent_over_time":
            if try !matrix(args[0], at: t).isEmpty { return .vector([]) }
            return .vector([VectorSample(labels: Self.absentLabels(args[0]), timestamp: t, value: 1)])
        case "timestamp":
            let input: [VectorSample]
            if case .vectorSelector(let s) = Self.unwrap(args[0]) ?? args[0] {
                input = try selectVector(s, at: t, keepTimestamps: true)
            } else {
                input = try vector(args[0], at: t)
            }
            return .vector(input.map { drop($0, value: Double($0.timestamp) / 1000, at: t) })
        case "sort", "sort_desc":
            let descending = name == "sort_desc"
            let v = try vector(args[0], at: t)
            return .vector(
                v.enumerated().sorted { x, y in
                    let l = x.element.value
                    let r = y.element.value
                    if l.isNaN || r.isNaN { return r.isNaN && !l.isNaN }
                    if l == r { return x.offset < y.offset }
                    return descending ? l > r : l < r
                }.map(\.element))
        case "sort_by_label", "sort_by_label_desc":
            let v = try vector(args[0], at: t)
            var names: [String] = []
            for arg in args.dropFirst() { names.append(try string(arg, at: t)) }
            let descending = name == "sort_by_label_desc"
            return .vector(
                v.sorted { a, b in
                    for n in names {
                        let x = a.labels[n] ?? ""
                        let y = b.labels[n] ?? ""
                        if x == y { continue }
                        return naturalLess(x, y) != descending
                    }
                    return a.labels.lexicographicallyPrecedes(b.labels) != descending
                })
        case "label_replace": return .vector(try labelReplace(args, at: t))
        case "label_join": return .vector(try labelJoin(args, at: t))
        case "histogram_quantile": return .vector(try histogramQuantile(args, at: t))
        case "info": return .vector(try evaluateInfo(call, at: t))
        case "clamp", "clamp_min", "clamp_max":
            let v = try vector(args[0], at: t)
            var low = -Double.infinity
            var high = Double.infinity
            if name == "clamp" {
                low = try scalar(args[1], at: t)
                high = try scalar(args[2], at: t)
                if high < low { return .vector([]) }
            } else if name == "clamp_min" {
                low = try scalar(args[1], at: t)
            } else {
                high = try scalar(args[1], at: t)
            }
            return .vector(v.map { drop($0, value: goMax(low, goMin(high, $0.value)), at: t) })
        case "round":
            let v = try vector(args[0], at: t)
            let nearest = args.count > 1 ? try scalar(args[1], at: t) : 1
            let inverse = 1.0 / nearest
            return .vector(v.map { drop($0, value: ((($0.value * inverse) + 0.5).rounded(.down)) / inverse, at: t) })
        case "minute", "hour", "day_of_week", "day_of_month", "day_of_year", "days_in_month", "month", "year":
            let v: [VectorSample] =
                args.isEmpty
                ? [VectorSample(labels: Labels(), timestamp: t, value: Double(t) / 1000)] : try vector(args[0], at: t)
            return .vector(v.map { drop($0, value: Self.dateField(name, $0.value), at: t) })
        default: break
        }
        if let f = Self.simpleFunctions[name] {
            return .vector(try vector(args[0], at: t).map { drop($0, value: f($0.value), at: t) })
        }
        if call.function.isNativeHistogramFunction { return .vector([]) }
        return .vector(try rangeFunction(call, at: t))
    }

    private func drop(_ s: VectorSample, value: Double, at t: Int64) -> VectorSample {
        VectorSample(labels: s.labels, timestamp: t, value: value, dropName: true)
    }

    static func absentLabels(_ arg: Expr) -> Labels {
        let e = unwrap(arg) ?? arg
        let selector: VectorSelector
        switch e {
        case .vectorSelector(let s): selector = s
        case .matrixSelector(let m): selector = m.vectorSelector
        default: return Labels()
        }
        var result: [String: String] = [:]
        var duplicated = Set<String>()
        var seen = Set<String>()
        for m in selector.matchers where m.name != metricNameLabel {
            if !seen.insert(m.name).inserted { duplicated.insert(m.name) }
            if m.kind == .equal { result[m.name] = m.value }
        }
        return Labels(result.filter { !duplicated.contains($0.key) }.map { Label($0.key, $0.value) })
    }

    static let simpleFunctions: [String: @Sendable (Double) -> Double] = [
        "abs": { abs($0) }, "ceil": { ceil($0) }, "floor": { floor($0) }, "exp": { exp($0) }, "sqrt": { sqrt($0) },
        "ln": { log($0) }, "log2": { log2($0) }, "log10": { log10($0) },
        "sgn": { $0 > 0 ? 1 : $0 < 0 ? -1 : $0 },
        "sin": { sin($0) }, "cos": { cos($0) }, "tan": { tan($0) }, "asin": { asin($0) }, "acos": { acos($0) },
        "atan": { atan($0) }, "sinh": { sinh($0) }, "cosh": { cosh($0) }, "tanh": { tanh($0) },
        "asinh": { asinh($0) }, "acosh": { acosh($0) }, "atanh": { atanh($0) },
        "deg": { $0 * 180 / Double.pi }, "rad": { $0 * Double.pi / 180 },
    ]

    // MARK: - Dates (UTC, Go's time.Unix(int64(v), 0))

    static func dateField(_ name: String, _ value: Double) -> Double {
        guard value.isFinite, abs(value) < 9.2e18 else { return .nan }
        let seconds = Int64(value)
        var days = seconds / 86400
        var rem = seconds % 86400
        if rem < 0 {
            rem += 86400
            days -= 1
        }
        let (y, m, d) = civil(fromDays: days)
        switch name {
        case "minute": return Double((rem % 3600) / 60)
        case "hour": return Double(rem / 3600)
        case "day_of_week": return Double(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday
        case "day_of_month": return Double(d)
        case "day_of_year": return Double(days - daysFromCivil(y, 1, 1) + 1)
        case "days_in_month":
            let (ny, nm) = m == 12 ? (y + 1, 1) : (y, m + 1)
            return Double(daysFromCivil(ny, nm, 1) - daysFromCivil(y, m, 1))
        case "month": return Double(m)
        default: return Double(y)
        }
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}

/// Go's math.Max / math.Min: NaN wins, and ±0 ordered.
func goMax(_ a: Double, _ b: Double) -> Double {
    if a.isNaN || b.isNaN { return .nan }
    if a == 0 && b == 0 { return a.sign == .plus ? a : b }
    return a > b ? a : b
}

func goMin(_ a: Double, _ b: Double) -> Double {
    if a.isNaN || b.isNaN { return .nan }
    if a == 0 && b == 0 { return a.sign == .minus ? a : b }
    return a < b ? a : b
}

/// Natural ordering: runs of digits compare by number.
func naturalLess(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    var i = 0
    var j = 0
    func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    while i < x.count && j < y.count {
        if isDigit(x[i]) && isDigit(y[j]) {
            var ie = i
            while ie < x.count && isDigit(x[ie]) { ie += 1 }
            var je = j
            while je < y.count && isDigit(y[je]) { je += 1 }
            let l = x[i..<ie].drop { $0 == 48 }
            let r = y[j..<je].drop { $0 == 48 }
            if l.count != r.count { return l.count < r.count }
            if !l.elementsEqual(r) { return l.lexicographicallyPrecedes(r) }
            i = ie
            j = je
        } else {
            if x[i] != y[j] { return x[i] < y[j] }
            i += 1
            j += 1
        }
    }
    return x.count - i < y.count - j
}
