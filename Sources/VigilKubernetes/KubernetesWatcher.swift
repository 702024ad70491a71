import Synchronization
import VigilModel
import VigilScheduler

/// What a watcher holds now: its cache and health, for a collection.
public struct KubernetesWatchSnapshot<Object: KubernetesObject>: Sendable {
    /// The cached objects, sorted by `namespace/name`.
    public var objects: [Object]
    public var hasSynced: Bool
    /// No watch is streaming: the objects are the last good ones and may be out of date.
    public var isStale: Bool
    public var resourceVersion: String
    public var lists: Int
    public var failures: Int
    public var skippedObjects: Int
    public var events: Int
    public var lastError: SchedulerError?
    /// Milliseconds since the epoch of the last list or event (0 before the first).
    public var lastUpdateMs: Int64
}

/// Lists and watches one resource (`pods`, `nodes`) through a ``KubernetesAPIClient`` and keeps a cache
/// by performing what ``KubernetesWatchStateMachine`` decides. ``run()`` loops until its task is
/// cancelled; the sleep between retries and the clock are injected so that tests never wait.
public final class KubernetesWatcher<Object: KubernetesObject>: Sendable {
    public let client: KubernetesAPIClient
    /// Query parameters added to list and watch requests (`fieldSelector=spec.nodeName%3Dgpu01`).
    public let selector: String
    /// `timeoutSeconds` of each watch request: the server ends the watch then and it is resumed.
    public let watchTimeoutSeconds: Int
    /// Page size of list requests (`limit`).
    public let pageSize: Int
    private let sleep: @Sendable (Duration) async throws -> Void
    private let now: @Sendable () -> Int64
    private let onChange: (@Sendable (KubernetesWatchSnapshot<Object>) -> Void)?
    private let state: Mutex<State>

    private struct State {
        var machine: KubernetesWatchStateMachine<Object>
        var lastUpdateMs: Int64 = 0
    }

    /// - Parameters:
    ///   - sleep: waits out a backoff; `Task.sleep` by default.
    ///   - now: milliseconds since the epoch.
    ///   - onChange: called after every list, event, skipped line and failure (tests follow progress with it).
    public init(
        client: KubernetesAPIClient, selector: String = "", watchTimeoutSeconds: Int = 300, pageSize: Int = 500,
        machine: KubernetesWatchStateMachine<Object> = KubernetesWatchStateMachine(),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        now: @escaping @Sendable () -> Int64 = { WallClock.nowMilliseconds() },
        onChange: (@Sendable (KubernetesWatchSnapshot<Object>) -> Void)? = nil
    ) {
        self.client = client
        self.selector = selector
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.pageSize = pageSize
        self.sleep = sleep
        self.now = now
        self.onChange = onChange
        state = Mutex(State(machine: machine))
    }

    public var snapshot: KubernetesWatchSnapshot<Object> {
        state.withLock { state in
            let machine = state.machine
            return KubernetesWatchSnapshot(
                objects: machine.objects.keys.sorted().compactMap { machine.objects[$0] }, hasSynced: machine.hasSynced,
                isStale: machine.isStale, resourceVersion: machine.resourceVersion, lists: machine.lists,
                failures: machine.failures, skippedObjects: machine.skippedObjects, events: machine.events,
                lastError: machine.lastError, lastUpdateMs: state.lastUpdateMs)
        }
    }

    /// The first cached object that `predicate` accepts, in no particular order; nil when none does or the
    /// cache is empty. Cheaper than ``snapshot`` (which sorts) for lookups at collection rate.
    public func first(where predicate: (Object) -> Bool) -> Object? {
        state.withLock { state in state.machine.objects.values.first(where: predicate) }
    }

    /// Lists and watches until the task is cancelled.
    public func run() async {
        var action = state.withLock { $0.machine.start() }
        while !Task.isCancelled {
            action = await perform(action)
        }
    }

    private func perform(_ action: KubernetesWatchStateMachine<Object>.Action) async
        -> KubernetesWatchStateMachine<Object>.Action
    {
        switch action {
        case .after(let wait, let next):
            do {
                try await sleep(wait)
            } catch {
                return next  // cancelled: the loop ends
            }
            return next
        case .list:
            do {
                let list = try await listAll()
                return update { $0.listed(list) }
            } catch {
                return update { $0.failed(error) }
            }
        case .watch(let version):
            return await watch(from: version)
        }
    }

    private func listAll() async throws(SchedulerError) -> KubernetesList<Object> {
        var combined: KubernetesList<Object>?
        var token = ""
        repeat {
            var path = "/api/v1/\(Object.resource)?limit=\(pageSize)"
            if !selector.isEmpty { path += "&\(selector)" }
            if !token.isEmpty { path += "&continue=\(Self.escape(token))" }
            let page = try KubernetesDecoder.list(Object.self, from: try await client.get(path))
            if combined == nil {
                combined = page
            } else {
                combined?.items += page.items
                combined?.skipped += page.skipped
            }
            token = page.continueToken
        } while !token.isEmpty && !Task.isCancelled
        return combined ?? KubernetesList(resourceVersion: "", items: [])
    }

    private func watch(from version: String) async -> KubernetesWatchStateMachine<Object>.Action {
        var path =
            "/api/v1/\(Object.resource)?watch=1&allowWatchBookmarks=true&resourceVersion=\(Self.escape(version))"
            + "&timeoutSeconds=\(watchTimeoutSeconds)"
        if !selector.isEmpty { path += "&\(selector)" }
        let lines: KubernetesWatchLines
        do {
            lines = try await client.watch(path, timeout: .seconds(watchTimeoutSeconds + 60))
        } catch {
            return update { $0.failed(error) }
        }
        update { $0.watchStarted() }
        var iterator = lines.makeIterator()
        do {
            while let line = try await iterator.next() {
                if Task.isCancelled { return .list }
                let event: KubernetesWatchEvent<Object>
                do {
                    event = try KubernetesDecoder.watchEvent(Object.self, from: line)
                } catch {
                    update { $0.skipped(error) }
                    continue
                }
                if let next = update({ $0.received(event) }) { return next }
            }
        } catch {
            return update { $0.failed(error) }
        }
        return update { $0.watchEnded() }
    }

    @discardableResult
    private func update<Result>(_ body: (inout KubernetesWatchStateMachine<Object>) -> Result) -> Result {
        let result = state.withLock { state in
            let result = body(&state.machine)
            state.lastUpdateMs = now()
            return result
        }
        // A snapshot sorts the cache: only made when someone follows the changes.
        if let onChange { onChange(snapshot) }
        return result
    }

    /// Percent-encodes a query value (RFC 3986 unreserved characters stay).
    public static func escape(_ value: String) -> String {
        var text = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                text += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return text
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
