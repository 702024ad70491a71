import VigilScheduler

extension KubernetesCollector {
    /// The annotation a static pod's mirror carries: the config hash that its cgroup names instead of the UID.
    static let mirrorAnnotation = "kubernetes.io/config.mirror"

    /// The namespace and name of the watched pod with `uid` (or, for a static pod, whose mirror annotation is
    /// `uid`), from the pod cache; nil when no such pod is cached. The agent's GPU collection names a GPU
    /// process's pod with it (`DCGMExporterFormat.podLookup`).
    public func pod(uid: String) -> (namespace: String, name: String)? {
        guard !uid.isEmpty else { return nil }
        let pod = pods.first { $0.metadata.uid == uid || $0.metadata.annotations[Self.mirrorAnnotation] == uid }
        return pod.map { ($0.metadata.namespace, $0.metadata.name) }
    }

    /// ``pod(uid:)`` as a closure for the GPU collection.
    public var podLookup: @Sendable (String) -> (namespace: String, name: String)? {
        { [self] uid in self.pod(uid: uid) }
    }
}
