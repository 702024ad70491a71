/// A kind of object Vigil lists and watches.
public protocol KubernetesObject: Sendable, Equatable, Decodable {
    /// The resource's path segment under `/api/v1/` (`pods`, `nodes`).
    static var resource: String { get }
    /// The `kind` the API server writes on each object (`Pod`).
    static var kind: String { get }
    var metadata: KubernetesObjectMeta { get }
}

extension KubernetesObject {
    /// The cache key: `namespace/name` (just the name for cluster-scoped objects), as client-go's.
    public var key: String { metadata.namespace.isEmpty ? metadata.name : "\(metadata.namespace)/\(metadata.name)" }
}

/// The parts of a Kubernetes object's `metadata` that Vigil reads.
public struct KubernetesObjectMeta: Sendable, Equatable, Decodable {
    public var name: String
    /// Empty for cluster-scoped objects (nodes).
    public var namespace: String
    /// Empty when the object does not carry one (hand-written or recorded objects).
    public var uid: String
    public var resourceVersion: String
    public var creationTimestamp: String?
    public var labels: [String: String]
    public var annotations: [String: String]
    public var ownerReferences: [KubernetesOwnerReference]

    public init(
        name: String, namespace: String = "", uid: String = "", resourceVersion: String = "",
        creationTimestamp: String? = nil, labels: [String: String] = [:], annotations: [String: String] = [:],
        ownerReferences: [KubernetesOwnerReference] = []
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.creationTimestamp = creationTimestamp
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
    }

    enum CodingKeys: String, CodingKey {
        case name, namespace, uid, resourceVersion, creationTimestamp, labels, annotations, ownerReferences
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        namespace = try container.decodeIfPresent(String.self, forKey: .namespace) ?? ""
        uid = try container.decodeIfPresent(String.self, forKey: .uid) ?? ""
        resourceVersion = try container.decodeIfPresent(String.self, forKey: .resourceVersion) ?? ""
        creationTimestamp = try container.decodeIfPresent(String.self, forKey: .creationTimestamp)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        annotations = try container.decodeIfPresent([String: String].self, forKey: .annotations) ?? [:]
        ownerReferences = try container.decodeIfPresent([KubernetesOwnerReference].self, forKey: .ownerReferences) ?? []
    }

    /// The controller among the owners (a ReplicaSet, Job, StatefulSet, DaemonSet), if any.
    public var controller: KubernetesOwnerReference? { ownerReferences.first { $0.controller } }
}

/// `metadata.ownerReferences[]`: who created the object.
public struct KubernetesOwnerReference: Sendable, Equatable, Decodable {
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool

    public init(kind: String, name: String, uid: String = "", controller: Bool = false) {
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
    }

    enum CodingKeys: String, CodingKey { case kind, name, uid, controller }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(String.self, forKey: .kind)
        name = try container.decode(String.self, forKey: .name)
        uid = try container.decodeIfPresent(String.self, forKey: .uid) ?? ""
        controller = try container.decodeIfPresent(Bool.self, forKey: .controller) ?? false
    }
}

/// A condition of a pod or node (`status.conditions[]`): `Ready`, `PodScheduled`, `MemoryPressure`, ….
public struct KubernetesCondition: Sendable, Equatable, Decodable {
    public var type: String
    /// `True`, `False` or `Unknown`, as the API spells it.
    public var status: String
    public var reason: String?
    public var message: String?
    public var lastTransitionTime: String?

    public init(
        type: String, status: String, reason: String? = nil, message: String? = nil, lastTransitionTime: String? = nil
    ) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }

    /// `status` in kube-state-metrics' spelling: `true`, `false` or `unknown`.
    public var metricStatus: String {
        switch status {
        case "True": "true"
        case "False": "false"
        default: "unknown"
        }
    }
}
