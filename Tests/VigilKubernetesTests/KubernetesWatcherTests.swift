import Foundation
import Synchronization
import Testing
import VigilCollectors
import VigilKubernetes
import VigilModel
import VigilScheduler

/// Backoff sleeps that wait for the test: each records its duration and returns once released (or
/// cancelled), so the test can look at the watcher while it waits to reconnect.
final class ManualSleeper: Sendable {
    private struct State {
        var requested: [Duration] = []
        var permits = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    var requested: [Duration] { state.withLock { $0.requested } }

    func sleep(_ duration: Duration) async throws {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let go = state.withLock { state in
                    state.requested.append(duration)
                    if state.permits > 0 {
                        state.permits -= 1
                        return true
                    }
                    state.waiters.append(continuation)
                    return false
                }
                if go { continuation.resume() }
            }
        } onCancel: {
            release()
        }
        try Task.checkCancellation()
    }

    /// Ends one sleep (now, or the next one to start).
    func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.permits += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume()
    }
}

/// A watcher's snapshots in order, to wait for a state without timing.
final class SnapshotFeed<Object: KubernetesObject>: Sendable {
    let stream: AsyncStream<KubernetesWatchSnapshot<Object>>
    let continuation: AsyncStream<KubernetesWatchSnapshot<Object>>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: KubernetesWatchSnapshot<Object>.self)
    }

    func yield(_ snapshot: KubernetesWatchSnapshot<Object>) { continuation.yield(snapshot) }

    /// The first snapshot from now on that satisfies `predicate`.
    func until(
        _ predicate: (KubernetesWatchSnapshot<Object>) -> Bool, sourceLocation: SourceLocation = #_sourceLocation
    ) async -> KubernetesWatchSnapshot<Object>? {
        for await snapshot in stream where predicate(snapshot) { return snapshot }
        Issue.record("the watcher stopped before the expected state", sourceLocation: sourceLocation)
        return nil
    }
}

/// Real objects from ../shared/fixtures/k8s as JSON dictionaries.
enum KubernetesObjectFixtures {
    static let root: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/fixtures/k8s")

    static var available: Bool { FileManager.default.fileExists(atPath: root.path) }

    static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent(path))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// The fixture renamed, so that several can live in one server.
    static func pod(_ path: String, name: String, node: String? = nil) throws -> [String: Any] {
        var json = try json(path)
        var metadata = json["metadata"] as? [String: Any] ?? [:]
        metadata["name"] = name
        metadata["uid"] = "uid-\(name)"
        json["metadata"] = metadata
        if let node {
            var spec = json["spec"] as? [String: Any] ?? [:]
            spec["nodeName"] = node
            json["spec"] = spec
        }
        return json
    }
}

@Suite(
    "Kubernetes list+watch against a loopback API server",
    .enabled(
        if: KubernetesObjectFixtures.available, "../shared/fixtures/k8s is absent: Kubernetes watch tests skipped"),
    .timeLimit(.minutes(1)))
struct KubernetesWatcherTests {
    static let token = "vigil-test-token"

    static func watcher<Object: KubernetesObject>(
        _ type: Object.Type, url: String, token: String = token, selector: String = "", pageSize: Int = 500,
        sleeper: ManualSleeper, feed: SnapshotFeed<Object>
    ) throws -> KubernetesWatcher<Object> {
        let client = try KubernetesAPIClient(
            connection: KubernetesConnection(server: url, bearerToken: token), connectTimeout: .milliseconds(300))
        return KubernetesWatcher(
            client: client, selector: selector, watchTimeoutSeconds: 30, pageSize: pageSize,
            machine: KubernetesWatchStateMachine(initialBackoff: .milliseconds(800), maxBackoff: .seconds(30)),
            sleep: { try await sleeper.sleep($0) }, now: { 1_700_000_000_000 }, onChange: { feed.yield($0) })
    }

    /// Runs `watcher` for the duration of `body`.
    static func running<Object: KubernetesObject>(
        _ watcher: KubernetesWatcher<Object>, _ body: () async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await watcher.run() }
            try await body()
            group.cancelAll()
        }
        await watcher.client.shutdown()
    }

    @Test("list, watch from the list's version, events, bookmark, a dropped stream, a clean end, 410 Gone → relist")
    func listAndWatch() async throws {
        let server = KubernetesTestAPIServer(token: Self.token)
        server.put("pods", try KubernetesObjectFixtures.pod("pods/pod-running.json", name: "serve-0"))
        server.put("pods", try KubernetesObjectFixtures.pod("pods/pod-crashloopbackoff.json", name: "train-0"))
        try await server.serve { url in
            let sleeper = ManualSleeper()
            let feed = SnapshotFeed<KubernetesPod>()
            let watcher = try Self.watcher(KubernetesPod.self, url: url, sleeper: sleeper, feed: feed)
            try await Self.running(watcher) {
                let listedVersion = String(server.version)
                // The list, then the watch with its bookmark at the list's version.
                let synced = await feed.until { !$0.isStale && $0.events == 1 }
                #expect(synced?.resourceVersion == listedVersion)
                #expect(synced?.objects.map(\.metadata.name) == ["serve-0", "train-0"])
                #expect(server.requests.first == "/api/v1/pods?limit=500")
                #expect(
                    server.requests.dropFirst().first
                        == "/api/v1/pods?watch=1&allowWatchBookmarks=true&resourceVersion=\(listedVersion)&timeoutSeconds=30"
                )

                // Events: added, modified, deleted.
                server.put(
                    "pods", try KubernetesObjectFixtures.pod("pods/pod-oomkilled-restarting.json", name: "train-1"))
                _ = await feed.until { $0.objects.count == 3 }
                var failed = try KubernetesObjectFixtures.pod("pods/pod-failed.json", name: "serve-0")
                failed["metadata"] =
                    (try KubernetesObjectFixtures.pod("pods/pod-running.json", name: "serve-0"))["metadata"]
                server.put("pods", failed)
                _ = await feed.until { $0.objects.first { $0.metadata.name == "serve-0" }?.phase == "Failed" }
                server.delete("pods", "argocd/train-0")
                let afterDelete = await feed.until { $0.objects.count == 2 }
                #expect(afterDelete?.resourceVersion == String(server.version))
                #expect(afterDelete?.lists == 1)

                // A dropped connection: stale, last good objects kept, backoff, then a watch from the last version.
                let versionBeforeDrop = String(server.version)
                server.dropWatches()
                let stale = await feed.until { $0.isStale }
                #expect(stale?.objects.count == 2 && stale?.hasSynced == true)
                #expect(stale?.lastError?.code == .requestFailed)
                sleeper.release()
                _ = await feed.until { !$0.isStale }
                #expect(sleeper.requested == [.milliseconds(800)])
                #expect(
                    server.requests.last
                        == "/api/v1/pods?watch=1&allowWatchBookmarks=true&resourceVersion=\(versionBeforeDrop)&timeoutSeconds=30"
                )

                // The server ends the watch (timeoutSeconds): resumed at once, no backoff, no list.
                server.endWatches()
                _ = await feed.until { $0.isStale }
                _ = await feed.until { !$0.isStale }
                #expect(sleeper.requested.count == 1)

                // A malformed object is skipped and counted; the others stay.
                server.putRaw("pods", #"{"kind":"Pod","metadata":{"namespace":"ml","name":7}}"#)
                let skipped = await feed.until { $0.skippedObjects == 1 }
                #expect(skipped?.lastError?.keyPath == "object.metadata.name")
                #expect(skipped?.objects.count == 2)

                // A change missed while disconnected, then the history compacted: the watch gets an ERROR event
                // with 410 Gone and the watcher lists again.
                server.put("pods", try KubernetesObjectFixtures.pod("pods/pod-succeeded.json", name: "job-0"))
                _ = await feed.until { $0.objects.count == 3 }
                server.dropWatches()
                _ = await feed.until { $0.isStale }
                server.put("pods", try KubernetesObjectFixtures.pod("pods/pod-succeeded.json", name: "job-1"))
                server.compact()
                sleeper.release()
                let relisted = await feed.until { $0.lists == 2 && !$0.isStale }
                #expect(relisted?.objects.map(\.metadata.name) == ["job-0", "job-1", "serve-0", "train-1"])
                #expect(relisted?.skippedObjects == 2)  // the malformed object is in the new list too
                #expect(server.requests.filter { $0.hasPrefix("/api/v1/pods?limit=") }.count == 2)
                #expect(server.unauthorizedRequests == 0)
            }
        }
    }

    @Test("a wrong bearer token is refused by the server: unauthorized, retried with backoff, nothing cached")
    func wrongToken() async throws {
        let server = KubernetesTestAPIServer(token: Self.token)
        server.put("pods", try KubernetesObjectFixtures.pod("pods/pod-running.json", name: "serve-0"))
        try await server.serve { url in
            let sleeper = ManualSleeper()
            let feed = SnapshotFeed<KubernetesPod>()
            let watcher = try Self.watcher(KubernetesPod.self, url: url, token: "wrong", sleeper: sleeper, feed: feed)
            try await Self.running(watcher) {
                let refused = await feed.until { $0.failures == 1 }
                #expect(refused?.lastError?.code == .unauthorized)
                #expect(refused?.hasSynced == false && refused?.objects.isEmpty == true)
                #expect(server.unauthorizedRequests == 1)
                sleeper.release()
                _ = await feed.until { $0.failures == 2 }
                #expect(sleeper.requested.first == .milliseconds(800))
            }
        }
    }

    @Test("a server that is not there: the list fails and is retried with backoff")
    func noServer() async throws {
        let sleeper = ManualSleeper()
        let feed = SnapshotFeed<KubernetesNode>()
        // Port 1 on loopback: nothing listens there.
        let watcher = try Self.watcher(KubernetesNode.self, url: "http://127.0.0.1:1", sleeper: sleeper, feed: feed)
        try await Self.running(watcher) {
            let failed = await feed.until { $0.failures == 1 }
            #expect(failed?.lastError?.code == .requestFailed)
            #expect(failed?.isStale == true)
        }
    }

    @Test("the collector: kube-state-metrics families from the caches, health per resource, stale data kept")
    func collector() async throws {
        let server = KubernetesTestAPIServer(token: Self.token)
        server.put("pods", try KubernetesObjectFixtures.pod("pods/pod-crashloopbackoff.json", name: "train-0"))
        server.put("nodes", try KubernetesObjectFixtures.json("nodes/node-memory-pressure.json"))
        try await server.serve { url in
            let sleeper = ManualSleeper()
            let podFeed = SnapshotFeed<KubernetesPod>()
            let nodeFeed = SnapshotFeed<KubernetesNode>()
            let collector = KubernetesCollector(
                pods: try Self.watcher(KubernetesPod.self, url: url, sleeper: sleeper, feed: podFeed),
                nodes: try Self.watcher(KubernetesNode.self, url: url, sleeper: sleeper, feed: nodeFeed))
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The collector is the Service that runs both watches; cancelling it stops them.
                group.addTask { try await collector.run() }
                _ = await podFeed.until { !$0.isStale && $0.objects.count == 1 }
                _ = await nodeFeed.until { !$0.isStale && $0.objects.count == 1 }
                var output = CollectorOutput(paths: HostPaths())
                collector.collect(into: &output)
                let samples = output.metrics.families.flatMap(\.samples)
                func value(_ name: String, _ labels: [String: String]) -> Double? {
                    samples.first { sample in
                        sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
                    }?.value
                }
                #expect(
                    value("kube_pod_container_status_waiting_reason", ["pod": "train-0", "reason": "CrashLoopBackOff"])
                        == 1)
                #expect(value("kube_node_status_condition", ["condition": "MemoryPressure", "status": "true"]) == 1)
                #expect(value("vigil_kubernetes_up", ["resource": "pods"]) == 1)
                #expect(value("vigil_kubernetes_up", ["resource": "nodes"]) == 1)
                #expect(value("vigil_kubernetes_cache_stale", ["resource": "pods"]) == 0)
                #expect(value("vigil_kubernetes_objects", ["resource": "nodes"]) == 1)
                #expect(value("vigil_kubernetes_last_update_timestamp_seconds", ["resource": "pods"]) == 1_700_000_000)
                #expect(output.issues.isEmpty)

                // The watch drops: the last good metrics stay, marked stale, with an issue.
                server.dropWatches()
                _ = await podFeed.until { $0.isStale }
                _ = await nodeFeed.until { $0.isStale }
                var stale = CollectorOutput(paths: HostPaths())
                collector.collect(into: &stale)
                let staleSamples = stale.metrics.families.flatMap(\.samples)
                #expect(staleSamples.contains { $0.name == "kube_pod_container_status_waiting_reason" })
                #expect(
                    staleSamples.first { $0.name == "vigil_kubernetes_cache_stale" && $0.labels["resource"] == "pods" }?
                        .value == 1)
                #expect(staleSamples.first { $0.name == "vigil_kubernetes_up" }?.value == 0)
                #expect(
                    staleSamples.first {
                        $0.name == "vigil_kubernetes_errors_total" && $0.labels["resource"] == "pods"
                    }?
                    .value == 1)
                #expect(stale.issues.map(\.path).sorted() == ["kubernetes nodes", "kubernetes pods"])
                group.cancelAll()
                try await group.waitForAll()
            }
        }
    }

    @Test("with a node name, the collector lists and watches only that node and the pods bound to it")
    func oneNode() async throws {
        let server = KubernetesTestAPIServer(token: Self.token)
        server.put("pods", try KubernetesObjectFixtures.pod("pods/pod-running.json", name: "serve-0", node: "gpu-01"))
        server.put("pods", try KubernetesObjectFixtures.pod("pods/pod-crashloopbackoff.json", name: "elsewhere"))
        var node = try KubernetesObjectFixtures.json("nodes/node-ready.json")
        node["metadata"] = ["name": "gpu-01"]
        server.put("nodes", node)
        server.put("nodes", try KubernetesObjectFixtures.json("nodes/node-not-ready.json"))
        try await server.serve { url in
            let selectors = KubernetesCollector.selectors(nodeName: "gpu-01")
            let sleeper = ManualSleeper()
            let podFeed = SnapshotFeed<KubernetesPod>()
            let nodeFeed = SnapshotFeed<KubernetesNode>()
            let pods = try Self.watcher(
                KubernetesPod.self, url: url, selector: selectors.pods, sleeper: sleeper, feed: podFeed)
            let nodes = try Self.watcher(
                KubernetesNode.self, url: url, selector: selectors.nodes, sleeper: sleeper, feed: nodeFeed)
            try await Self.running(pods) {
                try await Self.running(nodes) {
                    let podSnapshot = await podFeed.until { !$0.isStale }
                    let nodeSnapshot = await nodeFeed.until { !$0.isStale }
                    #expect(podSnapshot?.objects.map(\.metadata.name) == ["serve-0"])
                    #expect(nodeSnapshot?.objects.map(\.metadata.name) == ["gpu-01"])
                    #expect(server.requests.contains("/api/v1/pods?limit=500&fieldSelector=spec.nodeName%3Dgpu-01"))
                    #expect(server.requests.contains("/api/v1/nodes?limit=500&fieldSelector=metadata.name%3Dgpu-01"))
                    // A pod bound elsewhere later never reaches this agent's cache.
                    server.put("pods", try KubernetesObjectFixtures.pod("pods/pod-succeeded.json", name: "job-9"))
                    server.put(
                        "pods",
                        try KubernetesObjectFixtures.pod("pods/pod-running.json", name: "serve-1", node: "gpu-01"))
                    let later = await podFeed.until { $0.objects.count == 2 }
                    #expect(later?.objects.map(\.metadata.name) == ["serve-0", "serve-1"])
                }
            }
        }
    }

    @Test("a paginated list: continue tokens followed, one resourceVersion for the whole list")
    func paginated() async throws {
        let server = KubernetesTestAPIServer(token: Self.token)
        for index in 0..<5 {
            server.put("pods", try KubernetesObjectFixtures.pod("pods/pod-running.json", name: "serve-\(index)"))
        }
        try await server.serve { url in
            let sleeper = ManualSleeper()
            let feed = SnapshotFeed<KubernetesPod>()
            let watcher = try Self.watcher(KubernetesPod.self, url: url, pageSize: 2, sleeper: sleeper, feed: feed)
            try await Self.running(watcher) {
                let synced = await feed.until { !$0.isStale }
                #expect(synced?.objects.count == 5)
                #expect(synced?.lists == 1)
                #expect(
                    server.requests.prefix(3) == [
                        "/api/v1/pods?limit=2", "/api/v1/pods?limit=2&continue=105-2",
                        "/api/v1/pods?limit=2&continue=105-4",
                    ])
                #expect(server.requests.dropFirst(3).first?.contains("resourceVersion=105") == true)
            }
        }
    }
}
