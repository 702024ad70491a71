import Dispatch
import VigilModel
import VigilPromQL
import VigilStorage

extension PrometheusAPI {
    /// Prometheus's limit on a range query's points per series.
    static let maxPointsPerSeries: Int64 = 11_000

    /// `/api/v1/query`: `query`, optional `time` (default now), `timeout`, `lookback_delta`.
    func query(_ form: FormValues, _ out: inout APIOutput) async throws {
        let time = try APIParameters.timeParameter(form, "time", default: now())
        let options = try queryOptions(form)
        let expr: Expr
        do {
            expr = try PromQLParser().parse(form["query"])
        } catch {
            throw APIError.invalidParameter("query", error.description)
        }
        let engine = Engine(options: options)
        let storage = self.storage
        let result = try await QueryExecutor.run { try engine.instantQuery(expr, at: time, on: storage) }
        QueryResultEncoder.writeData(result.value, to: &out.json)
        out.warnings += result.warnings
        out.infos += result.infos
    }

    /// `/api/v1/query_range`: `query`, `start`, `end`, `step`, `timeout`, `lookback_delta`.
    func queryRange(_ form: FormValues, _ out: inout APIOutput) async throws {
        let start = try APIParameters.requiredTime(form, "start")
        let end = try APIParameters.requiredTime(form, "end")
        if end < start {
            throw APIError.invalidParameter("end", "end timestamp must not be before start time")
        }
        let stepNanoseconds = try APIParameters.duration(form, "step")
        if stepNanoseconds <= 0 {
            throw APIError.invalidParameter(
                "step", "zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        // Go divides time.Durations (nanoseconds, saturating at the largest one) with integer division.
        let (span, overflow) = (end - start).multipliedReportingOverflow(by: 1_000_000)
        if (overflow ? Int64.max : span) / stepNanoseconds > Self.maxPointsPerSeries {
            throw APIError(
                .badData,
                "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"
            )
        }
        let options = try queryOptions(form)
        let expr: Expr
        do {
            expr = try PromQLParser().parse(form["query"])
        } catch {
            throw APIError.invalidParameter("query", error.description)
        }
        guard expr.type == .scalar || expr.type == .vector else {
            throw APIError.invalidParameter(
                "query",
                "invalid expression type \(GoQuote.quote(expr.type.documentedName)) for range query, must be Scalar or instant Vector"
            )
        }
        // The engine steps in whole milliseconds; a step below one is the smallest it can take.
        let step = max(1, stepNanoseconds / 1_000_000)
        let engine = Engine(options: options)
        let storage = self.storage
        let result = try await QueryExecutor.run {
            try engine.rangeQuery(expr, start: start, end: end, step: step, on: storage)
        }
        QueryResultEncoder.writeData(result.value, to: &out.json)
        out.warnings += result.warnings
        out.infos += result.infos
    }

    /// `/api/v1/query_exemplars`: parameters checked as Prometheus checks them; Vigil keeps no exemplars, so
    /// the answer is always an empty list (what Grafana expects from a server without exemplar storage).
    func queryExemplars(_ form: FormValues, _ out: inout APIOutput) async throws {
        let start = try APIParameters.timeParameter(form, "start", default: APIParameters.minTime)
        let end = try APIParameters.timeParameter(form, "end", default: APIParameters.maxTime)
        if end < start { throw APIError(.badData, "end timestamp must not be before start timestamp") }
        do {
            _ = try PromQLParser().parse(form["query"])
        } catch {
            throw APIError(.badData, error.description)
        }
        out.raw("[]")
    }

    /// `/api/v1/format_query`: the query in canonical form, split over lines beyond 100 bytes as Prometheus does.
    func formatQuery(_ form: FormValues, _ out: inout APIOutput) async throws {
        do {
            let expr = try PromQLParser().parse(form["query"])
            out.string(expr.prettyPrinted)
        } catch {
            throw APIError.invalidParameter("query", error.description)
        }
    }

    /// The engine options for one request: `timeout` can only shorten the configured timeout, and
    /// `lookback_delta` replaces the lookback delta.
    private func queryOptions(_ form: FormValues) throws(APIError) -> Engine.Options {
        var options = engineOptions
        if !form["timeout"].isEmpty {
            let seconds = Double(try APIParameters.duration(form, "timeout")) / 1e9
            options.timeoutSeconds = min(options.timeoutSeconds ?? seconds, seconds)
        }
        let lookback = form["lookback_delta"]
        if !lookback.isEmpty {
            do {
                let nanoseconds = try APIParameters.parseDuration(lookback)
                if nanoseconds > 0 { options.lookbackDeltaMilliseconds = nanoseconds / 1_000_000 }
            } catch {
                throw APIError(.badData, "error parsing lookback delta duration: \(error.message)")
            }
        }
        return options
    }
}

/// Runs queries on threads of their own: evaluation is synchronous and CPU-bound, and must neither hold
/// Swift's cooperative threads nor the event loops while it runs.
enum QueryExecutor {
    private static let queue = DispatchQueue(label: "vigil.server.query", attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
