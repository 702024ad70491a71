import VigilModel
import VigilStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#else
    import Darwin
#endif

/// Evaluates PromQL against a ``Queryable`` with Prometheus 3.5's semantics.
///
/// Queries run synchronously on the calling task; cancelling the task cancels the query at the next step.
public struct Engine: Sendable {
    public struct Options: Sendable, Hashable {
        /// How far back an instant selector looks for a sample (Prometheus's `--query.lookback-delta`).
        public var lookbackDeltaMilliseconds: Int64
        /// At most this many samples in memory at once (Prometheus's `--query.max-samples`).
        public var maxSamples: Int
        /// How long a query may run, in seconds; nil for no limit.
        public var timeoutSeconds: Double?
        /// The step of a subquery written without one (`[1h:]`).
        public var defaultSubqueryStepMilliseconds: Int64
        /// Whether the expressions whole-range evaluation covers (selectors, range functions, common
        /// aggregations, arithmetic, `histogram_quantile`) run node by node over all steps at once instead
        /// of step by step. The results are the same; off is the reference path, for comparisons.
        public var wholeRangeEvaluation: Bool
        /// How many threads may decode the series of one selection at once (from 8 series per thread up):
        /// by default one per processor. Results do not depend on it; 1 reads on the calling thread only.
        public var readConcurrency: Int

        public init(
            lookbackDeltaMilliseconds: Int64 = 5 * 60 * 1000, maxSamples: Int = 50_000_000,
            timeoutSeconds: Double? = 120, defaultSubqueryStepMilliseconds: Int64 = 60_000,
            wholeRangeEvaluation: Bool = true, readConcurrency: Int = Engine.processorCount
        ) {
            self.lookbackDeltaMilliseconds = lookbackDeltaMilliseconds
            self.maxSamples = maxSamples
            self.timeoutSeconds = timeoutSeconds
            self.defaultSubqueryStepMilliseconds = defaultSubqueryStepMilliseconds
            self.wholeRangeEvaluation = wholeRangeEvaluation
            self.readConcurrency = Swift.max(1, readConcurrency)
        }
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    /// The processors online (at least 1).
    public static let processorCount: Int = Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Evaluates `query` at `time` (milliseconds since the epoch).
    public func instantQuery(_ query: String, at time: Int64, on storage: any Queryable) throws -> QueryResult {
        let expr = try PromQLParser().parse(query)
        return try instantQuery(expr, at: time, on: storage)
    }

    public func instantQuery(_ expr: Expr, at time: Int64, on storage: any Queryable) throws -> QueryResult {
        if options.wholeRangeEvaluation, Evaluator.supportsSteps(expr) {
            do {
                let evaluator = try Evaluator(storage: storage, start: time, end: time, step: 0, options: options)
                evaluator.prepare(expr)
                let value: QueryValue
                switch try evaluator.evaluateSteps(expr) {
                case .scalar(let v): value = .scalar(v[0], timestamp: time)
                case .vector(let series):
                    let samples = series.compactMap { s in
                        s.present[0]
                            ? VectorSample(labels: s.labels, timestamp: time, value: s.values[0], dropName: s.dropName)
                            : nil
                    }
                    value = .vector(try Evaluator.finish(samples))
                }
                return QueryResult(value: value, warnings: evaluator.warnings, infos: evaluator.infos)
            } catch is StepwiseFallback {}
        }
        let evaluator = try Evaluator(storage: storage, start: time, end: time, step: 0, options: options)
        evaluator.prepare(expr)
        var value = try evaluator.evaluate(expr, at: time)
        switch value {
        case .vector(let samples):
            value = .vector(try Evaluator.finish(samples))
        case .matrix(let series):
            value = .matrix(try Evaluator.finish(series))
        default: break
        }
        return QueryResult(value: value, warnings: evaluator.warnings, infos: evaluator.infos)
    }

    /// Evaluates `query` at every step from `start` through `end` (milliseconds); the result is a matrix.
    public func rangeQuery(
        _ query: String, start: Int64, end: Int64, step: Int64, on storage: any Queryable
    ) throws -> QueryResult {
        let expr = try PromQLParser().parse(query)
        return try rangeQuery(expr, start: start, end: end, step: step, on: storage)
    }

    public func rangeQuery(
        _ expr: Expr, start: Int64, end: Int64, step: Int64, on storage: any Queryable
    ) throws -> QueryResult {
        guard step > 0 else {
            throw PromQLError.execution("zero or negative query resolution step widths are not accepted")
        }
        guard end >= start else { throw PromQLError.execution("end timestamp must not be before start time") }
        switch expr.type {
        case .scalar, .vector: break
        default:
            throw PromQLError.execution(
                "invalid expression type \"\(expr.type.documentedName)\" for range query, must be Scalar or instant Vector"
            )
        }
        if options.wholeRangeEvaluation, Evaluator.supportsSteps(expr) {
            do {
                let evaluator = try Evaluator(storage: storage, start: start, end: end, step: step, options: options)
                evaluator.prepare(expr)
                let series = try Self.matrix(try evaluator.evaluateSteps(expr), of: evaluator)
                return QueryResult(
                    value: .matrix(try Evaluator.finish(series)), warnings: evaluator.warnings, infos: evaluator.infos)
            } catch is StepwiseFallback {}
        }
        let evaluator = try Evaluator(storage: storage, start: start, end: end, step: step, options: options)
        evaluator.prepare(expr)
        var index: [SeriesKey: Int] = [:]
        var series: [MatrixSeries] = []
        var t = start
        while t <= end {
            let value = try evaluator.evaluate(expr, at: t)
            switch value {
            case .scalar(let v, _):
                if series.isEmpty { series.append(MatrixSeries(labels: Labels(), samples: [])) }
                series[0].samples.append(Sample(t, v))
            case .vector(let samples):
                for sample in samples {
                    let key = SeriesKey(labels: sample.labels, dropName: sample.dropName)
                    if let i = index[key] {
                        series[i].samples.append(Sample(t, sample.value))
                    } else {
                        index[key] = series.count
                        series.append(
                            MatrixSeries(
                                labels: sample.labels, samples: [Sample(t, sample.value)], dropName: sample.dropName))
                    }
                }
            default: break
            }
            try evaluator.checkSampleCount(series.reduce(0) { $0 + $1.samples.count })
            t += step
        }
        return QueryResult(
            value: .matrix(try Evaluator.finish(series)), warnings: evaluator.warnings, infos: evaluator.infos)
    }

    /// A whole-range value as the range query's series, as the step-by-step loop would have collected them.
    private static func matrix(_ value: StepValue, of evaluator: Evaluator) throws -> [MatrixSeries] {
        var out: [MatrixSeries] = []
        var total = 0
        switch value {
        case .scalar(let values):
            out.append(
                MatrixSeries(
                    labels: Labels(), samples: values.enumerated().map { Sample(evaluator.stepTime($0), $1) }))
            total = values.count
        case .vector(let series):
            var keys = Set<SeriesKey>()
            for s in series {
                var samples: [Sample] = []
                for k in s.present.indices where s.present[k] {
                    samples.append(Sample(evaluator.stepTime(k), s.values[k]))
                }
                guard !samples.isEmpty else { continue }
                // Two series with one identity would interleave in the step-by-step result.
                guard keys.insert(SeriesKey(labels: s.labels, dropName: s.dropName)).inserted else {
                    throw StepwiseFallback()
                }
                total += samples.count
                out.append(MatrixSeries(labels: s.labels, samples: samples, dropName: s.dropName))
            }
        }
        if total > evaluator.options.maxSamples { throw StepwiseFallback() }
        return out
    }
}
