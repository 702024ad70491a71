import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import VigilModel
import VigilServer
import VigilStorage

/// An in-memory storage behind the API, with a fixed clock: what every API test starts from.
struct APIFixture {
    /// 2023-11-14T22:13:20Z, the fixture's "now".
    static let now: Int64 = 1_700_000_000_000

    let storage = MemoryStorage()
    var api: PrometheusAPI

    init(configure: (inout PrometheusAPI) -> Void = { _ in }) {
        api = PrometheusAPI(
            storage: storage, now: { APIFixture.now },
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        configure(&api)
    }

    /// Appends `samples` (milliseconds, value) to the series `labels`.
    func add(_ labels: Labels, _ samples: [(Int64, Double)]) throws {
        let appender = storage.appender()
        for (timestamp, value) in samples { try appender.append(labels, timestamp: timestamp, value: value) }
        try appender.commit()
    }

    /// `up` for two jobs and a counter, every 15 s over the five minutes before ``now``.
    func addStandardSeries() throws {
        let times = stride(from: Self.now - 300_000, through: Self.now, by: 15_000).map { $0 }
        try add(["__name__": "up", "job": "api", "instance": "a:9090"], times.map { ($0, 1) })
        try add(["__name__": "up", "job": "node", "instance": "b:9100"], times.map { ($0, 0) })
        try add(
            ["__name__": "http_requests_total", "job": "api", "instance": "a:9090", "code": "200"],
            times.enumerated().map { ($0.element, Double($0.offset * 10)) })
    }

    var app: some ApplicationProtocol {
        buildServerApplication(api: api, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }
}

/// One HTTP answer, decoded for assertions.
struct APIAnswer {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: String

    /// The body as a JSON object (empty when it is not one).
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    var data: Any? { json["data"] }
    var errorType: String? { json["errorType"] as? String }
    var error: String? { json["error"] as? String }
    var warnings: [String] { json["warnings"] as? [String] ?? [] }
}

extension TestClientProtocol {
    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> APIAnswer {
        try await execute(uri: uri, method: .get, headers: headers) { response in
            APIAnswer(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
    }

    /// A form POST, as Grafana and `vigil query` send them.
    func postForm(_ uri: String, _ form: String, headers: HTTPFields = [:]) async throws -> APIAnswer {
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: form)) {
            response in
            APIAnswer(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
    }
}

/// Percent-encodes a query parameter value (everything but unreserved characters).
func encode(_ value: String) -> String {
    value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
        ?? value
}

/// The path of a file in ../shared, found from this test file's location.
func sharedPath(_ relative: String) -> String {
    // Tests/VigilServerTests/APITestSupport.swift → the package root → ../shared (symbolic links resolved, so
    // that a scratch package linking the tests finds the same place).
    var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.deletingLastPathComponent().appendingPathComponent("shared").appendingPathComponent(relative).path
}

/// The path of a file in ../shared, or nil — with a message saying the test skipped — when ../shared is not
/// beside the package. In CI (`CI=true`), where ../shared is always present, its absence is a failure.
func sharedFile(_ relative: String) -> String? {
    let path = sharedPath(relative)
    if FileManager.default.fileExists(atPath: path) { return path }
    if ProcessInfo.processInfo.environment["CI"] == "true" {
        Issue.record("\(path) is missing; CI must have ../shared beside the package")
    } else {
        print("skipped: \(path) is absent (../shared is not beside the package)")
    }
    return nil
}
