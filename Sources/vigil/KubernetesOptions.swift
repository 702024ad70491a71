import ArgumentParser
import Foundation

/// Kubernetes flags shared by `agent` and `server`.
struct KubernetesOptions: ParsableArguments {
    @Flag(
        help: ArgumentHelp(
            "Watch Kubernetes pods and nodes through the API server (kube-state-metrics' names): in a pod through its "
                + "service account, else through --kubeconfig or $KUBECONFIG."))
    var kubernetes = false

    @Option(
        name: .customLong("kubeconfig"),
        help: ArgumentHelp(
            "With --kubernetes: the kubeconfig to connect with (its current context) instead of the pod's service "
                + "account.", valueName: "path"))
    var kubeconfigPath: String?

    @Option(
        name: .customLong("kubernetes-context"),
        help: ArgumentHelp("With --kubeconfig: the context to use instead of current-context.", valueName: "name"))
    var context: String?

    @Option(
        name: .customLong("kubernetes-node"),
        help: ArgumentHelp(
            "With --kubernetes: watch only this node and the pods bound to it (an agent per node; e.g. "
                + "--kubernetes-node \"$NODE_NAME\" from the downward API).", valueName: "name"))
    var nodeName: String?

    func validate() throws {
        if !kubernetes, kubeconfigPath != nil || context != nil || nodeName != nil {
            throw ValidationError("--kubeconfig, --kubernetes-context and --kubernetes-node need --kubernetes")
        }
        if let nodeName, nodeName.isEmpty || nodeName.contains(where: \.isWhitespace) {
            throw ValidationError("--kubernetes-node '\(nodeName)' is not a node name")
        }
        if context != nil, kubeconfigPath == nil, ProcessInfo.processInfo.environment["KUBECONFIG"] == nil {
            throw ValidationError("--kubernetes-context needs --kubeconfig PATH (or $KUBECONFIG)")
        }
        if let kubeconfigPath, !FileManager.default.isReadableFile(atPath: kubeconfigPath) {
            throw ValidationError("--kubeconfig '\(kubeconfigPath)' is not a readable file")
        }
    }

    /// The kubeconfig to use: `--kubeconfig`, else the first file of `$KUBECONFIG` outside a pod; nil for
    /// the service account (in a pod: KUBERNETES_SERVICE_HOST is set).
    var resolvedKubeconfig: String? {
        if let kubeconfigPath { return kubeconfigPath }
        let environment = ProcessInfo.processInfo.environment
        if environment["KUBERNETES_SERVICE_HOST"] != nil { return nil }
        return environment["KUBECONFIG"]?.split(separator: ":").first.map(String.init)
    }
}
