import Hummingbird
import Logging
import NIOCore
import VigilCollectors
import VigilExposition
import VigilModel

/// Builds the agent's HTTP application: `/metrics`, `/health` and an index page.
///
/// This is what `vigil agent` runs and what tests call in-process.
public func buildAgentApplication(
    configuration: AgentConfiguration, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let registry = CollectorRegistry(
        collectors: HostCollectors.make(enabled: configuration.collectors) + configuration.extraCollectors,
        logger: logger)
    let cache = MetricsCache(registry: registry, paths: configuration.paths, ttl: configuration.cacheTTL)
    let router = Router()
    router.get("/metrics") { request, _ -> Response in
        let format = ExpositionFormat.negotiate(accept: request.headers[.accept])
        let gzip = Gzip.isAccepted(by: request.headers[.acceptEncoding])
        let body = try await cache.body(format: format, gzip: gzip)
        var headers: HTTPFields = [.contentType: format.contentType]
        if gzip { headers[.contentEncoding] = "gzip" }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
    router.get("/health") { _, _ -> Response in
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"status":"ok","version":"\#(VigilVersion.current)"}"#))
        )
    }
    let collectorList =
        (HostCollectors.allNames.filter(configuration.collectors.contains)
        + configuration.extraCollectors.map(\.name)).joined(separator: ", ")
    router.get("/") { _, _ -> Response in
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: indexPage(collectors: collectorList))))
    }
    return Application(
        router: router,
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: "vigil-agent"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}

private func indexPage(collectors: String) -> String {
    """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><title>Vigil agent</title>
    <style>body{font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;line-height:1.5}code{background:#eee;padding:0 .2em}</style>
    </head><body>
    <h1>Vigil agent \(VigilVersion.current)</h1>
    <p>This node's metrics in Prometheus text format 0.0.4 or OpenMetrics 1.0 (negotiated on <code>Accept</code>).</p>
    <ul>
    <li><a href="/metrics">/metrics</a> — scrape target</li>
    <li><a href="/health">/health</a> — liveness</li>
    </ul>
    <p>Collectors: \(collectors)</p>
    </body></html>
    """
}
