import VigilModel
import VigilStorage

extension PrometheusAPI {
    /// `/api/v1/series`: the label sets of the series matching any `match[]` in `[start, end]`.
    func series(_ form: FormValues, _ out: inout APIOutput) async throws {
        if let error = form.parseError { throw APIError(.badData, "error parsing form values: \(error)") }
        let selectors = form.all("match[]")
        if selectors.isEmpty { throw APIError(.badData, "no match[] parameter provided") }
        let limit = try APIParameters.limit(form)
        let start = try APIParameters.timeParameter(form, "start", default: APIParameters.minTime)
        let end = try APIParameters.timeParameter(form, "end", default: APIParameters.maxTime)
        let matcherSets: [[LabelMatcher]]
        do {
            matcherSets = try APIParameters.matcherSets(selectors)
        } catch {
            throw APIError.invalidParameter("match[]", error.message)
        }
        let querier = try storage.querier(mint: start, maxt: end)
        let hints = SelectHints(start: start, end: end, function: "series", limit: Self.hintLimit(limit))
        var found = Set<Labels>()
        var warnings: [String] = []
        for matchers in matcherSets {
            var set = try querier.select(sorted: true, hints: hints, matchers: matchers)
            while let series = try set.next() { found.insert(series.labels) }
            warnings += set.warnings.map(\.description)
        }
        var series = found.sorted { Labels.compare($0, $1) < 0 }
        if limit > 0 && series.count > limit {
            series.removeLast(series.count - limit)
            warnings.append(Self.truncatedWarning)
        }
        out.json.byte(UInt8(ascii: "["))
        for (index, labels) in series.enumerated() {
            if index > 0 { out.json.byte(UInt8(ascii: ",")) }
            out.json.labels(labels)
        }
        out.json.byte(UInt8(ascii: "]"))
        out.warnings += warnings
    }

    /// `/api/v1/labels`: label names of the series matching `match[]` (all series without it).
    func labelNames(_ form: FormValues, _ out: inout APIOutput) async throws {
        let lookup = try labelLookup(form)
        let querier = try storage.querier(mint: lookup.start, maxt: lookup.end)
        let hints = LabelHints(limit: Self.hintLimit(lookup.limit))
        try respondWithLabels(lookup, &out) { matchers throws(StorageError) in
            try querier.labelNames(matchers: matchers, hints: hints)
        }
    }

    /// `/api/v1/label/<name>/values`: values of one label; the name may use Prometheus's `U__` escaping.
    func labelValues(_ form: FormValues, _ out: inout APIOutput, rawName: Substring) async throws {
        let (decoded, bytes) = APIParameters.labelName(fromPath: rawName)
        guard let name = decoded, !name.isEmpty else {
            throw APIError(.badData, "invalid label name: \(GoQuote.quote(bytes: bytes))")
        }
        let lookup = try labelLookup(form)
        let querier: any Querier
        do {
            querier = try storage.querier(mint: lookup.start, maxt: lookup.end)
        } catch {
            throw APIError(.execution, error.description)
        }
        let hints = LabelHints(limit: Self.hintLimit(lookup.limit))
        try respondWithLabels(lookup, &out) { matchers throws(StorageError) in
            try querier.labelValues(name: name, matchers: matchers, hints: hints)
        }
    }

    static let truncatedWarning = "results truncated due to limit"

    /// One more than the limit, so that a truncated answer can be told from an exact one.
    static func hintLimit(_ limit: Int) -> Int? { limit > 0 ? limit + 1 : nil }

    private struct LabelLookup {
        var limit: Int
        var start: Int64
        var end: Int64
        var matcherSets: [[LabelMatcher]]
    }

    private func labelLookup(_ form: FormValues) throws(APIError) -> LabelLookup {
        let limit = try APIParameters.limit(form)
        let start = try APIParameters.timeParameter(form, "start", default: APIParameters.minTime)
        let end = try APIParameters.timeParameter(form, "end", default: APIParameters.maxTime)
        do {
            return LabelLookup(
                limit: limit, start: start, end: end, matcherSets: try APIParameters.matcherSets(form.all("match[]")))
        } catch {
            throw APIError(.badData, error.message)
        }
    }

    /// Runs the lookup once per matcher set (once over everything without one), merges, sorts and cuts to
    /// the limit with Prometheus's warning.
    private func respondWithLabels(
        _ lookup: LabelLookup, _ out: inout APIOutput,
        _ run: ([LabelMatcher]) throws(StorageError) -> LabelQueryResult
    ) throws(APIError) {
        var values: [String]
        var warnings: [String] = []
        do {
            if lookup.matcherSets.count > 1 {
                var union = Set<String>()
                for matchers in lookup.matcherSets {
                    let result = try run(matchers)
                    union.formUnion(result.values)
                    warnings += result.warnings.map(\.description)
                }
                values = Array(union)
            } else {
                let result = try run(lookup.matcherSets.first ?? [])
                values = result.values
                warnings += result.warnings.map(\.description)
            }
        } catch {
            throw APIError(.execution, error.description)
        }
        values.sort()
        if lookup.limit > 0 && values.count > lookup.limit {
            values.removeLast(values.count - lookup.limit)
            warnings.append(Self.truncatedWarning)
        }
        out.json.stringArray(values)
        out.warnings += warnings
    }
}
