import Foundation
import VigilScheduler
import Yams

/// How to reach and authenticate to a Kubernetes API server: from the pod's service account
/// (``inCluster(environment:accountDirectory:)``) or from a kubeconfig file (``kubeconfig(path:context:)``).
public struct KubernetesConnection: Sendable, Equatable {
    /// `https://host:port`, without a trailing slash.
    public var server: String
    /// PEM certificates that sign the server's certificate; nil trusts the system's roots.
    public var certificateAuthorityPEM: [UInt8]?
    /// `insecure-skip-tls-verify`: no check of the server's certificate (test clusters only).
    public var insecureSkipTLSVerify: Bool
    /// A fixed bearer token.
    public var bearerToken: String?
    /// A file holding the bearer token, read again for each request (service account tokens rotate).
    public var tokenFile: String?
    /// PEM client certificate and key (mutual TLS), as kubeadm's admin kubeconfig has.
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    /// The context's (or the service account's) namespace; informational, Vigil watches all namespaces.
    public var namespace: String?

    public init(
        server: String, certificateAuthorityPEM: [UInt8]? = nil, insecureSkipTLSVerify: Bool = false,
        bearerToken: String? = nil, tokenFile: String? = nil, clientCertificatePEM: [UInt8]? = nil,
        clientKeyPEM: [UInt8]? = nil, namespace: String? = nil
    ) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.bearerToken = bearerToken
        self.tokenFile = tokenFile
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.namespace = namespace
    }

    /// The token to send now: ``bearerToken``, else the current content of ``tokenFile``.
    public func currentToken() throws(SchedulerError) -> String? {
        if let bearerToken { return bearerToken }
        guard let tokenFile else { return nil }
        guard let data = FileManager.default.contents(atPath: tokenFile) else {
            throw SchedulerError(.badConfiguration, "cannot read the bearer token file \(tokenFile)")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: - In cluster

    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The pod's service account, as client-go's `InClusterConfig`: `KUBERNETES_SERVICE_HOST` and
    /// `KUBERNETES_SERVICE_PORT`, the token (read again on each request) and the cluster CA from
    /// `accountDirectory`.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        accountDirectory: String = serviceAccountDirectory
    ) throws(SchedulerError) -> KubernetesConnection {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw SchedulerError(
                .badConfiguration,
                "not running in a Kubernetes pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set; "
                    + "pass --kubeconfig PATH to connect from outside the cluster")
        }
        let tokenPath = "\(accountDirectory)/token"
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw SchedulerError(
                .badConfiguration,
                "the service account token \(tokenPath) is not readable; mount a service account (automountServiceAccountToken)"
            )
        }
        let caPath = "\(accountDirectory)/ca.crt"
        guard let ca = FileManager.default.contents(atPath: caPath) else {
            throw SchedulerError(.badConfiguration, "the cluster CA \(caPath) is not readable")
        }
        let namespace = FileManager.default.contents(atPath: "\(accountDirectory)/namespace").map {
            String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host  // IPv6
        return KubernetesConnection(
            server: "https://\(hostPart):\(port)", certificateAuthorityPEM: [UInt8](ca), tokenFile: tokenPath,
            namespace: namespace)
    }

    // MARK: - kubeconfig

    /// The kubeconfig's `current-context` (or `context`): its cluster's server, CA
    /// (`certificate-authority` file or `-data`) and `insecure-skip-tls-verify`, and its user's
    /// `token`, `tokenFile`, or client certificate and key (files or `-data`). Relative paths are taken
    /// from the kubeconfig's folder, as kubectl does. Errors name the key path at fault.
    public static func kubeconfig(path: String, context: String? = nil) throws(SchedulerError) -> KubernetesConnection {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SchedulerError(.badConfiguration, "cannot read the kubeconfig \(path)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        return try kubeconfig(String(decoding: data, as: UTF8.self), context: context, folder: folder)
    }

    /// A kubeconfig's text; `folder` resolves relative file paths.
    public static func kubeconfig(
        _ text: String, context contextName: String? = nil, folder: String
    ) throws(SchedulerError) -> KubernetesConnection {
        let root: [String: Any]
        do {
            guard let loaded = try Yams.load(yaml: text) as? [String: Any] else {
                throw SchedulerError(.badConfiguration, "the kubeconfig is not a YAML mapping")
            }
            root = loaded
        } catch let error as SchedulerError {
            throw error
        } catch {
            throw SchedulerError(.badConfiguration, "the kubeconfig is not valid YAML: \(error)")
        }
        guard let name = contextName ?? (root["current-context"] as? String), !name.isEmpty else {
            throw SchedulerError(
                .badConfiguration, "the kubeconfig has no current-context; set one (kubectl config use-context)",
                keyPath: "current-context")
        }
        let (contextIndex, context) = try named(root, "contexts", name, "context")
        let contextPath = "contexts[\(contextIndex)].context"
        guard let clusterName = context["cluster"] as? String else {
            throw SchedulerError(.missingKey, "the context names no cluster", keyPath: "\(contextPath).cluster")
        }
        let (clusterIndex, cluster) = try named(root, "clusters", clusterName, "cluster")
        let clusterPath = "clusters[\(clusterIndex)].cluster"
        guard let server = cluster["server"] as? String, server.hasPrefix("https://") || server.hasPrefix("http://")
        else {
            throw SchedulerError(
                .missingKey, "the cluster has no https:// server address", keyPath: "\(clusterPath).server")
        }
        var connection = KubernetesConnection(server: server, namespace: context["namespace"] as? String)
        connection.insecureSkipTLSVerify = bool(cluster["insecure-skip-tls-verify"])
        connection.certificateAuthorityPEM = try fileOrData(
            cluster, "certificate-authority", keyPath: clusterPath, folder: folder)
        if let userName = context["user"] as? String, !userName.isEmpty {
            let (userIndex, user) = try named(root, "users", userName, "user")
            let userPath = "users[\(userIndex)].user"
            if user["exec"] != nil || user["auth-provider"] != nil {
                throw SchedulerError(
                    .badConfiguration,
                    "credential plugins (exec, auth-provider) are not supported; give the user a token, a tokenFile "
                        + "or a client certificate and key", keyPath: userPath)
            }
            connection.bearerToken = user["token"] as? String
            if let tokenFile = user["tokenFile"] as? String { connection.tokenFile = resolve(tokenFile, folder) }
            connection.clientCertificatePEM = try fileOrData(
                user, "client-certificate", keyPath: userPath, folder: folder)
            connection.clientKeyPEM = try fileOrData(user, "client-key", keyPath: userPath, folder: folder)
            if (connection.clientCertificatePEM == nil) != (connection.clientKeyPEM == nil) {
                throw SchedulerError(
                    .badConfiguration, "a client certificate needs its key and a key its certificate", keyPath: userPath
                )
            }
        }
        return connection
    }

    /// The entry `name` of the list `key` (`contexts`, `clusters`, `users`): its index and its `field`.
    private static func named(
        _ root: [String: Any], _ key: String, _ name: String, _ field: String
    ) throws(SchedulerError) -> (Int, [String: Any]) {
        let entries = root[key] as? [Any] ?? []
        for (index, entry) in entries.enumerated() {
            guard let entry = entry as? [String: Any], entry["name"] as? String == name else { continue }
            guard let value = entry[field] as? [String: Any] else {
                throw SchedulerError(.missingKey, "'\(name)' has no \(field)", keyPath: "\(key)[\(index)].\(field)")
            }
            return (index, value)
        }
        throw SchedulerError(.missingKey, "no entry named '\(name)' in \(key)", keyPath: key)
    }

    /// `KEY-data` (base64) or the file `KEY`.
    private static func fileOrData(
        _ map: [String: Any], _ key: String, keyPath: String, folder: String
    ) throws(SchedulerError) -> [UInt8]? {
        if let encoded = map["\(key)-data"] as? String {
            guard let data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                throw SchedulerError(.invalidValue, "not base64", keyPath: "\(keyPath).\(key)-data")
            }
            return [UInt8](data)
        }
        guard let file = map[key] as? String else { return nil }
        let path = resolve(file, folder)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SchedulerError(.badConfiguration, "cannot read \(path)", keyPath: "\(keyPath).\(key)")
        }
        return [UInt8](data)
    }

    private static func resolve(_ path: String, _ folder: String) -> String {
        path.hasPrefix("/") || folder.isEmpty ? path : "\(folder)/\(path)"
    }

    private static func bool(_ value: Any?) -> Bool {
        if let value = value as? Bool { return value }
        if let value = value as? String { return value == "true" }
        return false
    }
}
