import Foundation
import Testing
import VigilGPU
import VigilModel

/// The demo's Slurm-like job stream (``SimulatedScheduler``): deterministic, every outcome and pending
/// reason occurs over a simulated day, sdiag's counters only grow, and the planted problems are there.
@Suite struct SimulatedSchedulerTests {
    /// 2026-11-30 00:00 UTC.
    static let startMs: Int64 = 1_796_083_200_000

    static func fleet(nodes: Int = 8, seed: UInt64 = 7) -> SimulatedFleet {
        SimulatedFleet(
            nodes: nodes, gpusPerNode: 8, profile: .h100, seed: seed, startMs: startMs, scheduling: .slurm)
    }

    /// Advances in steps no longer than the fleet replays step by step.
    static func advance(_ fleet: inout SimulatedFleet, byMs: Int64) {
        let target = fleet.nowMs + byMs
        while fleet.nowMs < target { fleet.advance(toMs: min(target, fleet.nowMs + 600_000)) }
    }

    /// One simulated day of an 8-node fleet, sampled every 10 minutes (built once, shared by the tests).
    static let day: [SimulatedScheduler.Snapshot] = {
        var fleet = Self.fleet()
        var samples: [SimulatedScheduler.Snapshot] = []
        for _ in 0..<144 {
            advance(&fleet, byMs: 600_000)
            if let snapshot = fleet.schedulerSnapshot() { samples.append(snapshot) }
        }
        return samples
    }()

    @Test func otherSchedulingModesHaveNoController() {
        let fleet = SimulatedFleet(nodes: 2, gpusPerNode: 8, profile: .h100, seed: 1, startMs: Self.startMs)
        #expect(fleet.scheduler == nil)
        #expect(fleet.schedulerSnapshot() == nil)
    }

    @Test func theSameSeedGivesTheSameStream() {
        var first = Self.fleet(nodes: 8, seed: 3)
        var second = Self.fleet(nodes: 8, seed: 3)
        var other = Self.fleet(nodes: 8, seed: 4)
        Self.advance(&first, byMs: 7_200_000)
        Self.advance(&second, byMs: 7_200_000)
        Self.advance(&other, byMs: 7_200_000)
        #expect(first.schedulerSnapshot() == second.schedulerSnapshot())
        #expect(first.readings(node: 2) == second.readings(node: 2))
        #expect(first.schedulerSnapshot()?.jobs.map(\.id) != other.schedulerSnapshot()?.jobs.map(\.id))
    }

    @Test func theFleetStartsBusyWithAQueue() throws {
        let fleet = Self.fleet()
        let snapshot = try #require(fleet.schedulerSnapshot())
        let pending = snapshot.jobs.filter(\.isPending)
        let running = snapshot.jobs.filter { $0.state == .running }
        #expect(!pending.isEmpty)
        #expect(running.count > 8)
        let allocated = snapshot.nodes.reduce(0) { $0 + $1.gpusAllocated }
        #expect(Double(allocated) / Double(8 * 8) > 0.6)
        #expect(Set(running.map(\.partition)).isSuperset(of: ["gpu", "inference"]))
        // Every job has a user, an account and a partition; running jobs a node and GPUs.
        for job in snapshot.jobs {
            #expect(!job.user.isEmpty && !job.account.isEmpty && !job.partition.isEmpty)
        }
        for job in running {
            #expect(job.gpuIndexes.count == job.gpus && !job.nodeName.isEmpty && job.startMs != nil)
        }
    }

    @Test func everyOutcomeAndPendingReasonOccursOverADay() {
        var outcomes: Set<SimulatedScheduler.Outcome> = []
        var reasons: Set<SimulatedScheduler.PendingReason> = []
        for snapshot in Self.day {
            for job in snapshot.jobs {
                switch job.state {
                case .finished(let outcome): outcomes.insert(outcome)
                case .pending(let reason): reasons.insert(reason)
                case .running: break
                }
            }
        }
        #expect(outcomes == Set(SimulatedScheduler.Outcome.allCases))
        #expect(reasons == Set(SimulatedScheduler.PendingReason.allCases))
    }

    @Test func sdiagCountersOnlyGrow() throws {
        var previous = try #require(Self.day.first).statistics
        for snapshot in Self.day.dropFirst() {
            let now = snapshot.statistics
            let pairs: [(Int, Int)] = [
                (previous.jobsSubmitted, now.jobsSubmitted), (previous.jobsStarted, now.jobsStarted),
                (previous.jobsCompleted, now.jobsCompleted), (previous.jobsCanceled, now.jobsCanceled),
                (previous.jobsFailed, now.jobsFailed), (previous.scheduleCycles, now.scheduleCycles),
                (previous.backfillCycles, now.backfillCycles), (previous.backfilledJobs, now.backfilledJobs),
                (previous.infoRequests, now.infoRequests),
            ]
            for (before, after) in pairs { #expect(after >= before) }
            #expect(now.scheduleCycles > previous.scheduleCycles, "the scheduler makes progress")
            #expect(now.scheduleCycleMaxMicroseconds >= now.scheduleCycleLastMicroseconds)
            previous = now
        }
        let last = try #require(Self.day.last).statistics
        // 30 s passes for a day.
        #expect(last.scheduleCycles >= 2880)
        #expect(last.jobsStarted > 100)
        #expect(last.jobsSubmitted >= last.jobsStarted)
    }

    @Test func finishedJobsStayAnHourAndKeepTheirEnd() throws {
        let snapshot = try #require(Self.day.last)
        let finished = snapshot.jobs.filter { $0.outcome != nil }
        #expect(!finished.isEmpty)
        for job in finished {
            let end = try #require(job.endMs)
            #expect(end <= snapshot.nowMs && end >= snapshot.nowMs - SimulatedScheduler.finishedRetentionMs - 30_000)
            #expect(job.exitCode != nil)
        }
    }

    @Test func oneNodeKeepsFailingJobs() throws {
        let failing = try #require(Self.fleet().scheduler?.failingNode)
        var failures: Set<Int> = []
        var elsewhere: Set<Int> = []
        for snapshot in Self.day {
            for job in snapshot.jobs where job.outcome == .failed || job.outcome == .nodeFail {
                if job.node == failing { failures.insert(job.id) } else { elsewhere.insert(job.id) }
            }
        }
        // Several an hour on the bad node, against a handful a day on each healthy one.
        #expect(failures.count > 48)
        // Six healthy nodes share the rest (one more is drained).
        #expect(Double(failures.count) > 5 * Double(elsewhere.count) / 6)
    }

    @Test func oneNodeIsDrainedWithAReason() throws {
        let fleet = Self.fleet()
        let drained = try #require(fleet.scheduler?.drainedNode)
        let first = try #require(fleet.schedulerSnapshot())
        for snapshot in [first] + Self.day {
            let node = snapshot.nodes[drained]
            #expect(node.state == .drained)
            #expect(node.reason == SimulatedScheduler.drainReason)
            #expect(node.gpusAllocated == 0)
            #expect(snapshot.nodes.filter { $0.state == .drained || $0.state == .draining }.count == 1)
        }
    }

    @Test func aJobHoldsEightGPUsAndUsesTwo() throws {
        var fleet = Self.fleet()
        Self.advance(&fleet, byMs: 600_000)
        let snapshot = try #require(fleet.schedulerSnapshot())
        let wasteful = try #require(snapshot.jobs.first { $0.state == .running && $0.gpus == 8 && $0.activeGPUs == 2 })
        let node = try #require(wasteful.node)
        let readings = fleet.readings(node: node)
        for (rank, gpu) in wasteful.gpuIndexes.enumerated() {
            let reading = readings[gpu]
            // Every GPU shows the job's process; only the first two work.
            #expect(reading.processes.first?.slurmJobID == String(wasteful.id))
            #expect(reading.processes.first?.slurmAccount == wasteful.account)
            #expect(reading.processes.first?.slurmPartition == "gpu")
            let utilization = try #require(reading.gpuUtilizationPercent)
            if rank < 2 { #expect(utilization > 50) } else { #expect(utilization <= 2) }
        }
        // An idle notebook holds GPUs too.
        #expect(snapshot.jobs.contains { $0.state == .running && $0.activeGPUs == 0 && $0.name == "jupyter" })
    }

    @Test func jobInfoCarriesAccountAndPartition() throws {
        let fleet = Self.fleet()
        let snapshot = try #require(fleet.schedulerSnapshot())
        let job = try #require(snapshot.jobs.first { $0.state == .running && $0.partition == "inference" })
        let node = try #require(job.node)
        let format = DCGMExporterFormat(hostname: job.nodeName)
        let info = format.metrics(for: fleet.readings(node: node)).families.first { $0.name == "vigil_gpu_job_info" }
        let series = try #require(info?.samples.filter { $0.labels["job_id"] == String(job.id) })
        #expect(series.count == job.gpus)
        for sample in series {
            #expect(sample.labels["account"] == job.account)
            #expect(sample.labels["partition"] == "inference")
            #expect(sample.labels["user"] == job.user)
        }
    }

    @Test func queueAndAllocationStayInBoundsOverTheDay() {
        for snapshot in Self.day {
            let pending = snapshot.jobs.filter(\.isPending).count
            #expect(pending <= 20 + 3 * 8)
            for node in snapshot.nodes {
                #expect(node.gpusAllocated <= node.gpusTotal && node.cpusAllocated <= node.cpusTotal)
            }
        }
        let allocated = Self.day.map { snapshot in
            Double(snapshot.nodes.reduce(0) { $0 + $1.gpusAllocated }) / Double(8 * 8)
        }
        let mean = allocated.reduce(0, +) / Double(allocated.count)
        print(
            "8 nodes over a day: mean GPU allocation \(Int(mean * 100)) %, min \(Int((allocated.min() ?? 0) * 100)) %")
        #expect(mean > 0.4 && mean <= 1)
    }

    /// Small fleets and odd GPU counts: partitions and planted nodes shrink away, nothing traps.
    @Test(arguments: [(1, 8, nil), (2, 8, nil), (3, 4, 1), (4, 1, 1), (5, 8, 2)] as [(Int, Int, Int?)])
    func smallFleets(nodes: Int, gpusPerNode: Int, drained: Int?) throws {
        var fleet = SimulatedFleet(
            nodes: nodes, gpusPerNode: gpusPerNode, profile: .h100, seed: 5, startMs: Self.startMs,
            scheduling: .slurm)
        Self.advance(&fleet, byMs: 3 * 3_600_000)
        let snapshot = try #require(fleet.schedulerSnapshot())
        #expect(snapshot.nodes.count == nodes)
        #expect(snapshot.statistics.jobsStarted > 0)
        for job in snapshot.jobs {
            #expect(job.gpus >= 1 && job.gpus <= gpusPerNode)
            #expect(job.activeGPUs <= job.gpus)
        }
        let scheduler = try #require(fleet.scheduler)
        // From 4 general (non-inference) nodes on, the last of them fails its jobs.
        #expect(scheduler.failingNode == (nodes == 5 ? 3 : nil))
        #expect(scheduler.drainedNode == drained)
    }

    /// The cost of the stream at the largest demo (512 nodes × 8 GPUs): reported, not asserted (no timed
    /// assertions in unit tests).
    @Test func costAt512Nodes() throws {
        let clock = ContinuousClock()
        var fleet = SimulatedFleet(
            nodes: 512, gpusPerNode: 8, profile: .h100, seed: 1, startMs: Self.startMs, scheduling: .slurm)
        var withoutScheduler = SimulatedFleet(
            nodes: 512, gpusPerNode: 8, profile: .h100, seed: 1, startMs: Self.startMs, scheduling: .automatic)
        let slurm = clock.measure { fleet.advance(toMs: Self.startMs + 60_000) }
        let physics = clock.measure { withoutScheduler.advance(toMs: Self.startMs + 60_000) }
        let snapshot = try #require(fleet.schedulerSnapshot())
        let build = clock.measure { _ = fleet.schedulerSnapshot() }
        print(
            "512 nodes, 60 simulated seconds: \(slurm) with the Slurm-like stream, \(physics) with per-node jobs (scheduling .automatic); "
                + "snapshot of \(snapshot.jobs.count) jobs in \(build)")
        #expect(snapshot.nodes.count == 512)
        #expect(snapshot.jobs.contains { $0.isPending })
    }
}
