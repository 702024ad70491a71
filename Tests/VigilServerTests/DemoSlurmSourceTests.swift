import Foundation
import Synchronization
import Testing
import VigilExposition
import VigilGPU
import VigilModel
import VigilScheduler
import VigilServer

/// `--demo`'s Slurm target: the simulated controller's jobs, nodes and sdiag statistics through
/// ``SlurmMetrics``, so that the demo has the `slurm_*` series a real Slurm gives.
@Suite struct DemoSlurmSourceTests {
    /// 2026-11-30 08:00 UTC.
    static let startMs: Int64 = 1_796_112_000_000

    /// A settable clock the cluster follows.
    final class Clock: Sendable {
        private let value: Mutex<Int64>
        init(_ ms: Int64) { value = Mutex(ms) }
        func now() -> Int64 { value.withLock { $0 } }
        func advance(byMs: Int64) { value.withLock { $0 += byMs } }
    }

    static func source(nodes: Int = 8) throws -> (DemoSlurmSource, Clock) {
        let clock = Clock(startMs)
        let cluster = try SimulatedCluster(
            nodes: nodes, gpusPerNode: 8, profile: .h100, seed: 1, scheduling: .slurm, now: { clock.now() })
        return (DemoSlurmSource(cluster: cluster), clock)
    }

    /// Moves the clock in steps the simulation replays one by one (it coarsens jumps over an hour).
    static func advance(_ source: DemoSlurmSource, _ clock: Clock, byMs: Int64) {
        var left = byMs
        while left > 0 {
            let step = min(left, 1_800_000)
            clock.advance(byMs: step)
            _ = source.cluster.schedulerSnapshot()
            left -= step
        }
    }

    static func samples(_ families: [MetricFamily], _ name: String) -> [MetricSample] {
        families.first { $0.name == name }?.samples ?? []
    }

    static func value(_ families: [MetricFamily], _ name: String, _ labels: Labels = Labels()) -> Double? {
        samples(families, name).first { $0.labels == labels }?.value
    }

    @Test func aClusterWithoutTheControllerGivesNoSeries() throws {
        let cluster = try SimulatedCluster(nodes: 2, seed: 1, scheduling: .manual, now: { Self.startMs })
        #expect(DemoSlurmSource(cluster: cluster).families().isEmpty)
        #expect(DemoSlurmSource(cluster: cluster).snapshot() == nil)
    }

    /// `slurm_job_gpu_info` (what `scontrol -d show job` gives) names the same job on each GPU as the GPU's
    /// own processes do (`vigil_gpu_job_info`): the two attribution sources agree in the demo.
    @Test func slurmGPUAllocationsAgreeWithTheGPUsProcesses() throws {
        let (source, clock) = try Self.source()
        Self.advance(source, clock, byMs: 3_600_000)
        let allocations = Self.samples(source.families(), "slurm_job_gpu_info")
        let running = try #require(source.cluster.schedulerSnapshot()).jobs.filter {
            if case .running = $0.state { return true } else { return false }
        }
        #expect(!allocations.isEmpty)
        #expect(allocations.count == running.reduce(0) { $0 + $1.gpuIndexes.count })
        var fromProcesses: Set<Labels> = []
        for (index, name) in source.cluster.nodeNames.enumerated() {
            let families = DCGMExporterFormat(hostname: name).metrics(for: source.cluster.readings(node: index))
                .families
            for sample in Self.samples(families, "vigil_gpu_job_info") where sample.labels["job_id"] ?? "" != "" {
                fromProcesses.insert(
                    ["job_id": sample.labels["job_id"] ?? "", "node": name, "gpu": sample.labels["gpu"] ?? ""])
            }
        }
        for allocation in allocations {
            let key: Labels = [
                "job_id": allocation.labels["job_id"] ?? "", "node": allocation.labels["node"] ?? "",
                "gpu": allocation.labels["gpu"] ?? "",
            ]
            #expect(fromProcesses.contains(key), "\(key) is not on that GPU's processes")
            #expect(allocation.labels["account"] ?? "" != "" && allocation.labels["partition"] ?? "" != "")
        }
    }

    @Test func queueNodesAndSchedulerAtTheStart() throws {
        let (source, _) = try Self.source()
        let families = source.families()
        let simulated = try #require(source.cluster.schedulerSnapshot())
        let pending = simulated.jobs.filter(\.isPending).count
        let running = simulated.jobs.filter { $0.state == .running }.count
        #expect(pending > 0 && running > 0)
        #expect(Self.value(families, "slurm_queue_pending") == Double(pending))
        #expect(Self.value(families, "slurm_queue_running") == Double(running))
        // Queue depth by partition, user and account; pending reasons by partition.
        let depth = Self.samples(families, "slurm_jobs")
        #expect(depth.reduce(0) { $0 + $1.value } == Double(simulated.jobs.count))
        #expect(Set(depth.compactMap { $0.labels["partition"] }).isSuperset(of: ["gpu", "inference"]))
        #expect(depth.allSatisfy { !($0.labels["account"] ?? "").isEmpty })
        let reasons = Self.samples(families, "slurm_jobs_pending_reason")
        #expect(reasons.reduce(0) { $0 + $1.value } == Double(pending))
        #expect(reasons.contains { $0.labels["reason"] == "Resources" })
        #expect(!Self.samples(families, "slurm_jobs_pending_wait_seconds_max").isEmpty)
        // Nodes: totals, allocation, and the drained node with its reason.
        #expect(Self.value(families, "slurm_gpus_total") == 64)
        #expect(Self.value(families, "slurm_cpus_total") == Double(simulated.nodes.reduce(0) { $0 + $1.cpusTotal }))
        let allocated = simulated.nodes.reduce(0) { $0 + $1.gpusAllocated }
        #expect(Self.value(families, "slurm_gpus_alloc") == Double(allocated))
        #expect(Self.value(families, "slurm_nodes_drain") == 1)
        let drained = try #require(source.cluster.withFleet { $0.scheduler?.drainedNode })
        let status = Self.samples(families, "slurm_node_status").first {
            $0.labels["node"] == source.cluster.nodeNames[drained]
        }
        #expect(status?.labels["status"] == "drained")
        #expect(status?.labels["reason"] == SimulatedScheduler.drainReason)
        #expect(Self.value(families, "slurm_gpus_other") == 8)
        #expect(Self.value(families, "slurm_partition_gpus_total", ["partition": "inference"]) == 8)
        // sdiag.
        #expect((Self.value(families, "slurm_scheduler_cycles_total") ?? 0) >= 1)
        #expect((Self.value(families, "slurm_scheduler_last_cycle") ?? 0) > 0)
        #expect(!Self.samples(families, "slurm_rpc_stats").isEmpty)
        #expect(Self.value(families, "slurm_scheduler_stats_timestamp_seconds") == Double(Self.startMs / 1000))
    }

    @Test func finishedJobsByOutcomeAndCountersAfterSomeHours() throws {
        let (source, clock) = try Self.source()
        let before = source.families()
        Self.advance(source, clock, byMs: 4 * 3_600_000)
        let after = source.families()
        let finished = Self.samples(after, "slurm_jobs_finished")
        let outcomes = Set(finished.compactMap { $0.labels["outcome"] })
        #expect(outcomes.isSuperset(of: ["completed", "failed", "node_fail"]), "\(outcomes)")
        #expect(finished.allSatisfy { $0.labels["partition"] != nil && $0.labels["account"] != nil })
        #expect((Self.value(after, "slurm_jobs_queue_wait_seconds_avg", ["partition": "gpu"]) ?? -1) >= 0)
        // The node that fails its jobs stands out by node.
        let failing = try #require(source.cluster.withFleet { $0.scheduler?.failingNode })
        let byNode = Self.samples(after, "slurm_node_jobs_finished").filter {
            $0.labels["node"] == source.cluster.nodeNames[failing]
        }
        #expect(byNode.allSatisfy { ["failed", "node_fail"].contains($0.labels["outcome"] ?? "") })
        #expect(byNode.reduce(0) { $0 + $1.value } >= 4)
        for counter in [
            "slurm_scheduler_cycles_total", "slurm_scheduler_jobs_submitted_total",
            "slurm_scheduler_jobs_started_total",
            "slurm_scheduler_backfill_cycles_total",
        ] {
            let old = try #require(Self.value(before, counter), "\(counter)")
            let new = try #require(Self.value(after, counter), "\(counter)")
            #expect(new > old, "\(counter)")
        }
        #expect(
            Self.value(after, "slurm_scheduler_stats_timestamp_seconds")
                == Double((Self.startMs + 4 * 3_600_000) / 1000))
    }

    /// The demo has every `slurm_*` family that real Slurm output (the 24.11 fixtures) gives.
    @Test func theDemoHasTheFamiliesRealSlurmHas() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/fixtures/slurm")
        guard FileManager.default.fileExists(atPath: root.path) else {
            print("skipped: ../shared/fixtures/slurm is absent")
            return
        }
        func bytes(_ path: String) throws -> [UInt8] {
            [UInt8](try Data(contentsOf: root.appendingPathComponent("24.11.5-slurmdbd/\(path)")))
        }
        let real = SlurmSnapshot(
            jobs: try SlurmDecoder.jobs(try bytes("squeue-states-all.json")),
            nodes: try SlurmDecoder.nodes(try bytes("scontrol-show-node.json")),
            scheduler: try SlurmDecoder.schedulerStats(try bytes("sdiag.json")), time: 1_795_967_300)
        let realNames = Set(SlurmMetrics.metricSet(for: real).families.map(\.name))
        let (source, clock) = try Self.source()
        Self.advance(source, clock, byMs: 3_600_000)
        let demoNames = Set(source.families().map(\.name))
        #expect(realNames.subtracting(demoNames).isEmpty, "missing in the demo: \(realNames.subtracting(demoNames))")
    }

    /// The mapping of states, reasons, times and exit codes.
    @Test func jobMapping() throws {
        let (source, _) = try Self.source()
        let snapshot = try #require(source.cluster.schedulerSnapshot())
        var job = try #require(snapshot.jobs.first { $0.state == .running })
        let running = SlurmJob(simulated: job)
        #expect(running.state.base == .running && running.reason == "None" && running.outcome == nil)
        #expect(running.gpusAllocated == job.gpus && running.nodes == job.nodeName)
        #expect(running.startTime == job.startMs.map { $0 / 1000 })
        job.state = .finished(.outOfMemory)
        job.endMs = snapshot.nowMs
        job.exitCode = 0
        job.signal = 9
        let ended = SlurmJob(simulated: job)
        #expect(ended.state.base == .outOfMemory && ended.outcome == .outOfMemory)
        #expect(ended.reason == "OutOfMemory")
        #expect(ended.exitCode == SlurmExitCode(returnCode: 0, signal: 9))
        #expect(ended.endTime == snapshot.nowMs / 1000)
        job.state = .pending(.qosMaxGRESPerUser)
        job.startMs = nil
        let waiting = SlurmJob(simulated: job)
        #expect(waiting.reason == "QOSMaxGRESPerUser" && waiting.state.base == .pending)
        #expect(waiting.gpusAllocated == nil && waiting.gpusRequested == job.gpus)
    }

    /// One scrape of the target at the largest demo (512 nodes): reported, not asserted (no timed
    /// assertions in unit tests).
    @Test func scrapeCostAt512Nodes() throws {
        let (source, _) = try Self.source(nodes: 512)
        let clock = ContinuousClock()
        var families: [MetricFamily] = []
        let elapsed = clock.measure { families = source.families() }
        let series = families.reduce(0) { $0 + $1.samples.count }
        print("demo Slurm target at 512 nodes: \(series) series from \(families.count) families in \(elapsed)")
        #expect(Self.value(families, "slurm_gpus_total") == 4096)
        #expect(Self.samples(families, "slurm_node_status").count == 512)
    }

    /// The demo's exposition passes `promtool check metrics` (names, help, types), as the agent's does.
    @Test func promtoolAcceptsTheExposition() throws {
        let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let promtool else {
            print("skipped: promtool is not installed (apt-get install prometheus); CI always runs this")
            return
        }
        let (source, clock) = try Self.source()
        Self.advance(source, clock, byMs: 3_600_000)
        let body = ExpositionEncoder.encode(source.families(), format: .text)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(body))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // Exit 3 is lint only: the names prometheus-slurm-exporter chose (gauges named `_total`, `_count`)
        // are kept for its dashboards; anything else (a parse error, another name) fails.
        let exporterNames: Set<String> = [
            "slurm_cpus_total", "slurm_gpus_total", "slurm_node_cpu_total", "slurm_node_gpus_total",
            "slurm_partition_cpus_total", "slurm_partition_gpus_total", "slurm_scheduler_agent_count",
        ]
        let problems = text.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }.filter { line in
            let name = line.split(separator: " ").first.map(String.init) ?? ""
            return !(exporterNames.contains(name) && line.contains("should not have"))
        }
        #expect(process.terminationStatus == 0 || process.terminationStatus == 3, "promtool check metrics:\n\(text)")
        #expect(problems.isEmpty, "promtool check metrics:\n\(text)")
    }
}
