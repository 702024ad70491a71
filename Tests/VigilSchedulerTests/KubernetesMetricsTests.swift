import Foundation
import Testing
import VigilModel
import VigilScheduler

@Suite("Kubernetes metrics", .enabled(if: KubernetesFixtures.available, KubernetesFixtures.skipMessage))
struct KubernetesMetricsTests {
    static func pod(_ file: String) throws -> KubernetesPod {
        try KubernetesDecoder.object(KubernetesPod.self, from: try KubernetesFixtures.bytes(file))
    }

    static func node(_ file: String) throws -> KubernetesNode {
        try KubernetesDecoder.object(KubernetesNode.self, from: try KubernetesFixtures.bytes(file))
    }

    /// The samples of `name` whose labels include `matching`, as (labels, value).
    static func samples(_ set: MetricSet, _ name: String, _ matching: [String: String] = [:]) -> [(Labels, Double)] {
        set.families.filter { $0.name == name }.flatMap(\.samples).filter { sample in
            matching.allSatisfy { sample.labels[$0.key] == $0.value }
        }.map { ($0.labels, $0.value) }
    }

    static func value(_ set: MetricSet, _ name: String, _ matching: [String: String] = [:]) -> Double? {
        let found = samples(set, name, matching)
        return found.count == 1 ? found[0].1 : nil
    }

    @Test(
        "phase is one-hot with namespace, pod and uid",
        arguments: [
            ("pods/pod-running.json", "Running"), ("pods/pod-crashloopbackoff.json", "Running"),
            ("pods/pod-imagepullbackoff.json", "Pending"), ("pods/pod-failed.json", "Failed"),
            ("pods/pod-succeeded.json", "Succeeded"), ("pods/pod-evicted.json", "Failed"),
        ])
    func phase(file: String, phase: String) throws {
        let pod = try Self.pod(file)
        let set = KubernetesMetrics.metricSet(pods: [pod], nodes: [])
        let phases = Self.samples(set, "kube_pod_status_phase")
        #expect(phases.count == 5)
        for (labels, value) in phases {
            #expect(labels["namespace"] == pod.metadata.namespace && labels["pod"] == pod.metadata.name)
            #expect((labels["uid"] ?? "") == pod.metadata.uid)
            #expect(value == (labels["phase"] == phase ? 1 : 0))
        }
    }

    @Test("CrashLoopBackOff: waiting reason, last terminated reason and exit code, restarts")
    func crashLoop() throws {
        let set = KubernetesMetrics.metricSet(pods: [try Self.pod("pods/pod-crashloopbackoff.json")], nodes: [])
        #expect(
            Self.value(
                set, "kube_pod_container_status_waiting_reason", ["container": "main", "reason": "CrashLoopBackOff"])
                == 1)
        #expect(Self.samples(set, "kube_pod_container_status_waiting_reason").count == 1)
        #expect(Self.value(set, "kube_pod_container_status_last_terminated_reason", ["reason": "Error"]) == 1)
        #expect(Self.value(set, "kube_pod_container_status_last_terminated_exitcode", ["container": "main"]) == 1)
        #expect(Self.value(set, "kube_pod_container_status_restarts_total", ["container": "main"]) == 3)
        #expect(Self.value(set, "kube_pod_container_status_waiting", ["container": "main"]) == 1)
        #expect(Self.value(set, "kube_pod_container_status_running", ["container": "main"]) == 0)
        #expect(Self.value(set, "kube_pod_status_ready", ["condition": "false"]) == 1)
        #expect(Self.samples(set, "kube_pod_container_status_terminated_reason").isEmpty)
        #expect(set.families.first { $0.name == "kube_pod_container_status_restarts_total" }?.type == .counter)
    }

    @Test("OOMKilled: last terminated reason while running again")
    func oomKilled() throws {
        let set = KubernetesMetrics.metricSet(pods: [try Self.pod("pods/pod-oomkilled-restarting.json")], nodes: [])
        #expect(Self.value(set, "kube_pod_container_status_last_terminated_reason", ["reason": "OOMKilled"]) == 1)
        #expect(Self.value(set, "kube_pod_container_status_restarts_total") == 9)
        #expect(Self.value(set, "kube_pod_container_status_running") == 1)
        #expect(Self.samples(set, "kube_pod_container_status_waiting_reason").isEmpty)
    }

    @Test(
        "ImagePullBackOff and ContainerCreating are waiting reasons of pending pods",
        arguments: [
            ("pods/pod-imagepullbackoff.json", "ImagePullBackOff"),
            ("pods/pod-container-creating.json", "ContainerCreating"),
            ("pods/pod-pending.json", "PodInitializing"),
        ])
    func waiting(file: String, reason: String) throws {
        let set = KubernetesMetrics.metricSet(pods: [try Self.pod(file)], nodes: [])
        #expect(Self.value(set, "kube_pod_container_status_waiting_reason", ["reason": reason]) == 1)
        #expect(Self.value(set, "kube_pod_status_phase", ["phase": "Pending"]) == 1)
    }

    @Test(
        "terminated reasons and exit codes",
        arguments: [
            ("pods/pod-error.json", "Error", 1.0), ("pods/pod-failed.json", "Error", 1.0),
            ("pods/pod-succeeded.json", "Completed", 0.0),
        ] as [(String, String, Double)])
    func terminated(file: String, reason: String, exitCode: Double) throws {
        let set = KubernetesMetrics.metricSet(pods: [try Self.pod(file)], nodes: [])
        #expect(Self.value(set, "kube_pod_container_status_terminated_reason", ["reason": reason]) == 1)
        #expect(Self.value(set, "kube_pod_container_status_terminated") == 1)
        #expect(Self.value(set, "vigil_kubernetes_container_terminated_exitcode", ["container": "main"]) == exitCode)
    }

    @Test("Evicted: kube_pod_status_reason one-hot, the message kept in a vigil_ info series")
    func evicted() throws {
        let set = KubernetesMetrics.metricSet(pods: [try Self.pod("pods/pod-evicted.json")], nodes: [])
        let reasons = Self.samples(set, "kube_pod_status_reason")
        #expect(reasons.count == 5)
        for (labels, value) in reasons { #expect(value == (labels["reason"] == "Evicted" ? 1 : 0)) }
        let info = Self.samples(set, "vigil_kubernetes_pod_status_reason_info")
        #expect(info.first?.0["message"]?.hasPrefix("The node was low on resource: memory.") == true)
        #expect(Self.samples(set, "kube_pod_container_status_restarts_total").isEmpty)
        #expect(Self.value(set, "kube_pod_info", ["node": "some-node"]) == 1)
    }

    @Test("Pending and unschedulable for GPUs (the pending pod with PodScheduled=False and a GPU request)")
    func unschedulableForGPUs() throws {
        var json = try KubernetesFixtures.json("pods/pod-pending.json")
        var spec = json["spec"] as? [String: Any] ?? [:]
        spec["nodeName"] = nil
        var containers = spec["containers"] as? [[String: Any]] ?? []
        containers[0]["resources"] = [
            "limits": ["nvidia.com/gpu": "4"], "requests": ["nvidia.com/gpu": "4", "cpu": "500m"],
        ]
        spec["containers"] = containers
        json["spec"] = spec
        var status = json["status"] as? [String: Any] ?? [:]
        status["containerStatuses"] = nil
        status["conditions"] = [
            [
                "type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                "message": "0/8 nodes are available: 8 Insufficient nvidia.com/gpu.",
            ]
        ]
        json["status"] = status
        let pod = try KubernetesDecoder.object(KubernetesPod.self, from: try KubernetesFixtures.encode(json))
        let set = KubernetesMetrics.metricSet(pods: [pod], nodes: [])
        #expect(Self.value(set, "kube_pod_status_unschedulable") == 1)
        #expect(Self.value(set, "kube_pod_status_scheduled", ["condition": "false"]) == 1)
        #expect(
            Self.samples(set, "vigil_kubernetes_pod_unschedulable_info").first?.0["message"]
                == "0/8 nodes are available: 8 Insufficient nvidia.com/gpu.")
        #expect(
            Self.value(set, "kube_pod_container_resource_requests", ["resource": "nvidia_com_gpu", "unit": "integer"])
                == 4)
        #expect(
            Self.value(set, "kube_pod_container_resource_limits", ["resource": "nvidia_com_gpu", "unit": "integer"])
                == 4)
        #expect(Self.value(set, "kube_pod_container_resource_requests", ["resource": "cpu", "unit": "core"]) == 0.5)
        #expect(Self.value(set, "vigil_kubernetes_pod_gpus_requested") == 4)
    }

    @Test("a running pod that is scheduled is not unschedulable")
    func scheduled() throws {
        let set = KubernetesMetrics.metricSet(pods: [try Self.pod("pods/pod-running.json")], nodes: [])
        #expect(Self.samples(set, "kube_pod_status_unschedulable").isEmpty)
        #expect(Self.value(set, "kube_pod_status_scheduled", ["condition": "true"]) == 1)
        #expect(Self.value(set, "kube_pod_status_ready", ["condition": "true"]) == 1)
        #expect(Self.value(set, "kube_pod_owner", ["owner_kind": "<none>"]) == 1)
        #expect(Self.value(set, "kube_pod_info", ["created_by_kind": "<none>", "node": "minikube"]) == 1)
    }

    @Test(
        "node conditions: pressure and not ready, three series each",
        arguments: [
            ("nodes/node-ready.json", "Ready", "true"), ("nodes/node-memory-pressure.json", "MemoryPressure", "true"),
            ("nodes/node-not-ready.json", "Ready", "false"), ("nodes/node-ready.json", "DiskPressure", "false"),
            ("nodes/node-ready.json", "PIDPressure", "false"), ("nodes/node-ready.json", "NetworkUnavailable", "false"),
        ])
    func nodeConditions(file: String, condition: String, status: String) throws {
        let node = try Self.node(file)
        let set = KubernetesMetrics.metricSet(pods: [], nodes: [node])
        let series = Self.samples(set, "kube_node_status_condition", ["condition": condition])
        #expect(series.count == 3)
        for (labels, value) in series {
            #expect(labels["node"] == "gk3-infra-cluster-pool-2-be3fcd50-lzd5")
            #expect(value == (labels["status"] == status ? 1 : 0))
        }
        let notReady = Self.samples(set, "vigil_kubernetes_node_not_ready_info")
        #expect(notReady.count == (node.condition("Ready")?.status == "True" ? 0 : 1))
    }

    @Test("node allocatable and capacity with KSM's resource names and units; GPUs and GFD labels")
    func nodeResources() throws {
        var json = try KubernetesFixtures.json("nodes/node-ready.json")
        var metadata = json["metadata"] as? [String: Any] ?? [:]
        metadata["labels"] = ["nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3", "nvidia.com/gpu.count": "8"]
        json["metadata"] = metadata
        var spec = json["spec"] as? [String: Any] ?? [:]
        spec["unschedulable"] = true
        json["spec"] = spec
        var status = json["status"] as? [String: Any] ?? [:]
        for key in ["capacity", "allocatable"] {
            var resources = status[key] as? [String: Any] ?? [:]
            resources["nvidia.com/gpu"] = "8"
            status[key] = resources
        }
        json["status"] = status
        let set = KubernetesMetrics.metricSet(
            pods: [],
            nodes: [try KubernetesDecoder.object(KubernetesNode.self, from: try KubernetesFixtures.encode(json))])
        let allocatable = Dictionary(
            uniqueKeysWithValues: Self.samples(set, "kube_node_status_allocatable").map {
                ("\($0.0["resource"] ?? "")/\($0.0["unit"] ?? "")", $0.1)
            })
        #expect(
            allocatable == [
                "cpu/core": 3.92, "memory/byte": 13_490_644 * 1024, "pods/integer": 32,
                "ephemeral_storage/byte": 47_060_071_478,
                "hugepages_1Gi/byte": 0, "hugepages_2Mi/byte": 0, "nvidia_com_gpu/integer": 8,
            ])
        #expect(Self.value(set, "kube_node_status_capacity", ["resource": "cpu"]) == 4)
        #expect(Self.value(set, "kube_node_spec_unschedulable") == 1)
        #expect(
            Self.value(set, "vigil_kubernetes_node_gpu_info", ["product": "NVIDIA-H100-80GB-HBM3", "count": "8"]) == 1)
    }
}
