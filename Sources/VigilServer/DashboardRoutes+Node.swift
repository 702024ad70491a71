import Foundation
import Hummingbird
import NIOCore
import VigilModel
import VigilPromQL
import VigilUI

extension DashboardRoutes {
    func nodeResponse(_ request: Request) async -> Response {
        let prefix = "/ui/node/"
        let raw = request.uri.path.hasPrefix(prefix) ? String(request.uri.path.dropFirst(prefix.count)) : ""
        let name = raw.removingPercentEncoding ?? raw
        let selector = "DCGM_FI_DEV_GPU_UTIL{Hostname=\"\(escapeLabelValue(name))\"}"
        let engine = Engine(options: api.engineOptions)
        let storage = api.storage
        let time = api.now()
        let gpuCount =
            (try? await QueryExecutor.run { () -> Int in
                guard case .vector(let samples) = try engine.instantQuery(selector, at: time, on: storage).value
                else { return 0 }
                return samples.count
            }) ?? 0
        let message =
            gpuCount > 0
            ? "The page of node \(name) (\(gpuCount) GPUs reporting) is not built yet. Its GPUs are in the overview's heatmap, and its series in the API."
            : "No GPU reports Hostname \"\(name)\" now. The overview's heatmap lists every node that does."
        return Self.html(
            .notFound,
            HTMLPage.errorPage(
                title: "Node \(name)", message: message,
                links: [
                    ("/", "Fleet overview"),
                    ("/api/v1/query?query=" + HTMLPage.percentEncoded(selector), "This node's GPU utilisation (API)"),
                ]))
    }

}
