import Synchronization

/// Whether the server is ready to answer queries: false until storage has started (WAL replayed), so
/// `/-/ready` and the API answer 503 until then, as Prometheus does.
public final class ReadinessFlag: Sendable {
    private let ready: Atomic<Bool>

    public init(ready: Bool = false) { self.ready = Atomic(ready) }

    public var isReady: Bool { ready.load(ordering: .acquiring) }

    public func markReady() { ready.store(true, ordering: .releasing) }

    public func markNotReady() { ready.store(false, ordering: .releasing) }
}
