import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VigilModel

/// Runs PromQL against a Prometheus-compatible server (`vigil query`): an instant query, or a range query,
/// answered as the server's JSON and as a table for a terminal.
///
/// ```swift
/// let client = PrometheusQueryClient(serverURL: "http://127.0.0.1:9470")
/// let answer = try await client.instantQuery("up")
/// print(answer.table())
/// ```
public struct PrometheusQueryClient: Sendable {
    public var serverURL: String
    public var httpClient: HTTPClient
    /// How long to wait for the whole answer.
    public var timeout: TimeAmount

    public init(serverURL: String, httpClient: HTTPClient = .shared, timeout: TimeAmount = .seconds(130)) {
        self.serverURL = serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL
        self.httpClient = httpClient
        self.timeout = timeout
    }

    /// `query` at `time` (milliseconds since the epoch; the server's now when nil).
    public func instantQuery(_ query: String, time: Int64? = nil) async throws(APIError) -> QueryAnswer {
        var form = [("query", query)]
        if let time { form.append(("time", Self.seconds(time))) }
        return try await post("/api/v1/query", form)
    }

    /// `query` from `start` through `end` every `step` (all in milliseconds).
    public func rangeQuery(_ query: String, start: Int64, end: Int64, step: Int64) async throws(APIError)
        -> QueryAnswer
    {
        try await post(
            "/api/v1/query_range",
            [
                ("query", query), ("start", Self.seconds(start)), ("end", Self.seconds(end)),
                ("step", Self.seconds(step)),
            ])
    }

    private func post(_ path: String, _ form: [(String, String)]) async throws(APIError) -> QueryAnswer {
        var request = HTTPClientRequest(url: serverURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: Self.formEncode(form)))
        let body: [UInt8]
        let status: UInt
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            status = response.status.code
            body = Array(try await response.body.collect(upTo: 1 << 30).readableBytesView)
        } catch {
            throw APIError(.unavailable, "cannot query \(serverURL)\(path): \(error)")
        }
        return try QueryAnswer(json: body, httpStatus: status)
    }

    static func seconds(_ milliseconds: Int64) -> String {
        var json = JSONWriter(capacity: 24)
        json.timestamp(milliseconds)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    /// `application/x-www-form-urlencoded`, escaping everything but unreserved characters.
    static func formEncode(_ pairs: [(String, String)]) -> String {
        func escape(_ text: String) -> String {
            var out = ""
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                    UInt8(ascii: "~"):
                    out.unicodeScalars.append(UnicodeScalar(byte))
                default:
                    out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
                }
            }
            return out
        }
        return pairs.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }
}

/// A query's answer: the server's JSON as received, and its result decoded for display.
public struct QueryAnswer: Sendable {
    /// One series of the result: its labels and its points (one for a vector, several for a matrix).
    public struct Series: Sendable, Hashable {
        public var labels: [(name: String, value: String)]
        /// (milliseconds since the epoch, value as the server wrote it)
        public var points: [(timestamp: Int64, value: String)]

        public static func == (lhs: Series, rhs: Series) -> Bool {
            lhs.labels.elementsEqual(rhs.labels, by: ==) && lhs.points.elementsEqual(rhs.points, by: ==)
        }

        public func hash(into hasher: inout Hasher) {
            for label in labels {
                hasher.combine(label.name)
                hasher.combine(label.value)
            }
        }
    }

    /// The server's response body, unchanged (what `--json` prints).
    public var json: [UInt8]
    /// `vector`, `matrix`, `scalar` or `string`.
    public var resultType: String
    public var series: [Series]
    public var warnings: [String]
    public var infos: [String]

    /// Decodes a Prometheus API response; an error envelope (or a body that is not one) throws the
    /// server's error type and message.
    public init(json: [UInt8], httpStatus: UInt = 200) throws(APIError) {
        self.json = json
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
            let text = String(decoding: json.prefix(200), as: UTF8.self)
            throw APIError(.internal, "the server answered \(httpStatus) without a Prometheus API response: \(text)")
        }
        guard object["status"] as? String == "success" else {
            let code = (object["errorType"] as? String).flatMap(APIError.Code.init(rawValue:)) ?? .internal
            throw APIError(code, object["error"] as? String ?? "the server answered \(httpStatus) without a reason")
        }
        warnings = object["warnings"] as? [String] ?? []
        infos = object["infos"] as? [String] ?? []
        let data = object["data"] as? [String: Any] ?? [:]
        resultType = data["resultType"] as? String ?? ""
        series = []
        switch data["result"] {
        case let list as [[String: Any]]:
            for entry in list {
                let metric = (entry["metric"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }
                var points: [(Int64, String)] = []
                if let value = entry["value"] as? [Any], let point = Self.point(value) { points.append(point) }
                for value in entry["values"] as? [[Any]] ?? [] {
                    if let point = Self.point(value) { points.append(point) }
                }
                series.append(Series(labels: metric.map { ($0.key, $0.value) }, points: points))
            }
        case let pair as [Any]:
            if let point = Self.point(pair) { series.append(Series(labels: [], points: [point])) }
        default:
            break
        }
    }

    private static func point(_ pair: [Any]) -> (Int64, String)? {
        guard pair.count == 2, let seconds = (pair[0] as? NSNumber)?.doubleValue else { return nil }
        let value = pair[1] as? String ?? "\(pair[1])"
        return (Int64((seconds * 1000).rounded()), value)
    }

    /// The answer as a table: one row per series with its labels, value(s) and time(s) in UTC.
    ///
    /// An instant vector has columns SERIES, VALUE, TIMESTAMP; a range result one row per series with its
    /// points as `value @ time`; a scalar or string one row without labels.
    public func table() -> String {
        var rows: [[String]]
        switch resultType {
        case "matrix":
            rows = [["SERIES", "POINTS"]]
            for entry in series {
                let points = entry.points.map { "\($0.value) @\(RFC3339.format($0.timestamp))" }
                rows.append([Self.describe(entry.labels), points.joined(separator: "  ")])
            }
        default:
            rows = [["SERIES", "VALUE", "TIMESTAMP"]]
            for entry in series {
                guard let point = entry.points.first else { continue }
                let name = resultType == "vector" ? Self.describe(entry.labels) : resultType
                rows.append([name, point.value, RFC3339.format(point.timestamp)])
            }
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
        for warning in warnings { text += "\nwarning: \(warning)" }
        for info in infos { text += "\ninfo: \(info)" }
        return text + "\n"
    }

    /// `name{a="x", b="y"}`, or `{}` for a series without labels.
    static func describe(_ labels: [(name: String, value: String)]) -> String {
        let name = labels.first { $0.name == "__name__" }?.value ?? ""
        let rest = labels.filter { $0.name != "__name__" }
        if rest.isEmpty && !name.isEmpty { return name }
        let pairs = rest.map { "\($0.name)=\(GoQuote.quote($0.value))" }.joined(separator: ", ")
        return "\(name){\(pairs)}"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
