import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization
import VigilTestSupport

/// A loopback Kubernetes API server for pods and nodes with real list+watch semantics: one
/// resourceVersion counter per server, a list answers the objects at the current version, a watch from
/// version V replays the history after V then streams changes as JSON lines (chunked), with a BOOKMARK
/// when asked; a watch from a version older than the compacted history gets an `ERROR` event with a
/// 410 `Status`, as kube-apiserver does. Every request must carry `Authorization: Bearer <token>`.
///
/// The test drives it: ``put(_:_:)``, ``delete(_:_:)``, ``compact()``, ``dropWatches()`` (the connection
/// breaks mid-stream), ``endWatches()`` (the server closes the watch cleanly) and ``putRaw(_:_:)`` for
/// a malformed object.
final class KubernetesTestAPIServer: Sendable {
    enum Message: Sendable {
        case line(String)
        case drop
        case end
    }

    struct Entry: Sendable {
        var version: Int
        var type: String
        var json: String
    }

    struct Store: Sendable {
        var version = 100
        var objects: [String: [String: String]] = ["pods": [:], "nodes": [:]]
        var history: [String: [Entry]] = ["pods": [], "nodes": []]
        var compactedBelow = 0
        var watchers:
            [Int: (resource: String, selector: FieldSelector, continuation: AsyncStream<Message>.Continuation)] = [:]
        var nextWatcher = 0
        var requests: [String] = []
        var unauthorized = 0
    }

    let token: String
    let store = Mutex(Store())

    init(token: String) {
        self.token = token
    }

    /// Paths requested so far (with queries).
    var requests: [String] { store.withLock { $0.requests } }
    var unauthorizedRequests: Int { store.withLock { $0.unauthorized } }
    var openWatches: Int { store.withLock { $0.watchers.count } }
    var version: Int { store.withLock { $0.version } }

    // MARK: - Driving

    /// Adds or replaces an object (`ADDED` or `MODIFIED`): `json` is the object without its
    /// resourceVersion, which the server sets.
    func put(_ resource: String, _ json: [String: Any]) {
        let name = Self.key(json)
        store.withLock { store in
            store.version += 1
            var object = json
            var metadata = object["metadata"] as? [String: Any] ?? [:]
            metadata["resourceVersion"] = String(store.version)
            object["metadata"] = metadata
            let text = Self.encode(object)
            let type = store.objects[resource]?[name] == nil ? "ADDED" : "MODIFIED"
            store.objects[resource, default: [:]][name] = text
            Self.record(&store, resource, Entry(version: store.version, type: type, json: text))
        }
    }

    /// A malformed object as an event and in lists (it bumps the version like any write).
    func putRaw(_ resource: String, _ text: String) {
        store.withLock { store in
            store.version += 1
            store.objects[resource, default: [:]]["raw-\(store.version)"] = text
            Self.record(&store, resource, Entry(version: store.version, type: "ADDED", json: text))
        }
    }

    func delete(_ resource: String, _ key: String) {
        store.withLock { store in
            guard let text = store.objects[resource]?[key],
                var object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            else { return }
            store.version += 1
            store.objects[resource]?[key] = nil
            // The deleted object carries the deletion's resourceVersion, as kube-apiserver writes it.
            var metadata = object["metadata"] as? [String: Any] ?? [:]
            metadata["resourceVersion"] = String(store.version)
            object["metadata"] = metadata
            Self.record(&store, resource, Entry(version: store.version, type: "DELETED", json: Self.encode(object)))
        }
    }

    /// Forgets the history: a watch from any version before now gets 410 Gone.
    func compact() {
        store.withLock { store in
            store.compactedBelow = store.version
            store.history = store.history.mapValues { _ in [] }
        }
    }

    /// Breaks every open watch connection mid-stream.
    func dropWatches() { broadcast(.drop) }

    /// Ends every open watch cleanly (its timeoutSeconds elapsed).
    func endWatches() { broadcast(.end) }

    private func broadcast(_ message: Message) {
        let watchers = store.withLock { store in
            defer { store.watchers = [:] }
            return store.watchers.values.map(\.continuation)
        }
        for continuation in watchers {
            continuation.yield(message)
            continuation.finish()
        }
    }

    private static func record(_ store: inout Store, _ resource: String, _ entry: Entry) {
        store.history[resource, default: []].append(entry)
        let line = #"{"type":"\#(entry.type)","object":\#(entry.json)}"#
        for watcher in store.watchers.values where watcher.resource == resource && watcher.selector.matches(entry.json)
        {
            watcher.continuation.yield(.line(line))
        }
    }

    // MARK: - Serving

    func respond(_ request: Request, resource: String) async throws -> Response {
        let path = request.uri.description
        store.withLock { $0.requests.append(path) }
        guard request.headers[.authorization] == "Bearer \(token)" else {
            store.withLock { $0.unauthorized += 1 }
            return Self.status(401, "Unauthorized", "Unauthorized")
        }
        let query = request.uri.queryParameters
        let selector = FieldSelector(query["fieldSelector"].map { String($0).removingPercentEncoding ?? String($0) })
        if query["watch"].map(String.init) == "1" {
            return watch(
                resource, from: Int(query["resourceVersion"].map(String.init) ?? "") ?? 0,
                bookmarks: query["allowWatchBookmarks"].map(String.init) == "true", selector: selector)
        }
        let (version, items) = store.withLock { store in
            (
                store.version,
                (store.objects[resource] ?? [:]).sorted { $0.key < $1.key }.map(\.value).filter(selector.matches)
            )
        }
        // Pages of `limit` items; the continue token holds the snapshot's version and the next offset.
        var listVersion = version
        var offset = 0
        if let token = query["continue"].map(String.init) {
            let parts = token.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 2 else { return Self.status(400, "BadRequest", "bad continue token") }
            (listVersion, offset) = (parts[0], parts[1])
        }
        let limit = Int(query["limit"].map(String.init) ?? "") ?? items.count
        let page = Array(items.dropFirst(offset).prefix(limit))
        let next = offset + page.count < items.count ? "\(listVersion)-\(offset + page.count)" : ""
        let kind = resource == "pods" ? "PodList" : "NodeList"
        let body =
            #"{"kind":"\#(kind)","apiVersion":"v1","metadata":{"resourceVersion":"\#(listVersion)","continue":"\#(next)"},"items":["#
            + page.joined(separator: ",") + "]}"
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    private func watch(_ resource: String, from version: Int, bookmarks: Bool, selector: FieldSelector) -> Response {
        let (stream, continuation) = AsyncStream.makeStream(of: Message.self)
        let kind = resource == "pods" ? "Pod" : "Node"
        store.withLock { store in
            if version < store.compactedBelow {
                let status =
                    #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","#
                    + #""message":"too old resource version: \#(version) (\#(store.compactedBelow))","#
                    + #""reason":"Expired","code":410}"#
                continuation.yield(.line(#"{"type":"ERROR","object":\#(status)}"#))
                continuation.yield(.end)
                continuation.finish()
                return
            }
            for entry in store.history[resource] ?? [] where entry.version > version && selector.matches(entry.json) {
                continuation.yield(.line(#"{"type":"\#(entry.type)","object":\#(entry.json)}"#))
            }
            if bookmarks {
                continuation.yield(
                    .line(
                        #"{"type":"BOOKMARK","object":{"kind":"\#(kind)","apiVersion":"v1","metadata":{"resourceVersion":"\#(store.version)"}}}"#
                    ))
            }
            store.watchers[store.nextWatcher] = (resource, selector, continuation)
            store.nextWatcher += 1
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json", .transferEncoding: "chunked"],
            body: ResponseBody { writer in
                for await message in stream {
                    switch message {
                    case .line(let line): try await writer.write(ByteBuffer(string: line + "\n"))
                    case .drop: throw CancellationError()
                    case .end:
                        try await writer.finish(nil)
                        return
                    }
                }
                try await writer.finish(nil)
            })
    }

    static func status(_ code: Int, _ reason: String, _ message: String) -> Response {
        let body =
            #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"\#(message)","reason":"\#(reason)","code":\#(code)}"#
        return Response(
            status: HTTPResponse.Status(code: code), headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func key(_ json: [String: Any]) -> String {
        let metadata = json["metadata"] as? [String: Any] ?? [:]
        let name = metadata["name"] as? String ?? ""
        guard let namespace = metadata["namespace"] as? String, !namespace.isEmpty else { return name }
        return "\(namespace)/\(name)"
    }

    static func encode(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Serves on a loopback port for the duration of `body`, which gets the base URL.
    func serve<Result: Sendable>(_ body: @Sendable (String) async throws -> Result) async throws -> Result {
        let router = Router()
        router.get("/api/v1/pods") { request, _ in try await self.respond(request, resource: "pods") }
        router.get("/api/v1/nodes") { request, _ in try await self.respond(request, resource: "nodes") }
        return try await LoopbackServer.serve(router, label: "test-apiserver", beforeStop: { self.endWatches() }, body)
    }
}

/// `fieldSelector=spec.nodeName=NAME` or `metadata.name=NAME`, the two an agent uses.
struct FieldSelector: Sendable {
    var field: [String] = []
    var value = ""

    init(_ text: String?) {
        guard let text, let equals = text.firstIndex(of: "=") else { return }
        field = text[..<equals].split(separator: ".").map(String.init)
        value = String(text[text.index(after: equals)...])
    }

    func matches(_ json: String) -> Bool {
        guard !field.isEmpty else { return true }
        var node: Any? = try? JSONSerialization.jsonObject(with: Data(json.utf8))
        for key in field { node = (node as? [String: Any])?[key] }
        return node as? String == value
    }
}
