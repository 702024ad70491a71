import Hummingbird
import VigilModel
import VigilPromQL
import VigilStorage

extension PrometheusAPI {
    /// `POST`/`PUT /api/v1/admin/tsdb/delete_series?match[]=…&start=…&end=…`: 204 once every `match[]`'s
    /// series are deleted in `[start, end]` (default: all time); 400 without `match[]` or with a selector or
    /// time that does not parse.
    func deleteSeries(_ admin: AdminActions, _ form: FormValues) async throws -> String? {
        let selectors = form.all("match[]")
        if selectors.isEmpty { throw APIError(.badData, "no match[] parameter provided") }
        let start = try APIParameters.timeParameter(form, "start", default: APIParameters.minTime)
        let end = try APIParameters.timeParameter(form, "end", default: APIParameters.maxTime)
        var matcherSets: [[LabelMatcher]] = []
        for selector in selectors {
            do {
                matcherSets.append(try PromQLParser().parseMetricSelector(selector))
            } catch {
                throw APIError(.badData, error.description)
            }
        }
        // As Prometheus's `DB.Delete`: a range that ends before it starts deletes nothing.
        guard start <= end else { return nil }
        for matchers in matcherSets {
            try await Self.internalOnFailure { try await admin.deleteSeries(matchers, start, end) }
        }
        return nil
    }

    /// `POST`/`PUT /api/v1/admin/tsdb/clean_tombstones`: 204 once blocks are rewritten without deleted data.
    func cleanTombstones(_ admin: AdminActions, _ form: FormValues) async throws -> String? {
        try await Self.internalOnFailure { try await admin.cleanTombstones() }
        return nil
    }

    /// `POST`/`PUT /api/v1/admin/tsdb/snapshot?skip_head=…`: `{"name":…}` of the snapshot taken under
    /// `<data-dir>/snapshots/`; 400 when `skip_head` is not a Go boolean.
    func snapshot(_ admin: AdminActions, _ form: FormValues) async throws -> String? {
        var skipHead = false
        let text = form["skip_head"]
        if !text.isEmpty {
            guard let parsed = Self.goBool(text) else {
                throw APIError(
                    .badData,
                    "unable to parse boolean 'skip_head' argument: strconv.ParseBool: parsing \(GoQuote.quote(text)): invalid syntax"
                )
            }
            skipHead = parsed
        }
        var name = ""
        try await Self.internalOnFailure(prefix: "create snapshot: ") { name = try await admin.snapshot(skipHead) }
        return name
    }

    /// Runs an admin endpoint: 503 `unavailable` "admin APIs disabled" when ``admin`` is nil (as Prometheus
    /// without `--web.enable-admin-api`), 204 when the action has no data, `{"name":…}` when it has.
    func adminResponse(
        _ request: Request, _ action: (AdminActions, FormValues) async throws -> String?
    ) async throws -> Response {
        guard readiness.isReady else { return notReady() }
        guard let admin else { return errorResponse(APIError(.unavailable, "admin APIs disabled"), request: request) }
        do {
            let form = try await formValues(request)
            if let error = form.parseError { throw APIError(.badData, "error parsing form values: \(error)") }
            guard let name = try await action(admin, form) else { return Response(status: .noContent) }
            var json = JSONWriter(capacity: 128)
            json.raw(#"{"status":"success","data":{"name":"#)
            json.string(name)
            json.raw("}}")
            return try jsonResponse(.ok, json.bytes, request: request)
        } catch {
            return errorResponse(APIError(error), request: request)
        }
    }

    /// A failure of the storage behind an admin action is the server's (`internal`, 500), as in Prometheus.
    private static func internalOnFailure(prefix: String = "", _ work: () async throws -> Void) async throws {
        do {
            try await work()
        } catch let error as APIError {
            throw error
        } catch let error as StorageError {
            throw APIError(.internal, prefix + error.description)
        } catch {
            throw APIError(.internal, prefix + "\(error)")
        }
    }

    /// Go's `strconv.ParseBool`.
    static func goBool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": true
        case "0", "f", "F", "FALSE", "false", "False": false
        default: nil
        }
    }
}
