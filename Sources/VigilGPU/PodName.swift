/// A Kubernetes pod's namespace and name: what `vigil_gpu_job_info` carries beside the `pod_uid` that a
/// GPU process's cgroup gives, so that a pod reads as `namespace/pod` rather than as a UID.
public struct PodName: Sendable, Hashable {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }
}

/// Finds the pod with a UID (as the cgroup spells it: with dashes, or a static pod's config hash); nil when
/// the pod is unknown (not yet watched, or already deleted). Called once per GPU process and collection.
public typealias PodLookup = @Sendable (_ uid: String) -> PodName?
