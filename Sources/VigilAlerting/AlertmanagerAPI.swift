import Foundation
import VigilModel

/// Alertmanager's API v2 over an ``AlertDispatcher``: each call turns a request into an action and the
/// state into the response Alertmanager would give (same JSON shapes, status codes and messages).
/// The HTTP server routes `/api/v2/...` requests to ``handle(method:path:query:body:)``.
public struct AlertmanagerAPI: Sendable {
    /// A response: status code, content type and body.
    public struct Response: Sendable, Hashable {
        public var status: Int
        public var contentType: String
        public var body: Data
    }

    public let dispatcher: AlertDispatcher
    public let version: String
    public let startedAt: Date

    public init(dispatcher: AlertDispatcher, version: String = "0.25.0-vigil", startedAt: Date) {
        self.dispatcher = dispatcher
        self.version = version
        self.startedAt = startedAt
    }

    /// Routes one request; `path` is what follows `/api/v2` (e.g. `/alerts`), `query` the decoded pairs.
    public func handle(method: String, path: String, query: [(String, String)], body: Data) async -> Response {
        switch (method.uppercased(), path) {
        case ("POST", "/alerts"): return await postAlerts(body)
        case ("GET", "/alerts"): return await getAlerts(query)
        case ("GET", "/alerts/groups"): return await getAlertGroups(query)
        case ("GET", "/silences"): return await getSilences(query)
        case ("POST", "/silences"): return await postSilences(body)
        case ("GET", "/status"): return await getStatus()
        case ("GET", "/receivers"): return await getReceivers()
        default:
            if path.hasPrefix("/silence/") {
                let id = String(path.dropFirst("/silence/".count))
                if method.uppercased() == "GET" { return await getSilence(id: id) }
                if method.uppercased() == "DELETE" { return await deleteSilence(id: id) }
            }
            return Self.json(404, ["code": 404, "message": "path \(path) was not found"])
        }
    }

    // MARK: alerts

    /// `POST /api/v2/alerts`: stores every valid alert; 400 with Alertmanager's messages (joined by "; ")
    /// when any is invalid.
    public func postAlerts(_ body: Data) async -> Response {
        let now = await dispatcher.now()
        let resolveTimeout = await dispatcher.configuration.global.resolveTimeout
        let parsed: [Result<Alert, AlertingError>]
        do {
            parsed = try Self.decodeAlerts(body, now: now, resolveTimeout: resolveTimeout)
        } catch {
            return Self.json(400, ["code": 400, "message": error.message])
        }
        let valid = parsed.compactMap { try? $0.get() }
        await dispatcher.put(valid)
        let errors = parsed.compactMap { result -> String? in
            if case .failure(let error) = result { return error.message }
            return nil
        }
        if !errors.isEmpty { return Self.json(400, errors.joined(separator: "; ")) }
        return Response(status: 200, contentType: "application/json", body: Data())
    }

    /// Decodes a postable-alerts body, fills defaults as Alertmanager does and validates each alert.
    public static func decodeAlerts(_ body: Data, now: Date, resolveTimeout: Duration) throws(AlertingError)
        -> [Result<Alert, AlertingError>]
    {
        guard let array = (try? JSONSerialization.jsonObject(with: body)) as? [Any] else {
            throw AlertingError(.badRequest, "parsing alerts body from JSON failed: expected an array of alerts")
        }
        var out: [Result<Alert, AlertingError>] = []
        for (index, element) in array.enumerated() {
            let path = "alerts[\(index)]"
            guard let object = element as? [String: Any] else {
                throw AlertingError(.badRequest, "\(path) in body must be of type object", keyPath: path)
            }
            func labels(_ key: String) throws(AlertingError) -> (Labels, String?) {
                guard let raw = object[key] else { return (Labels(), nil) }
                guard let map = raw as? [String: Any] else {
                    throw AlertingError(.badRequest, "\(path).\(key) in body must be of type object", keyPath: path)
                }
                var pairs: [Label] = []
                var problem: String?
                for (name, value) in map {
                    guard let text = value as? String else {
                        throw AlertingError(
                            .badRequest, "\(path).\(key).\(name) in body must be of type string", keyPath: path)
                    }
                    if text.isEmpty && key == "labels" { continue }  // removeEmptyLabels
                    if key == "labels" && !isValidLabelName(name) && problem == nil {
                        problem = "invalid name \"\(name)\""
                    }
                    pairs.append(Label(name, text))
                }
                return (Labels(pairs), problem)
            }
            func date(_ key: String) throws(AlertingError) -> Date? {
                guard let raw = object[key], !(raw is NSNull) else { return nil }
                guard let text = raw as? String, let date = RFC3339.parse(text) else {
                    throw AlertingError(
                        .badRequest, "\(path).\(key) in body must be of type date-time: \"\(raw)\"", keyPath: path)
                }
                return date.timeIntervalSince1970 <= -62_135_596_800 ? nil : date
            }
            guard object["labels"] != nil else {
                throw AlertingError(.badRequest, "\(path).labels in body is required", keyPath: path)
            }
            let (labelSet, labelProblem) = try labels("labels")
            let (annotations, _) = try labels("annotations")
            var startsAt = try date("startsAt")
            var endsAt = try date("endsAt")
            var timeout = false
            if startsAt == nil { startsAt = endsAt ?? now }
            if endsAt == nil {
                timeout = true
                endsAt = now + resolveTimeout.timeInterval
            }
            let alert = Alert(
                labels: labelSet, annotations: annotations, startsAt: startsAt!, endsAt: endsAt!,
                generatorURL: object["generatorURL"] as? String ?? "", updatedAt: now, timeout: timeout)
            if let labelProblem {
                out.append(.failure(AlertingError(.invalidAlert, "invalid label set: \(labelProblem)", keyPath: path)))
            } else if alert.endsAt < alert.startsAt {
                out.append(.failure(AlertingError(.invalidAlert, "start time must be before end time", keyPath: path)))
            } else if alert.labels.isEmpty {
                out.append(
                    .failure(AlertingError(.invalidAlert, "at least one label pair required", keyPath: path)))
            } else {
                out.append(.success(alert))
            }
        }
        return out
    }

    /// `GET /api/v2/alerts` with `filter`, `silenced`, `inhibited`, `active`, `unprocessed`, `receiver`.
    public func getAlerts(_ query: [(String, String)]) async -> Response {
        let filter: AlertFilter
        do { filter = try AlertFilter(query) } catch { return Self.json(400, error.message) }
        let now = await dispatcher.now()
        var out: [[String: Any]] = []
        for alert in await dispatcher.allAlerts.sorted(by: { $0.fingerprint < $1.fingerprint }) {
            guard let rendered = await render(alert, filter: filter, now: now) else { continue }
            out.append(rendered)
        }
        out.sort { ($0["fingerprint"] as! String) < ($1["fingerprint"] as! String) }
        return Self.json(200, out)
    }

    /// `GET /api/v2/alerts/groups`.
    public func getAlertGroups(_ query: [(String, String)]) async -> Response {
        let filter: AlertFilter
        do { filter = try AlertFilter(query) } catch { return Self.json(400, error.message) }
        let now = await dispatcher.now()
        var out: [[String: Any]] = []
        for group in await dispatcher.groupSnapshots() {
            if let receiver = filter.receiver, !receiver.matches(group.receiver) { continue }
            var alerts: [[String: Any]] = []
            for alert in group.alerts {
                if let rendered = await render(alert, filter: filter, now: now) { alerts.append(rendered) }
            }
            if alerts.isEmpty { continue }
            out.append([
                "labels": Self.object(group.labels), "receiver": ["name": group.receiver], "alerts": alerts,
            ])
        }
        return Self.json(200, out)
    }

    private func render(_ alert: Alert, filter: AlertFilter, now: Date) async -> [String: Any]? {
        if alert.isResolved(at: now) { return nil }
        let receivers = await dispatcher.receivers(for: alert.labels)
        if let receiver = filter.receiver, !receivers.contains(where: receiver.matches) { return nil }
        let marks = await dispatcher.marks(for: alert)
        let silenced = !marks.silencedBy.isEmpty
        let inhibited = !marks.inhibitedBy.isEmpty
        let state = silenced || inhibited ? "suppressed" : "active"
        if !filter.silenced && silenced { return nil }
        if !filter.inhibited && inhibited { return nil }
        if !filter.active && state == "active" { return nil }
        if !filter.matchers.allSatisfy({ $0.matches(alert.labels) }) { return nil }
        return [
            "labels": Self.object(alert.labels), "annotations": Self.object(alert.annotations),
            "startsAt": RFC3339.format(alert.startsAt), "endsAt": RFC3339.format(alert.endsAt),
            "updatedAt": RFC3339.format(alert.updatedAt), "generatorURL": alert.generatorURL,
            "fingerprint": alert.fingerprint.fingerprintString,
            "receivers": receivers.map { ["name": $0] },
            "status": ["state": state, "silencedBy": marks.silencedBy, "inhibitedBy": marks.inhibitedBy],
        ]
    }

    // MARK: silences

    /// `GET /api/v2/silences` with `filter` matchers.
    public func getSilences(_ query: [(String, String)]) async -> Response {
        var matchers: [LabelMatcher] = []
        for (name, value) in query where name == "filter" {
            do { matchers += try AlertMatchers.parseList(value) } catch { return Self.json(400, error.message) }
        }
        let now = await dispatcher.now()
        let silences = await dispatcher.silences.query(filter: matchers, now: now)
        return Self.json(200, silences.map { Self.render($0, now: now) })
    }

    /// `POST /api/v2/silences`: creates or updates; answers `{"silenceID": ...}`.
    public func postSilences(_ body: Data) async -> Response {
        let silence: Silence
        do { silence = try Self.decodeSilence(body) } catch { return Self.json(400, error.message) }
        if silence.startsAt >= silence.endsAt {
            return Self.json(400, "Failed to create silence: start time must be before end time")
        }
        if silence.endsAt < (await dispatcher.now()) {
            return Self.json(400, "Failed to create silence: end time can't be in the past")
        }
        do {
            let id = try await dispatcher.setSilence(silence)
            return Self.json(200, ["silenceID": id])
        } catch {
            return Self.json(error.code == .notFound ? 404 : 400, error.message)
        }
    }

    /// `GET /api/v2/silence/{id}`.
    public func getSilence(id: String) async -> Response {
        guard let silence = await dispatcher.silences[id] else {
            return Response(status: 404, contentType: "application/json", body: Data())
        }
        return Self.json(200, Self.render(silence, now: await dispatcher.now()))
    }

    /// `DELETE /api/v2/silence/{id}`: expires the silence.
    public func deleteSilence(id: String) async -> Response {
        do {
            try await dispatcher.expireSilence(id: id)
            return Response(status: 200, contentType: "application/json", body: Data())
        } catch {
            if error.code == .notFound { return Response(status: 404, contentType: "application/json", body: Data()) }
            return Self.json(500, error.message)
        }
    }

    /// Decodes a postable silence (`id` optional).
    public static func decodeSilence(_ body: Data) throws(AlertingError) -> Silence {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            throw AlertingError(.badRequest, "parsing silence body from JSON failed: expected an object")
        }
        for key in ["matchers", "startsAt", "endsAt", "createdBy", "comment"] where object[key] == nil {
            throw AlertingError(.badRequest, "\(key) in body is required", keyPath: key)
        }
        guard let rawMatchers = object["matchers"] as? [[String: Any]] else {
            throw AlertingError(.badRequest, "matchers in body must be of type array", keyPath: "matchers")
        }
        var matchers: [LabelMatcher] = []
        for (index, raw) in rawMatchers.enumerated() {
            guard let name = raw["name"] as? String, let value = raw["value"] as? String,
                let isRegex = raw["isRegex"] as? Bool
            else {
                throw AlertingError(
                    .badRequest, "matchers.\(index): name, value and isRegex are required",
                    keyPath: "matchers[\(index)]")
            }
            let isEqual = raw["isEqual"] as? Bool ?? true
            let kind: LabelMatcher.Kind =
                isRegex ? (isEqual ? .regexMatch : .regexNoMatch) : (isEqual ? .equal : .notEqual)
            do {
                matchers.append(try LabelMatcher(kind, name, value))
            } catch {
                throw AlertingError(.badRequest, error.message, keyPath: "matchers[\(index)]")
            }
        }
        guard let startsText = object["startsAt"] as? String, let startsAt = RFC3339.parse(startsText) else {
            throw AlertingError(.badRequest, "startsAt in body must be of type date-time", keyPath: "startsAt")
        }
        guard let endsText = object["endsAt"] as? String, let endsAt = RFC3339.parse(endsText) else {
            throw AlertingError(.badRequest, "endsAt in body must be of type date-time", keyPath: "endsAt")
        }
        return Silence(
            id: object["id"] as? String ?? "", matchers: matchers, startsAt: startsAt, endsAt: endsAt,
            createdBy: object["createdBy"] as? String ?? "", comment: object["comment"] as? String ?? "")
    }

    static func render(_ silence: Silence, now: Date) -> [String: Any] {
        [
            "id": silence.id, "status": ["state": silence.state(at: now).rawValue],
            "updatedAt": RFC3339.format(silence.updatedAt), "comment": silence.comment,
            "createdBy": silence.createdBy, "startsAt": RFC3339.format(silence.startsAt),
            "endsAt": RFC3339.format(silence.endsAt),
            "matchers": silence.matchers.map { matcher in
                [
                    "name": matcher.name, "value": matcher.value,
                    "isRegex": matcher.kind == .regexMatch || matcher.kind == .regexNoMatch,
                    "isEqual": matcher.kind == .equal || matcher.kind == .regexMatch,
                ] as [String: Any]
            },
        ]
    }

    // MARK: status and receivers

    /// `GET /api/v2/status`: cluster disabled, version, the configuration's text, uptime.
    public func getStatus() async -> Response {
        let original = await dispatcher.configuration.original
        return Self.json(
            200,
            [
                "cluster": ["status": "disabled", "peers": [Any]()],
                "versionInfo": [
                    "branch": "", "buildDate": "", "buildUser": "", "goVersion": "", "revision": "", "version": version,
                ],
                "config": ["original": original], "uptime": RFC3339.format(startedAt),
            ])
    }

    /// `GET /api/v2/receivers`.
    public func getReceivers() async -> Response {
        Self.json(200, await dispatcher.configuration.receivers.map { ["name": $0.name] })
    }

    // MARK: JSON

    static func object(_ labels: Labels) -> [String: String] {
        var out: [String: String] = [:]
        for label in labels { out[label.name] = label.value }
        return out
    }

    static func json(_ status: Int, _ value: Any) -> Response {
        let data =
            (try? JSONSerialization.data(
                withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])) ?? Data()
        return Response(status: status, contentType: "application/json", body: data + Data("\n".utf8))
    }
}

/// The query parameters `GET /api/v2/alerts` and `/alerts/groups` share.
struct AlertFilter {
    var matchers: [LabelMatcher] = []
    var silenced = true
    var inhibited = true
    var active = true
    var unprocessed = true
    var receiver: LabelMatcher?

    init(_ query: [(String, String)]) throws(AlertingError) {
        for (name, value) in query {
            switch name {
            case "filter": matchers += try AlertMatchers.parseList(value)
            case "silenced", "inhibited", "active", "unprocessed":
                guard let flag = Bool(value.lowercased()) else {
                    throw AlertingError(.badRequest, "\(name) in query must be of type boolean: \"\(value)\"")
                }
                switch name {
                case "silenced": silenced = flag
                case "inhibited": inhibited = flag
                case "active": active = flag
                default: unprocessed = flag
                }
            case "receiver":
                do {
                    receiver = try LabelMatcher(.regexMatch, "receiver", value)
                } catch {
                    throw AlertingError(.badRequest, "failed to parse receiver param: \(error.message)")
                }
            default: continue
            }
        }
    }
}
