import Foundation
import Hummingbird
import NIOCore
import VigilAlerting

/// Alertmanager's API v2 under `/api/v2/` (alerts, alert groups, silences, status, receivers), served
/// by the built-in notifier so that Prometheus, `amtool` and Grafana's Alertmanager data source talk
/// to Vigil as to an Alertmanager.
public func addAlertmanagerAPI<Context: RequestContext>(
    to router: Router<Context>, api: AlertmanagerAPI, bodyLimit: Int = 16 << 20
) {
    @Sendable func handle(_ request: Request, _ context: Context) async throws -> Response {
        let path = String(request.uri.path.dropFirst("/api/v2".count))
        let query = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: bodyLimit)
        } catch {
            return Response(
                status: .contentTooLarge, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #""request body larger than \#(bodyLimit) bytes""#)))
        }
        let answer = await api.handle(
            method: request.method.rawValue, path: path, query: query, body: Data(body.readableBytesView))
        return Response(
            status: .init(code: answer.status), headers: [.contentType: answer.contentType],
            body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
    for method in [HTTPRequest.Method.get, .post, .delete] {
        router.on("/api/v2/**", method: method, use: handle)
    }
}
