import Foundation
import Logging
import VigilGPU
import VigilModel
import VigilStorage
import VigilTSDB
import VigilUI

/// The dashboard's server time per page (`vigil bench dashboard`): a simulated fleet of N nodes × 8 GPUs
/// with their hosts, scraped every 15 s for the last `minutes` into a TSDB (in a temporary directory) as
/// `vigil server --demo` would, then each page gathered with its PromQL and rendered to HTML, as a request to
/// it does, with the server's own storage-status provider.
public enum DashboardBenchmark {
    /// One page's timings over the runs.
    public struct PageTiming: Sendable {
        public var page: String
        /// Size of one rendered document.
        public var bytes: Int
        public var medianMilliseconds: Double
        public var maxMilliseconds: Double
    }

    public struct Report: Sendable, CustomStringConvertible {
        public var nodes: Int
        public var minutes: Int
        public var series: Int
        public var samples: Int
        public var pages: [PageTiming]

        public var description: String {
            var text =
                "dashboard: \(nodes) nodes × 8 GPUs with hosts, \(minutes) min at 15 s "
                + "(\(series) series, \(samples) samples); server time per page (gather + render):\n"
            for page in pages {
                text +=
                    "  \(page.page.padding(toLength: 30, withPad: " ", startingAt: 0)) median \(Self.format(page.medianMilliseconds)) ms, "
                    + "max \(Self.format(page.maxMilliseconds)) ms, \(page.bytes / 1024) KiB\n"
            }
            return text
        }

        static func format(_ value: Double) -> String { "\((value * 10).rounded() / 10)" }
    }

    /// Loads the fleet, then renders every page `runs` times.
    public static func run(nodes: Int = 64, minutes: Int = 60, runs: Int = 10) async throws -> Report {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vigil-bench-dashboard-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let tsdb = try TSDB.open(directory: directory.path)
        defer { try? tsdb.close() }
        let end: Int64 = 1_796_000_000_000
        let start = end - Int64(minutes) * 60_000
        var fleet = SimulatedFleet(nodes: nodes, gpusPerNode: 8, profile: .h100, seed: 7, startMs: start)
        let formats = fleet.nodeNames.map { DCGMExporterFormat(hostname: $0) }
        var samples = 0
        for time in stride(from: start, through: end, by: 15_000) {
            fleet.advance(toMs: time)
            let appender = tsdb.appender()
            for node in 0..<fleet.nodeCount {
                let instance = "\(fleet.nodeNames[node]):9471"
                let families = formats[node].metrics(for: fleet.readings(node: node)).families
                for family in families + fleet.hostMetrics(node: node) {
                    for sample in family.samples {
                        let labels = sample.labels.setting(metricNameLabel, to: sample.name)
                            .setting("instance", to: instance).setting("job", to: "demo")
                        try appender.append(labels, timestamp: time, value: sample.value)
                        samples += 1
                    }
                }
            }
            try appender.commit()
        }
        let api = PrometheusAPI(
            storage: tsdb, tsdbStatus: TSDBHeadStatusProvider(tsdb: tsdb), now: { end },
            logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        let dashboard = DashboardRoutes(api: api)
        let lastHour = TimeRange.last(Int64(minutes) * 60_000, now: end)
        let node = fleet.nodeNames[nodes / 2]

        let pages: [(String, @Sendable () async throws -> String)] = [
            ("overview (utilisation)", { try await dashboard.overview().render() }),
            ("overview (temperature)", { try await dashboard.overview(metric: .temperature).render() }),
            ("node \(node)", { try await dashboard.node(name: node, range: lastHour)?.render() ?? "" }),
            (
                "explore avg by node, graph",
                {
                    try await dashboard.explore(
                        query: "avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL)", view: .graph, timeRange: lastHour
                    ).render()
                }
            ),
            ("status", { try await dashboard.status().render() }),
        ]
        var timings: [PageTiming] = []
        let clock = ContinuousClock()
        for (name, render) in pages {
            var durations: [Double] = []
            var bytes = 0
            for _ in 0..<max(1, runs) {
                let started = clock.now
                bytes = try await render().utf8.count
                let elapsed = clock.now - started
                durations.append(
                    Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            }
            durations.sort()
            timings.append(
                PageTiming(
                    page: name, bytes: bytes, medianMilliseconds: durations[durations.count / 2],
                    maxMilliseconds: durations.last ?? 0))
        }
        return Report(
            nodes: nodes, minutes: minutes, series: tsdb.head.statistics.seriesCount, samples: samples, pages: timings)
    }
}
