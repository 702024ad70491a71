import Testing
import VigilKubernetes
import VigilScheduler

/// The pod cache names the pod of a GPU process's cgroup: by UID, or a static pod by its config hash.
@Suite struct KubernetesPodLookupTests {
    static let uid = "4f0c1a2b-9d3e-4c5f-8a6b-7c8d9e0f1a2b"
    static let configHash = "0123456789abcdef0123456789abcdef"

    @Test func findsPodsByUIDAndStaticPodsByConfigHash() async throws {
        var machine = KubernetesWatchStateMachine<KubernetesPod>()
        _ = machine.listed(
            KubernetesList(
                resourceVersion: "7",
                items: [
                    KubernetesPod(
                        metadata: KubernetesObjectMeta(name: "trainer-0", namespace: "ml-team", uid: Self.uid)),
                    KubernetesPod(
                        metadata: KubernetesObjectMeta(
                            name: "etcd-gpu01", namespace: "kube-system", uid: "9a9a9a9a-0000-4000-8000-000000000001",
                            annotations: ["kubernetes.io/config.mirror": Self.configHash])),
                ]))
        // Nothing is requested: the watchers never run.
        let client = try KubernetesAPIClient(
            connection: KubernetesConnection(server: "https://127.0.0.1:1", bearerToken: "unused"))
        let collector = KubernetesCollector(
            pods: KubernetesWatcher(client: client, machine: machine), nodes: KubernetesWatcher(client: client))
        let lookup = collector.podLookup
        #expect(lookup(Self.uid).map { "\($0.namespace)/\($0.name)" } == "ml-team/trainer-0")
        #expect(lookup(Self.configHash).map { "\($0.namespace)/\($0.name)" } == "kube-system/etcd-gpu01")
        #expect(lookup("00000000-0000-4000-8000-000000000000") == nil)
        #expect(lookup("") == nil)
        await client.shutdown()
    }
}
