import Dispatch
import VigilModel
import VigilStorage

struct SeriesKey: Hashable {
    var labels: Labels
    var dropName: Bool
}

/// A selected series, decoded once per query: every sample (staleness markers included, for instant
/// selection) and the samples without staleness markers (what range selection sees).
struct SelectedSeries {
    var labels: Labels
    var samples: [Sample]
    /// `samples` less staleness markers; the same storage when there are none.
    var points: [Sample]

    init(labels: Labels, samples: [Sample]) {
        self.labels = labels
        self.samples = samples
        points = samples.contains(where: \.isStaleMarker) ? samples.filter { !$0.isStaleMarker } : samples
    }
}

/// The state of one query's evaluation: the storage, the query's time range, limits and annotations.
final class Evaluator {
    let querier: any Querier
    let start: Int64
    let end: Int64
    let step: Int64
    let options: Engine.Options
    let deadline: ContinuousClock.Instant?
    var warnings: [String] = []
    var infos: [String] = []
    private var cache: [[LabelMatcher]: [SelectedSeries]] = [:]
    /// The time range each selector may read; a selector without one reads everything.
    private var windows: [[LabelMatcher]: (Int64, Int64)] = [:]
    /// How often each selector occurs in the query: one used once is streamed, not cached.
    private var selectorUses: [[LabelMatcher]: Int] = [:]
    /// The steps being evaluated: the query's, or a subquery's while its inner expression is evaluated.
    var evaluationRange: EvaluationRange
    /// `info()` results over a whole range, computed at the first step that needs them, by call.
    var infoResults: [String: InfoResult] = [:]

    init(storage: any Queryable, start: Int64, end: Int64, step: Int64, options: Engine.Options) throws {
        querier = try storage.querier(mint: Int64.min / 2, maxt: Int64.max / 2)
        self.start = start
        self.end = end
        self.step = step
        self.options = options
        evaluationRange = EvaluationRange(start: start, end: end, step: step)
        deadline = options.timeoutSeconds.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) }
    }

    func warn(_ message: String) { if !warnings.contains(message) { warnings.append(message) } }
    func info(_ message: String) { if !infos.contains(message) { infos.append(message) } }

    func checkSampleCount(_ count: Int) throws {
        if count > options.maxSamples {
            throw PromQLError(
                .tooManySamples,
                "query processing would load too many samples into memory in query execution (limit: \(options.maxSamples))"
            )
        }
    }

    func checkLimits() throws {
        if Task.isCancelled { throw PromQLError(.canceled, "query was canceled in query execution") }
        if let deadline, ContinuousClock.now > deadline {
            throw PromQLError(.timeout, "query timed out in query execution")
        }
    }

    /// Applies the delayed `__name__` removal and rejects duplicate label sets, as Prometheus does last.
    static func finish(_ samples: [VectorSample]) throws -> [VectorSample] {
        var seen = Set<Labels>()
        var out: [VectorSample] = []
        out.reserveCapacity(samples.count)
        for var sample in samples {
            if sample.dropName {
                sample.labels = sample.labels.removing(metricNameLabel)
                sample.dropName = false
            }
            if !seen.insert(sample.labels).inserted {
                throw PromQLError.execution("vector cannot contain metrics with the same labelset")
            }
            out.append(sample)
        }
        return out
    }

    static func finish(_ series: [MatrixSeries]) throws -> [MatrixSeries] {
        var seen = Set<Labels>()
        var out: [MatrixSeries] = []
        for var s in series {
            if s.dropName {
                s.labels = s.labels.removing(metricNameLabel)
                s.dropName = false
            }
            if !seen.insert(s.labels).inserted {
                throw PromQLError.execution("vector cannot contain metrics with the same labelset")
            }
            out.append(s)
        }
        return out.sorted { $0.labels.lexicographicallyPrecedes($1.labels) }
    }

    // MARK: - Dispatch

    func evaluate(_ expr: Expr, at t: Int64) throws -> QueryValue {
        try checkLimits()
        switch expr {
        case .numberLiteral(let n): return .scalar(n.value, timestamp: t)
        case .stringLiteral(let s): return .string(s.value, timestamp: t)
        case .paren(let p): return try evaluate(p.expr, at: t)
        case .vectorSelector(let s): return .vector(try selectVector(s, at: t))
        case .matrixSelector(let m): return .matrix(try selectMatrix(m, at: t))
        case .subquery(let s): return .matrix(try evaluateSubquery(s, at: t))
        case .unary(let u): return try evaluateUnary(u, at: t)
        case .binary(let b): return try evaluateBinary(b, at: t)
        case .call(let c): return try evaluateCall(c, at: t)
        case .aggregate(let a): return try evaluateAggregate(a, at: t)
        }
    }

    func scalar(_ expr: Expr, at t: Int64) throws -> Double {
        if case .scalar(let v, _) = try evaluate(expr, at: t) { return v }
        throw PromQLError.execution("expected scalar")
    }

    func vector(_ expr: Expr, at t: Int64) throws -> [VectorSample] {
        if case .vector(let v) = try evaluate(expr, at: t) { return v }
        throw PromQLError.execution("expected instant vector")
    }

    func matrix(_ expr: Expr, at t: Int64) throws -> [MatrixSeries] {
        if case .matrix(let v) = try evaluate(expr, at: t) { return v }
        throw PromQLError.execution("expected range vector")
    }

    func string(_ expr: Expr, at t: Int64) throws -> String {
        if case .string(let v, _) = try evaluate(expr, at: t) { return v }
        throw PromQLError.execution("expected string")
    }

    // MARK: - Selectors

    /// Finds, for every selector, the time range the query can read (as Prometheus's `FindMinMaxTime`), so that
    /// only those samples are loaded.
    func prepare(_ expr: Expr) {
        windows = [:]
        selectorUses = [:]
        collectWindows(expr, from: start, through: end)
    }

    private func collectWindows(_ expr: Expr, from: Int64, through: Int64) {
        func bounds(_ at: AtModifier?, _ offset: Int64) -> (Int64, Int64) {
            switch at {
            case nil: (from - offset, through - offset)
            case .timestamp(let ms): (ms - offset, ms - offset)
            case .start: (start - offset, start - offset)
            case .end: (end - offset, end - offset)
            }
        }
        func add(_ matchers: [LabelMatcher], _ lo: Int64, _ hi: Int64) {
            selectorUses[matchers, default: 0] += 1
            if let existing = windows[matchers] {
                windows[matchers] = (min(existing.0, lo), max(existing.1, hi))
            } else {
                windows[matchers] = (lo, hi)
            }
        }
        switch expr {
        case .vectorSelector(let s):
            let (lo, hi) = bounds(s.at, s.offsetMilliseconds)
            add(s.matchers, lo - options.lookbackDeltaMilliseconds, hi)
        case .matrixSelector(let m):
            let (lo, hi) = bounds(m.vectorSelector.at, m.vectorSelector.offsetMilliseconds)
            add(m.vectorSelector.matchers, lo - m.rangeMilliseconds - options.lookbackDeltaMilliseconds, hi)
        case .subquery(let sq):
            let (lo, hi) = bounds(sq.at, sq.offsetMilliseconds)
            collectWindows(sq.expr, from: lo - sq.rangeMilliseconds, through: hi)
        default:
            for child in expr.children { collectWindows(child, from: from, through: through) }
        }
    }

    func series(_ matchers: [LabelMatcher]) throws -> [SelectedSeries] {
        if let cached = cache[matchers] { return cached }
        let result = try Self.read(try unreadSeries(matchers), concurrency: readConcurrency(matchers))
        cache[matchers] = result
        return result
    }

    /// Hands the selector's series to `body` decoded, in label order. A selector the query uses once is
    /// streamed: decoded a batch at a time (in parallel) and dropped after use, so a long query holds one
    /// batch of series in memory, not all of them. Others come from (and fill) the per-query cache.
    func forEachSelected(_ matchers: [LabelMatcher], _ body: (SelectedSeries) throws -> Void) throws {
        if cache[matchers] != nil || selectorUses[matchers, default: 0] > 1 {
            for series in try series(matchers) { try body(series) }
            return
        }
        let selected = try unreadSeries(matchers)
        var start = 0
        while start < selected.count {
            let end = Swift.min(start + Self.streamBatch, selected.count)
            for series in try Self.read(Array(selected[start..<end]), concurrency: readConcurrency(matchers)) {
                try body(series)
            }
            start = end
        }
    }

    /// Series decoded at once when a selector is streamed.
    static let streamBatch = 128

    /// The series a selector selects, in label order, not read yet.
    func unreadSeries(_ matchers: [LabelMatcher]) throws -> [any Series] {
        let hints = windows[matchers].map { SelectHints(start: $0.0, end: $0.1) }
        var set = try querier.select(sorted: true, hints: hints, matchers: matchers)
        var selected: [any Series] = []
        while let s = try set.next() { selected.append(s) }
        return selected
    }

    /// Decodes `selected` in order, spread over up to `concurrency` threads when there are enough series for
    /// it to pay (decoding is most of a long query's time, and series are independent snapshots).
    static func read(_ selected: [any Series], concurrency: Int) throws -> [SelectedSeries] {
        let workers = Swift.min(concurrency, selected.count / minimumSeriesPerReader)
        guard workers > 1 else {
            return try selected.map { series in
                var samples: [Sample] = []
                try series.appendSamples(into: &samples, from: .min, through: .max)
                return SelectedSeries(labels: series.labels, samples: samples)
            }
        }
        var results = [SelectedSeries?](repeating: nil, count: selected.count)
        var failures = [StorageError?](repeating: nil, count: selected.count)
        results.withUnsafeMutableBufferPointer { results in
            failures.withUnsafeMutableBufferPointer { failures in
                let slots = DisjointSlots(results: results, failures: failures)
                // Each worker takes every `workers`-th series: distinct slots, so no two threads write one.
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    for index in stride(from: worker, to: selected.count, by: workers) {
                        var samples: [Sample] = []
                        do throws(StorageError) {
                            try selected[index].appendSamples(into: &samples, from: .min, through: .max)
                            slots.results[index] = SelectedSeries(labels: selected[index].labels, samples: samples)
                        } catch {
                            slots.failures[index] = error
                        }
                    }
                }
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
        return results.map { $0! }
    }

    /// Threads for reading a selector's series: one when the selector reads less than an hour (a rule's
    /// `[5m]`, an instant lookback), where handing work to other threads costs more than the decoding.
    func readConcurrency(_ matchers: [LabelMatcher]) -> Int {
        guard let (low, high) = windows[matchers], high &- low >= Self.minimumParallelWindow else { return 1 }
        return options.readConcurrency
    }

    /// The shortest selector window read in parallel: an hour.
    static let minimumParallelWindow: Int64 = 3_600_000

    /// Below this many series per thread, a selection is read on the calling thread.
    static let minimumSeriesPerReader = 8

    /// The result slots of a parallel read; each thread writes only its own indices, and the caller reads
    /// them after every thread has finished.
    private struct DisjointSlots: @unchecked Sendable {
        let results: UnsafeMutableBufferPointer<SelectedSeries?>
        let failures: UnsafeMutableBufferPointer<StorageError?>
    }

    func referenceTime(_ at: AtModifier?, _ t: Int64) -> Int64 {
        switch at {
        case nil: t
        case .timestamp(let ms): ms
        case .start: start
        case .end: end
        }
    }

    /// Index of the last sample at or before `ts`, or -1.
    static func lastIndex(_ samples: [Sample], atOrBefore ts: Int64) -> Int {
        var low = 0
        var high = samples.count
        while low < high {
            let mid = (low + high) / 2
            if samples[mid].timestamp <= ts { low = mid + 1 } else { high = mid }
        }
        return low - 1
    }

    func selectVector(_ s: VectorSelector, at t: Int64, keepTimestamps: Bool = false) throws -> [VectorSample] {
        let ts = referenceTime(s.at, t) - s.offsetMilliseconds
        var out: [VectorSample] = []
        for series in try series(s.matchers) {
            let i = Self.lastIndex(series.samples, atOrBefore: ts)
            guard i >= 0 else { continue }
            let sample = series.samples[i]
            guard sample.timestamp > ts - options.lookbackDeltaMilliseconds, !sample.isStaleMarker else { continue }
            out.append(
                VectorSample(
                    labels: series.labels, timestamp: keepTimestamps ? sample.timestamp : t, value: sample.value))
        }
        try checkSampleCount(out.count)
        return out
    }

    /// The indices of `points` in the range selector's window `(from, through]`.
    static func window(_ points: [Sample], after from: Int64, through: Int64) -> Range<Int> {
        let last = lastIndex(points, atOrBefore: through)
        let first = lastIndex(points, atOrBefore: from) + 1
        return first <= last ? first..<(last + 1) : first..<first
    }

    func selectMatrix(_ m: MatrixSelector, at t: Int64) throws -> [MatrixSeries] {
        let s = m.vectorSelector
        let ts = referenceTime(s.at, t) - s.offsetMilliseconds
        let from = ts - m.rangeMilliseconds
        var out: [MatrixSeries] = []
        var total = 0
        for series in try series(s.matchers) {
            let window = Self.window(series.points, after: from, through: ts)
            guard !window.isEmpty else { continue }
            total += window.count
            out.append(MatrixSeries(labels: series.labels, samples: Array(series.points[window])))
        }
        try checkSampleCount(total)
        return out
    }

    func evaluateSubquery(_ s: SubqueryExpr, at t: Int64) throws -> [MatrixSeries] {
        let ts = referenceTime(s.at, t) - s.offsetMilliseconds
        let step = s.stepMilliseconds > 0 ? s.stepMilliseconds : max(1, options.defaultSubqueryStepMilliseconds)
        let from = ts - s.rangeMilliseconds
        var first = (from / step) * step  // Go's truncating division
        if first <= from { first += step }
        var index: [SeriesKey: Int] = [:]
        var out: [MatrixSeries] = []
        var total = 0
        var current = first
        let outerRange = evaluationRange
        evaluationRange = EvaluationRange(start: first, end: ts, step: step)
        defer { evaluationRange = outerRange }
        while current <= ts {
            switch try evaluate(s.expr, at: current) {
            case .scalar(let v, _):
                if out.isEmpty { out.append(MatrixSeries(labels: Labels(), samples: [])) }
                out[0].samples.append(Sample(current, v))
                total += 1
            case .vector(let samples):
                for sample in samples {
                    let key = SeriesKey(labels: sample.labels, dropName: sample.dropName)
                    if let i = index[key] {
                        out[i].samples.append(Sample(current, sample.value))
                    } else {
                        index[key] = out.count
                        out.append(
                            MatrixSeries(
                                labels: sample.labels, samples: [Sample(current, sample.value)],
                                dropName: sample.dropName))
                    }
                }
                total += samples.count
            default: throw PromQLError.execution("subquery of a non-vector expression")
            }
            try checkSampleCount(total)
            current += step
        }
        return out
    }

    // MARK: - Operators

    private func evaluateUnary(_ u: UnaryExpr, at t: Int64) throws -> QueryValue {
        let value = try evaluate(u.expr, at: t)
        guard u.op == .minus else { return value }
        switch value {
        case .scalar(let v, let ts): return .scalar(-v, timestamp: ts)
        case .vector(let samples):
            return .vector(
                samples.map {
                    VectorSample(labels: $0.labels, timestamp: $0.timestamp, value: -$0.value, dropName: true)
                })
        default: return value
        }
    }
}
