import Hummingbird
import Logging
import NIOCore
import Synchronization
import Testing
import VigilEncoding
import VigilExposition
import VigilModel
import VigilRemote
import VigilStorage

let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

/// The snappy-compressed protobuf body of `request`.
func body(_ request: RemoteWriteRequest) -> [UInt8] {
    var bytes: [UInt8] = []
    RemoteWriteEncoder.append(request, to: &bytes)
    return Snappy.compress(bytes)
}

/// A series `name` with `samples` as (timestamp, value) pairs.
func series(_ name: String, _ samples: [(Int64, Double)]) -> RemoteWriteRequest.TimeSeries {
    series(name, [:], samples)
}

/// A series `name{labels}` with `samples` as (timestamp, value) pairs.
func series(_ name: String, _ labels: [String: String] = [:], _ samples: [(Int64, Double)])
    -> RemoteWriteRequest.TimeSeries
{
    RemoteWriteRequest.TimeSeries(
        labels: [Label("__name__", name)] + labels.sorted { $0.key < $1.key }.map { Label($0.key, $0.value) },
        samples: samples.map { Sample($0.0, $0.1) })
}

/// Every series in `storage` with its samples.
func contents(of storage: MemoryStorage) throws -> [Labels: [Sample]] {
    let querier = storage.querier(mint: .min, maxt: .max)
    var result: [Labels: [Sample]] = [:]
    var set = try querier.select(sorted: false, hints: nil, matchers: [try LabelMatcher(.regexMatch, "__name__", ".+")])
    while let entry = try set.next() { result[entry.labels] = try entry.samples() }
    return result
}

/// A clock that moves only when told to. Tasks sleeping on it wake when ``advance(by:)`` passes their
/// deadline; ``waitForSleepers(_:)`` returns once that many tasks sleep.
final class ManualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        var id: Int
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var nextID = 0
        var sleepers: [Sleeper] = []
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    var now: Instant { state.withLock { $0.now } }
    var minimumResolution: Duration { .zero }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (ready, waiters) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
                    if deadline <= state.now { return (true, []) }
                    if Task.isCancelled { return (true, []) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    let count = state.sleepers.count
                    let ready = state.waiters.filter { $0.count <= count }.map(\.continuation)
                    state.waiters.removeAll { $0.count <= count }
                    return (false, ready)
                }
                for waiter in waiters { waiter.resume() }
                if ready {
                    if Task.isCancelled {
                        continuation.resume(throwing: CancellationError())
                    } else {
                        continuation.resume()
                    }
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward, waking every sleeper whose deadline is passed.
    func advance(by duration: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Returns once at least `count` tasks sleep on this clock.
    func waitForSleepers(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.sleepers.count >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    var sleeperCount: Int { state.withLock { $0.sleepers.count } }
}

/// A loopback remote_write receiver: Hummingbird in front of a ``RemoteWriteReceiver`` and a
/// ``MemoryStorage``, answering with scripted statuses first (503, 400, 429, …) and then storing.
final class LoopbackReceiver: Sendable {
    struct Received: Sendable {
        var status: Int
        var samples: Int
        var headers: HTTPFields
    }

    let storage = MemoryStorage()
    let receiver: RemoteWriteReceiver
    /// What `/metrics` serves (a loopback exporter beside the receiver, for a real Prometheus to scrape).
    let exposition = Mutex("")
    private let script = Mutex<[HTTPResponse.Status]>([])
    private let events = Mutex<(received: [Received], waiters: [CheckedContinuation<Received, Never>])>(([], []))

    init() {
        receiver = RemoteWriteReceiver(appendable: storage, logger: quietLogger)
    }

    /// The next requests are answered with these statuses (without storing), in order.
    func answer(_ statuses: HTTPResponse.Status...) { script.withLock { $0.append(contentsOf: statuses) } }

    /// Waits for the next request the receiver answered.
    func next() async -> Received {
        await withCheckedContinuation { (continuation: CheckedContinuation<Received, Never>) in
            let ready = events.withLock { events -> Received? in
                if events.received.isEmpty {
                    events.waiters.append(continuation)
                    return nil
                }
                return events.received.removeFirst()
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func record(_ received: Received) {
        let waiter = events.withLock { events -> CheckedContinuation<Received, Never>? in
            if events.waiters.isEmpty {
                events.received.append(received)
                return nil
            }
            return events.waiters.removeFirst()
        }
        waiter?.resume(returning: received)
    }

    private func handle(_ request: Request) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 64 << 20)
        let bytes = Array(buffer.readableBytesView)
        let scripted = script.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        if let scripted {
            record(Received(status: Int(scripted.code), samples: 0, headers: request.headers))
            return Response(status: scripted, body: ResponseBody(byteBuffer: ByteBuffer(string: "scripted")))
        }
        do {
            let summary = try receiver.receive(
                body: bytes, contentType: request.headers[.contentType],
                contentEncoding: request.headers[.contentEncoding])
            record(Received(status: 204, samples: summary.appended, headers: request.headers))
            return Response(status: .noContent)
        } catch {
            record(Received(status: error.httpStatus, samples: 0, headers: request.headers))
            return Response(
                status: HTTPResponse.Status(code: error.httpStatus),
                body: ResponseBody(byteBuffer: ByteBuffer(string: error.message)))
        }
    }

    /// Serves on a loopback port for the duration of `body`, which gets the write URL.
    func serve<Result: Sendable>(_ body: @Sendable (String) async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Result?.self) { group in
            let router = Router()
            router.post("/api/v1/write") { request, _ in try await self.handle(request) }
            router.get("/metrics") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: self.exposition.withLock { $0 })))
            }
            let (started, startedSink) = AsyncStream.makeStream(of: Int.self)
            let app = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in startedSink.yield(channel.localAddress?.port ?? 0) },
                logger: quietLogger)
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            var iterator = started.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            let result = try await body("http://127.0.0.1:\(port)/api/v1/write")
            group.cancelAll()
            return result
        }
    }
}

/// Waits until `condition` holds, checking every millisecond: for counters that a sender updates once the
/// loopback answer has travelled back to it (at most 10 s).
func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
    for _ in 0..<10_000 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(1))
    }
    Issue.record("timed out waiting until \(what)")
}
