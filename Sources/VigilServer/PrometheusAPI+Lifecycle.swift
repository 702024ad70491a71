import Hummingbird
import Logging
import NIOCore
import VigilAgent
import VigilExposition
import VigilRemote

extension PrometheusAPI {
    /// `/-/ready`: 200 once ready, 503 before.
    func readyResponse() -> Response {
        readiness.isReady ? plainText(.ok, "\(appName) is Ready.\n") : notReady()
    }

    /// `POST` or `PUT /-/reload`: 200 with an empty body, 500 naming why the reload failed, 403 when reloading
    /// over HTTP is not enabled.
    func reloadResponse() async throws -> Response {
        guard let reload else { return plainText(.forbidden, "Lifecycle API is not enabled.\n") }
        do {
            try await reload()
            return Response(status: .ok)
        } catch {
            return plainText(.internalServerError, "failed to reload config: \(error)\n")
        }
    }

    /// `/metrics`: the server's own families, negotiated and compressed as the agent serves its metrics.
    func metricsResponse(_ request: Request) async throws -> Response {
        let format = ExpositionFormat.negotiate(accept: request.headers[.accept])
        var body = ExpositionEncoder.encode(await ownMetrics(), format: format)
        var headers: HTTPFields = [.contentType: format.contentType]
        if Gzip.isAccepted(by: request.headers[.acceptEncoding]) {
            body = try Gzip.compress(body)
            headers[.contentEncoding] = "gzip"
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// `POST /api/v1/write`: reads the body up to ``remoteWriteBodyLimit`` and hands it to the receiver;
    /// 204 on success, the receiver's refusal as Prometheus's status code with the reason as text.
    func receiveRemoteWrite(_ request: Request) async throws -> Response {
        guard readiness.isReady else { return notReady() }
        guard let remoteWrite else {
            return plainText(
                .notFound, "remote write receiver needs to be enabled with --web.enable-remote-write-receiver\n")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: remoteWriteBodyLimit)
        } catch is NIOTooManyBytesError {
            let tooLarge = RemoteWriteError(
                .tooLarge,
                "request body is larger than the remote write limit of \(remoteWriteBodyLimit) bytes")
            return plainText(HTTPResponse.Status(code: tooLarge.httpStatus), tooLarge.message + "\n")
        }
        do {
            try await remoteWrite(Array(body.readableBytesView), request.headers)
        } catch {
            if error.code == .storage {
                logger.error("remote write failed", metadata: ["error": "\(error.message)"])
            }
            return plainText(HTTPResponse.Status(code: error.httpStatus), error.message + "\n")
        }
        return Response(status: .noContent)
    }
}
