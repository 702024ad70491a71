import Foundation

/// A list response (`PodList`, `NodeList`): the objects that decoded, the ones that did not (each with
/// its key path, `items[3].status.containerStatuses[0].restartCount`) and the list's resourceVersion,
/// from which a watch starts.
public struct KubernetesList<Object: KubernetesObject>: Sendable {
    public var resourceVersion: String
    /// `metadata.continue`: set when the server paginated the list (`limit`); empty otherwise.
    public var continueToken: String
    public var items: [Object]
    /// Objects that could not be read: skipped, and counted by the caller.
    public var skipped: [SchedulerError]

    public init(resourceVersion: String, continueToken: String = "", items: [Object], skipped: [SchedulerError] = []) {
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.items = items
        self.skipped = skipped
    }
}

/// A `Status` object: what the API server answers on failure, and the object of a watch `ERROR` event.
public struct KubernetesStatus: Sendable, Equatable, Decodable, CustomStringConvertible {
    /// The HTTP status it stands for: 410 when the resourceVersion is too old to watch from.
    public var code: Int
    /// `Expired`, `Gone`, `Unauthorized`, `Forbidden`, ….
    public var reason: String
    public var message: String

    public init(code: Int, reason: String = "", message: String = "") {
        self.code = code
        self.reason = reason
        self.message = message
    }

    enum CodingKeys: String, CodingKey { case code, reason, message }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decodeIfPresent(Int.self, forKey: .code) ?? 0
        reason = try container.decodeIfPresent(String.self, forKey: .reason) ?? ""
        message = try container.decodeIfPresent(String.self, forKey: .message) ?? ""
    }

    /// The resourceVersion is gone from the server's history (410, `Expired`/`Gone`): list again.
    public var isGone: Bool { code == 410 || reason == "Expired" || reason == "Gone" }

    public var description: String { "\(code) \(reason): \(message)" }
}

/// One line of a watch stream (`?watch=1`).
public enum KubernetesWatchEvent<Object: KubernetesObject>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// The server's progress mark (`allowWatchBookmarks=true`): nothing changed up to this version.
    case bookmark(resourceVersion: String)
    /// The watch ended in error; a 410 means the resourceVersion expired and the client must relist.
    case error(KubernetesStatus)
}

/// Reads the API server's JSON: single objects, lists and watch events, with Foundation's decoder.
///
/// Errors are ``SchedulerError``s with the JSON key path of the value at fault; a malformed object in
/// a list is skipped and reported in ``KubernetesList/skipped`` rather than failing the list.
public enum KubernetesDecoder {
    /// One object (`GET /api/v1/namespaces/NS/pods/NAME`, or a fixture file).
    public static func object<Object: KubernetesObject>(
        _ type: Object.Type, from bytes: some Collection<UInt8>
    ) throws(SchedulerError) -> Object {
        let data = Data(bytes)
        try checkNotStatus(data)
        return try decode(Object.self, data)
    }

    /// A list (`GET /api/v1/pods`): its items, one skipped entry per malformed item.
    public static func list<Object: KubernetesObject>(
        _ type: Object.Type, from bytes: some Collection<UInt8>
    ) throws(SchedulerError) -> KubernetesList<Object> {
        let data = Data(bytes)
        try checkNotStatus(data)
        let list = try decode(ListDocument<Object>.self, data)
        var items: [Object] = []
        var skipped: [SchedulerError] = []
        for entry in list.items {
            switch entry.result {
            case .success(let object): items.append(object)
            case .failure(let error): skipped.append(error)
            }
        }
        return KubernetesList(
            resourceVersion: list.metadata.resourceVersion ?? "", continueToken: list.metadata.continue ?? "",
            items: items, skipped: skipped)
    }

    /// One watch event (one line of the stream).
    public static func watchEvent<Object: KubernetesObject>(
        _ type: Object.Type, from bytes: some Collection<UInt8>
    ) throws(SchedulerError) -> KubernetesWatchEvent<Object> {
        let data = Data(bytes)
        let header = try decode(EventHeader.self, data)
        switch header.type {
        case "ADDED": return .added(try decode(EventBody<Object>.self, data).object)
        case "MODIFIED": return .modified(try decode(EventBody<Object>.self, data).object)
        case "DELETED": return .deleted(try decode(EventBody<Object>.self, data).object)
        case "BOOKMARK":
            let body = try decode(EventBody<BookmarkObject>.self, data)
            return .bookmark(resourceVersion: body.object.metadata.resourceVersion)
        case "ERROR": return .error(try decode(EventBody<KubernetesStatus>.self, data).object)
        default:
            throw SchedulerError(
                .unsupportedDocument,
                "unknown watch event type '\(header.type)' (expected ADDED, MODIFIED, DELETED, BOOKMARK or ERROR)",
                keyPath: "type")
        }
    }

    /// A `Status` document, when `bytes` is one (an error response body).
    public static func status(from bytes: some Collection<UInt8>) -> KubernetesStatus? {
        let data = Data(bytes)
        guard let kind = try? JSONDecoder().decode(KindHeader.self, from: data), kind.kind == "Status" else {
            return nil
        }
        return try? JSONDecoder().decode(KubernetesStatus.self, from: data)
    }

    // MARK: - Decoding

    static func checkNotStatus(_ data: Data) throws(SchedulerError) {
        if let status = status(from: data) {
            throw SchedulerError(
                status.code == 401 || status.code == 403 ? .unauthorized : .requestFailed,
                "the API server answered with a Status: \(status)")
        }
    }

    static func decode<Value: Decodable>(_ type: Value.Type, _ data: Data) throws(SchedulerError) -> Value {
        do {
            return try JSONDecoder().decode(Value.self, from: data)
        } catch let error as DecodingError {
            throw schedulerError(error)
        } catch {
            throw SchedulerError(.malformedJSON, "\(error)")
        }
    }

    /// A `DecodingError` as a ``SchedulerError`` with the key path of the value at fault.
    static func schedulerError(_ error: DecodingError, prefix: [any CodingKey] = []) -> SchedulerError {
        switch error {
        case .keyNotFound(let key, let context):
            return SchedulerError(
                .missingKey, "required key \"\(key.stringValue)\" is missing",
                keyPath: keyPath(prefix + context.codingPath + [key]))
        case .typeMismatch(let type, let context):
            return SchedulerError(
                .wrongType, "expected \(jsonTypeName(type)): \(context.debugDescription)",
                keyPath: keyPath(prefix + context.codingPath))
        case .valueNotFound(let type, let context):
            return SchedulerError(
                .wrongType, "expected \(jsonTypeName(type)), found null", keyPath: keyPath(prefix + context.codingPath))
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty && prefix.isEmpty {
                let underlying = context.underlyingError.map { " (\(String(describing: $0)))" } ?? ""
                return SchedulerError(.malformedJSON, "not valid JSON: \(context.debugDescription)\(underlying)")
            }
            return SchedulerError(
                .invalidValue, context.debugDescription, keyPath: keyPath(prefix + context.codingPath))
        @unknown default:
            return SchedulerError(.malformedJSON, "\(error)")
        }
    }

    /// `items[3].status.phase` from a coding path.
    static func keyPath(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Double.Type: "a number"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }
}

// MARK: - Document shapes

private struct KindHeader: Decodable {
    var kind: String?
}

private struct ListMetadata: Decodable {
    var resourceVersion: String? = nil
    var `continue`: String? = nil
}

private struct ListDocument<Object: KubernetesObject>: Decodable {
    var metadata: ListMetadata
    var items: [Lossy<Object>]

    enum CodingKeys: String, CodingKey { case metadata, items }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ListMetadata.self, forKey: .metadata) ?? ListMetadata()
        // `items: null` is how the API server writes an empty list.
        items = try container.decodeIfPresent([Lossy<Object>].self, forKey: .items) ?? []
    }
}

/// One list item that may fail to decode without failing the list.
private struct Lossy<Value: Decodable>: Decodable {
    var result: Result<Value, SchedulerError>

    init(from decoder: any Decoder) throws {
        do {
            result = .success(try Value(from: decoder))
        } catch let error as DecodingError {
            result = .failure(KubernetesDecoder.schedulerError(error))
        } catch {
            result = .failure(
                SchedulerError(.malformedJSON, "\(error)", keyPath: KubernetesDecoder.keyPath(decoder.codingPath)))
        }
    }
}

private struct EventHeader: Decodable {
    var type: String
}

private struct EventBody<Object: Decodable>: Decodable {
    var object: Object
}

/// A bookmark's object: a bare object of the watched kind carrying only its resourceVersion.
private struct BookmarkObject: Decodable {
    struct Metadata: Decodable { var resourceVersion: String }
    var metadata: Metadata
}
