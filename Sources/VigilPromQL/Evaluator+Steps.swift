import VigilModel
import VigilStorage

/// Thrown by the whole-range evaluation where the step-by-step evaluation must give the answer: an error
/// or a limit is in sight, and only the step-by-step path reports it exactly as Prometheus does.
struct StepwiseFallback: Error {}

/// One series of an instant-vector expression over all the query's steps: its value at each step where
/// it has one.
struct StepSeries {
    var labels: Labels
    var dropName: Bool
    var values: [Double]
    var present: [Bool]
}

/// The value of an instant-vector or scalar expression at every step of the query.
enum StepValue {
    case scalar([Double])
    case vector([StepSeries])
}

/// Whole-range evaluation, as Prometheus's engine evaluates a range query: every node of the expression
/// runs once over all steps instead of the whole expression once per step. Series keep their identity
/// (an index) through the steps, so labels are hashed and grouping keys built once per series and query,
/// and range functions read windows in place from the decoded series.
///
/// It covers the expressions range queries are mostly made of (selectors, range functions over range
/// selectors, element-wise functions, `sum`/`avg`/`min`/`max`/`count`/`group`/`stddev`/`stdvar`,
/// arithmetic and comparisons with one-to-one matching, `histogram_quantile`); ``supportsSteps(_:)`` says
/// whether a whole expression is covered, and anything else is evaluated step by step. Where the
/// step-by-step evaluation would fail, this one throws ``StepwiseFallback`` and the query is run again
/// step by step, so that errors are Prometheus's exactly.
extension Evaluator {
    var stepCount: Int { step > 0 ? Int((end - start) / step) + 1 : 1 }

    @inline(__always) func stepTime(_ i: Int) -> Int64 { start + Int64(i) * step }

    /// Whether whole-range evaluation covers every node of `expr`.
    static func supportsSteps(_ expr: Expr) -> Bool {
        switch expr {
        case .numberLiteral, .vectorSelector: return true
        case .paren(let p): return supportsSteps(p.expr)
        case .unary(let u): return supportsSteps(u.expr)
        case .stringLiteral, .matrixSelector, .subquery: return false
        case .aggregate(let a):
            guard a.param == nil else { return false }
            switch a.op {
            case .sum, .avg, .min, .max, .count, .group, .stddev, .stdvar: break
            default: return false
            }
            // The name as a grouping label: whether it is dropped depends on each step's members.
            if !a.without && a.grouping.contains(metricNameLabel) { return false }
            return supportsSteps(a.expr)
        case .binary(let b):
            switch b.op {
            case .and, .or, .unless: return false
            default: break
            }
            if let m = b.matching, m.cardinality != .oneToOne { return false }
            return supportsSteps(b.lhs) && supportsSteps(b.rhs)
        case .call(let c):
            let name = c.function.name
            if name == "time" { return true }
            if name == "histogram_quantile" { return supportsSteps(c.args[0]) && supportsSteps(c.args[1]) }
            if simpleFunctions[name] != nil { return supportsSteps(c.args[0]) }
            guard rangeFunctionNames.contains(name) else { return false }
            let matrixIndex = c.function.argTypes.firstIndex(of: .matrix) ?? 0
            for (i, arg) in c.args.enumerated() {
                if i == matrixIndex {
                    guard case .matrixSelector = unwrap(arg) ?? arg else { return false }
                } else if !supportsSteps(arg) {
                    return false
                }
            }
            return true
        }
    }

    /// Evaluates `expr` (see ``supportsSteps(_:)``) at every step.
    func evaluateSteps(_ expr: Expr) throws -> StepValue {
        try checkLimits()
        switch expr {
        case .numberLiteral(let n): return .scalar([Double](repeating: n.value, count: stepCount))
        case .paren(let p): return try evaluateSteps(p.expr)
        case .unary(let u):
            let value = try evaluateSteps(u.expr)
            guard u.op == .minus else { return value }
            switch value {
            case .scalar(let v): return .scalar(v.map { -$0 })
            case .vector(var series):
                for i in series.indices {
                    series[i].dropName = true
                    for k in series[i].values.indices { series[i].values[k] = -series[i].values[k] }
                }
                return .vector(series)
            }
        case .call(let c) where c.function.name == "time":
            return .scalar((0..<stepCount).map { Double(stepTime($0)) / 1000 })
        case .call(let c) where c.function.name == "histogram_quantile":
            return .vector(try histogramQuantileSteps(c))
        case .binary(let b):
            return try binarySteps(b)
        default:
            var out: [StepSeries] = []
            try forEachSeries(expr) {
                out.append($0)
                try checkHeldSteps(out.count)
            }
            return .vector(out)
        }
    }

    /// Whole-range values hold every step of every series they keep; beyond the sample limit's worth, the
    /// step-by-step path (which holds only what is present, and fails at the limit) takes over.
    private func checkHeldSteps(_ series: Int) throws {
        if series * stepCount > options.maxSamples { throw StepwiseFallback() }
    }

    private func scalarSteps(_ expr: Expr) throws -> [Double] {
        guard case .scalar(let v) = try evaluateSteps(expr) else { throw StepwiseFallback() }
        return v
    }

    /// Hands the series of a vector expression to `body` one at a time (a series with no value at any
    /// step may be among them), so that aggregations need not hold their input.
    func forEachSeries(_ expr: Expr, _ body: (inout StepSeries) throws -> Void) throws {
        let n = stepCount
        switch expr {
        case .paren(let p): try forEachSeries(p.expr, body)
        case .vectorSelector(let s):
            try selectSteps(s, body)
        case .call(let c) where Self.rangeFunctionNames.contains(c.function.name):
            try rangeFunctionSteps(c, body)
        case .call(let c) where Self.simpleFunctions[c.function.name] != nil:
            let f = Self.simpleFunctions[c.function.name]!
            try forEachSeries(c.args[0]) { series in
                series.dropName = true
                for k in 0..<n where series.present[k] { series.values[k] = f(series.values[k]) }
                try body(&series)
            }
        case .aggregate(let a):
            for var series in try aggregateSteps(a) { try body(&series) }
        case .binary(let b) where b.lhs.type == .vector && b.rhs.type == .scalar:
            let scalar = try scalarSteps(b.rhs)
            try forEachSeries(b.lhs) { series in
                Self.applyScalar(b, &series, scalar, swapped: false)
                try body(&series)
            }
        case .binary(let b) where b.lhs.type == .scalar && b.rhs.type == .vector:
            let scalar = try scalarSteps(b.lhs)
            try forEachSeries(b.rhs) { series in
                Self.applyScalar(b, &series, scalar, swapped: true)
                try body(&series)
            }
        default:
            guard case .vector(var all) = try evaluateSteps(expr) else { throw StepwiseFallback() }
            for i in all.indices { try body(&all[i]) }
        }
    }

    // MARK: - Selectors and range functions

    /// Fails over to step-by-step evaluation when any step selects more samples than allowed.
    private func checkStepSampleCounts(_ counts: [Int]) throws {
        for count in counts where count > options.maxSamples { throw StepwiseFallback() }
    }

    private func selectSteps(_ s: VectorSelector, _ body: (inout StepSeries) throws -> Void) throws {
        let n = stepCount
        let lookback = options.lookbackDeltaMilliseconds
        var counts = [Int](repeating: 0, count: n)
        var buffer = StepSeries(
            labels: Labels(), dropName: false, values: [Double](repeating: 0, count: n),
            present: [Bool](repeating: false, count: n))
        let times = (0..<n).map { referenceTime(s.at, stepTime($0)) - s.offsetMilliseconds }
        try forEachSelected(s.matchers) { series in
            try checkLimits()
            var any = false
            series.samples.withUnsafeBufferPointer { samples in
                buffer.values.withUnsafeMutableBufferPointer { values in
                    buffer.present.withUnsafeMutableBufferPointer { present in
                        // The step times only grow (or stay, under `@`), so the last sample at or before each
                        // moves forward.
                        var next = 0
                        for k in 0..<n {
                            let ts = times[k]
                            while next < samples.count && samples[next].timestamp <= ts { next += 1 }
                            present[k] = false
                            guard next > 0 else { continue }
                            let sample = samples[next - 1]
                            guard sample.timestamp > ts - lookback, !sample.isStaleMarker else { continue }
                            values[k] = sample.value
                            present[k] = true
                            counts[k] += 1
                            any = true
                        }
                    }
                }
            }
            guard any else { return }
            // Consumers transform the buffer in place; everything but the values is set afresh per series.
            buffer.labels = series.labels
            buffer.dropName = false
            try body(&buffer)
        }
        try checkStepSampleCounts(counts)
    }

    private func rangeFunctionSteps(_ call: Call, _ body: (inout StepSeries) throws -> Void) throws {
        let name = call.function.name
        let n = stepCount
        let matrixIndex = call.function.argTypes.firstIndex(of: .matrix) ?? 0
        guard case .matrixSelector(let m) = Self.unwrap(call.args[matrixIndex]) ?? call.args[matrixIndex] else {
            throw StepwiseFallback()
        }
        var scalarArgs: [[Double]] = []
        for (i, arg) in call.args.enumerated() where i != matrixIndex { scalarArgs.append(try scalarSteps(arg)) }
        let s = m.vectorSelector
        let range = m.rangeMilliseconds
        if n == 1, Self.summarizedFunctions.contains(name) {
            try summarizedRangeFunction(name, s, range: range, body)
            return
        }
        var counts = [Int](repeating: 0, count: n)
        var stepScalars = [[Double]](repeating: [], count: n)
        for k in 0..<n { stepScalars[k] = scalarArgs.map { $0[k] } }
        var buffer = StepSeries(
            labels: Labels(), dropName: name != "last_over_time", values: [Double](repeating: 0, count: n),
            present: [Bool](repeating: false, count: n))
        /// One series' values at every step; the sample limit is checked as windows are counted. The state
        /// comes in as `inout` (not captured), so its arrays can be written through pointers side by side.
        func evaluate(_ series: SelectedSeries, _ buffer: inout StepSeries, _ counts: inout [Int]) throws {
            try checkLimits()
            var any = false
            var cursor = WindowCursor(series.points, selector: s, range: range, evaluator: self)
            var checkedName = false
            try series.points.withUnsafeBufferPointer { points in
                try buffer.values.withUnsafeMutableBufferPointer { values in
                    try buffer.present.withUnsafeMutableBufferPointer { present in
                        try counts.withUnsafeMutableBufferPointer { counts in
                            for k in 0..<n {
                                present[k] = false
                                let window = cursor.advance(to: stepTime(k))
                                guard !window.isEmpty else { continue }
                                counts[k] += window.count
                                if counts[k] > options.maxSamples { throw StepwiseFallback() }
                                if !checkedName {
                                    checkCounterName(name, series.labels)
                                    checkedName = true
                                }
                                let ts = referenceTime(s.at, stepTime(k)) - s.offsetMilliseconds
                                guard
                                    let value = try rangeFunctionValue(
                                        name, UnsafeBufferPointer(rebasing: points[window]), scalars: stepScalars[k],
                                        rangeStart: ts - range, rangeEnd: ts, range: range,
                                        at: stepTime(k))
                                else { continue }
                                values[k] = value
                                present[k] = true
                                any = true
                            }
                        }
                    }
                }
            }
            guard any else { return }
            buffer.labels = series.labels
            buffer.dropName = name != "last_over_time"
            try body(&buffer)
        }
        guard Self.argumentCheckedFunctions.contains(name) else {
            // No argument to check: the series stream through.
            try forEachSelected(s.matchers) { try evaluate($0, &buffer, &counts) }
            return
        }
        // Window sizes first (cheap): the step-by-step path checks the sample limit and the arguments at
        // each step before it computes anything, and its warnings come in step order.
        let selected = try series(s.matchers)
        for series in selected {
            var cursor = WindowCursor(series.points, selector: s, range: range, evaluator: self)
            for k in 0..<n { counts[k] += cursor.advance(to: stepTime(k)).count }
        }
        try checkStepSampleCounts(counts)
        for k in 0..<n {
            do {
                try checkRangeFunctionArguments(name, stepScalars[k], inputIsEmpty: counts[k] == 0)
            } catch is PromQLError {
                throw StepwiseFallback()
            }
        }
        counts = [Int](repeating: 0, count: n)
        for series in selected { try evaluate(series, &buffer, &counts) }
    }

    /// Range functions whose arguments are checked at every step before anything is computed.
    static let argumentCheckedFunctions: Set<String> = ["quantile_over_time", "double_exponential_smoothing"]

    /// Range functions an instant query answers from ``SampleSummary`` (chunk headers where a chunk lies
    /// wholly in the window) instead of decoding every sample: `max_over_time(x[24h])` reads a few headers.
    static let summarizedFunctions: Set<String> = [
        "count_over_time", "min_over_time", "max_over_time", "present_over_time",
    ]

    /// One step of a ``summarizedFunctions`` call: each series' window summarised by the storage.
    private func summarizedRangeFunction(
        _ name: String, _ s: VectorSelector, range: Int64, _ body: (inout StepSeries) throws -> Void
    ) throws {
        let ts = referenceTime(s.at, stepTime(0)) - s.offsetMilliseconds
        var buffer = StepSeries(labels: Labels(), dropName: true, values: [0], present: [true])
        var total = 0
        for series in try unreadSeries(s.matchers) {
            try checkLimits()
            // The window is (ts - range, ts].
            let summary = try series.summarize(from: ts &- range &+ 1, through: ts)
            guard summary.count > 0 else { continue }
            total += summary.count
            if total > options.maxSamples { throw StepwiseFallback() }
            switch name {
            case "count_over_time": buffer.values[0] = Double(summary.count)
            case "min_over_time": buffer.values[0] = summary.minimum
            case "max_over_time": buffer.values[0] = summary.maximum
            default: buffer.values[0] = 1
            }
            buffer.labels = series.labels
            buffer.dropName = true
            buffer.present[0] = true
            try body(&buffer)
        }
    }

    /// A range selector's window `(t - range, t]` over one series' points, for evaluation times that only
    /// grow: both ends move forward.
    private struct WindowCursor {
        let points: [Sample]
        let at: AtModifier?
        let offset: Int64
        let range: Int64
        let evaluator: Evaluator
        var first: Int
        var next: Int

        init(_ points: [Sample], selector s: VectorSelector, range: Int64, evaluator: Evaluator) {
            self.points = points
            at = s.at
            offset = s.offsetMilliseconds
            self.range = range
            self.evaluator = evaluator
            let ts = evaluator.referenceTime(s.at, evaluator.start) - offset
            first = Evaluator.lastIndex(points, atOrBefore: ts - range) + 1
            next = first
        }

        mutating func advance(to t: Int64) -> Range<Int> {
            let ts = evaluator.referenceTime(at, t) - offset
            first = Self.firstIndex(in: points, after: ts - range, from: first)
            next = Self.firstIndex(in: points, after: ts, from: Swift.max(next, first))
            return first..<next
        }

        /// The first index at or after `start` whose time is above `bound`: a galloping search, so a step
        /// that moves the window by a few samples costs a few comparisons, and a long window (a whole day
        /// at an instant) a binary search instead of a scan.
        static func firstIndex(in points: [Sample], after bound: Int64, from start: Int) -> Int {
            guard start < points.count, points[start].timestamp <= bound else { return start }
            // points[low] is at or before the bound; points[high] (or the end) is after it.
            var low = start
            var stride = 1
            var high = start + 1
            while high < points.count && points[high].timestamp <= bound {
                low = high
                stride <<= 1
                high = low + stride
            }
            high = Swift.min(high, points.count)
            while high - low > 1 {
                let middle = low + (high - low) / 2
                if points[middle].timestamp <= bound { low = middle } else { high = middle }
            }
            return high
        }
    }

    // MARK: - Aggregation

    /// One group's running aggregate at one step.
    private struct StepAccumulator {
        var count = 0.0
        var a = 0.0
        var b = 0.0
        var mean: MeanAccumulator? = nil
    }

    private func aggregateSteps(_ a: AggregateExpr) throws -> [StepSeries] {
        let n = stepCount
        var groupOf: [Labels: Int] = [:]
        var keys: [Labels] = []
        var accumulators: [[StepAccumulator]] = []
        try forEachSeries(a.expr) { series in
            guard series.present.contains(true) else { return }
            let key = Self.groupingKey(series.labels, a.grouping, without: a.without)
            let g: Int
            if let existing = groupOf[key] {
                g = existing
            } else {
                g = keys.count
                groupOf[key] = g
                keys.append(key)
                try checkHeldSteps(keys.count)
                accumulators.append([StepAccumulator](repeating: StepAccumulator(), count: n))
            }
            accumulators[g].withUnsafeMutableBufferPointer { acc in
                for k in 0..<n where series.present[k] {
                    let v = series.values[k]
                    acc[k].count += 1
                    switch a.op {
                    case .sum: (acc[k].a, acc[k].b) = kahanSumInc(v, acc[k].a, acc[k].b)
                    case .avg:
                        if acc[k].mean == nil { acc[k].mean = MeanAccumulator(v) } else { acc[k].mean!.add(v) }
                    case .min: if acc[k].count == 1 || acc[k].a > v || acc[k].a.isNaN { acc[k].a = v }
                    case .max: if acc[k].count == 1 || acc[k].a < v || acc[k].a.isNaN { acc[k].a = v }
                    case .stddev, .stdvar:
                        let delta = v - acc[k].a
                        acc[k].a += delta / acc[k].count
                        acc[k].b += delta * (v - acc[k].a)
                    default: break
                    }
                }
            }
        }
        var out: [StepSeries] = []
        out.reserveCapacity(keys.count)
        for (g, key) in keys.enumerated() {
            var values = [Double](repeating: 0, count: n)
            var present = [Bool](repeating: false, count: n)
            for k in 0..<n {
                let acc = accumulators[g][k]
                guard acc.count > 0 else { continue }
                present[k] = true
                switch a.op {
                case .sum: values[k] = acc.a + acc.b
                case .avg: values[k] = acc.mean!.value
                case .count: values[k] = acc.count
                case .group: values[k] = 1
                case .min, .max: values[k] = acc.a
                case .stdvar: values[k] = acc.b / acc.count
                case .stddev: values[k] = (acc.b / acc.count).squareRoot()
                default: throw StepwiseFallback()
                }
            }
            out.append(StepSeries(labels: key, dropName: false, values: values, present: present))
        }
        return out
    }

    // MARK: - Binary operators

    private static func applyScalar(_ b: BinaryExpr, _ series: inout StepSeries, _ scalar: [Double], swapped: Bool) {
        let drop = !b.op.isComparison || b.returnBool
        series.dropName = series.dropName || drop
        for k in series.values.indices where series.present[k] {
            let sample = series.values[k]
            let (l, r) = swapped ? (scalar[k], sample) : (sample, scalar[k])
            var (value, keep) = apply(b.op, l, r)
            if b.op.isComparison && swapped { value = sample }
            if b.returnBool {
                value = keep ? 1 : 0
                keep = true
            }
            series.values[k] = value
            series.present[k] = keep
        }
    }

    private func binarySteps(_ b: BinaryExpr) throws -> StepValue {
        switch (b.lhs.type, b.rhs.type) {
        case (.scalar, .scalar):
            let l = try scalarSteps(b.lhs)
            let r = try scalarSteps(b.rhs)
            return .scalar(
                zip(l, r).map { l, r in
                    let (v, keep) = Self.apply(b.op, l, r)
                    return b.op.isComparison ? (keep ? 1 : 0) : v
                })
        case (.vector, .vector):
            return .vector(try vectorVectorSteps(b))
        default:
            var out: [StepSeries] = []
            try forEachSeries(.binary(b)) { out.append($0) }
            return .vector(out)
        }
    }

    /// One-to-one matching; any duplicate on either side at a step is the step-by-step path's error.
    private func vectorVectorSteps(_ b: BinaryExpr) throws -> [StepSeries] {
        let n = stepCount
        let matching = b.matching ?? VectorMatching(cardinality: .oneToOne)
        guard case .vector(let lhs) = try evaluateSteps(b.lhs), case .vector(let rhs) = try evaluateSteps(b.rhs)
        else { throw StepwiseFallback() }
        var signatureIDs: [Labels: Int] = [:]
        func id(_ labels: Labels) -> Int {
            let sig = Self.signature(labels, matching)
            if let id = signatureIDs[sig] { return id }
            signatureIDs[sig] = signatureIDs.count
            return signatureIDs.count - 1
        }
        let rightIDs = rhs.map { id($0.labels) }
        let leftIDs = lhs.map { id($0.labels) }
        // For each signature, the right series that has it at the step being matched (-1: none).
        var rightAt = [Int](repeating: -1, count: signatureIDs.count)
        var rightStep = [Int](repeating: -1, count: signatureIDs.count)
        var leftStep = [Int](repeating: -1, count: signatureIDs.count)
        let dropName = !b.op.isComparison || b.returnBool
        var out = lhs.map { series in
            StepSeries(
                labels: Self.oneToOneLabels(series.labels, matching), dropName: series.dropName || dropName,
                values: [Double](repeating: 0, count: n), present: [Bool](repeating: false, count: n))
        }
        for k in 0..<n {
            for (j, series) in rhs.enumerated() where series.present[k] {
                let sig = rightIDs[j]
                if rightStep[sig] == k { throw StepwiseFallback() }
                rightStep[sig] = k
                rightAt[sig] = j
            }
            for (i, series) in lhs.enumerated() where series.present[k] {
                let sig = leftIDs[i]
                guard rightStep[sig] == k else { continue }
                if leftStep[sig] == k { throw StepwiseFallback() }
                leftStep[sig] = k
                let other = rhs[rightAt[sig]].values[k]
                var (value, keep) = Self.apply(b.op, series.values[k], other)
                if b.returnBool {
                    value = keep ? 1 : 0
                    keep = true
                }
                guard keep else { continue }
                out[i].values[k] = value
                out[i].present[k] = true
            }
        }
        return out
    }

    /// The labels of a one-to-one match's result (the left side's, less the matching labels or all others).
    static func oneToOneLabels(_ labels: Labels, _ matching: VectorMatching) -> Labels {
        if matching.on { return Labels(labels.filter { matching.matchingLabels.contains($0.name) }) }
        return Labels(labels.filter { !matching.matchingLabels.contains($0.name) })
    }

    // MARK: - histogram_quantile

    private func histogramQuantileSteps(_ call: Call) throws -> [StepSeries] {
        let n = stepCount
        let q = try scalarSteps(call.args[0])
        for value in q where value.isNaN || value < 0 || value > 1 {
            warn("PromQL warning: quantile value should be between 0 and 1, got \(GoStrconv.formatShortest(value))")
        }
        struct Group {
            var key: Labels
            var members: [(upper: Double, name: String, values: [Double], present: [Bool])] = []
        }
        var groupOf: [Labels: Int] = [:]
        var groups: [Group] = []
        var heldSeries = 0
        try forEachSeries(call.args[1]) { series in
            guard series.present.contains(true) else { return }
            guard let le = series.labels["le"], let upper = Self.parseGoFloat(le) else {
                warn(
                    "PromQL warning: bucket label \"le\" is missing or has a malformed value of \(GoStrconv.quote(series.labels["le"] ?? "")) for metric name \(GoStrconv.quote(series.labels.metricName ?? ""))"
                )
                return
            }
            let key = series.labels.removing("le").removing(metricNameLabel)
            let g: Int
            if let existing = groupOf[key] {
                g = existing
            } else {
                g = groups.count
                groupOf[key] = g
                groups.append(Group(key: key))
            }
            heldSeries += 1
            try checkHeldSteps(heldSeries)
            groups[g].members.append((upper, series.labels.metricName ?? "", series.values, series.present))
        }
        var out: [StepSeries] = []
        var buckets: [(upper: Double, count: Double)] = []
        for group in groups {
            var values = [Double](repeating: 0, count: n)
            var present = [Bool](repeating: false, count: n)
            for k in 0..<n {
                buckets.removeAll(keepingCapacity: true)
                var name: String?
                for member in group.members where member.present[k] {
                    if name == nil { name = member.name }
                    buckets.append((member.upper, member.values[k]))
                }
                guard let name else { continue }
                let (value, forced) = Self.bucketQuantile(q[k], buckets)
                if forced {
                    info(
                        "PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name \(GoStrconv.quote(name))"
                    )
                }
                values[k] = value
                present[k] = true
            }
            out.append(StepSeries(labels: group.key, dropName: false, values: values, present: present))
        }
        return out
    }
}
