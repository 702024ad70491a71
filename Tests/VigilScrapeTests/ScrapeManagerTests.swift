import Foundation
import Logging
import ServiceLifecycle
import Testing
import VigilConfig
import VigilModel
import VigilScrape

private let interval: Int64 = 15_000_000_000

@Suite("Scrape manager: reload and discovery")
struct ScrapeManagerTests {
    @Test("reloading keeps the loops of unchanged targets: no gap and no duplicate sample")
    func reloadKeepsLoops() async throws {
        let first = TestExporter(body: "a 1\n")
        let second = TestExporter(body: "b 1\n")
        try await withExporters([first, second]) { ports async throws in
            try await ScrapeHarness.run { harness async throws in
                await harness.manager.apply(configuration(job("one", ports: [ports[0]])))
                let t1 = await harness.step(sleepers: 1)
                // Same job, same settings, one more target; and the identical configuration again.
                await harness.manager.apply(configuration(job("one", ports: ports)))
                await harness.manager.apply(configuration(job("one", ports: ports)))
                await harness.clock.waitForSleepers(2)
                for _ in 0..<4 { await harness.step(sleepers: 2) }
                let a = try harness.samples("a")
                #expect(a.first?.timestamp == milliseconds(t1))
                #expect(zip(a, a.dropFirst()).allSatisfy { $1.timestamp - $0.timestamp == milliseconds(interval) })
                #expect(try harness.samples("b").count >= 1)
                #expect(a.count + (try harness.samples("b").count) == 5)
                #expect(await harness.manager.activeTargets().count == 2)
            }
        }
    }

    @Test("a reload that changes a job's settings restarts its loops with the new settings")
    func reloadChangesSettings() async throws {
        let exporter = TestExporter(body: "a 1\nb 2\n")
        try await withExporters([exporter]) { ports async throws in
            try await ScrapeHarness.run { harness async throws in
                await harness.manager.apply(configuration(job("one", ports: ports)))
                let t1 = await harness.step(sleepers: 1)
                let drop = RelabelConfig(sourceLabels: ["__name__"], regex: try RelabelRegex("b"), action: .drop)
                await harness.manager.apply(
                    configuration(job("one", ports: ports) { $0.metricRelabelConfigs = [drop] }))
                // The replaced loop's sleep ends; the new loop sleeps until the same phase.
                await harness.clock.waitForSleepers { $0 == [t1 + interval] }
                let t2 = await harness.step(sleepers: 1)
                #expect(try harness.samples("a").map(\.timestamp) == [milliseconds(t1), milliseconds(t2)])
                #expect(try harness.samples("b").map(\.timestamp) == [milliseconds(t1)])
            }
        }
    }

    @Test("a job removed by a reload stops, and its series go stale")
    func reloadRemovesJob() async throws {
        let exporter = TestExporter(body: "a 1\n")
        try await withExporters([exporter]) { ports async throws in
            try await ScrapeHarness.run { harness async throws in
                await harness.manager.apply(configuration(job("one", ports: ports)))
                let t1 = await harness.step(sleepers: 1)
                await harness.manager.apply(configuration())
                #expect(await harness.manager.activeTargets().isEmpty)
                let staleAt = t1 + interval
                await harness.clock.waitForSleepers { $0 == [staleAt + interval + interval / 10] }
                harness.clock.advance(to: staleAt + interval + interval / 10)
                #expect(try await eventually { try harness.samples("a").count == 2 })
                #expect(try harness.samples("a").last == Sample(milliseconds(staleAt), staleNaN))
            }
        }
    }

    @Test("targets that relabelling drops are listed as dropped with their discovered labels")
    func droppedTargets() async throws {
        try await ScrapeHarness.run { harness async throws in
            let keep = RelabelConfig(
                sourceLabels: ["__address__"], regex: try RelabelRegex("keep:.*"), action: .keep)
            var config = ScrapeConfig(
                jobName: "relabel", scrapeInterval: .seconds(15), scrapeTimeout: .seconds(10),
                staticConfigs: [TargetGroup(targets: ["keep:1", "drop:2"], labels: ["__meta_x": "y"])])
            config.relabelConfigs = [keep]
            await harness.manager.apply(configuration(config))
            let dropped = await harness.manager.droppedTargets()
            #expect(dropped.count == 1)
            #expect(dropped.first?.scrapePool == "relabel")
            #expect(dropped.first?.discoveredLabels["__address__"] == "drop:2")
            #expect(dropped.first?.discoveredLabels["__meta_x"] == "y")
            let active = await harness.manager.activeTargets()
            #expect(active.map(\.labels) == [["instance": "keep:1", "job": "relabel"]])
        }
    }

    @Test("file_sd: a changed file is picked up; a broken one keeps its previous targets")
    func fileDiscovery() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-sd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("targets.json")
        try #"[{"targets": ["host-a:9100"], "labels": {"rack": "r1"}}]"#.write(
            to: file, atomically: true, encoding: .utf8)
        try await ScrapeHarness.run { harness async throws in
            var config = ScrapeConfig(jobName: "sd", scrapeInterval: .seconds(15), scrapeTimeout: .seconds(10))
            config.fileSDConfigs = [FileSDConfig(files: [directory.path + "/*.json"], refreshInterval: .seconds(60))]
            await harness.manager.apply(configuration(config))
            // One discovery poller and one target loop.
            await harness.clock.waitForSleepers(2)
            #expect(await harness.manager.activeTargets().map(\.labels["rack"]) == ["r1"])

            try #"[{"targets": ["host-a:9100", "host-b:9100"], "labels": {"rack": "r2"}}]"#.write(
                to: file, atomically: true, encoding: .utf8)
            await pollDiscovery(harness)
            #expect(await harness.manager.activeTargets().map(\.labels["instance"]) == ["host-a:9100", "host-b:9100"])
            #expect(await harness.manager.activeTargets().allSatisfy { $0.labels["rack"] == "r2" })

            try #"[{"targets": ["host-c:9100"]"#.write(to: file, atomically: true, encoding: .utf8)
            await pollDiscovery(harness)
            #expect(await harness.manager.activeTargets().map(\.labels["instance"]) == ["host-a:9100", "host-b:9100"])

            // A file that is gone takes its targets with it.
            try FileManager.default.removeItem(at: file)
            await pollDiscovery(harness)
            #expect(await harness.manager.activeTargets().isEmpty)
        }
    }

    /// Moves the clock to the discovery poller's next deadline (5 s) and waits until it polled.
    private func pollDiscovery(_ harness: ScrapeHarness) async {
        let before = harness.clock.now()
        harness.clock.advance(by: 5_000_000_000)
        await harness.clock.waitForSleepers { deadlines in deadlines.contains(before + 10_000_000_000) }
    }
}

@Suite("Target relabelling")
struct ScrapeTargetTests {
    private let config = ScrapeConfig(
        jobName: "node", scrapeInterval: .seconds(30), scrapeTimeout: .seconds(5), params: ["module": ["a", "b"]])

    @Test("defaults, instance from the address, __meta_ dropped, __param_ in the URL")
    func defaults() throws {
        let group = TargetGroup(targets: ["h:9100"], labels: ["__meta_dc": "x", "rack": "r"])
        guard case .active(let target) = ScrapeTarget.resolve(address: "h:9100", group: group, config: config) else {
            Issue.record("target not active")
            return
        }
        #expect(target.labels == ["instance": "h:9100", "job": "node", "rack": "r"])
        #expect(target.discoveredLabels["__scrape_interval__"] == "30s")
        #expect(target.discoveredLabels["__param_module"] == "a")
        #expect(target.discoveredLabels["__meta_dc"] == "x")
        #expect(target.allLabels["__meta_dc"] == nil)
        #expect(target.scrapeURL == "http://h:9100/metrics?module=a&module=b")
        #expect(target.intervalMilliseconds == 30_000 && target.timeoutMilliseconds == 5_000)
    }

    @Test("relabelling can set the scheme, path, params, interval and instance")
    func relabelled() throws {
        var config = self.config
        config.relabelConfigs = [
            RelabelConfig(targetLabel: "__scheme__", replacement: "https"),
            RelabelConfig(targetLabel: "__metrics_path__", replacement: "/probe"),
            RelabelConfig(targetLabel: "__param_module", replacement: "c"),
            RelabelConfig(targetLabel: "__scrape_interval__", replacement: "1m"),
            RelabelConfig(sourceLabels: ["__address__"], regex: try RelabelRegex("(.*):.*"), targetLabel: "instance"),
        ]
        guard
            case .active(let target) = ScrapeTarget.resolve(
                address: "h:9100", group: TargetGroup(targets: []), config: config)
        else {
            Issue.record("target not active")
            return
        }
        #expect(target.scrapeURL == "https://h:9100/probe?module=c&module=b")
        #expect(target.labels == ["instance": "h", "job": "node"])
        #expect(target.intervalMilliseconds == 60_000)
    }

    @Test(
        "a target that cannot be scraped as labelled is refused with the reason",
        arguments: [
            (RelabelConfig(targetLabel: "__scrape_timeout__", replacement: "1m"), "greater than scrape interval"),
            (RelabelConfig(targetLabel: "__scrape_interval__", replacement: "soon"), "error parsing scrape interval"),
            (RelabelConfig(targetLabel: "__scrape_interval__", replacement: "0s"), "scrape interval cannot be 0"),
            (RelabelConfig(regex: try! RelabelRegex("__address__"), action: .labeldrop), "no __address__"),
        ])
    func invalid(rule: RelabelConfig, reason: String) {
        var config = self.config
        config.relabelConfigs = [rule]
        guard
            case .invalid(_, let message) = ScrapeTarget.resolve(
                address: "h:9100", group: TargetGroup(targets: []), config: config)
        else {
            Issue.record("target not refused")
            return
        }
        #expect(message.contains(reason))
    }
}

@Suite("Target health state machine")
struct TargetHealthStateMachineTests {
    @Test("unknown until scraped; logs a failure once per distinct error and the recovery")
    func transitions() {
        var machine = TargetHealthStateMachine()
        #expect(machine.health == .unknown && machine.lastScrape == nil)
        #expect(machine.scrapeSucceeded(at: 1000, duration: 0.1) == .none)
        #expect(machine.health == .up && machine.lastScrape == 1000 && machine.lastScrapeDuration == 0.1)
        #expect(machine.scrapeFailed("boom", at: 2000, duration: 0.2) == .logFailure("boom"))
        #expect(machine.scrapeFailed("boom", at: 3000, duration: 0.2) == .none)
        #expect(machine.scrapeFailed("other", at: 4000, duration: 0.2) == .logFailure("other"))
        #expect(machine.health == .down && machine.lastError == "other")
        #expect(machine.scrapeSucceeded(at: 5000, duration: 0.1) == .logRecovery)
        #expect(machine.lastError == nil)
    }
}

@Suite("Scrape manager as a service")
struct ScrapeServiceTests {
    @Test("run() ends on graceful shutdown, writing no staleness markers")
    func gracefulShutdown() async throws {
        let harness = ScrapeHarness()
        await harness.manager.register(
            TestSource([gauge("g", [([:], 1)])]),
            config: ScrapeConfig(jobName: "local", scrapeInterval: .seconds(15), scrapeTimeout: .seconds(10)))
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [ServiceGroupConfiguration.ServiceConfiguration(service: harness.manager)],
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await harness.step(sleepers: 1)
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
        #expect(try harness.samples("g").map(\.value) == [1])
        #expect(harness.clock.sleeperCount == 0)
    }
}
