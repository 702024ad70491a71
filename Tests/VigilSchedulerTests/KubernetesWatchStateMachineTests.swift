import Testing
import VigilScheduler

@Suite("Kubernetes list+watch state machine")
struct KubernetesWatchStateMachineTests {
    typealias Machine = KubernetesWatchStateMachine<KubernetesPod>

    static func pod(_ name: String, version: String, phase: String = "Running") -> KubernetesPod {
        KubernetesPod(
            metadata: KubernetesObjectMeta(name: name, namespace: "ml", uid: "uid-\(name)", resourceVersion: version),
            phase: phase)
    }

    @Test("list, then watch from the list's resourceVersion; events keep the cache and the version current")
    func listThenWatch() {
        var machine = Machine()
        #expect(machine.start() == .list)
        #expect(machine.isStale)
        let action = machine.listed(
            KubernetesList(resourceVersion: "100", items: [Self.pod("a", version: "90"), Self.pod("b", version: "95")]))
        #expect(action == .watch(resourceVersion: "100"))
        machine.watchStarted()
        #expect(!machine.isStale)
        #expect(machine.received(.added(Self.pod("c", version: "101"))) == nil)
        #expect(machine.received(.modified(Self.pod("a", version: "102", phase: "Failed"))) == nil)
        #expect(machine.received(.deleted(Self.pod("b", version: "103"))) == nil)
        #expect(machine.received(.bookmark(resourceVersion: "110")) == nil)
        #expect(machine.objects.keys.sorted() == ["ml/a", "ml/c"])
        #expect(machine.objects["ml/a"]?.phase == "Failed")
        #expect(machine.resourceVersion == "110")
        #expect(machine.events == 4)
        // The server closes the watch (timeoutSeconds): resume from the bookmark.
        #expect(machine.watchEnded() == .watch(resourceVersion: "110"))
    }

    @Test("a relist replaces the cache: objects deleted while disconnected go")
    func relistReplaces() {
        var machine = Machine()
        _ = machine.listed(KubernetesList(resourceVersion: "1", items: [Self.pod("a", version: "1")]))
        _ = machine.listed(KubernetesList(resourceVersion: "5", items: [Self.pod("b", version: "4")]))
        #expect(machine.objects.keys.sorted() == ["ml/b"])
        #expect(machine.lists == 2)
    }

    @Test("410 Gone, as an ERROR event or as an answer, relists at once; other ERROR events too")
    func goneRelists() {
        var machine = Machine()
        _ = machine.listed(KubernetesList(resourceVersion: "1", items: []))
        machine.watchStarted()
        #expect(machine.received(.error(KubernetesStatus(code: 410, reason: "Expired", message: "too old"))) == .list)
        #expect(machine.isStale)
        #expect(machine.lastError?.code == .expired)
        _ = machine.listed(KubernetesList(resourceVersion: "7", items: []))
        #expect(machine.failed(SchedulerError(.expired, "410 Gone")) == .list)
        _ = machine.listed(KubernetesList(resourceVersion: "8", items: []))
        #expect(machine.received(.error(KubernetesStatus(code: 500, reason: "InternalError"))) == .list)
        #expect(machine.failures == 3)
    }

    @Test("a dropped watch resumes from the last version after an exponential backoff, capped; success resets it")
    func backoff() {
        var machine = Machine(initialBackoff: .seconds(1), maxBackoff: .seconds(5))
        _ = machine.listed(KubernetesList(resourceVersion: "42", items: [Self.pod("a", version: "42")]))
        let dropped = SchedulerError(.requestFailed, "connection reset")
        #expect(machine.failed(dropped) == .after(.seconds(1), .watch(resourceVersion: "42")))
        #expect(machine.failed(dropped) == .after(.seconds(2), .watch(resourceVersion: "42")))
        #expect(machine.failed(dropped) == .after(.seconds(4), .watch(resourceVersion: "42")))
        #expect(machine.failed(dropped) == .after(.seconds(5), .watch(resourceVersion: "42")))
        #expect(machine.failed(dropped) == .after(.seconds(5), .watch(resourceVersion: "42")))
        // The last good objects stay, marked stale.
        #expect(machine.objects.count == 1 && machine.isStale && machine.hasSynced)
        machine.watchStarted()
        _ = machine.received(.bookmark(resourceVersion: "43"))
        #expect(machine.failed(dropped) == .after(.seconds(1), .watch(resourceVersion: "43")))
    }

    @Test("a failed first list retries the list with backoff")
    func firstListFails() {
        var machine = Machine(initialBackoff: .milliseconds(500))
        #expect(
            machine.failed(SchedulerError(.requestFailed, "connection refused")) == .after(.milliseconds(500), .list))
        #expect(!machine.hasSynced)
    }

    @Test("malformed objects are counted: skipped list items and event lines")
    func skipped() {
        var machine = Machine()
        _ = machine.listed(
            KubernetesList(
                resourceVersion: "1", items: [],
                skipped: [SchedulerError(.missingKey, "x", keyPath: "items[0].metadata.name")]))
        machine.skipped(SchedulerError(.wrongType, "y", keyPath: "object.metadata.name"))
        #expect(machine.skippedObjects == 2)
        #expect(machine.lastError?.keyPath == "object.metadata.name")
    }
}
