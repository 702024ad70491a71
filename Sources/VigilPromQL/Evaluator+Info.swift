import VigilModel
import VigilStorage

/// `info(v [, label-selector])`: adds the data labels of info series (`target_info` by default) to the series
/// of `v` that share their identifying labels (`instance`, `job`), as Prometheus's `promql/info.go` does.
///
/// Prometheus evaluates `info()` over its evaluator's whole range at once, and two things depend on that range
/// rather than on one step: which info series are fetched (those whose identifying label values occur on any
/// base series in the range), and the window their samples are read from (the range less the lookback delta,
/// shifted by the offset or pinned by the `@` of the first selector in `v`). So, although Vigil evaluates
/// `info()` step by step, the first step of a range computes every step of it and the others read the result.
/// The range is the query's, or, inside a subquery, that subquery's steps at the current outer step (where
/// Prometheus uses the union of the subquery's windows over all outer steps; only the two range-dependent
/// choices above can differ, and only when a base series lacks an identifying label that others in the range
/// have, or when info samples fall between two such windows).
extension Evaluator {
    /// The time range (and step, 0 for one instant) that `info()` evaluates over: the query's, or a subquery's.
    struct EvaluationRange: Hashable {
        var start: Int64
        var end: Int64
        var step: Int64

        /// The evaluation times, first to last.
        var times: [Int64] {
            guard step > 0 else { return [start] }
            return Array(stride(from: start, through: end, by: Int(step)))
        }
    }

    /// One `info()` call's result over one range, every step's vector by time.
    struct InfoResult {
        var range: EvaluationRange
        var vectors: [Int64: [VectorSample]]
    }

    static let targetInfoName = "target_info"
    /// The labels that join a series to its info series. Prometheus hard-codes them too.
    static let identifyingLabels = ["instance", "job"]

    func evaluateInfo(_ call: Call, at t: Int64) throws -> [VectorSample] {
        var range = evaluationRange
        if range.step > 0 ? (t < range.start || t > range.end || (t - range.start) % range.step != 0) : t != range.start
        {
            // Not a step of the current range (nothing evaluates so today): this instant alone.
            range = EvaluationRange(start: t, end: t, step: 0)
        }
        // Prometheus evaluates a step-invariant call (every argument pinned by `@`) once, at the range's start,
        // and repeats that result at every step.
        var at = t
        if range.step > 0 && Self.isStepInvariant(.call(call)) {
            range = EvaluationRange(start: range.start, end: range.start, step: 0)
            at = range.start
        }
        // One result per call: a subquery moves on to its next range and never comes back to the last one.
        let key = Expr.call(call).description
        if infoResults[key]?.range != range {
            infoResults[key] = InfoResult(range: range, vectors: try evaluateInfo(call, over: range))
        }
        var out = infoResults[key]?.vectors[at] ?? []
        if at != t {
            for i in out.indices { out[i].timestamp = t }
        }
        try checkSampleCount(out.count)
        return out
    }

    /// Prometheus's `preprocessExprHelper`: whether `expr` has the same value at every step (all its selectors
    /// and subqueries pinned by `@`, and no function that reads the evaluation time).
    static func isStepInvariant(_ expr: Expr) -> Bool {
        switch expr {
        case .numberLiteral, .stringLiteral: return true
        case .vectorSelector(let s): return s.at != nil
        case .matrixSelector(let m): return m.vectorSelector.at != nil
        case .subquery(let s): return s.at != nil
        case .paren(let p): return isStepInvariant(p.expr)
        case .unary(let u): return isStepInvariant(u.expr)
        case .aggregate(let a): return isStepInvariant(a.expr)
        case .binary(let b): return isStepInvariant(b.lhs) && isStepInvariant(b.rhs)
        case .call(let c):
            if atModifierUnsafeFunctions.contains(c.function.name) { return false }
            return c.args.allSatisfy { isStepInvariant($0) }
        }
    }

    /// Prometheus's `AtModifierUnsafeFunctions`: functions whose value depends on the evaluation time.
    static let atModifierUnsafeFunctions: Set<String> = [
        "days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute", "month", "year",
        "predict_linear", "time", "timestamp",
    ]

    /// The base series of `info()`'s first argument over a range, as Prometheus's matrix of it.
    private struct BaseMatrix {
        var series: [(labels: Labels, dropName: Bool)] = []
        /// Per step: (index into `series`, value), in the order the argument returned them.
        var steps: [[(series: Int, value: Double)]] = []
    }

    /// One info series, its signature and its samples as `info()` sees them at each step.
    private struct InfoSeries {
        var labels: Labels
        var name: String
        var signature: Labels
        /// Per step: the timestamp of the sample the lookback finds, or nil.
        var sampleTimes: [Int64?]
    }

    private func evaluateInfo(_ call: Call, over range: EvaluationRange) throws -> [Int64: [VectorSample]] {
        guard let argument = call.args.first else {
            throw PromQLError.execution("expected at least 1 argument(s) in call to \"info\", got 0")
        }
        let times = range.times
        let base = try baseMatrix(argument, at: times)

        // The second argument's matchers: those on `__name__` choose the info metrics, the others the data labels.
        var nameMatchers: [LabelMatcher] = []
        var dataLabelMatchers: [String: [LabelMatcher]] = [:]
        if call.args.count > 1 {
            guard case .vectorSelector(let selector) = call.args[1] else {
                throw PromQLError.execution("expected label selectors only")
            }
            for m in selector.matchers {
                if m.name == metricNameLabel {
                    nameMatchers.append(m)
                } else {
                    dataLabelMatchers[m.name, default: []].append(m)
                }
            }
        }
        let infoNameMatchers = try Self.effectiveInfoNameMatchers(nameMatchers)

        // A base series that is itself an info series (its name matches every name matcher) is not enriched.
        var ignored = [Bool](repeating: false, count: base.series.count)
        for (i, s) in base.series.enumerated() {
            let name = s.dropName ? "" : (s.labels[metricNameLabel] ?? "")
            ignored[i] = infoNameMatchers.allSatisfy { $0.matches(name) }
        }

        let infoSeries = try fetchInfoSeries(
            argument, base: base, ignored: ignored,
            matchers: infoNameMatchers + dataLabelMatchers.keys.sorted().flatMap { dataLabelMatchers[$0]! },
            range: range, times: times)
        let infoNames = Set(infoSeries.map(\.name)).sorted()

        var out: [Int64: [VectorSample]] = [:]
        var lastStep: [Labels: Int] = [:]
        for (k, t) in times.enumerated() {
            try checkLimits()
            let result = try combine(
                base: base, step: k, infoSeries: infoSeries, infoNames: infoNames, ignored: ignored,
                dataLabelMatchers: dataLabelMatchers, at: t)
            for sample in result {
                let identity = sample.identity
                if lastStep.updateValue(k, forKey: identity) == k {
                    throw PromQLError.execution("vector cannot contain metrics with the same labelset")
                }
            }
            try checkSampleCount(result.count)
            if !result.isEmpty { out[t] = result }
        }
        return out
    }

    private func baseMatrix(_ expr: Expr, at times: [Int64]) throws -> BaseMatrix {
        var base = BaseMatrix()
        var index: [SeriesKey: Int] = [:]
        for t in times {
            var step: [(series: Int, value: Double)] = []
            for sample in try vector(expr, at: t) {
                let key = SeriesKey(labels: sample.labels, dropName: sample.dropName)
                let i: Int
                if let existing = index[key] {
                    i = existing
                } else {
                    i = base.series.count
                    index[key] = i
                    base.series.append((sample.labels, sample.dropName))
                }
                step.append((i, sample.value))
            }
            base.steps.append(step)
        }
        return base
    }

    /// The info series that can join the base series, each with the sample the lookback finds at every step.
    private func fetchInfoSeries(
        _ arg: Expr, base: BaseMatrix, ignored: [Bool], matchers selection: [LabelMatcher], range: EvaluationRange,
        times: [Int64]
    ) throws -> [InfoSeries] {
        // The identifying label values of the series to enrich; none means nothing can join.
        var values: [String: Set<String>] = [:]
        for (i, s) in base.series.enumerated() where !ignored[i] {
            for name in Self.identifyingLabels {
                if let value = s.labels[name], !value.isEmpty { values[name, default: []].insert(value) }
            }
        }
        if values.isEmpty { return [] }

        var matchers = selection
        for name in Self.identifyingLabels {
            guard let set = values[name] else { continue }
            let sorted = set.sorted()
            matchers.append(
                sorted.count == 1
                    ? try Self.matcher(.equal, name, sorted[0])
                    : try Self.matcher(.regexMatch, name, sorted.map(Self.quoteMeta).joined(separator: "|")))
        }

        // Prometheus's infoSelectHints: the range, pinned by the first selector's `@`, less the lookback delta
        // (one millisecond short, as a sample exactly a lookback delta back is out), shifted by its offset.
        var (low, high) = (range.start, range.end)
        var offset: Int64 = 0
        if let selector = Self.firstVectorSelector(arg) {
            if let at = selector.at {
                low = referenceTime(at, range.start)
                high = low
            }
            offset = selector.offsetMilliseconds
        }
        low = low - (options.lookbackDeltaMilliseconds - 1) - offset
        high -= offset

        var set = try querier.select(
            sorted: true, hints: SelectHints(start: low, end: high, step: range.step, function: "info"),
            matchers: matchers)
        var out: [InfoSeries] = []
        while let s = try set.next() {
            // The identifying labels present must carry values of the base series (Prometheus's regex matchers).
            guard values.allSatisfy({ name, set in s.labels[name].map(set.contains) ?? false }) else { continue }
            var samples: [Sample] = []
            try s.appendSamples(into: &samples, from: low, through: high)
            var sampleTimes: [Int64?] = []
            sampleTimes.reserveCapacity(times.count)
            var found = false
            for t in times {
                let i = Self.lastIndex(samples, atOrBefore: t)
                if i >= 0, samples[i].timestamp > t - options.lookbackDeltaMilliseconds, !samples[i].isStaleMarker {
                    sampleTimes.append(samples[i].timestamp)
                    found = true
                } else {
                    sampleTimes.append(nil)
                }
            }
            guard found else { continue }
            let name = s.labels[metricNameLabel] ?? ""
            out.append(
                InfoSeries(
                    labels: s.labels, name: name, signature: Self.infoSignature(name, s.labels),
                    sampleTimes: sampleTimes))
        }
        return out
    }

    /// Prometheus's combineWithInfoVector for one step.
    private func combine(
        base: BaseMatrix, step k: Int, infoSeries: [InfoSeries], infoNames: [String], ignored: [Bool],
        dataLabelMatchers: [String: [LabelMatcher]], at t: Int64
    ) throws -> [VectorSample] {
        let samples = base.steps[k]
        if samples.isEmpty { return [] }

        // The newest info sample per signature; two equally new ones are a conflict.
        var bySignature: [Labels: (series: Int, time: Int64)] = [:]
        for (i, s) in infoSeries.enumerated() {
            guard let time = s.sampleTimes[k] else { continue }
            if let existing = bySignature[s.signature] {
                if existing.time < time {
                    bySignature[s.signature] = (i, time)
                } else if existing.time == time {
                    throw PromQLError.execution(
                        "found duplicate series for info metric: existing \(Self.goString(infoSeries[existing.series].labels)) @ \(existing.time), new \(Self.goString(s.labels)) @ \(time)"
                    )
                }
            } else {
                bySignature[s.signature] = (i, time)
            }
        }

        let emptyMatchingOnly = dataLabelMatchers.values.allSatisfy { $0.allSatisfy(\.matchesEmpty) }
        var out: [VectorSample] = []
        for (i, value) in samples {
            let series = base.series[i]
            if ignored[i] {
                out.append(VectorSample(labels: series.labels, timestamp: t, value: value, dropName: series.dropName))
                continue
            }
            var added: [String: String] = [:]
            var seen = false
            for name in infoNames {
                guard let match = bySignature[Self.infoSignature(name, series.labels)] else { continue }
                for label in infoSeries[match.series].labels where label.name != metricNameLabel {
                    if !dataLabelMatchers.isEmpty && dataLabelMatchers[label.name] == nil { continue }
                    if let value = added[label.name], value != label.value {
                        throw PromQLError.execution("conflicting label: \(label.name)")
                    }
                    if series.labels[label.name] != nil { continue }
                    added[label.name] = label.value
                }
                seen = true
            }
            // Without an info series, a data label matcher that needs a value drops the series.
            if !seen && !emptyMatchingOnly { continue }
            let labels =
                added.isEmpty ? series.labels : Labels(series.labels.pairs + added.map { Label($0.key, $0.value) })
            out.append(VectorSample(labels: labels, timestamp: t, value: value, dropName: series.dropName))
        }
        return out
    }

    /// Which metrics are info metrics (Prometheus's `effectiveInfoNameMatchers`): `target_info` without a
    /// `__name__` matcher, every name ending in `_info` less the excluded ones with negative matchers only, else
    /// the matchers as given (all must match).
    static func effectiveInfoNameMatchers(_ given: [LabelMatcher]) throws -> [LabelMatcher] {
        if given.isEmpty { return [try matcher(.equal, metricNameLabel, targetInfoName)] }
        if given.contains(where: { $0.kind == .equal || $0.kind == .regexMatch }) { return given }
        return [try matcher(.regexMatch, metricNameLabel, ".+_info")] + given
    }

    /// The info metric's name and the identifying labels `labels` has: what joins a series to an info series.
    private static func infoSignature(_ name: String, _ labels: Labels) -> Labels {
        var pairs = [Label(metricNameLabel, name)]
        for id in identifyingLabels {
            if let value = labels[id] { pairs.append(Label(id, value)) }
        }
        return Labels(pairs)
    }

    /// The first vector selector in `expr`, in Prometheus's `parser.Inspect` order (a node before its children).
    static func firstVectorSelector(_ expr: Expr) -> VectorSelector? {
        if case .vectorSelector(let s) = expr { return s }
        for child in expr.children {
            if let found = firstVectorSelector(child) { return found }
        }
        return nil
    }

    private static func matcher(_ kind: LabelMatcher.Kind, _ name: String, _ value: String) throws -> LabelMatcher {
        do {
            return try LabelMatcher(kind, name, value)
        } catch {
            throw PromQLError.execution(error.message)
        }
    }

    /// Go's `regexp.QuoteMeta`: every regular-expression metacharacter escaped.
    static func quoteMeta(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            if "\\.+*?()|[]{}^$".unicodeScalars.contains(c) { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(c)
        }
        return out
    }

    /// Go's `labels.Labels.String()`: `{__name__="x", a="b"}`, names that are not legacy identifiers quoted.
    static func goString(_ labels: Labels) -> String {
        func isLegacy(_ name: String) -> Bool {
            guard let first = name.utf8.first, !(first >= 48 && first <= 57) else { return false }
            return name.utf8.allSatisfy { c in
                (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 95
            }
        }
        let pairs = labels.map { label in
            (isLegacy(label.name) ? label.name : GoStrconv.quote(label.name)) + "=" + GoStrconv.quote(label.value)
        }
        return "{" + pairs.joined(separator: ", ") + "}"
    }
}
