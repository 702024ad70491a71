import Hummingbird
import Logging
import NIOCore
import VigilAgent

/// What an API handler writes: the `data` value, and the warnings and infos that go beside it.
struct APIOutput {
    var json = JSONWriter(capacity: 16 * 1024)
    var warnings: [String] = []
    var infos: [String] = []

    mutating func raw(_ text: StaticString) { json.raw(text) }
    mutating func key(_ name: StaticString) { json.key(name) }
    mutating func string(_ text: String) { json.string(text) }

    /// At most ten messages of a kind, then a count of the rest, as Prometheus's `AsStrings(query, 10, 10)`.
    static func capped(_ messages: [String], kind: String) -> [String] {
        guard messages.count > 10 else { return messages }
        return Array(messages.prefix(10)) + ["\(messages.count - 10) more \(kind) annotations omitted"]
    }
}

extension PrometheusAPI {
    /// Go's `maxFormSize`: a form body larger than this is refused.
    static let maxFormBytes = 10 << 20

    /// Runs an API handler and writes Prometheus's envelope around its data, or the error envelope with the
    /// status code for its error type: the one place where errors become HTTP.
    func respond<Context: RequestContext>(
        _ request: Request, _ context: Context, _ handler: (FormValues, inout APIOutput) async throws -> Void
    ) async throws -> Response {
        guard readiness.isReady else { return notReady() }
        var output = APIOutput()
        do {
            let form = try await formValues(request)
            output.raw(#"{"status":"success","data":"#)
            try await handler(form, &output)
        } catch {
            return errorResponse(APIError(error), request: request)
        }
        let warnings = APIOutput.capped(output.warnings, kind: "warning")
        let infos = APIOutput.capped(output.infos, kind: "info")
        if !warnings.isEmpty {
            output.raw(#","warnings":"#)
            output.json.stringArray(warnings)
        }
        if !infos.isEmpty {
            output.raw(#","infos":"#)
            output.json.stringArray(infos)
        }
        output.raw("}")
        return try jsonResponse(.ok, output.json.bytes, request: request)
    }

    /// `{"status":"error","errorType":…,"error":…}` with the status Prometheus uses for the error type.
    func errorResponse(_ error: APIError, request: Request) -> Response {
        var json = JSONWriter(capacity: 256)
        json.raw(#"{"status":"error","errorType":"#)
        json.string(error.code.rawValue)
        json.raw(#","error":"#)
        json.string(error.message)
        json.raw("}")
        if error.code == .internal || error.code == .unavailable {
            logger.error("API request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error.message)"])
        }
        return (try? jsonResponse(error.status, json.bytes, request: request))
            ?? Response(status: error.status, body: ResponseBody(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }

    /// A JSON body, gzip-compressed when the client accepts it (Prometheus wraps its API the same way).
    func jsonResponse(_ status: HTTPResponse.Status, _ body: [UInt8], request: Request) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        var bytes = body
        if Gzip.isAccepted(by: request.headers[.acceptEncoding]) {
            bytes = try Gzip.compress(body)
            headers[.contentEncoding] = "gzip"
            headers[.vary] = "Accept-Encoding"
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A plain-text answer as Go's `http.Error` writes it.
    func plainText(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/plain; charset=utf-8", .xContentTypeOptions: "nosniff"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// What Prometheus answers on every wrapped endpoint until it is ready.
    func notReady() -> Response {
        Response(
            status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: "Service Unavailable")))
    }

    /// The request's parameters: the URL query, then a form body (GET requests have none).
    func formValues(_ request: Request) async throws -> FormValues {
        var form = FormValues(query: request.uri.query, body: nil)
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard request.method == .post || request.method == .put,
            contentType.hasPrefix("application/x-www-form-urlencoded")
        else { return form }
        var body = request.body
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: Self.maxFormBytes)
        } catch is NIOTooManyBytesError {
            throw APIError(.badData, "error parsing form values: http: POST too large")
        }
        form.add(encoded: Array(buffer.readableBytesView))
        return form
    }
}
