import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization
import VigilTestSupport

/// A loopback slurmrestd serving captured responses from a fixture directory
/// (`restd-openapi-v3.json`, `restd-VERSION-ENDPOINT.json`, `restd-dbVERSION-jobs.json` for `/slurmdb/`): a request without the expected
/// `X-SLURM-USER-NAME` and `X-SLURM-USER-TOKEN` gets the captured 401 (`restd-jwt-unauthenticated.body`),
/// an unknown path 404, and with ``delay`` set every answer waits (a hung slurmctld).
final class SlurmRESTTestServer: Sendable {
    let directory: URL
    let user: String
    let token: String
    /// Serve `/openapi/v3` (false: 404, as a slurmrestd built without the openapi plugin).
    let openAPI: Bool
    private let state = Mutex(State())

    struct State {
        var requests: [String] = []
        /// The query strings of the requests that had one, by path.
        var queries: [String: String] = [:]
        var delay: Duration?
        var failing: [String: (status: HTTPResponse.Status, body: String)] = [:]
    }

    init(directory: URL, user: String, token: String, openAPI: Bool = true) {
        self.directory = directory
        self.user = user
        self.token = token
        self.openAPI = openAPI
    }

    var requests: [String] { state.withLock { $0.requests } }
    var queries: [String: String] { state.withLock { $0.queries } }
    /// Every answer waits this long first.
    func setDelay(_ delay: Duration?) { state.withLock { $0.delay = delay } }
    /// Paths answered with an error status (`/slurm/v0.0.42/diag`, 500) and `body`.
    func fail(_ path: String, _ on: Bool = true, status: Int = 500, body: String = "boom") {
        state.withLock { $0.failing[path] = on ? (HTTPResponse.Status(code: status), body) : nil }
    }

    func respond(_ request: Request) async throws -> Response {
        let path = request.uri.path
        let delay = state.withLock { state in
            state.requests.append(path)
            if let query = request.uri.query { state.queries[path] = query }
            return state.delay
        }
        if let delay { try await Task.sleep(for: delay) }
        guard request.headers[.init("X-SLURM-USER-NAME")!] == user,
            request.headers[.init("X-SLURM-USER-TOKEN")!] == token
        else {
            let body = (try? Data(contentsOf: directory.appending(path: "restd-jwt-unauthenticated.body"))) ?? Data()
            return Response(
                status: .unauthorized, headers: [.contentType: "text/plain"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        if let failure = state.withLock({ $0.failing[path] }) {
            return Response(status: failure.status, body: ResponseBody(byteBuffer: ByteBuffer(string: failure.body)))
        }
        let file: String
        if path == "/openapi/v3", openAPI {
            file = "restd-openapi-v3.json"
        } else if path.hasPrefix("/slurmdb/") {
            // The accounting's jobs, as capture-fixtures.sh names them: restd-dbVERSION-jobs.json.
            let parts = path.split(separator: "/")
            guard parts.count == 3 else { return Response(status: .notFound) }
            file = "restd-db\(parts[1])-\(parts[2]).json"
        } else if path.hasPrefix("/slurm/") {
            let parts = path.split(separator: "/")
            guard parts.count == 3 else { return Response(status: .notFound) }
            file = "restd-\(parts[1])-\(parts[2]).json"
        } else {
            return Response(status: .notFound)
        }
        guard let body = try? Data(contentsOf: directory.appending(path: file)) else {
            return Response(
                status: .notFound, body: ResponseBody(byteBuffer: ByteBuffer(string: "Unable to find path")))
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Serves on a loopback port for the duration of `body`, which gets the base URL.
    func serve<Result: Sendable>(_ body: @Sendable (String) async throws -> Result) async throws -> Result {
        let router = Router()
        router.get("/**") { request, _ in try await self.respond(request) }
        return try await LoopbackServer.serve(router, label: "test-slurmrestd", body)
    }
}
