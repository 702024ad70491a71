import VigilModel

/// Turns pods and nodes into metric families named, labelled and valued as kube-state-metrics v2 does
/// where the concept is the same (`kube_pod_status_phase`, `kube_pod_container_status_waiting_reason`,
/// `kube_node_status_condition`, `kube_node_status_allocatable`, …), so existing dashboards and alerts
/// work; what KSM lacks is added under `vigil_kubernetes_*`. The full list is in docs/kubernetes.md.
///
/// Conventions kept from KSM: every pod series carries `namespace, pod, uid`; one-hot families
/// (`kube_pod_status_phase`, `kube_pod_status_reason`, `kube_node_status_condition`) write a 0 for each
/// state the object is not in; reason families (`…_waiting_reason`, `…_terminated_reason`) write only
/// the current reason, with 1; resource names are sanitised (`nvidia.com/gpu` → `nvidia_com_gpu`) with a
/// `unit` of `core`, `byte` or `integer`.
public enum KubernetesMetrics {
    /// The phases `kube_pod_status_phase` writes, in KSM's order.
    static let phases = ["Pending", "Succeeded", "Failed", "Unknown", "Running"]
    /// The pod status reasons `kube_pod_status_reason` writes.
    static let podStatusReasons = ["Evicted", "NodeAffinity", "NodeLost", "Shutdown", "UnexpectedAdmissionError"]

    public static func metricSet(pods: [KubernetesPod], nodes: [KubernetesNode]) -> MetricSet {
        var set = MetricSet()
        for pod in pods { addPod(pod, to: &set) }
        for node in nodes { addNode(node, to: &set) }
        return set
    }

    // MARK: - Pods

    static func podLabels(_ pod: KubernetesPod) -> [Label] {
        [Label("namespace", pod.metadata.namespace), Label("pod", pod.metadata.name), Label("uid", pod.metadata.uid)]
    }

    static func addPod(_ pod: KubernetesPod, to set: inout MetricSet) {
        let base = podLabels(pod)
        func labels(_ extra: (String, String)...) -> Labels { Labels(base + extra.map { Label($0.0, $0.1) }) }

        let owner = pod.metadata.controller
        set.gauge(
            "kube_pod_info", help: "Information about pod.",
            labels: labels(
                ("host_ip", pod.hostIP), ("pod_ip", pod.podIP), ("node", pod.nodeName),
                ("created_by_kind", owner.map { $0.kind.isEmpty ? "<none>" : $0.kind } ?? "<none>"),
                ("created_by_name", owner.map { $0.name.isEmpty ? "<none>" : $0.name } ?? "<none>"),
                ("priority_class", pod.priorityClassName), ("host_network", pod.hostNetwork ? "true" : "false")),
            value: 1)
        if pod.metadata.ownerReferences.isEmpty {
            set.gauge(
                "kube_pod_owner", help: "Information about the Pod's owner.",
                labels: labels(("owner_kind", "<none>"), ("owner_name", "<none>"), ("owner_is_controller", "<none>")),
                value: 1)
        }
        for reference in pod.metadata.ownerReferences {
            set.gauge(
                "kube_pod_owner", help: "Information about the Pod's owner.",
                labels: labels(
                    ("owner_kind", reference.kind), ("owner_name", reference.name),
                    ("owner_is_controller", reference.controller ? "true" : "false")),
                value: 1)
        }
        if !pod.phase.isEmpty {
            for phase in phases {
                set.gauge(
                    "kube_pod_status_phase", help: "The pods current phase.", labels: labels(("phase", phase)),
                    value: pod.phase == phase ? 1 : 0)
            }
        }
        for (type, name, help) in [
            ("Ready", "kube_pod_status_ready", "Describes whether the pod is ready to serve requests."),
            (
                "PodScheduled", "kube_pod_status_scheduled",
                "Describes the status of the scheduling process for the pod."
            ),
        ] {
            guard let condition = pod.condition(type) else { continue }
            for status in ["true", "false", "unknown"] {
                set.gauge(
                    name, help: help, labels: labels(("condition", status)),
                    value: condition.metricStatus == status ? 1 : 0)
            }
        }
        for reason in podStatusReasons {
            set.gauge(
                "kube_pod_status_reason", help: "The pod status reasons", labels: labels(("reason", reason)),
                value: pod.reason == reason ? 1 : 0)
        }
        if let unschedulable = pod.unschedulable {
            set.gauge(
                "kube_pod_status_unschedulable", help: "Describes the unschedulable status for the pod.",
                labels: labels(), value: 1)
            set.gauge(
                "vigil_kubernetes_pod_unschedulable_info",
                help: "Why the scheduler could not place the pod: the PodScheduled condition's reason and message.",
                labels: labels(("reason", unschedulable.reason ?? ""), ("message", unschedulable.message ?? "")),
                value: 1)
        }
        if let reason = pod.reason, !reason.isEmpty {
            set.gauge(
                "vigil_kubernetes_pod_status_reason_info",
                help: "The pod's status reason and message (Evicted: which resource the node ran low on).",
                labels: labels(("reason", reason), ("message", pod.message ?? "")), value: 1)
        }
        let gpus = pod.gpusRequested
        if gpus > 0 {
            set.gauge(
                "vigil_kubernetes_pod_gpus_requested",
                help: "GPUs (nvidia.com/gpu) the pod requests: its containers' sum or its largest init container's.",
                labels: labels(("node", pod.nodeName), ("phase", pod.phase)), value: gpus)
        }
        addContainerStatuses(pod.containerStatuses, prefix: "kube_pod_container", what: "container", base, to: &set)
        addContainerStatuses(
            pod.initContainerStatuses, prefix: "kube_pod_init_container", what: "init container", base, to: &set)
        for (containers, prefix, withNode) in [
            (pod.containers, "kube_pod_container", true), (pod.initContainers, "kube_pod_init_container", false),
        ] {
            for container in containers {
                for (kind, quantities) in [
                    ("requests", container.resources.requests), ("limits", container.resources.limits),
                ] {
                    for (resource, quantity) in quantities.sorted(by: { $0.key < $1.key }) {
                        guard let (name, unit) = resourceLabel(resource, node: false, initContainer: !withNode) else {
                            continue
                        }
                        var extra = [Label("container", container.name), Label("resource", name), Label("unit", unit)]
                        if withNode { extra.append(Label("node", pod.nodeName)) }
                        set.gauge(
                            "\(prefix)_resource_\(kind)",
                            help: kind == "requests"
                                ? "The number of requested request resource by a container."
                                : "The number of requested limit resource by a container.",
                            labels: Labels(base + extra), value: quantity.value)
                    }
                }
            }
        }
    }

    static func addContainerStatuses(
        _ statuses: [KubernetesContainerStatus], prefix: String, what: String, _ base: [Label],
        to set: inout MetricSet
    ) {
        for status in statuses {
            let container = base + [Label("container", status.name)]
            func flag(_ suffix: String, _ help: String, _ on: Bool) {
                set.gauge("\(prefix)_status_\(suffix)", help: help, labels: Labels(container), value: on ? 1 : 0)
            }
            flag("ready", "Describes whether the \(what)'s readiness check succeeded.", status.ready)
            if case .running = status.state {
                flag("running", "Describes whether the \(what) is currently in running state.", true)
            } else {
                flag("running", "Describes whether the \(what) is currently in running state.", false)
            }
            flag(
                "terminated", "Describes whether the \(what) is currently in terminated state.",
                status.state.terminatedReason != nil)
            flag(
                "waiting", "Describes whether the \(what) is currently in waiting state.",
                status.state.waitingReason != nil)
            set.counter(
                "\(prefix)_status_restarts_total", help: "The number of restarts of the \(what).",
                labels: Labels(container), value: Double(status.restartCount))
            if let reason = status.state.waitingReason {
                set.gauge(
                    "\(prefix)_status_waiting_reason",
                    help: "Describes the reason the \(what) is currently in waiting state.",
                    labels: Labels(container + [Label("reason", reason)]), value: 1)
            }
            if let reason = status.state.terminatedReason {
                set.gauge(
                    "\(prefix)_status_terminated_reason",
                    help: "Describes the reason the \(what) is currently in terminated state.",
                    labels: Labels(container + [Label("reason", reason)]), value: 1)
            }
            if let exitCode = status.state.exitCode {
                set.gauge(
                    prefix == "kube_pod_container"
                        ? "vigil_kubernetes_container_terminated_exitcode"
                        : "vigil_kubernetes_init_container_terminated_exitcode",
                    help: "The exit code of the \(what) while it is terminated (KSM exposes only the last one's).",
                    labels: Labels(container), value: Double(exitCode))
            }
            if let reason = status.lastState.terminatedReason {
                set.gauge(
                    "\(prefix)_status_last_terminated_reason",
                    help: "Describes the last reason the \(what) was in terminated state.",
                    labels: Labels(container + [Label("reason", reason)]), value: 1)
            }
            if let exitCode = status.lastState.exitCode {
                set.gauge(
                    "\(prefix)_status_last_terminated_exitcode",
                    help: "Describes the exit code for the last \(what) in terminated state.",
                    labels: Labels(container), value: Double(exitCode))
            }
        }
    }

    // MARK: - Nodes

    static func addNode(_ node: KubernetesNode, to set: inout MetricSet) {
        let base = [Label("node", node.metadata.name)]
        set.gauge(
            "kube_node_spec_unschedulable", help: "Whether a node can schedule new pods.", labels: Labels(base),
            value: node.unschedulable ? 1 : 0)
        for condition in node.conditions {
            for status in ["true", "false", "unknown"] {
                set.gauge(
                    "kube_node_status_condition", help: "The condition of a cluster node.",
                    labels: Labels(base + [Label("condition", condition.type), Label("status", status)]),
                    value: condition.metricStatus == status ? 1 : 0)
            }
        }
        for (name, quantities, help) in [
            ("kube_node_status_capacity", node.capacity, "The capacity for different resources of a node."),
            (
                "kube_node_status_allocatable", node.allocatable,
                "The allocatable for different resources of a node that are available for scheduling."
            ),
        ] {
            for (resource, quantity) in quantities.sorted(by: { $0.key < $1.key }) {
                guard let (label, unit) = resourceLabel(resource, node: true, initContainer: false) else { continue }
                set.gauge(
                    name, help: help, labels: Labels(base + [Label("resource", label), Label("unit", unit)]),
                    value: quantity.value)
            }
        }
        if let product = node.gpuProduct {
            set.gauge(
                "vigil_kubernetes_node_gpu_info",
                help: "The node's GPU model from GPU Feature Discovery's nvidia.com/gpu.product label.",
                labels: Labels(
                    base + [
                        Label("product", product),
                        Label("count", node.metadata.labels["nvidia.com/gpu.count"] ?? ""),
                        Label("memory_mib", node.metadata.labels["nvidia.com/gpu.memory"] ?? ""),
                    ]),
                value: 1)
        }
        if let ready = node.condition("Ready"), ready.status != "True" {
            set.gauge(
                "vigil_kubernetes_node_not_ready_info",
                help:
                    "Why a node is not Ready: the condition's reason and message from the kubelet or node controller.",
                labels: Labels(
                    base + [Label("reason", ready.reason ?? ""), Label("message", ready.message ?? "")]),
                value: 1)
        }
    }

    // MARK: - Resource names

    /// KSM's sanitised resource label and unit for a resource name; nil for the resources KSM leaves out
    /// (for init containers: all but huge pages, attachable volumes and extended resources).
    static func resourceLabel(_ resource: String, node: Bool, initContainer: Bool) -> (String, String)? {
        let label = sanitize(resource)
        if !initContainer {
            switch resource {
            case "cpu": return (label, "core")
            case "memory", "ephemeral-storage", "storage": return (label, "byte")
            case "pods": return node ? (label, "integer") : nil
            default: break
            }
        }
        if resource.hasPrefix("hugepages-") || resource.hasPrefix("attachable-volumes-") { return (label, "byte") }
        if isExtendedResource(resource) { return (label, "integer") }
        return nil
    }

    /// A resource outside `kubernetes.io` with a domain (`nvidia.com/gpu`), as Kubernetes defines extended
    /// resources.
    static func isExtendedResource(_ resource: String) -> Bool {
        guard let slash = resource.firstIndex(of: "/") else { return false }
        let domain = resource[..<slash]
        return !(domain == "kubernetes.io" || domain.hasSuffix(".kubernetes.io")) && !resource.hasPrefix("requests.")
    }

    /// Every character outside `[a-zA-Z0-9_]` becomes `_`, as KSM's `sanitizeLabelName`.
    static func sanitize(_ name: String) -> String {
        String(
            String.UnicodeScalarView(
                name.unicodeScalars.map { scalar in
                    scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
                        || scalar == "_" ? scalar : "_"
                }))
    }
}
