/// A pod as the API server serves it (`/api/v1/pods`), reduced to what monitoring needs.
public struct KubernetesPod: KubernetesObject {
    public static let resource = "pods"
    public static let kind = "Pod"

    public var metadata: KubernetesObjectMeta
    public var nodeName: String
    public var containers: [KubernetesContainer]
    public var initContainers: [KubernetesContainer]
    public var priorityClassName: String
    public var hostNetwork: Bool
    /// `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`; empty when the API left it out.
    public var phase: String
    /// Set when the kubelet or the node lifecycle ended the pod: `Evicted`, `NodeLost`, `Shutdown`, ….
    public var reason: String?
    public var message: String?
    public var hostIP: String
    public var podIP: String
    public var conditions: [KubernetesCondition]
    public var containerStatuses: [KubernetesContainerStatus]
    public var initContainerStatuses: [KubernetesContainerStatus]

    public init(
        metadata: KubernetesObjectMeta, nodeName: String = "", containers: [KubernetesContainer] = [],
        initContainers: [KubernetesContainer] = [], priorityClassName: String = "", hostNetwork: Bool = false,
        phase: String = "",
        reason: String? = nil, message: String? = nil, hostIP: String = "", podIP: String = "",
        conditions: [KubernetesCondition] = [], containerStatuses: [KubernetesContainerStatus] = [],
        initContainerStatuses: [KubernetesContainerStatus] = []
    ) {
        self.metadata = metadata
        self.nodeName = nodeName
        self.containers = containers
        self.initContainers = initContainers
        self.priorityClassName = priorityClassName
        self.hostNetwork = hostNetwork
        self.phase = phase
        self.reason = reason
        self.message = message
        self.hostIP = hostIP
        self.podIP = podIP
        self.conditions = conditions
        self.containerStatuses = containerStatuses
        self.initContainerStatuses = initContainerStatuses
    }

    enum CodingKeys: String, CodingKey { case metadata, spec, status }
    enum SpecKeys: String, CodingKey { case nodeName, containers, initContainers, priorityClassName, hostNetwork }
    enum StatusKeys: String, CodingKey {
        case phase, reason, message, hostIP, podIP, conditions, containerStatuses, initContainerStatuses
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decode(KubernetesObjectMeta.self, forKey: .metadata)
        if container.contains(.spec) {
            let spec = try container.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
            nodeName = try spec.decodeIfPresent(String.self, forKey: .nodeName) ?? ""
            containers = try spec.decodeIfPresent([KubernetesContainer].self, forKey: .containers) ?? []
            initContainers = try spec.decodeIfPresent([KubernetesContainer].self, forKey: .initContainers) ?? []
            priorityClassName = try spec.decodeIfPresent(String.self, forKey: .priorityClassName) ?? ""
            hostNetwork = try spec.decodeIfPresent(Bool.self, forKey: .hostNetwork) ?? false
        } else {
            (nodeName, containers, initContainers, priorityClassName, hostNetwork) = ("", [], [], "", false)
        }
        if container.contains(.status) {
            let status = try container.nestedContainer(keyedBy: StatusKeys.self, forKey: .status)
            phase = try status.decodeIfPresent(String.self, forKey: .phase) ?? ""
            reason = try status.decodeIfPresent(String.self, forKey: .reason)
            message = try status.decodeIfPresent(String.self, forKey: .message)
            hostIP = try status.decodeIfPresent(String.self, forKey: .hostIP) ?? ""
            podIP = try status.decodeIfPresent(String.self, forKey: .podIP) ?? ""
            conditions = try status.decodeIfPresent([KubernetesCondition].self, forKey: .conditions) ?? []
            containerStatuses =
                try status.decodeIfPresent([KubernetesContainerStatus].self, forKey: .containerStatuses) ?? []
            initContainerStatuses =
                try status.decodeIfPresent([KubernetesContainerStatus].self, forKey: .initContainerStatuses) ?? []
        } else {
            (phase, reason, message, hostIP, podIP) = ("", nil, nil, "", "")
            (conditions, containerStatuses, initContainerStatuses) = ([], [], [])
        }
    }

    public func condition(_ type: String) -> KubernetesCondition? { conditions.first { $0.type == type } }

    /// The `PodScheduled=False` condition of a pod the scheduler could not place, with its message
    /// ("0/8 nodes are available: 8 Insufficient nvidia.com/gpu.").
    public var unschedulable: KubernetesCondition? {
        guard let scheduled = condition("PodScheduled"), scheduled.status == "False" else { return nil }
        return scheduled
    }

    /// GPUs (`nvidia.com/gpu`) the pod requests: the sum over its containers, or the largest init
    /// container's when that is more (the scheduler's rule for the effective request).
    public var gpusRequested: Double {
        func gpus(_ container: KubernetesContainer) -> Double {
            (container.resources.requests[KubernetesQuantity.gpuResource]
                ?? container.resources.limits[KubernetesQuantity.gpuResource])?.value ?? 0
        }
        return max(containers.map(gpus).reduce(0, +), initContainers.map(gpus).max() ?? 0)
    }
}

/// A container's resources: `requests` and `limits` by resource name (`cpu`, `memory`, `nvidia.com/gpu`).
public struct KubernetesResources: Sendable, Equatable, Decodable {
    public var requests: [String: KubernetesQuantity]
    public var limits: [String: KubernetesQuantity]

    public init(requests: [String: KubernetesQuantity] = [:], limits: [String: KubernetesQuantity] = [:]) {
        self.requests = requests
        self.limits = limits
    }

    enum CodingKeys: String, CodingKey { case requests, limits }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requests = try container.decodeIfPresent([String: KubernetesQuantity].self, forKey: .requests) ?? [:]
        limits = try container.decodeIfPresent([String: KubernetesQuantity].self, forKey: .limits) ?? [:]
    }
}

/// A container of `spec.containers[]` or `spec.initContainers[]`.
public struct KubernetesContainer: Sendable, Equatable, Decodable {
    public var name: String
    public var image: String
    public var resources: KubernetesResources

    public init(name: String, image: String = "", resources: KubernetesResources = KubernetesResources()) {
        self.name = name
        self.image = image
        self.resources = resources
    }

    enum CodingKeys: String, CodingKey { case name, image, resources }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        image = try container.decodeIfPresent(String.self, forKey: .image) ?? ""
        resources = try container.decodeIfPresent(KubernetesResources.self, forKey: .resources) ?? KubernetesResources()
    }
}

/// A container's state: exactly one of waiting, running or terminated (none while unknown).
public enum KubernetesContainerState: Sendable, Equatable, Decodable {
    /// Not running yet or backing off: `CrashLoopBackOff`, `ImagePullBackOff`, `ContainerCreating`, ….
    case waiting(reason: String, message: String?)
    case running(startedAt: String?)
    /// Ended: `reason` is `Completed`, `Error`, `OOMKilled`, …; `exitCode` 137 is a SIGKILL.
    case terminated(reason: String, exitCode: Int, signal: Int?, message: String?, finishedAt: String?)
    /// `{}`: the API says nothing about it.
    case unknown

    enum CodingKeys: String, CodingKey { case waiting, running, terminated }
    enum DetailKeys: String, CodingKey { case reason, message, startedAt, exitCode, signal, finishedAt }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.terminated) {
            let detail = try container.nestedContainer(keyedBy: DetailKeys.self, forKey: .terminated)
            self = .terminated(
                reason: try detail.decodeIfPresent(String.self, forKey: .reason) ?? "",
                exitCode: try detail.decode(Int.self, forKey: .exitCode),
                signal: try detail.decodeIfPresent(Int.self, forKey: .signal),
                message: try detail.decodeIfPresent(String.self, forKey: .message),
                finishedAt: try detail.decodeIfPresent(String.self, forKey: .finishedAt))
        } else if container.contains(.running) {
            let detail = try container.nestedContainer(keyedBy: DetailKeys.self, forKey: .running)
            self = .running(startedAt: try detail.decodeIfPresent(String.self, forKey: .startedAt))
        } else if container.contains(.waiting) {
            let detail = try container.nestedContainer(keyedBy: DetailKeys.self, forKey: .waiting)
            self = .waiting(
                reason: try detail.decodeIfPresent(String.self, forKey: .reason) ?? "",
                message: try detail.decodeIfPresent(String.self, forKey: .message))
        } else {
            self = .unknown
        }
    }

    public var waitingReason: String? {
        if case .waiting(let reason, _) = self { return reason }
        return nil
    }

    public var terminatedReason: String? {
        if case .terminated(let reason, _, _, _, _) = self { return reason }
        return nil
    }

    public var exitCode: Int? {
        if case .terminated(_, let exitCode, _, _, _) = self { return exitCode }
        return nil
    }
}

/// `status.containerStatuses[]` / `status.initContainerStatuses[]`.
public struct KubernetesContainerStatus: Sendable, Equatable, Decodable {
    public var name: String
    public var ready: Bool
    public var restartCount: Int
    public var state: KubernetesContainerState
    /// The state before the last restart: a crash-looping container's `terminated` reason and exit code.
    public var lastState: KubernetesContainerState
    public var image: String
    public var containerID: String

    public init(
        name: String, ready: Bool = false, restartCount: Int = 0, state: KubernetesContainerState = .unknown,
        lastState: KubernetesContainerState = .unknown, image: String = "", containerID: String = ""
    ) {
        self.name = name
        self.ready = ready
        self.restartCount = restartCount
        self.state = state
        self.lastState = lastState
        self.image = image
        self.containerID = containerID
    }

    enum CodingKeys: String, CodingKey { case name, ready, restartCount, state, lastState, image, containerID }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        ready = try container.decodeIfPresent(Bool.self, forKey: .ready) ?? false
        restartCount = try container.decodeIfPresent(Int.self, forKey: .restartCount) ?? 0
        state = try container.decodeIfPresent(KubernetesContainerState.self, forKey: .state) ?? .unknown
        lastState = try container.decodeIfPresent(KubernetesContainerState.self, forKey: .lastState) ?? .unknown
        image = try container.decodeIfPresent(String.self, forKey: .image) ?? ""
        containerID = try container.decodeIfPresent(String.self, forKey: .containerID) ?? ""
    }
}
