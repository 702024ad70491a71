import Foundation
import Hummingbird
import NIOCore
import VigilGPU
import VigilModel
import VigilPromQL
import VigilUI

extension DashboardRoutes {
    /// `/ui/node/{name}`: the node's page over the URL's time range, or a helpful 404 when nothing reports
    /// the name.
    func nodeResponse(_ request: Request) async -> Response {
        let started = ContinuousClock.now
        let prefix = "/ui/node/"
        let raw = request.uri.path.hasPrefix(prefix) ? String(request.uri.path.dropFirst(prefix.count)) : ""
        let name = raw.removingPercentEncoding ?? raw
        let path = "/ui/node/" + HTMLPage.percentEncoded(name)
        let range: TimeRange
        do {
            range = try timeRange(request)
        } catch {
            return Self.html(
                .badRequest,
                HTMLPage.errorPage(
                    title: "Bad time range", message: error.message,
                    links: [(path, "Node \(name), the last hour"), ("/", "Fleet overview")]))
        }
        let refresh: Int?
        do {
            refresh = try Self.refresh(
                request.uri.queryParameters["refresh"].map(String.init), back: (path, "Node \(name)"))
        } catch {
            return error.response
        }
        guard let page = await node(name: name, range: range, refreshSeconds: refresh) else {
            let selector = "DCGM_FI_DEV_GPU_UTIL{Hostname=\"\(escapeLabelValue(name))\"}"
            return Self.html(
                .notFound,
                HTMLPage.errorPage(
                    title: "Node \(name)",
                    message:
                        "No GPU reports Hostname \"\(name)\" and no host reports instance \"\(name):<port>\" or nodename "
                        + "\"\(name)\" in this time range. The overview's heatmap lists every node that reports now.",
                    links: [
                        ("/", "Fleet overview"),
                        (
                            "/api/v1/query?query=" + HTMLPage.percentEncoded(selector),
                            "This name's GPU utilisation (API)"
                        ),
                    ]))
        }
        do {
            return Self.timed(Self.html(.ok, try page.render()), since: started)
        } catch {
            return Self.html(
                .internalServerError,
                HTMLPage.errorPage(
                    title: "Node \(name) failed", message: "The node's page could not be drawn: \(error)",
                    links: [(path, "Try again"), ("/", "Fleet overview")]))
        }
    }

    /// Gathers a node's page: its GPUs (dcgm-exporter's `Hostname`) at the range's end and over the range, and
    /// its host (node_exporter's series with `instance` `<name>:<port>`, or `node_uname_info`'s `nodename`).
    /// Every query selects this node only. Nil when neither GPUs nor a host report the name.
    public func node(name: String, range: TimeRange, refreshSeconds: Int? = nil) async -> NodePage? {
        let engine = Engine(options: api.engineOptions)
        let storage = api.storage
        let gathered: NodeQueries.Results
        do {
            gathered = try await QueryExecutor.run {
                NodeQueries(name: name, range: range).run { query, kind in
                    switch kind {
                    case .instant: try engine.instantQuery(query, at: range.end, on: storage).value
                    case .range:
                        try engine.rangeQuery(query, start: range.start, end: range.end, step: range.step, on: storage)
                            .value
                    }
                }
            }
        } catch {
            gathered = NodeQueries.Results(notes: ["Could not read the node's series: \(error)"])
        }
        guard !gathered.gpus.isEmpty || gathered.host != nil || !gathered.notes.isEmpty else { return nil }
        return NodePage(
            name: name, facts: gathered.facts, gpus: gathered.gpus, host: gathered.host,
            gpuCharts: gathered.gpuCharts, hostCharts: gathered.hostCharts, range: range, generatedAt: range.end,
            refreshSeconds: refreshSeconds ?? defaultRefreshSeconds, notes: gathered.notes)
    }
}
