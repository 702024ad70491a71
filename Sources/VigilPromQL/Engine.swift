import VigilModel
import VigilStorage

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

        public init(
            lookbackDeltaMilliseconds: Int64 = 5 * 60 * 1000, maxSamples: Int = 50_000_000,
            timeoutSeconds: Double? = 120, defaultSubqueryStepMilliseconds: Int64 = 60_000
        ) {
            self.lookbackDeltaMilliseconds = lookbackDeltaMilliseconds
            self.maxSamples = maxSamples
            self.timeoutSeconds = timeoutSeconds
            self.defaultSubqueryStepMilliseconds = defaultSubqueryStepMilliseconds
        }
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    /// Evaluates `query` at `time` (milliseconds since the epoch).
    public func instantQuery(_ query: String, at time: Int64, on storage: any Queryable) throws -> QueryResult {
        let expr = try PromQLParser().parse(query)
        return try instantQuery(expr, at: time, on: storage)
    }

    public func instantQuery(_ expr: Expr, at time: Int64, on storage: any Queryable) throws -> QueryResult {
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
}
