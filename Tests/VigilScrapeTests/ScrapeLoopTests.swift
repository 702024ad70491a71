import Synchronization
import Testing
import VigilConfig
import VigilModel
import VigilScrape
import VigilStorage

/// Waits, without a clock, until `condition` holds: for work a woken task finishes without going back
/// to sleep (the end-of-run staleness markers).
func eventually(_ condition: () throws -> Bool) async rethrows -> Bool {
    for _ in 0..<200_000 {
        if try condition() { return true }
        await Task.yield()
    }
    return try condition()
}

private func localJob(_ configure: (inout ScrapeConfig) -> Void = { _ in }) -> ScrapeConfig {
    var config = ScrapeConfig(jobName: "local", scrapeInterval: .seconds(15), scrapeTimeout: .seconds(10))
    configure(&config)
    return config
}

private let interval: Int64 = 15_000_000_000

@Suite("Scrape loop: append path, report series, timestamps")
struct ScrapeLoopTests {
    @Test("an in-process target's samples carry the target labels, and every scrape writes the report series")
    func samplesAndReport() async throws {
        try await ScrapeHarness.run { harness async throws in
            let source = TestSource([gauge("gpu_temp_celsius", [(["gpu": "0"], 50), (["gpu": "1"], 60)], help: "t")])
            await harness.manager.register(source, labels: ["instance": "node1", "rack": "a"], config: localJob())
            let first = await harness.step(sleepers: 1)
            let series = try harness.series("gpu_temp_celsius")
            #expect(
                series[["__name__": "gpu_temp_celsius", "gpu": "0", "instance": "node1", "job": "local", "rack": "a"]]
                    == [Sample(milliseconds(first), 50)])
            #expect(series.count == 2)
            let target: [String: String] = ["job": "local", "instance": "node1"]
            #expect(try harness.samples("up", target) == [Sample(milliseconds(first), 1)])
            #expect(try harness.samples("scrape_samples_scraped", target) == [Sample(milliseconds(first), 2)])
            #expect(
                try harness.samples("scrape_samples_post_metric_relabeling", target) == [Sample(milliseconds(first), 2)]
            )
            #expect(try harness.samples("scrape_series_added", target) == [Sample(milliseconds(first), 2)])
            #expect(try harness.samples("scrape_duration_seconds", target) == [Sample(milliseconds(first), 0)])
            #expect(
                try harness.series("up").keys.first == [
                    "__name__": "up", "instance": "node1", "job": "local", "rack": "a",
                ])

            let second = await harness.step(sleepers: 1)
            #expect(second - first == interval)
            #expect(
                try harness.samples("gpu_temp_celsius", ["gpu": "1"]).map(\.timestamp) == [
                    milliseconds(first), milliseconds(second),
                ])
            #expect(try harness.samples("scrape_series_added", target).last == Sample(milliseconds(second), 0))

            let status = await harness.manager.activeTargets()
            #expect(status.count == 1)
            #expect(status.first?.health == .up)
            #expect(status.first?.lastScrape == milliseconds(second))
            #expect(status.first?.scrapeInterval == "15s")
            #expect(status.first?.scrapeTimeout == "10s")
            #expect(status.first?.labels == ["instance": "node1", "job": "local", "rack": "a"])
        }
    }

    @Test("a wake-up within the 2 ms tolerance is stamped with the scheduled instant; a later one with its own")
    func alignedTimestamps() async throws {
        try await ScrapeHarness.run { harness async throws in
            await harness.manager.register(TestSource([gauge("g", [([:], 1)])]), config: localJob())
            let first = await harness.step(sleepers: 1, late: 1_500_000)
            let second = await harness.step(sleepers: 1, late: 2_000_000)
            let third = await harness.step(sleepers: 1, late: 5_000_000)
            #expect(
                try harness.samples("g").map(\.timestamp)
                    == [milliseconds(first), milliseconds(second), milliseconds(third) + 5])
            // The schedule itself never drifts.
            #expect(second - first == interval && third - second == interval)
        }
    }

    @Test("with honor_timestamps the exposed timestamp is kept; without, the scrape's is used")
    func honorTimestamps() async throws {
        for honor in [true, false] {
            try await ScrapeHarness.run { harness async throws in
                let family = MetricFamily(
                    name: "g", type: .gauge,
                    samples: [MetricSample(name: "g", value: 7, timestampMs: milliseconds(ScrapeHarness.start) - 1000)])
                await harness.manager.register(TestSource([family]), config: localJob { $0.honorTimestamps = honor })
                let first = await harness.step(sleepers: 1)
                let expected = honor ? milliseconds(ScrapeHarness.start) - 1000 : milliseconds(first)
                #expect(try harness.samples("g") == [Sample(expected, 7)])
            }
        }
    }

    @Test("honor_labels false renames clashing exposed labels to exported_<name>; true keeps them")
    func honorLabels() async throws {
        for honor in [false, true] {
            try await ScrapeHarness.run { harness async throws in
                let source = TestSource([
                    gauge("g", [(["job": "exposed", "instance": "inner", "exported_job": "already"], 1)])
                ])
                await harness.manager.register(
                    source, labels: ["instance": "node1"], config: localJob { $0.honorLabels = honor })
                await harness.step(sleepers: 1)
                let labels = try #require(try harness.series("g").keys.first)
                if honor {
                    #expect(
                        labels == ["__name__": "g", "job": "exposed", "instance": "inner", "exported_job": "already"])
                } else {
                    #expect(
                        labels == [
                            "__name__": "g", "job": "local", "instance": "node1", "exported_instance": "inner",
                            "exported_job": "already", "exported_exported_job": "exposed",
                        ])
                }
            }
        }
    }

    @Test("metric_relabel_configs drop series before they are stored and counted")
    func metricRelabelDrop() async throws {
        try await ScrapeHarness.run { harness async throws in
            let source = TestSource([
                gauge("keep_me", [([:], 1)]), gauge("drop_me_total", [([:], 2), (["a": "b"], 3)]),
            ])
            let drop = RelabelConfig(sourceLabels: ["__name__"], regex: try RelabelRegex("drop_me.*"), action: .drop)
            await harness.manager.register(source, config: localJob { $0.metricRelabelConfigs = [drop] })
            let first = await harness.step(sleepers: 1)
            await harness.step(sleepers: 1)
            #expect(try harness.series("drop_me_total").isEmpty)
            #expect(try harness.samples("keep_me").count == 2)
            #expect(try harness.samples("scrape_samples_scraped").first == Sample(milliseconds(first), 3))
            #expect(
                try harness.samples("scrape_samples_post_metric_relabeling").first == Sample(milliseconds(first), 1))
        }
    }

    @Test("metadata comes from the families, deduplicated across targets")
    func metadata() async throws {
        try await ScrapeHarness.run { harness async throws in
            let family = MetricFamily(name: "power_watts", type: .gauge, help: "Power draw.", unit: "watts")
            var withSample = family
            withSample.samples = [MetricSample(name: "power_watts", value: 300)]
            await harness.manager.register(TestSource([withSample]), labels: ["instance": "a"], config: localJob())
            await harness.manager.register(TestSource([withSample]), labels: ["instance": "b"], config: localJob())
            await harness.step(sleepers: 2)
            await harness.step(sleepers: 2)
            let metadata = await harness.manager.metadata()
            #expect(metadata["power_watts"] == [MetricMetadata(type: .gauge, help: "Power draw.", unit: "watts")])
            #expect(await harness.manager.metadata(metric: "other").isEmpty)
        }
    }
}

@Suite("Staleness markers")
struct StalenessTests {
    @Test("a series gone from the exposition gets a marker at the next scrape's timestamp")
    func vanishedSeries() async throws {
        try await ScrapeHarness.run { harness async throws in
            let source = TestSource([gauge("g", [(["gpu": "0"], 1), (["gpu": "1"], 2)])])
            await harness.manager.register(source, config: localJob())
            let first = await harness.step(sleepers: 1)
            source.families.withLock { $0 = [gauge("g", [(["gpu": "0"], 1)])] }
            let second = await harness.step(sleepers: 1)
            let third = await harness.step(sleepers: 1)
            #expect(
                try harness.samples("g", ["gpu": "1"]) == [
                    Sample(milliseconds(first), 2), Sample(milliseconds(second), staleNaN),
                ])
            #expect(try harness.samples("g", ["gpu": "0"]).count == 3)
            #expect(try harness.samples("g", ["gpu": "0"]).last == Sample(milliseconds(third), 1))
        }
    }

    @Test("a failed scrape marks every series of the previous one stale, once, with up 0 and the error")
    func failedScrape() async throws {
        try await ScrapeHarness.run { harness async throws in
            let source = TestSource([gauge("g", [(["gpu": "0"], 1), (["gpu": "1"], 2)])])
            await harness.manager.register(source, config: localJob())
            let first = await harness.step(sleepers: 1)
            source.failure.withLock { $0 = "NVML is gone" }
            let second = await harness.step(sleepers: 1)
            await harness.step(sleepers: 1)
            for gpu in ["0", "1"] {
                #expect(
                    try harness.samples("g", ["gpu": gpu]).map(\.timestamp) == [
                        milliseconds(first), milliseconds(second),
                    ])
                #expect(try harness.samples("g", ["gpu": gpu]).last?.isStaleMarker == true)
            }
            #expect(try harness.samples("up").map(\.value) == [1, 0, 0])
            let status = try #require(await harness.manager.activeTargets().first)
            #expect(status.health == .down)
            #expect(status.lastError.contains("NVML is gone"))
            source.failure.withLock { $0 = nil }
            let fourth = await harness.step(sleepers: 1)
            #expect(try harness.samples("g", ["gpu": "0"]).last == Sample(milliseconds(fourth), 1))
            #expect(await harness.manager.activeTargets().first?.health == .up)
            #expect(await harness.manager.activeTargets().first?.lastError == "")
        }
    }

    @Test("a vanished series exposed with its own timestamp gets a marker only with track_timestamps_staleness")
    func explicitTimestamps() async throws {
        for track in [false, true] {
            try await ScrapeHarness.run { harness async throws in
                let timestamped = MetricFamily(
                    name: "t", type: .gauge,
                    samples: [MetricSample(name: "t", value: 1, timestampMs: milliseconds(ScrapeHarness.start))])
                let source = TestSource([timestamped, gauge("g", [([:], 1)])])
                await harness.manager.register(source, config: localJob { $0.trackTimestampsStaleness = track })
                await harness.step(sleepers: 1)
                source.families.withLock { $0 = [] }
                let second = await harness.step(sleepers: 1)
                #expect(try harness.samples("g").last == Sample(milliseconds(second), staleNaN))
                let expected =
                    [Sample(milliseconds(ScrapeHarness.start), 1)]
                    + (track ? [Sample(milliseconds(second), staleNaN)] : [])
                #expect(try harness.samples("t") == expected)
            }
        }
    }

    @Test("a removed target's series and report series go stale at its next scheduled instant")
    func removedTarget() async throws {
        try await ScrapeHarness.run { harness async throws in
            await harness.manager.register(TestSource([gauge("g", [([:], 1)])]), config: localJob())
            let first = await harness.step(sleepers: 1)
            await harness.manager.unregisterSources(job: "local")
            let staleAt = first + interval
            // Markers wait two intervals and a tenth, in case the target comes back.
            await harness.clock.waitForSleepers { $0 == [staleAt + interval + interval / 10] }
            harness.clock.advance(to: staleAt + interval + interval / 10)
            #expect(try await eventually { try harness.samples("g").count == 2 })
            #expect(try harness.samples("g").last == Sample(milliseconds(staleAt), staleNaN))
            #expect(try harness.samples("up").last == Sample(milliseconds(staleAt), staleNaN))
            #expect(try harness.samples("scrape_series_added").last?.isStaleMarker == true)
            #expect(await harness.manager.activeTargets().isEmpty)
        }
    }
}

@Suite("Scrape limits")
struct ScrapeLimitTests {
    @Test(
        "a scrape over a limit stores none of its samples, reports up 0 and names the limit",
        arguments: [
            ("sample_limit", ScrapeLimits(sampleLimit: 1)),
            ("label_limit", ScrapeLimits(labelLimit: 3)),
            ("label_name_length_limit", ScrapeLimits(labelNameLengthLimit: 5)),
            ("label_value_length_limit", ScrapeLimits(labelValueLengthLimit: 4)),
        ])
    func limit(name: String, limits: ScrapeLimits) async throws {
        try await ScrapeHarness.run { harness async throws in
            // Two samples; each has __name__, gpu, instance (8 bytes), job ("local", 5 bytes): four labels.
            let source = TestSource([gauge("g", [(["gpu": "0"], 1), (["gpu": "1"], 2)])])
            await harness.manager.register(source, labels: ["instance": "n1"], config: localJob { $0.limits = limits })
            let first = await harness.step(sleepers: 1)
            #expect(try harness.series("g").isEmpty)
            #expect(try harness.samples("up") == [Sample(milliseconds(first), 0)])
            let status = try #require(await harness.manager.activeTargets().first)
            #expect(status.health == .down)
            #expect(status.lastError.contains(name))
        }
    }

    @Test("within its limits the same scrape is stored")
    func withinLimits() async throws {
        try await ScrapeHarness.run { harness async throws in
            let source = TestSource([gauge("g", [(["gpu": "0"], 1), (["gpu": "1"], 2)])])
            let limits = ScrapeLimits(sampleLimit: 2, labelLimit: 4, labelNameLengthLimit: 8, labelValueLengthLimit: 5)
            await harness.manager.register(source, labels: ["instance": "n1"], config: localJob { $0.limits = limits })
            await harness.step(sleepers: 1)
            #expect(try harness.series("g").count == 2)
            #expect(try harness.samples("up").map(\.value) == [1])
        }
    }

    @Test("a limit hit after a good scrape makes its series stale")
    func limitAfterGoodScrape() async throws {
        try await ScrapeHarness.run { harness async throws in
            let source = TestSource([gauge("g", [(["gpu": "0"], 1)])])
            await harness.manager.register(source, config: localJob { $0.limits = ScrapeLimits(sampleLimit: 1) })
            await harness.step(sleepers: 1)
            source.families.withLock { $0 = [gauge("g", [(["gpu": "0"], 1), (["gpu": "1"], 2)])] }
            let second = await harness.step(sleepers: 1)
            #expect(try harness.samples("g", ["gpu": "0"]).last == Sample(milliseconds(second), staleNaN))
            #expect(try harness.samples("g", ["gpu": "1"]).isEmpty)
            #expect(try harness.samples("scrape_samples_scraped").last == Sample(milliseconds(second), 2))
        }
    }

    @Test("target_limit fails every scrape of a job with too many targets")
    func targetLimit() async throws {
        try await ScrapeHarness.run { harness async throws in
            let config = job("many", ports: [1, 2]) { $0.limits = ScrapeLimits(targetLimit: 1) }
            await harness.manager.apply(configuration(config))
            await harness.step(sleepers: 2)
            await harness.step(sleepers: 2)
            let targets = await harness.manager.activeTargets()
            #expect(targets.count == 2)
            for target in targets {
                #expect(target.health == .down)
                #expect(target.lastError == "target_limit exceeded (number of targets: 2, limit: 1)")
            }
        }
    }
}
