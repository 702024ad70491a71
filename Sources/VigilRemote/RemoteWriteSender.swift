import AsyncHTTPClient
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import VigilConfig
import VigilEncoding
import VigilExposition
import VigilModel

/// Sends a copy of every committed sample to one `remote_write` receiver (remote_write 1.0: protobuf +
/// snappy), as a ServiceLifecycle service.
///
/// Samples arrive through ``enqueue(_:)`` (a ``RemoteWriteTee`` calls it after each commit), pass
/// `write_relabel_configs`, and are queued on one of `min_shards` shards by series. Each shard sends a batch
/// when `max_samples_per_send` samples are queued or when `batch_send_deadline` ticked with samples waiting,
/// and retries a batch with exponential backoff from `min_backoff` to `max_backoff` on 5xx, on 429 (when
/// `retry_on_http_429`) and on connection errors; any other 4xx drops the batch with a log line.
///
/// The queue is in memory and bounded (`capacity` per shard): when it is full the newest samples are
/// dropped, counted in `vigil_remote_write_dropped_samples_total{reason="queue_full"}` and logged at most
/// once per ``logInterval``. A disk-backed queue (surviving restarts and long outages) is future work, as is
/// resharding between `min_shards` and `max_shards` and sending metadata.
///
/// On graceful shutdown it stops taking samples, sends what is queued, and gives up after
/// ``flushDeadline``: what is left is counted as dropped (`reason="shutdown"`). The batch ticker and the
/// backoff run on the injected clock, so tests drive them without sleeping.
public final class RemoteWriteSender<SenderClock: Clock<Duration>>: Service, RemoteWriteSampleSink, Sendable {
    public let config: RemoteWriteConfig
    /// How long a graceful shutdown keeps sending what is queued (Prometheus: 1 minute).
    public let flushDeadline: Duration
    /// The most often a queue-full drop is logged.
    public let logInterval: Duration

    let clock: SenderClock
    let logger: Logger
    let nowMilliseconds: @Sendable () -> Int64
    let endpoint: RemoteWriteEndpoint
    let shards: [Shard]
    let counters = Mutex(Counters())
    private let relabelCache = Mutex([Labels: Labels?]())
    private let dropLog: Mutex<SenderClock.Instant?> = Mutex(nil)

    struct Counters {
        var received = 0
        var sent = 0
        var failed = 0
        var retried = 0
        var droppedQueueFull = 0
        var droppedRelabel = 0
        var droppedShutdown = 0
        var sentBytes = 0
        var sentBatches = 0
        var lastSendMilliseconds: Int64 = 0
        var highestSentTimestamp: Int64 = 0
    }

    /// One shard: its queue and the continuation of its task when parked.
    final class Shard: Sendable {
        struct State {
            var machine: RemoteWriteShardStateMachine
            var waiter: CheckedContinuation<Void, Never>?
        }

        let state: Mutex<State>

        init(capacity: Int, maxBatch: Int) {
            state = Mutex(State(machine: RemoteWriteShardStateMachine(capacity: capacity, maxBatch: maxBatch)))
        }

        /// Changes the state and resumes the parked task when there is work for it.
        @discardableResult
        func update<Result>(_ body: (inout RemoteWriteShardStateMachine) -> Result) -> Result {
            let (result, waiter) = state.withLock { state -> (Result, CheckedContinuation<Void, Never>?) in
                let result = body(&state.machine)
                guard state.machine.hasWork, let waiter = state.waiter else { return (result, nil) }
                state.waiter = nil
                return (result, waiter)
            }
            waiter?.resume()
            return result
        }

        /// The next action, parking until there is one.
        func next() async -> RemoteWriteShardStateMachine.NextAction {
            while true {
                let action = state.withLock { $0.machine.next() }
                if action != .wait { return action }
                if Task.isCancelled { return .finish }
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let resumeNow = state.withLock { state -> Bool in
                            if state.machine.hasWork || Task.isCancelled { return true }
                            state.waiter = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    state.withLock { state in
                        defer { state.waiter = nil }
                        return state.waiter
                    }?.resume()
                }
            }
        }
    }

    /// - Parameters:
    ///   - clock: drives the batch deadline, the backoff and the shutdown deadline.
    ///   - nowMilliseconds: the wall clock for the last-send timestamp metric.
    public init(
        config: RemoteWriteConfig, clock: SenderClock, logger: Logger = Logger(label: "vigil.remote-write"),
        flushDeadline: Duration = .seconds(60), logInterval: Duration = .seconds(10),
        nowMilliseconds: @escaping @Sendable () -> Int64 = WallClock.nowMilliseconds
    ) throws(RemoteWriteError) {
        self.config = config
        self.clock = clock
        self.flushDeadline = flushDeadline
        self.logInterval = logInterval
        self.nowMilliseconds = nowMilliseconds
        self.endpoint = try RemoteWriteEndpoint(config)
        var logger = logger
        logger[metadataKey: "remote_name"] = "\(config.name)"
        logger[metadataKey: "url"] = "\(config.url)"
        self.logger = logger
        let queue = config.queueConfig
        shards = (0..<max(queue.minShards, 1)).map { _ in
            Shard(capacity: queue.capacity, maxBatch: queue.maxSamplesPerSend)
        }
    }

    // MARK: - Taking samples

    /// Relabels and queues the samples of one committed transaction. Never blocks.
    public func enqueue(_ samples: [RemoteWriteSample]) {
        guard !samples.isEmpty else { return }
        var perShard = [[RemoteWriteSample]](repeating: [], count: shards.count)
        var relabelDropped = 0
        for var sample in samples {
            guard let labels = relabel(sample.labels) else {
                relabelDropped += 1
                continue
            }
            sample.labels = labels
            let shard = shards.count == 1 ? 0 : Int(labels.stableHash % UInt64(shards.count))
            perShard[shard].append(sample)
        }
        var queueFull = 0
        var shutdown = 0
        for (index, batch) in perShard.enumerated() where !batch.isEmpty {
            let (draining, dropped) = shards[index].update { machine -> (Bool, Int) in
                machine.draining ? (true, batch.count) : (false, machine.enqueue(batch))
            }
            if draining { shutdown += dropped } else { queueFull += dropped }
        }
        counters.withLock { counters in
            counters.received += samples.count
            counters.droppedRelabel += relabelDropped
            counters.droppedQueueFull += queueFull
            counters.droppedShutdown += shutdown
        }
        if queueFull > 0 { logQueueFull(queueFull) }
    }

    private func relabel(_ labels: Labels) -> Labels? {
        let configs = config.writeRelabelConfigs
        if configs.isEmpty { return labels }
        if let cached = relabelCache.withLock({ $0[labels] }) { return cached }
        let result = Relabeling.process(labels, with: configs)
        relabelCache.withLock { cache in
            if cache.count >= 100_000 { cache.removeAll(keepingCapacity: true) }
            cache[labels] = .some(result)
        }
        return result
    }

    private func logQueueFull(_ dropped: Int) {
        let now = clock.now
        let shouldLog = dropLog.withLock { last -> Bool in
            if let previous = last, previous.duration(to: now) < logInterval { return false }
            last = now
            return true
        }
        guard shouldLog else { return }
        let total = counters.withLock { $0.droppedQueueFull }
        logger.warning(
            "Remote write queue full, dropping the newest samples",
            metadata: [
                "dropped": "\(dropped)", "droppedTotal": "\(total)",
                "capacityPerShard": "\(config.queueConfig.capacity)",
            ])
    }

    // MARK: - Running

    private enum ChildResult { case shard, ticker }

    public func run() async throws {
        let client = try endpoint.makeClient()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: ChildResult.self) { group in
                group.addTask {
                    await self.runTicker(); return .ticker
                }
                for shard in shards {
                    group.addTask {
                        await self.runShard(shard, client: client)
                        return .shard
                    }
                }
                var finishedShards = 0
                while let result = await group.next() {
                    if result == .shard { finishedShards += 1 }
                    if finishedShards == shards.count { group.cancelAll() }
                }
            }
        } onGracefulShutdown: {
            self.startDraining()
        }
        let abandoned = shards.reduce(0) { total, shard in total + shard.update { $0.abandon() } }
        if abandoned > 0 {
            counters.withLock { $0.droppedShutdown += abandoned }
            logger.warning("Remote write stopped with samples unsent", metadata: ["dropped": "\(abandoned)"])
        }
        try? await client.shutdown()
    }

    private let drainStart: Mutex<SenderClock.Instant?> = Mutex(nil)

    private func startDraining() {
        let now = clock.now
        drainStart.withLock { if $0 == nil { $0 = now } }
        for shard in shards { shard.update { $0.startDraining() } }
    }

    /// Ticks every `batch_send_deadline`; during a drain, ends the drain at ``flushDeadline``.
    private func runTicker() async {
        let interval = config.queueConfig.batchSendDeadline
        while !Task.isCancelled {
            var wake = interval
            if let start = drainStart.withLock({ $0 }) {
                let left = flushDeadline - start.duration(to: clock.now)
                if left <= .zero {
                    logger.warning("Remote write flush deadline passed; giving up on what is queued")
                    for shard in shards { shard.update { _ in } }
                    abandonSends.withLock { $0 = true }
                    return
                }
                wake = min(interval, left)
            }
            do {
                try await clock.sleep(for: wake)
            } catch {
                return
            }
            for shard in shards { shard.update { $0.deadlinePassed() } }
        }
    }

    /// Set when the shutdown deadline passed: shards stop retrying and finish.
    let abandonSends = Mutex(false)

    private func runShard(_ shard: Shard, client: HTTPClient) async {
        var body: [UInt8] = []
        var compressor = SnappyCompressor()
        var compressed: [UInt8] = []
        while true {
            if abandonSends.withLock({ $0 }) { return }
            guard case .send(let batch) = await shard.next() else { return }
            body.removeAll(keepingCapacity: true)
            RemoteWriteBatch.encode(batch, into: &body)
            compressed.removeAll(keepingCapacity: true)
            compressor.compress(body, appendingTo: &compressed)
            await send(batch, compressed: compressed, client: client)
        }
    }

    private func send(_ batch: [RemoteWriteSample], compressed: [UInt8], client: HTTPClient) async {
        var backoff = config.queueConfig.minBackoff
        while true {
            let outcome = await endpoint.post(compressed, client: client)
            switch outcome {
            case .success:
                let highest = batch.reduce(Int64.min) { max($0, $1.timestamp) }
                let now = nowMilliseconds()
                counters.withLock { counters in
                    counters.sent += batch.count
                    counters.sentBytes += compressed.count
                    counters.sentBatches += 1
                    counters.lastSendMilliseconds = now
                    counters.highestSentTimestamp = max(counters.highestSentTimestamp, highest)
                }
                return
            case .retryable(let reason) where reason.isRateLimit && !config.queueConfig.retryOnRateLimit,
                .permanent(let reason):
                counters.withLock { $0.failed += batch.count }
                logger.error(
                    "Remote write receiver refused the batch; dropping it",
                    metadata: ["reason": "\(reason)", "samples": "\(batch.count)"])
                return
            case .retryable(let reason):
                if abandonSends.withLock({ $0 }) || Task.isCancelled {
                    counters.withLock { $0.failed += batch.count }
                    logger.error(
                        "Remote write gave up on a batch at shutdown",
                        metadata: ["reason": "\(reason)", "samples": "\(batch.count)"])
                    return
                }
                counters.withLock { $0.retried += batch.count }
                logger.warning(
                    "Remote write failed, retrying",
                    metadata: ["reason": "\(reason)", "samples": "\(batch.count)", "backoff": "\(backoff)"])
                do {
                    try await clock.sleep(for: backoff)
                } catch {
                    counters.withLock { $0.failed += batch.count }
                    return
                }
                backoff = min(backoff * 2, config.queueConfig.maxBackoff)
            }
        }
    }

    // MARK: - Metrics

    /// The sender's own metrics, for the server's `/metrics`.
    public func metricFamilies() -> [MetricFamily] {
        let counters = self.counters.withLock { $0 }
        let pending = shards.reduce(0) { total, shard in total + shard.state.withLock { $0.machine.pending } }
        let base: Labels = ["remote_name": config.name, "url": config.url]
        func family(_ name: String, _ type: MetricType, _ help: String, _ value: Double) -> MetricFamily {
            MetricFamily(
                name: name, type: type, help: help, samples: [MetricSample(name: name, labels: base, value: value)])
        }
        func dropped(_ reason: String, _ value: Int) -> MetricSample {
            MetricSample(
                name: "vigil_remote_write_dropped_samples_total", labels: base.setting("reason", to: reason),
                value: Double(value))
        }
        return [
            family(
                "vigil_remote_write_samples_in_total", .counter, "Samples handed to the remote write queue.",
                Double(counters.received)),
            family(
                "vigil_remote_write_sent_samples_total", .counter, "Samples sent and acknowledged by the receiver.",
                Double(counters.sent)),
            family(
                "vigil_remote_write_failed_samples_total", .counter,
                "Samples whose batch the receiver refused (4xx) or that were given up at shutdown.",
                Double(counters.failed)),
            family(
                "vigil_remote_write_retried_samples_total", .counter,
                "Samples sent again after a retryable failure (5xx, 429, connection error).",
                Double(counters.retried)),
            MetricFamily(
                name: "vigil_remote_write_dropped_samples_total", type: .counter,
                help: "Samples never sent: queue full, dropped by write_relabel_configs, or left at shutdown.",
                samples: [
                    dropped("queue_full", counters.droppedQueueFull), dropped("relabel", counters.droppedRelabel),
                    dropped("shutdown", counters.droppedShutdown),
                ]),
            family(
                "vigil_remote_write_pending_samples", .gauge, "Samples queued and not yet sent.", Double(pending)),
            family("vigil_remote_write_shards", .gauge, "Shards sending in parallel.", Double(shards.count)),
            family(
                "vigil_remote_write_sent_bytes_total", .counter, "Compressed request bytes acknowledged.",
                Double(counters.sentBytes)),
            family(
                "vigil_remote_write_sent_batches_total", .counter, "Requests acknowledged.",
                Double(counters.sentBatches)),
            family(
                "vigil_remote_write_last_send_timestamp_seconds", .gauge,
                "When a batch was last acknowledged (Unix seconds; 0 before the first).",
                Double(counters.lastSendMilliseconds) / 1000),
            family(
                "vigil_remote_write_highest_sent_timestamp_seconds", .gauge,
                "The newest sample timestamp acknowledged (Unix seconds; 0 before the first).",
                counters.highestSentTimestamp == 0 ? 0 : Double(counters.highestSentTimestamp) / 1000),
        ]
    }
}

extension RemoteWriteSender where SenderClock == ContinuousClock {
    /// A sender on the system's monotonic clock.
    public convenience init(
        config: RemoteWriteConfig, logger: Logger = Logger(label: "vigil.remote-write")
    ) throws(RemoteWriteError) {
        try self.init(config: config, clock: ContinuousClock(), logger: logger)
    }
}
