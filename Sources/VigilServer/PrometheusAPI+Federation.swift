import Hummingbird
import Logging
import NIOCore
import VigilExposition
import VigilModel
import VigilPromQL
import VigilStorage

extension PrometheusAPI {
    /// `/federate`: the latest sample of every series matching any `match[]` within the lookback delta,
    /// untyped, with timestamps, as Prometheus's federation handler writes it.
    ///
    /// Series are grouped by metric name; stale markers are left out (the formats cannot carry them);
    /// ``externalLabels`` are added to series that lack them, `instance=""` included, and written after the
    /// series' own labels. Nameless series are skipped. The format follows `Accept` (text 0.0.4 or OpenMetrics).
    func federate(_ request: Request) async throws -> Response {
        guard readiness.isReady else { return notReady() }
        let form: FormValues
        do {
            form = try await formValues(request)
        } catch {
            return plainText(.badRequest, "\(APIError(error).message)\n")
        }
        if let error = form.parseError { return plainText(.badRequest, "error parsing form values: \(error)\n") }
        // Prometheus's `ParseMetricSelectors`: selectors only, no check for a non-empty matcher.
        var matcherSets: [[LabelMatcher]] = []
        do {
            for selector in form.all("match[]") {
                matcherSets.append(try PromQLParser().parseMetricSelector(selector))
            }
        } catch {
            return plainText(.badRequest, error.description + "\n")
        }
        let maxt = now()
        let mint = maxt - engineOptions.lookbackDeltaMilliseconds
        let latest: [(labels: Labels, sample: Sample)]
        do {
            latest = try latestSamples(matcherSets, mint: mint, maxt: maxt)
        } catch {
            return plainText(.internalServerError, "\(error)\n")
        }
        let families = federatedFamilies(latest)
        let format = ExpositionFormat.negotiate(accept: request.headers[.accept])
        let body = ExpositionEncoder.encode(families, format: format)
        return Response(
            status: .ok, headers: [.contentType: format.contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The newest non-stale sample at or before `maxt` of each matching series, sorted by metric name
    /// (series of one name stay in label order).
    private func latestSamples(_ matcherSets: [[LabelMatcher]], mint: Int64, maxt: Int64) throws
        -> [(labels: Labels, sample: Sample)]
    {
        let querier = try storage.querier(mint: mint, maxt: maxt)
        let hints = SelectHints(start: mint, end: maxt)
        var seen = Set<Labels>()
        var result: [(labels: Labels, sample: Sample)] = []
        for matchers in matcherSets {
            var set = try querier.select(sorted: true, hints: hints, matchers: matchers)
            while let series = try set.next() {
                guard seen.insert(series.labels).inserted else { continue }
                var iterator = series.makeSampleIterator()
                var last: Sample?
                while iterator.next() {
                    let sample = iterator.at()
                    if sample.timestamp > maxt { break }
                    last = sample
                }
                if let error = iterator.error { throw error }
                guard let last, !last.isStaleMarker else { continue }
                result.append((series.labels, last))
            }
        }
        let ordered = result.enumerated().sorted { lhs, rhs in
            let left = lhs.element.labels.metricName ?? ""
            let right = rhs.element.labels.metricName ?? ""
            if left != right { return left < right }
            return Labels.compare(lhs.element.labels, rhs.element.labels) < 0
        }
        return ordered.map(\.element)
    }

    /// One untyped family per metric name, with the external labels added where missing.
    private func federatedFamilies(_ samples: [(labels: Labels, sample: Sample)]) -> [MetricFamily] {
        var external = externalLabels
        if external["instance"] == nil { external = external.setting("instance", to: "") }
        var families: [MetricFamily] = []
        var appendedExternal: [Set<String>] = []
        for (labels, sample) in samples {
            guard let name = labels.metricName, !name.isEmpty else {
                logger.warning("Ignoring nameless metric during federation", metadata: ["metric": "\(labels)"])
                continue
            }
            // An empty value means the label is not set; such labels are never considered.
            var own = labels.pairs.filter { $0.name != metricNameLabel && !$0.value.isEmpty }
            let missing = external.filter { label in !own.contains { $0.name == label.name } }
            own += missing
            if families.last?.name != name {
                families.append(MetricFamily(name: name, type: .unknown))
                appendedExternal.append([])
            }
            families[families.count - 1].samples.append(
                MetricSample(name: name, labels: Labels(own), value: sample.value, timestampMs: sample.timestamp))
            appendedExternal[families.count - 1].formUnion(missing.map(\.name))
        }
        // Prometheus appends the external labels after a series' own (sorted) labels; the encoder writes one
        // order per family, so a family where they were added puts them last for all its series.
        for index in families.indices where !appendedExternal[index].isEmpty {
            let appended = external.map(\.name).filter(appendedExternal[index].contains)
            let ownNames = Set(families[index].samples.flatMap { $0.labels.map(\.name) })
                .subtracting(appended)
            families[index].labelOrder = ownNames.sorted() + appended
        }
        return families
    }
}
