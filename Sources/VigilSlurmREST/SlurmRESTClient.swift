import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import VigilScheduler

/// GET requests to slurmrestd over AsyncHTTPClient with Slurm's JWT headers (`X-SLURM-USER-NAME`,
/// `X-SLURM-USER-TOKEN`), and the choice of the API version: the newest of ``knownVersions`` that the
/// server's `/openapi/v3` lists (or, where that fails, the first whose `/slurm/VERSION/diag` answers).
///
/// Failures are ``SchedulerError``s: `unauthorized` (401/403, naming the headers and where the token
/// came from), `requestFailed` (connection, timeout, other HTTP status), `unsupportedDocument` (no known
/// version, naming the versions tried). Thread-safe.
public final class SlurmRESTClient: Sendable {
    /// The versions Vigil reads, newest first: 24.x (v0.0.42, v0.0.40) and 22.05–23.x (v0.0.38).
    public static let knownVersions = ["v0.0.42", "v0.0.40", "v0.0.38"]

    /// The server, e.g. `http://slurmctld:6820` (no trailing slash).
    public let baseURL: String
    /// The Slurm user the token belongs to (`X-SLURM-USER-NAME`).
    public let user: String
    public let token: SlurmRESTToken
    /// The limit for each request, connection included.
    public let timeout: Duration
    /// The most bytes a response may have.
    public let maxResponseBytes: Int
    let http: HTTPClient
    private let chosen = Mutex<String?>(nil)

    public init(
        baseURL: String, user: String, token: SlurmRESTToken, timeout: Duration = .seconds(5),
        maxResponseBytes: Int = 256 << 20
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.user = user
        self.token = token
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        // The process-wide client: nothing to shut down, so a client that is never used (a service that
        // never started) is harmless; each request's deadline covers connecting as well.
        http = HTTPClient.shared
    }

    /// The API version in use; nil before the first successful ``version()``.
    public var currentVersion: String? { chosen.withLock { $0 } }

    /// Forgets the chosen version (after a 404: slurmrestd was upgraded); the next request discovers again.
    public func forgetVersion() { chosen.withLock { $0 = nil } }

    /// The API version to use, discovered on first use and kept.
    public func version() async throws(SchedulerError) -> String {
        if let version = currentVersion { return version }
        let version = try await discover()
        chosen.withLock { $0 = version }
        return version
    }

    /// `GET /slurm/VERSION/endpoint` (`jobs`, `nodes`, `diag`): its body.
    public func get(endpoint: String) async throws(SchedulerError) -> [UInt8] {
        let version = try await version()
        do {
            return try await get("/slurm/\(version)/\(endpoint)")
        } catch {
            if error.code == .requestFailed, error.message.contains(" 404 ") { forgetVersion() }
            throw error
        }
    }

    /// `GET /slurmdb/VERSION/jobs` for the jobs that ended in the `windowSeconds` before `now` (epoch
    /// seconds) in one of ``SlurmCommand/finishedStates`` — what `sacct` lists on the command path. nil
    /// when slurmrestd answers 404 (started without its slurmdbd plugin: no accounting). The query differs
    /// by version, as the real daemons showed: v0.0.38 (22.05) takes Slurm's `now-3600` (epoch seconds:
    /// "Unable to parse time format") and the states as one list with encoded commas (a bare comma: 400);
    /// v0.0.40+ (24.11) take epoch seconds and one `state=` per state (an encoded list is one unknown
    /// flag, a bare comma 400). A 404 here never forgets the version (``get(endpoint:)`` does).
    public func history(windowSeconds: Int64, now: Int64) async throws(SchedulerError) -> [UInt8]? {
        let version = try await version()
        let path =
            Self.historyPath(version: version) + "?"
            + Self.historyQuery(version: version, windowSeconds: windowSeconds, now: now)
        let (status, body) = try await fetch(path)
        if status == .notFound { return nil }
        guard status == .ok else { throw statusError(status, body: body, path: path) }
        return body
    }

    /// `/slurmdb/VERSION/jobs`.
    public static func historyPath(version: String) -> String { "/slurmdb/\(version)/jobs" }

    /// The query of ``history(windowSeconds:now:)`` for `version`.
    static func historyQuery(version: String, windowSeconds: Int64, now: Int64) -> String {
        let states = SlurmCommand.finishedStates.split(separator: ",")
        if version == "v0.0.38" {
            return "start_time=now-\(windowSeconds)&end_time=now&state=" + states.joined(separator: "%2C")
        }
        return "start_time=\(now - windowSeconds)&end_time=\(now)" + states.map { "&state=\($0)" }.joined()
    }

    /// The whole body of `GET path`, or the error its status stands for.
    public func get(_ path: String) async throws(SchedulerError) -> [UInt8] {
        let (status, body) = try await fetch(path)
        guard status == .ok else { throw statusError(status, body: body, path: path) }
        return body
    }

    /// `GET path`'s status and body; throws only when no answer came (connection, timeout, token file).
    func fetch(_ path: String) async throws(SchedulerError) -> (HTTPResponseStatus, [UInt8]) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "vigil")
        request.headers.add(name: "X-SLURM-USER-NAME", value: user)
        request.headers.add(name: "X-SLURM-USER-TOKEN", value: try token.current())
        let deadline = NIODeadline.now() + .nanoseconds(timeout.nanosecondCount)
        do {
            let response = try await http.execute(request, deadline: deadline)
            let buffer = try await response.body.collect(upTo: maxResponseBytes)
            return (response.status, Array(buffer.readableBytesView))
        } catch {
            let reason =
                if let error = error as? HTTPClientError,
                    error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout
                {
                    "no answer within \(timeout) (--slurm-timeout)"
                } else {
                    "\(error)"
                }
            throw SchedulerError(.requestFailed, "GET \(baseURL)\(path): \(reason)")
        }
    }

    func statusError(_ status: HTTPResponseStatus, body: [UInt8], path: String) -> SchedulerError {
        // slurmrestd's failures carry Slurm's `errors` list; its first bytes are only `meta`.
        let slurmErrors = SlurmDecoder.errorMessages(body)
        var detail = slurmErrors.joined(separator: "; ")
        if detail.isEmpty {
            detail = String(decoding: body.prefix(200), as: UTF8.self)
            detail = detail.split(whereSeparator: \.isNewline).joined(separator: " ")
        }
        var suffix = detail.isEmpty ? "" : " (\(detail))"
        if status.code >= 500, slurmErrors.contains(where: { $0.contains("Unspecified error") }) {
            // 22.05's rest_auth/jwt passes the token through to slurmctld, which refuses a bad one with
            // this (and logs "Protocol authentication error"): the request reaches slurmrestd, not Slurm.
            suffix +=
                ": slurmctld refused the request slurmrestd passed on; an invalid or expired X-SLURM-USER-TOKEN "
                + "from \(token.origin) for '\(user)' shows this way (slurmctld logs \"Protocol authentication error\"; "
                + "make a new one with `scontrol token username=\(user)`)"
        }
        switch status.code {
        case 401, 403:
            return SchedulerError(
                .unauthorized,
                "GET \(baseURL)\(path): \(status.code) \(status.reasonPhrase)\(suffix): slurmrestd refused "
                    + "X-SLURM-USER-TOKEN from \(token.origin) for X-SLURM-USER-NAME '\(user)'; the token is "
                    + "expired, signed with another key, or for another user (make a new one with "
                    + "`scontrol token username=\(user)`; --slurm-user sets the name)")
        default:
            return SchedulerError(
                .requestFailed, "GET \(baseURL)\(path): \(status.code) \(status.reasonPhrase)\(suffix)")
        }
    }

    /// The newest known version `/openapi/v3` lists, else the first whose `diag` answers. No answer at
    /// all (connection refused, timeout) and a refused token end the search with their own error.
    private func discover() async throws(SchedulerError) -> String {
        var tried: [String] = []
        let (status, body) = try await fetch("/openapi/v3")
        if status == .ok {
            let spec = String(decoding: body, as: UTF8.self).replacingOccurrences(of: "\\/", with: "/")
            // 22.05 lists `/slurm/v0.0.38/jobs`, 24.x `/slurm/v0.0.42/jobs/`; slurmrestd answers both forms.
            for version in Self.knownVersions
            where spec.contains("\"/slurm/\(version)/jobs\"") || spec.contains("\"/slurm/\(version)/jobs/\"") {
                return version
            }
            tried.append("/openapi/v3 (lists none of them)")
        } else {
            let error = statusError(status, body: body, path: "/openapi/v3")
            if error.code == .unauthorized { throw error }
            tried.append("/openapi/v3 (\(status.code))")
        }
        for version in Self.knownVersions {
            let path = "/slurm/\(version)/diag"
            let (status, body) = try await fetch(path)
            if status == .ok { return version }
            let error = statusError(status, body: body, path: path)
            if error.code == .unauthorized { throw error }
            tried.append("\(path) (\(status.code))")
        }
        throw SchedulerError(
            .unsupportedDocument,
            "\(baseURL) speaks none of the slurmrestd API versions Vigil reads (tried "
                + tried.joined(separator: ", ")
                + "); Vigil reads \(Self.knownVersions.joined(separator: ", ")) (Slurm 22.05 to 24.11)")
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating), as NIO's `TimeAmount` wants it.
    var nanosecondCount: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product &+ attoseconds / 1_000_000_000
    }
}
