import Foundation
import Testing
import VigilKubernetes
import VigilScheduler

@Suite("Kubernetes connection settings")
struct KubernetesConnectionTests {
    /// A fresh folder for files a test writes.
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "vigil-k8s-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static let kubeconfig = """
        apiVersion: v1
        kind: Config
        current-context: gpu-prod
        clusters:
        - name: dev
          cluster:
            server: https://dev.example:6443
            insecure-skip-tls-verify: true
        - name: prod
          cluster:
            server: https://10.0.0.1:6443/
            certificate-authority-data: \(Data("-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n".utf8).base64EncodedString())
        contexts:
        - name: dev
          context: {cluster: dev, user: dev-admin}
        - name: gpu-prod
          context:
            cluster: prod
            user: vigil
            namespace: monitoring
        users:
        - name: vigil
          user:
            token: abc.def.ghi
        - name: dev-admin
          user:
            client-certificate: certs/admin.crt
            client-key: certs/admin.key
        """

    @Test("kubeconfig: the current context's server, CA data, token and namespace")
    func currentContext() throws {
        let connection = try KubernetesConnection.kubeconfig(Self.kubeconfig, folder: "/etc/vigil")
        #expect(connection.server == "https://10.0.0.1:6443")
        #expect(connection.bearerToken == "abc.def.ghi")
        #expect(try connection.currentToken() == "abc.def.ghi")
        #expect(connection.namespace == "monitoring")
        #expect(
            String(decoding: connection.certificateAuthorityPEM ?? [], as: UTF8.self).hasPrefix(
                "-----BEGIN CERTIFICATE"))
        #expect(!connection.insecureSkipTLSVerify)
    }

    @Test("kubeconfig: another context, client certificate files relative to the kubeconfig, insecure-skip-tls-verify")
    func clientCertificateFiles() throws {
        let folder = try Self.folder()
        try FileManager.default.createDirectory(atPath: "\(folder)/certs", withIntermediateDirectories: true)
        try "CERT".write(toFile: "\(folder)/certs/admin.crt", atomically: true, encoding: .utf8)
        try "KEY".write(toFile: "\(folder)/certs/admin.key", atomically: true, encoding: .utf8)
        try Self.kubeconfig.write(toFile: "\(folder)/config", atomically: true, encoding: .utf8)
        let connection = try KubernetesConnection.kubeconfig(path: "\(folder)/config", context: "dev")
        #expect(connection.server == "https://dev.example:6443")
        #expect(connection.insecureSkipTLSVerify)
        #expect(connection.clientCertificatePEM == Array("CERT".utf8))
        #expect(connection.clientKeyPEM == Array("KEY".utf8))
        #expect(connection.bearerToken == nil)
    }

    @Test(
        "bad kubeconfigs name the key at fault",
        arguments: [
            ("clusters: []", SchedulerError.Code.badConfiguration, "current-context"),
            ("current-context: nope\ncontexts: []", .missingKey, "contexts"),
            (
                "current-context: a\ncontexts:\n- name: a\n  context: {user: u}", .missingKey,
                "contexts[0].context.cluster"
            ),
            (
                "current-context: a\ncontexts:\n- name: a\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {server: ftp://x}",
                .missingKey, "clusters[0].cluster.server"
            ),
            (
                "current-context: a\ncontexts:\n- name: a\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: 'https://x'}\nusers:\n- name: u\n  user: {exec: {command: aws}}",
                .badConfiguration, "users[0].user"
            ),
            (
                "current-context: a\ncontexts:\n- name: a\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: 'https://x'}\nusers:\n- name: u\n  user: {client-certificate-data: Q0VSVA==}",
                .badConfiguration, "users[0].user"
            ),
            (
                "current-context: a\ncontexts:\n- name: a\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {server: 'https://x', certificate-authority-data: '!!!'}",
                .invalidValue, "clusters[0].cluster.certificate-authority-data"
            ),
            (
                "current-context: a\ncontexts:\n- name: a\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {server: 'https://x', certificate-authority: /nonexistent/ca.crt}",
                .badConfiguration, "clusters[0].cluster.certificate-authority"
            ),
            ("- just\n- a list", .badConfiguration, ""),
            ("key: [unclosed", .badConfiguration, ""),
        ] as [(String, SchedulerError.Code, String)])
    func badKubeconfig(text: String, code: SchedulerError.Code, keyPath: String) {
        do {
            _ = try KubernetesConnection.kubeconfig(text, folder: "/tmp")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.code == code)
            #expect(error.keyPath == keyPath)
        }
    }

    @Test("a missing kubeconfig file")
    func missingFile() {
        #expect(throws: SchedulerError.self) { try KubernetesConnection.kubeconfig(path: "/nonexistent/kubeconfig") }
    }

    @Test("in cluster: the service host and port, the token file read on each request, the CA and namespace")
    func inCluster() throws {
        let folder = try Self.folder()
        try "token-1\n".write(toFile: "\(folder)/token", atomically: true, encoding: .utf8)
        try "CA".write(toFile: "\(folder)/ca.crt", atomically: true, encoding: .utf8)
        try "monitoring\n".write(toFile: "\(folder)/namespace", atomically: true, encoding: .utf8)
        let connection = try KubernetesConnection.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"],
            accountDirectory: folder)
        #expect(connection.server == "https://10.96.0.1:443")
        #expect(connection.certificateAuthorityPEM == Array("CA".utf8))
        #expect(connection.namespace == "monitoring")
        #expect(try connection.currentToken() == "token-1")
        try "token-2".write(toFile: "\(folder)/token", atomically: true, encoding: .utf8)
        #expect(try connection.currentToken() == "token-2")
        let ipv6 = try KubernetesConnection.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"],
            accountDirectory: folder)
        #expect(ipv6.server == "https://[fd00::1]:443")
    }

    @Test("in cluster: outside a pod, or without the service account files")
    func notInCluster() throws {
        let empty = try Self.folder()
        for (environment, folder) in [
            ([:], empty),
            (["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"], empty),
        ] {
            do {
                _ = try KubernetesConnection.inCluster(environment: environment, accountDirectory: folder)
                Issue.record("accepted \(environment)")
            } catch {
                #expect(error.code == .badConfiguration)
            }
        }
    }

    @Test("a garbage CA is refused when the client is made")
    func badCertificate() {
        do {
            _ = try KubernetesAPIClient(
                connection: KubernetesConnection(server: "https://x", certificateAuthorityPEM: Array("not a PEM".utf8)))
            Issue.record("accepted a bad CA")
        } catch {
            #expect(error.code == .badConfiguration)
        }
    }
}
