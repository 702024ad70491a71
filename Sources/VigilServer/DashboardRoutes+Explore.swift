import Foundation
import Hummingbird
import VigilModel
import VigilPromQL
import VigilStorage
import VigilUI

extension DashboardRoutes {
    /// Queries the explore page offers as links, on the demo's metrics.
    static let exploreExamples = [
        "DCGM_FI_DEV_GPU_UTIL",
        "avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL)",
        "sum by (Hostname) (DCGM_FI_DEV_POWER_USAGE)",
        "max by (Hostname) (DCGM_FI_DEV_GPU_TEMP)",
        "topk(5, DCGM_FI_DEV_FB_USED)",
        "up == 0",
    ]

    /// Runs `query` for the explore page: a range query over `timeRange` for the graph, an instant query at its
    /// end for the table. A query that fails gives the page's failure (a parse error with its byte range), never
    /// a thrown error. Metric names for completion are read from the storage; when that fails the page says so.
    public func explore(
        query: String, view: ExplorePage.View, timeRange: TimeRange, refreshSeconds: Int? = nil
    ) async -> ExplorePage {
        let engine = Engine(options: api.engineOptions)
        let storage = api.storage
        var notes: [String] = []
        var outcome = ExplorePage.Outcome.empty
        var warnings: [String] = []
        if !query.allSatisfy(\.isWhitespace) {
            do {
                let result = try await QueryExecutor.run {
                    switch view {
                    case .graph:
                        try engine.rangeQuery(
                            query, start: timeRange.start, end: timeRange.end, step: timeRange.step, on: storage)
                    case .table:
                        try engine.instantQuery(query, at: timeRange.end, on: storage)
                    }
                }
                warnings = result.warnings + result.infos
                outcome = Self.exploreOutcome(result.value, view: view)
            } catch let error as PromQLError {
                outcome = .failure(Self.exploreFailure(error))
            } catch {
                outcome = .failure(.init(kind: .execution, message: "\(error)"))
            }
        }
        var metricNames: [String] = []
        do {
            metricNames = try await QueryExecutor.run {
                let querier = try storage.querier(mint: timeRange.start, maxt: timeRange.end)
                return try querier.labelValues(name: metricNameLabel, matchers: []).values
            }
        } catch {
            notes.append("Could not list the metric names for completion: \(error)")
        }
        return ExplorePage(
            query: query, view: view, timeRange: timeRange, outcome: outcome, warnings: warnings,
            examples: Self.exploreExamples, metricNames: metricNames, refreshSeconds: refreshSeconds, notes: notes,
            generatedAt: view == .table ? timeRange.end : api.now())
    }

    static func exploreOutcome(_ value: QueryValue, view: ExplorePage.View) -> ExplorePage.Outcome {
        switch (value, view) {
        case (.matrix(let series), .graph):
            .series(series.map { ChartSeries(labels: $0.labels, samples: $0.samples) })
        case (.matrix(let series), .table):
            .rows(series.map { ExplorePage.Row(labels: $0.labels, samples: $0.samples) })
        case (.vector(let samples), _):
            .rows(samples.map { ExplorePage.Row(labels: $0.labels, samples: [Sample($0.timestamp, $0.value)]) })
        case (.scalar(let value, let timestamp), _):
            .scalar(value, timestamp: timestamp)
        case (.string(let value, let timestamp), _):
            .string(value, timestamp: timestamp)
        }
    }

    static func exploreFailure(_ error: PromQLError) -> ExplorePage.Failure {
        let kind: ExplorePage.Failure.Kind =
            switch error.code {
            case .parse: .parse
            case .execution: .execution
            case .timeout: .timeout
            case .tooManySamples: .tooManySamples
            case .canceled: .canceled
            }
        let position = error.position.map { $0.start..<max($0.start, $0.end) }
        return ExplorePage.Failure(kind: kind, message: error.description, position: position)
    }

    /// `/ui/explore?query=…&view=graph|table&range=…&end=…&step=…&refresh=…`.
    ///
    /// A query that does not parse or fails answers 200 with the error on the page: the page itself was
    /// served as asked (the editor, the caret under the error), and the refresh script, when the URL asks for
    /// one, takes any other status for an unreachable server. Bad page parameters (`view`, the time range,
    /// `refresh`) answer 400 with a page that says what to give instead.
    func exploreResponse(_ request: Request) async -> Response {
        let started = ContinuousClock.now
        let form = FormValues(query: request.uri.query, body: nil)
        let path = ExplorePage.path
        let query = form["query"]
        let viewText = form["view"].isEmpty ? ExplorePage.View.graph.rawValue : form["view"]
        guard let view = ExplorePage.View(rawValue: viewText) else {
            let views = ExplorePage.View.allCases.map(\.rawValue)
            return Self.html(
                .badRequest,
                HTMLPage.errorPage(
                    title: "Unknown view",
                    message: "The explore page cannot show \"\(viewText)\"; view must be one of "
                        + views.joined(separator: ", ") + ".",
                    links: views.map { (TimeRange.link(path, [("query", query), ("view", $0)]), $0) }))
        }
        let refresh: Int?
        do {
            refresh = try Self.refresh(
                form["refresh"],
                back: (TimeRange.link(path, [("query", query), ("view", view.rawValue)]), "Explore without refresh"))
        } catch {
            return error.response
        }
        let range: TimeRange
        do {
            range = try timeRange(request)
        } catch {
            return Self.timeRangeErrorPage(error, path: path, keeping: [("query", query), ("view", view.rawValue)])
        }
        let page = await explore(query: query, view: view, timeRange: range, refreshSeconds: refresh)
        return Self.timed(Self.html(.ok, page.render()), since: started)
    }
}
