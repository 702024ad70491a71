import Foundation
import Testing
import VigilScheduler

@Suite("Kubernetes decoding")
struct KubernetesDecoderTests {
    @Test("every recorded pod decodes", .enabled(if: KubernetesFixtures.available, KubernetesFixtures.skipMessage))
    func everyPod() throws {
        let files = KubernetesFixtures.files("pods")
        #expect(files.count >= 11)
        for file in files {
            let pod = try KubernetesDecoder.object(KubernetesPod.self, from: try KubernetesFixtures.bytes(file))
            #expect(!pod.metadata.name.isEmpty, "\(file)")
            #expect(!pod.phase.isEmpty, "\(file)")
        }
    }

    @Test("every recorded node decodes", .enabled(if: KubernetesFixtures.available, KubernetesFixtures.skipMessage))
    func everyNode() throws {
        for file in KubernetesFixtures.files("nodes") {
            let node = try KubernetesDecoder.object(KubernetesNode.self, from: try KubernetesFixtures.bytes(file))
            #expect(node.condition("Ready") != nil, "\(file)")
            #expect(node.allocatable["cpu"]?.value == 3.92, "\(file)")
            #expect(node.allocatable["memory"]?.value == Double(13_490_644 * 1024), "\(file)")
            #expect(node.capacity["cpu"]?.value == 4, "\(file)")
        }
    }

    @Test(
        "container states, reasons, exit codes and restarts",
        .enabled(if: KubernetesFixtures.available, KubernetesFixtures.skipMessage))
    func containerStates() throws {
        let crash = try KubernetesDecoder.object(
            KubernetesPod.self, from: try KubernetesFixtures.bytes("pods/pod-crashloopbackoff.json"))
        #expect(crash.metadata.namespace == "argocd")
        #expect(crash.metadata.uid == "63674389-f613-11e8-a057-fe5f49266390")
        #expect(crash.nodeName == "minikube")
        #expect(crash.containerStatuses[0].state.waitingReason == "CrashLoopBackOff")
        #expect(crash.containerStatuses[0].lastState.terminatedReason == "Error")
        #expect(crash.containerStatuses[0].lastState.exitCode == 1)
        #expect(crash.containerStatuses[0].restartCount == 3)

        let oom = try KubernetesDecoder.object(
            KubernetesPod.self, from: try KubernetesFixtures.bytes("pods/pod-oomkilled-restarting.json"))
        #expect(oom.containerStatuses[0].lastState.terminatedReason == "OOMKilled")
        #expect(oom.containerStatuses[0].restartCount == 9)

        let evicted = try KubernetesDecoder.object(
            KubernetesPod.self, from: try KubernetesFixtures.bytes("pods/pod-evicted.json"))
        #expect(evicted.reason == "Evicted")
        #expect(evicted.phase == "Failed")
        #expect(evicted.metadata.uid == "")
        #expect(evicted.message?.contains("low on resource: memory") == true)

        let pending = try KubernetesDecoder.object(
            KubernetesPod.self, from: try KubernetesFixtures.bytes("pods/pod-pending.json"))
        #expect(pending.containerStatuses.first?.state.waitingReason == "PodInitializing")
    }

    @Test("a malformed object names its key path")
    func malformedObjectKeyPaths() throws {
        let cases: [(String, SchedulerError.Code, String)] = [
            (#"{"metadata":{}}"#, .missingKey, "metadata.name"),
            (
                #"{"metadata":{"name":"a"},"status":{"containerStatuses":[{"name":"c","restartCount":"3"}]}}"#,
                .wrongType, "status.containerStatuses[0].restartCount"
            ),
            (
                #"{"metadata":{"name":"a"},"spec":{"containers":[{"name":"c","resources":{"limits":{"nvidia.com/gpu":"two"}}}]}}"#,
                .invalidValue, "spec.containers[0].resources.limits.nvidia.com/gpu"
            ),
            (
                #"{"metadata":{"name":"a"},"status":{"containerStatuses":[{"name":"c","state":{"terminated":{"reason":"Error"}}}]}}"#,
                .missingKey, "status.containerStatuses[0].state.terminated.exitCode"
            ),
            (#"{"metadata":{"name":"a"},"status":{"phase":3}}"#, .wrongType, "status.phase"),
            (#"{"metadata":{"name":"a"}"#, .malformedJSON, ""),
        ]
        for (json, code, keyPath) in cases {
            #expect(throws: SchedulerError.self) {
                try KubernetesDecoder.object(KubernetesPod.self, from: Array(json.utf8))
            }
            do {
                _ = try KubernetesDecoder.object(KubernetesPod.self, from: Array(json.utf8))
            } catch {
                #expect(error.code == code, "\(json)")
                #expect(error.keyPath == keyPath, "\(json): \(error)")
            }
        }
    }

    @Test("a Status body is an error, 401/403 unauthorized")
    func statusBody() throws {
        let body =
            #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods is forbidden","reason":"Forbidden","code":403}"#
        #expect(KubernetesDecoder.status(from: Array(body.utf8))?.code == 403)
        do {
            _ = try KubernetesDecoder.list(KubernetesPod.self, from: Array(body.utf8))
            Issue.record("a Status decoded as a list")
        } catch {
            #expect(error.code == .unauthorized)
        }
    }

    @Test("a list keeps its resourceVersion and skips a malformed item with its key path")
    func listSkipsMalformed() throws {
        let json = """
            {"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1234"},"items":[
              {"metadata":{"name":"a","namespace":"ns","uid":"u1","resourceVersion":"10"},"status":{"phase":"Running"}},
              {"metadata":{"namespace":"ns"},"status":{"phase":"Running"}},
              {"metadata":{"name":"c","namespace":"ns"},"status":{"phase":"Pending","conditions":[{"type":"PodScheduled"}]}},
              {"metadata":{"name":"d","namespace":"ns"}}
            ]}
            """
        let list = try KubernetesDecoder.list(KubernetesPod.self, from: Array(json.utf8))
        #expect(list.resourceVersion == "1234")
        #expect(list.items.map(\.metadata.name) == ["a", "d"])
        #expect(list.skipped.map(\.keyPath) == ["items[1].metadata.name", "items[2].status.conditions[0].status"])
        #expect(list.skipped.map(\.code) == [.missingKey, .missingKey])
        let empty = try KubernetesDecoder.list(
            KubernetesNode.self, from: Array(#"{"metadata":{"resourceVersion":"7"},"items":null}"#.utf8))
        #expect(empty.items.isEmpty && empty.resourceVersion == "7")
    }

    @Test("watch events: ADDED, MODIFIED, DELETED, BOOKMARK, ERROR 410")
    func watchEvents() throws {
        let added = try KubernetesDecoder.watchEvent(
            KubernetesNode.self,
            from: Array(
                #"{"type":"ADDED","object":{"kind":"Node","metadata":{"name":"n1","resourceVersion":"5"}}}"#.utf8))
        guard case .added(let node) = added else { Issue.record("not added: \(added)"); return }
        #expect(node.metadata.resourceVersion == "5")
        let bookmark = try KubernetesDecoder.watchEvent(
            KubernetesPod.self,
            from: Array(
                #"{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"12746"}}}"#
                    .utf8))
        guard case .bookmark(let version) = bookmark else { Issue.record("not a bookmark: \(bookmark)"); return }
        #expect(version == "12746")
        let error = try KubernetesDecoder.watchEvent(
            KubernetesPod.self,
            from: Array(
                #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (2)","reason":"Expired","code":410}}"#
                    .utf8))
        guard case .error(let status) = error else { Issue.record("not an error: \(error)"); return }
        #expect(status.isGone && status.code == 410)
        let deleted = try KubernetesDecoder.watchEvent(
            KubernetesPod.self,
            from: Array(#"{"type":"DELETED","object":{"metadata":{"name":"p","namespace":"x"}}}"#.utf8))
        guard case .deleted(let pod) = deleted else { Issue.record("not deleted: \(deleted)"); return }
        #expect(pod.key == "x/p")
    }

    @Test("bad watch events: unknown type, malformed object with its key path")
    func badWatchEvents() {
        for (json, code, keyPath) in [
            (#"{"type":"RENAMED","object":{}}"#, SchedulerError.Code.unsupportedDocument, "type"),
            (#"{"type":"MODIFIED","object":{"metadata":{"name":7}}}"#, .wrongType, "object.metadata.name"),
            (#"{"object":{}}"#, .missingKey, "type"),
            (#"{"type":"ADDED","obj"#, .malformedJSON, ""),
        ] {
            do {
                _ = try KubernetesDecoder.watchEvent(KubernetesPod.self, from: Array(json.utf8))
                Issue.record("decoded: \(json)")
            } catch {
                #expect(error.code == code, "\(json)")
                #expect(error.keyPath == keyPath, "\(json)")
            }
        }
    }

    @Test(
        "quantities",
        arguments: [
            ("3920m", 3.92), ("4", 4), ("16385492Ki", 16_385_492 * 1024), ("1Gi", 1_073_741_824),
            ("1.5Gi", 1.5 * 1_073_741_824),
            ("2e3", 2000), ("1E-2", 0.01), ("100M", 1e8), ("0", 0), ("+2k", 2000), ("-1", -1), ("250u", 250e-6),
            ("1E", 1e18), (".5", 0.5),
        ] as [(String, Double)])
    func quantities(text: String, value: Double) {
        #expect(KubernetesQuantity(text)?.value == value)
    }

    @Test("not quantities", arguments: ["", "Gi", "1 Gi", "1GB", "1.2.3", "e3", "1e", "1Ki2", "abc", "1e999"])
    func notQuantities(text: String) {
        #expect(KubernetesQuantity(text) == nil)
    }
}
