/// A node as the API server serves it (`/api/v1/nodes`).
public struct KubernetesNode: KubernetesObject {
    public static let resource = "nodes"
    public static let kind = "Node"

    public var metadata: KubernetesObjectMeta
    /// `spec.unschedulable`: cordoned.
    public var unschedulable: Bool
    public var providerID: String
    public var conditions: [KubernetesCondition]
    public var capacity: [String: KubernetesQuantity]
    public var allocatable: [String: KubernetesQuantity]
    public var kubeletVersion: String

    public init(
        metadata: KubernetesObjectMeta, unschedulable: Bool = false, providerID: String = "",
        conditions: [KubernetesCondition] = [], capacity: [String: KubernetesQuantity] = [:],
        allocatable: [String: KubernetesQuantity] = [:], kubeletVersion: String = ""
    ) {
        self.metadata = metadata
        self.unschedulable = unschedulable
        self.providerID = providerID
        self.conditions = conditions
        self.capacity = capacity
        self.allocatable = allocatable
        self.kubeletVersion = kubeletVersion
    }

    enum CodingKeys: String, CodingKey { case metadata, spec, status }
    enum SpecKeys: String, CodingKey { case unschedulable, providerID }
    enum StatusKeys: String, CodingKey { case conditions, capacity, allocatable, nodeInfo }
    enum NodeInfoKeys: String, CodingKey { case kubeletVersion }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decode(KubernetesObjectMeta.self, forKey: .metadata)
        if container.contains(.spec) {
            let spec = try container.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
            unschedulable = try spec.decodeIfPresent(Bool.self, forKey: .unschedulable) ?? false
            providerID = try spec.decodeIfPresent(String.self, forKey: .providerID) ?? ""
        } else {
            (unschedulable, providerID) = (false, "")
        }
        if container.contains(.status) {
            let status = try container.nestedContainer(keyedBy: StatusKeys.self, forKey: .status)
            conditions = try status.decodeIfPresent([KubernetesCondition].self, forKey: .conditions) ?? []
            capacity = try status.decodeIfPresent([String: KubernetesQuantity].self, forKey: .capacity) ?? [:]
            allocatable = try status.decodeIfPresent([String: KubernetesQuantity].self, forKey: .allocatable) ?? [:]
            if status.contains(.nodeInfo) {
                let info = try status.nestedContainer(keyedBy: NodeInfoKeys.self, forKey: .nodeInfo)
                kubeletVersion = try info.decodeIfPresent(String.self, forKey: .kubeletVersion) ?? ""
            } else {
                kubeletVersion = ""
            }
        } else {
            (conditions, capacity, allocatable, kubeletVersion) = ([], [:], [:], "")
        }
    }

    public func condition(_ type: String) -> KubernetesCondition? { conditions.first { $0.type == type } }

    /// The GPU model from GPU Feature Discovery's label `nvidia.com/gpu.product`, if the node has it.
    public var gpuProduct: String? { metadata.labels["nvidia.com/gpu.product"] }
}
