/// The list+watch protocol of one resource, as client-go's reflector: list, then watch from the list's
/// resourceVersion, apply each event to a cache keyed `namespace/name`, and say what to do next.
///
/// - a 410 Gone (an HTTP answer or an `ERROR` event) or any other `ERROR` event: list again;
/// - a watch the server closed (its `timeoutSeconds`): watch again from the last resourceVersion;
/// - a dropped connection or a failed request: wait (exponential backoff: `initialBackoff` doubled per
///   consecutive failure up to `maxBackoff`), then watch again, or list again if there is no
///   resourceVersion to resume from;
/// - a malformed event or list item: skipped and counted; the rest goes on.
///
/// The cache keeps the last good objects through failures (``isStale`` says they may be out of date).
/// A value type with no clock and no I/O: the caller performs the returned ``Action``.
public struct KubernetesWatchStateMachine<Object: KubernetesObject>: Sendable {
    public enum Action: Sendable, Equatable {
        /// List the resource (no wait).
        case list
        /// Watch from this resourceVersion (no wait).
        case watch(resourceVersion: String)
        /// Wait, then perform the action.
        indirect case after(Duration, Action)
    }

    public private(set) var objects: [String: Object] = [:]
    /// Where the next watch starts.
    public private(set) var resourceVersion: String = ""
    /// Whether a list has succeeded once (the cache means something).
    public private(set) var hasSynced = false
    /// Whether a watch is streaming now.
    public private(set) var isWatching = false
    /// Consecutive failures since the last success (drives the backoff).
    public private(set) var consecutiveFailures = 0
    public private(set) var lastError: SchedulerError?
    /// Totals since start, for the health metrics.
    public private(set) var lists = 0
    public private(set) var failures = 0
    public private(set) var skippedObjects = 0
    public private(set) var events = 0

    public let initialBackoff: Duration
    public let maxBackoff: Duration

    public init(initialBackoff: Duration = .milliseconds(800), maxBackoff: Duration = .seconds(30)) {
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// The cache may be out of date: no watch is streaming (or nothing was ever listed).
    public var isStale: Bool { !hasSynced || !isWatching }

    /// What to do first.
    public func start() -> Action { .list }

    /// A list answered: replace the cache, then watch from its resourceVersion.
    public mutating func listed(_ list: KubernetesList<Object>) -> Action {
        var fresh: [String: Object] = [:]
        for object in list.items { fresh[object.key] = object }
        objects = fresh
        skippedObjects += list.skipped.count
        resourceVersion = list.resourceVersion
        hasSynced = true
        lists += 1
        consecutiveFailures = 0
        if let last = list.skipped.last { lastError = last }
        return .watch(resourceVersion: resourceVersion)
    }

    /// A list or a watch request failed (or a watch stream dropped).
    public mutating func failed(_ error: SchedulerError) -> Action {
        isWatching = false
        failures += 1
        lastError = error
        if error.code == .expired {
            consecutiveFailures = 0
            return .list
        }
        consecutiveFailures += 1
        let next: Action = resourceVersion.isEmpty ? .list : .watch(resourceVersion: resourceVersion)
        return .after(backoff(consecutiveFailures), next)
    }

    /// The watch request was answered with 200: events follow.
    public mutating func watchStarted() {
        isWatching = true
    }

    /// One event from the stream: nil to keep reading, an action to stop reading and do it.
    public mutating func received(_ event: KubernetesWatchEvent<Object>) -> Action? {
        events += 1
        consecutiveFailures = 0
        switch event {
        case .added(let object), .modified(let object):
            objects[object.key] = object
            advance(to: object.metadata.resourceVersion)
        case .deleted(let object):
            objects[object.key] = nil
            advance(to: object.metadata.resourceVersion)
        case .bookmark(let version):
            advance(to: version)
        case .error(let status):
            isWatching = false
            failures += 1
            lastError = SchedulerError(
                status.isGone ? .expired : .requestFailed, "watch ERROR event: \(status)")
            resourceVersion = ""
            return .list
        }
        return nil
    }

    /// An event line that could not be read: skipped and counted.
    public mutating func skipped(_ error: SchedulerError) {
        skippedObjects += 1
        lastError = error
    }

    /// The server ended the watch cleanly: resume from where it stopped.
    public mutating func watchEnded() -> Action {
        isWatching = false
        return resourceVersion.isEmpty ? .list : .watch(resourceVersion: resourceVersion)
    }

    /// The wait before retry number `attempt` (1-based): `initialBackoff × 2^(attempt-1)`, at most `maxBackoff`.
    public func backoff(_ attempt: Int) -> Duration {
        var wait = initialBackoff
        for _ in 1..<max(attempt, 1) {
            wait *= 2
            if wait >= maxBackoff { return maxBackoff }
        }
        return min(wait, maxBackoff)
    }

    private mutating func advance(to version: String) {
        if !version.isEmpty { resourceVersion = version }
    }
}
