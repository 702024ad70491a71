import Hummingbird
import Logging
import ServiceLifecycle
import Testing
import VigilConfig
import VigilModel
import VigilRemote
import VigilStorage

/// The sender against a loopback Hummingbird receiver wired to ``RemoteWriteReceiver``: batching, the batch
/// deadline and the backoff run on a ``ManualClock``, so the only waiting is for loopback I/O.
@Suite("remote_write sender", .timeLimit(.minutes(2)))
struct RemoteWriteSenderTests {
    static func config(
        maxSamplesPerSend: Int = 3, capacity: Int = 100, retryOnRateLimit: Bool = true,
        relabel: [RelabelConfig] = [], headers: [String: String] = [:], http: HTTPClientConfig = HTTPClientConfig()
    ) -> RemoteWriteConfig {
        RemoteWriteConfig(
            url: "http://127.0.0.1:1/unused", name: "test", headers: headers, writeRelabelConfigs: relabel,
            httpClient: http,
            queueConfig: QueueConfig(
                capacity: capacity, maxShards: 1, minShards: 1, maxSamplesPerSend: maxSamplesPerSend,
                batchSendDeadline: .seconds(5), minBackoff: .milliseconds(30), maxBackoff: .milliseconds(100),
                retryOnRateLimit: retryOnRateLimit))
    }

    static func samples(_ name: String, _ timestamps: ClosedRange<Int64>) -> [RemoteWriteSample] {
        timestamps.map { RemoteWriteSample(labels: ["__name__": name, "job": "t"], timestamp: $0, value: Double($0)) }
    }

    /// Runs a sender for `config` against `receiver` for the duration of `body`.
    static func withSender(
        _ config: RemoteWriteConfig, receiver: LoopbackReceiver, clock: ManualClock,
        _ body: @Sendable (RemoteWriteSender<ManualClock>) async throws -> Void
    ) async throws {
        try await receiver.serve { url in
            var config = config
            config.url = url
            let sender = try RemoteWriteSender(config: config, clock: clock, logger: quietLogger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await sender.run() }
                try await body(sender)
                group.cancelAll()
            }
        }
    }

    static func value(_ sender: RemoteWriteSender<ManualClock>, _ name: String, reason: String? = nil) -> Double? {
        sender.metricFamilies().first { $0.name == name }?.samples.first {
            reason == nil || $0.labels["reason"] == reason
        }?
        .value
    }

    @Test func sendsFullBatchesAtOnceAndThePartialOneAtTheDeadline() async throws {
        let receiver = LoopbackReceiver()
        let clock = ManualClock()
        let config = Self.config(
            headers: ["X-Scope-OrgID": "gpu-team"],
            http: HTTPClientConfig(basicAuth: BasicAuth(username: "vigil", password: "s3cret")))
        try await Self.withSender(config, receiver: receiver, clock: clock) { sender in
            sender.enqueue(Self.samples("a", 1...7))
            let first = await receiver.next()
            let second = await receiver.next()
            #expect(first.status == 204 && first.samples == 3 && second.samples == 3)
            #expect(first.headers[.contentEncoding] == "snappy")
            #expect(first.headers[.contentType] == "application/x-protobuf")
            #expect(first.headers[values: .init("X-Prometheus-Remote-Write-Version")!].first == "0.1.0")
            #expect(first.headers[values: .init("X-Scope-OrgID")!].first == "gpu-team")
            #expect(first.headers[.authorization] == "Basic dmlnaWw6czNjcmV0")
            // The 7th sample waits for the batch deadline.
            await clock.waitForSleepers(1)
            #expect(Self.value(sender, "vigil_remote_write_pending_samples") == 1)
            clock.advance(by: .seconds(5))
            let third = await receiver.next()
            #expect(third.samples == 1)
            let stored = try contents(of: receiver.storage)
            #expect(stored == [["__name__": "a", "job": "t"]: (1...7).map { Sample($0, Double($0)) }])
            try await waitUntil("7 samples sent") { Self.value(sender, "vigil_remote_write_sent_samples_total") == 7 }
            #expect(Self.value(sender, "vigil_remote_write_sent_batches_total") == 3)
            #expect(Self.value(sender, "vigil_remote_write_pending_samples") == 0)
            #expect((Self.value(sender, "vigil_remote_write_last_send_timestamp_seconds") ?? 0) > 1_700_000_000)
        }
    }

    @Test func retriesOn503WithBackoffThenSucceeds() async throws {
        let receiver = LoopbackReceiver()
        receiver.answer(.serviceUnavailable, .serviceUnavailable)
        let clock = ManualClock()
        try await Self.withSender(Self.config(), receiver: receiver, clock: clock) { sender in
            sender.enqueue(Self.samples("a", 1...3))
            #expect(await receiver.next().status == 503)
            // Asleep: the ticker and the backoff of 30 ms.
            await clock.waitForSleepers(2)
            clock.advance(by: .milliseconds(30))
            #expect(await receiver.next().status == 503)
            await clock.waitForSleepers(2)
            clock.advance(by: .milliseconds(59))
            #expect(clock.sleeperCount == 2, "the second backoff is 60 ms")
            clock.advance(by: .milliseconds(1))
            let last = await receiver.next()
            #expect(last.status == 204 && last.samples == 3)
            try await waitUntil("3 samples sent") { Self.value(sender, "vigil_remote_write_sent_samples_total") == 3 }
            #expect(Self.value(sender, "vigil_remote_write_retried_samples_total") == 6)
            #expect(Self.value(sender, "vigil_remote_write_failed_samples_total") == 0)
        }
    }

    @Test func dropsTheBatchOn400AndGoesOn() async throws {
        let receiver = LoopbackReceiver()
        receiver.answer(.badRequest)
        try await Self.withSender(Self.config(), receiver: receiver, clock: ManualClock()) { sender in
            sender.enqueue(Self.samples("a", 1...3))
            #expect(await receiver.next().status == 400)
            sender.enqueue(Self.samples("a", 4...6))
            #expect(await receiver.next().status == 204)
            #expect(Self.value(sender, "vigil_remote_write_failed_samples_total") == 3)
            #expect(Self.value(sender, "vigil_remote_write_retried_samples_total") == 0)
            let stored = try contents(of: receiver.storage)
            #expect(stored[["__name__": "a", "job": "t"]]?.count == 3)
        }
    }

    @Test func receiverRefusalOfOutOfOrderSamplesIsNotRetried() async throws {
        let receiver = LoopbackReceiver()
        try await Self.withSender(Self.config(), receiver: receiver, clock: ManualClock()) { sender in
            sender.enqueue(Self.samples("a", 4...6))
            #expect(await receiver.next().status == 204)
            sender.enqueue(Self.samples("a", 1...3))
            #expect(await receiver.next().status == 400)
            try await waitUntil("3 samples failed") {
                Self.value(sender, "vigil_remote_write_failed_samples_total") == 3
            }
        }
    }

    @Test(arguments: [true, false])
    func http429IsRetriedOnlyWhenConfigured(retry: Bool) async throws {
        let receiver = LoopbackReceiver()
        receiver.answer(.tooManyRequests)
        let clock = ManualClock()
        try await Self.withSender(Self.config(retryOnRateLimit: retry), receiver: receiver, clock: clock) { sender in
            sender.enqueue(Self.samples("a", 1...3))
            #expect(await receiver.next().status == 429)
            if retry {
                await clock.waitForSleepers(2)
                clock.advance(by: .milliseconds(30))
                #expect(await receiver.next().status == 204)
                try await waitUntil("3 samples sent") {
                    Self.value(sender, "vigil_remote_write_sent_samples_total") == 3
                }
                #expect(Self.value(sender, "vigil_remote_write_retried_samples_total") == 3)
            } else {
                sender.enqueue(Self.samples("b", 1...3))
                #expect(await receiver.next().status == 204)
                #expect(Self.value(sender, "vigil_remote_write_failed_samples_total") == 3)
                let stored = try contents(of: receiver.storage)
                #expect(stored.keys.map { $0.metricName } == ["b"])
            }
        }
    }

    @Test func connectionErrorsAreRetried() async throws {
        let clock = ManualClock()
        var config = Self.config()
        config.url = "http://127.0.0.1:1/api/v1/write"
        let sender = try RemoteWriteSender(config: config, clock: clock, logger: quietLogger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await sender.run() }
            sender.enqueue(Self.samples("a", 1...3))
            await clock.waitForSleepers(2)
            #expect(Self.value(sender, "vigil_remote_write_retried_samples_total") == 3)
            group.cancelAll()
        }
    }

    @Test func writeRelabelConfigsDropAndRewriteSeries() async throws {
        let receiver = LoopbackReceiver()
        let relabel = [
            RelabelConfig(sourceLabels: ["__name__"], regex: try RelabelRegex("secret_.*"), action: .drop),
            RelabelConfig(targetLabel: "cluster", replacement: "dgx-a", action: .replace),
        ]
        try await Self.withSender(Self.config(relabel: relabel), receiver: receiver, clock: ManualClock()) {
            sender in
            sender.enqueue(Self.samples("secret_token", 1...2) + Self.samples("a", 1...3))
            #expect(await receiver.next().samples == 3)
            let stored = try contents(of: receiver.storage)
            #expect(stored.keys.map(\.description) == [#"{__name__="a", cluster="dgx-a", job="t"}"#])
            #expect(Self.value(sender, "vigil_remote_write_dropped_samples_total", reason: "relabel") == 2)
        }
    }

    @Test func fullQueueDropsTheNewestSamplesAndCountsThem() throws {
        let sender = try RemoteWriteSender(
            config: Self.config(maxSamplesPerSend: 100, capacity: 5), clock: ManualClock(), logger: quietLogger)
        sender.enqueue(Self.samples("a", 1...8))
        sender.enqueue(Self.samples("a", 9...9))
        #expect(Self.value(sender, "vigil_remote_write_dropped_samples_total", reason: "queue_full") == 4)
        #expect(Self.value(sender, "vigil_remote_write_pending_samples") == 5)
        #expect(Self.value(sender, "vigil_remote_write_samples_in_total") == 9)
    }

    @Test func teeForwardsOnlyCommittedSamplesAfterTheInnerCommit() throws {
        let storage = MemoryStorage()
        let sender = try RemoteWriteSender(
            config: Self.config(maxSamplesPerSend: 100), clock: ManualClock(), logger: quietLogger)
        let tee = RemoteWriteTee(inner: storage, sinks: [sender])
        let rolledBack = tee.appender()
        try rolledBack.append(["__name__": "a"], timestamp: 1, value: 1)
        try rolledBack.rollback()
        let appender = tee.appender()
        let ref = try appender.append(["__name__": "a"], timestamp: 2, value: 1)
        #expect(Self.value(sender, "vigil_remote_write_pending_samples") == 0, "nothing before the commit")
        try appender.commit()
        #expect(Self.value(sender, "vigil_remote_write_pending_samples") == 1)
        // A later transaction appending by reference is forwarded with the series' labels.
        let next = tee.appender()
        try next.append(ref, timestamp: 3, value: 2)
        #expect(throws: StorageError.self) { try next.append(["__name__": "a"], timestamp: 1, value: 0) }
        try next.commit()
        #expect(Self.value(sender, "vigil_remote_write_pending_samples") == 2)
        #expect(try contents(of: storage) == [["__name__": "a"]: [Sample(2, 1), Sample(3, 2)]])
    }

    @Test func gracefulShutdownSendsWhatIsQueued() async throws {
        let receiver = LoopbackReceiver()
        try await receiver.serve { url in
            var config = Self.config(maxSamplesPerSend: 100)
            config.url = url
            let sender = try RemoteWriteSender(config: config, clock: ManualClock(), logger: quietLogger)
            let group = ServiceGroup(services: [sender], logger: quietLogger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                sender.enqueue(Self.samples("a", 1...2))
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            let stored = try contents(of: receiver.storage)
            #expect(stored[["__name__": "a", "job": "t"]]?.count == 2)
            #expect(Self.value(sender, "vigil_remote_write_sent_samples_total") == 2)
            sender.enqueue(Self.samples("a", 3...3))
            #expect(Self.value(sender, "vigil_remote_write_dropped_samples_total", reason: "shutdown") == 1)
        }
    }

    @Test func rejectsAURLThatIsNotHTTP() {
        #expect(
            throws: RemoteWriteError(.configuration, "remote_write url \"ftp://x\" must start with http:// or https://")
        ) {
            var config = Self.config()
            config.url = "ftp://x"
            _ = try RemoteWriteSender(config: config, clock: ManualClock(), logger: quietLogger)
        }
    }
}
