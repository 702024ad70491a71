import Foundation
import Testing
import VigilScheduler

@Suite("Slurm JSON and sdiag decoding, both dialects")
struct SlurmDecoderTests {
    static let dialects = ["22.05.8-slurmdbd", "24.11.5-slurmdbd"]

    static var jobFiles: [String] {
        SlurmFixtures.files { name in
            name.hasSuffix(".json")
                && (name.hasPrefix("squeue") || name.hasPrefix("sacct") || name.contains("-jobs")
                    || name == "scontrol-show-job.json")
        }
    }

    static var nodeFiles: [String] {
        SlurmFixtures.files { name in
            name.hasSuffix(".json")
                && (name.hasPrefix("sinfo") || name.contains("-nodes") || name == "scontrol-show-node.json")
        }
    }

    static var diagFiles: [String] {
        SlurmFixtures.files { $0 == "sdiag.json" || ($0.hasPrefix("restd-v") && $0.hasSuffix("-diag.json")) }
    }

    @Test("every job document of both versions decodes")
    func everyJobFileDecodes() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let files = Self.jobFiles
        #expect(files.count >= 15)
        for file in files {
            let bytes = try SlurmFixtures.bytes(file)
            if bytes.isEmpty { continue }  // 22.05 without slurmdbd: sacct printed nothing
            let jobs = try SlurmDecoder.jobs(bytes)
            #expect(!jobs.isEmpty, "\(file)")
        }
    }

    @Test("every node document of both versions decodes")
    func everyNodeFileDecodes() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let files = Self.nodeFiles
        #expect(files.count >= 20)
        for file in files {
            let nodes = try SlurmDecoder.nodes(try SlurmFixtures.bytes(file))
            #expect(nodes.map(\.name) == ["localhost"], "\(file)")
            #expect(nodes.first?.gpusTotal == 8, "\(file)")
        }
    }

    @Test("every sdiag document (text and JSON) decodes")
    func everySdiagDecodes() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        for file in Self.diagFiles {
            let stats = try SlurmDecoder.schedulerStats(try SlurmFixtures.bytes(file))
            #expect(stats.jobsSubmitted == 10, "\(file)")
            #expect(!stats.rpcsByType.isEmpty, "\(file)")
        }
        for file in SlurmFixtures.files(where: { $0 == "sdiag.txt" }) {
            let stats = try SlurmDecoder.schedulerStats(sdiagText: try SlurmFixtures.text(file))
            #expect(stats.jobsSubmitted == 10, "\(file)")
            #expect(!stats.rpcsByUser.isEmpty, "\(file)")
        }
    }

    @Test(
        "22.05 squeue: states, users, times, GPUs and the wait-status exit code",
        arguments: [
            "22.05.8-slurmdbd/squeue.json", "22.05.8-nodbd/squeue.json",
        ])
    func squeue2205(file: String) throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let jobs = try SlurmDecoder.jobs(try SlurmFixtures.bytes(file))
        let byName = Dictionary(jobs.map { ($0.displayID, $0) }, uniquingKeysWith: { a, _ in a })
        let failed = try #require(byName["2"])
        #expect(failed.state.base == .failed)
        #expect(failed.outcome == .failed)
        #expect(failed.user == "bob")
        #expect(failed.reason == "NonZeroExitCode")
        #expect(failed.exitCode == SlurmExitCode(returnCode: 3))  // raw wait status 768
        let timeout = try #require(byName["6"])
        #expect(timeout.outcome == .timeout)
        #expect(timeout.exitCode == SlurmExitCode(returnCode: nil, signal: 15))
        let running = try #require(byName["9"])
        #expect(running.state.base == .running)
        #expect(running.gpusAllocated == 8)  // from TRES with slurmdbd, from gres_detail without
        #expect(running.endTime == nil)
        let pending = try #require(byName["10"])
        #expect(pending.state.base == .pending)
        #expect(pending.reason == "Resources")
        #expect(pending.gpusRequested == 4)
        #expect(pending.gpusAllocated == nil)
        #expect(pending.startTime == nil)
        #expect(pending.account == (file.contains("nodbd") ? pending.account : "ml-infra"))
        #expect(byName["3_1"]?.name == "hp-sweep")
        #expect(byName["3_1"]?.jobID == 8)
    }

    @Test("22.05 squeue (slurmdbd) hand-checked times")
    func squeue2205Times() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let jobs = try SlurmDecoder.jobs(try SlurmFixtures.bytes("22.05.8-slurmdbd/squeue.json"))
        let trainOK = try #require(jobs.first { $0.jobID == 1 })
        #expect(trainOK.submitTime == 1_795_967_093)
        #expect(trainOK.startTime == 1_795_967_094)
        #expect(trainOK.endTime == 1_795_967_098)
        #expect(trainOK.gpusAllocated == 2)
        #expect(trainOK.account == "ml-research")
        #expect(trainOK.partition == "gpu")
    }

    @Test("24.11 squeue --states=all: state arrays, {set, number} times, structured exit codes")
    func squeue2411() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let jobs = try SlurmDecoder.jobs(try SlurmFixtures.bytes("24.11.5-slurmdbd/squeue-states-all.json"))
        #expect(jobs.count == 10)
        let byID = Dictionary(jobs.map { ($0.displayID, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byID["2"]?.exitCode == SlurmExitCode(returnCode: 3))
        #expect(byID["6"]?.exitCode == SlurmExitCode(returnCode: nil, signal: 15))
        #expect(byID["1"]?.submitTime == 1_795_967_208)
        #expect(byID["1"]?.endTime == 1_795_967_214)
        #expect(byID["9"]?.gpusAllocated == 8)
        #expect(byID["9"]?.endTime == nil)  // the projected end of a running job is not an end
        #expect(byID["10"]?.gpusRequested == 4)
        #expect(byID["3_2"]?.jobID == 3)
        #expect(byID["5"]?.outcome == .cancelled)
        #expect(byID["5"]?.reason == "JobHeldUser")
    }

    @Test(
        "a job that never ran has no start and no node (squeue's cancel time, sacct's None assigned)",
        arguments: [
            "22.05.8-slurmdbd/squeue-states-all.json", "24.11.5-slurmdbd/squeue-states-all.json",
            "22.05.8-slurmdbd/sacct.json", "24.11.5-slurmdbd/sacct.json",
        ])
    func neverRan(file: String) throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let jobs = try SlurmDecoder.jobs(try SlurmFixtures.bytes(file))
        // Job 5 was held, then cancelled: Slurm gives its cancel time as its start; only squeue lists it.
        if let cancelled = jobs.first(where: { $0.jobID == 5 }) {
            #expect(cancelled.outcome == .cancelled)
            #expect(cancelled.startTime == nil)
            #expect(cancelled.submitTime != nil)
            #expect(cancelled.queueWaitSeconds(now: 1_795_967_300) == nil)
        } else {
            #expect(file.contains("sacct"))
        }
        // Job 10 pends: sacct writes "None assigned" as its nodes.
        #expect(jobs.first { $0.jobID == 10 }?.nodes == "")
        // Jobs that ran keep their start.
        #expect(jobs.first { $0.jobID == 2 }?.startTime != nil)
        #expect(jobs.first { $0.jobID == 2 }?.nodes == "localhost")
    }

    @Test("sacct: 24.11 exit codes are right; 22.05's are kept but marked unreliable")
    func sacctExitCodes() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let new = try SlurmDecoder.jobs(try SlurmFixtures.bytes("24.11.5-slurmdbd/sacct.json"))
        let newFailed = try #require(new.first { $0.jobID == 2 })
        #expect(newFailed.exitCode == SlurmExitCode(returnCode: 3))
        #expect(newFailed.gpusAllocated == 1)
        #expect(new.first { $0.jobID == 9 }?.gpusAllocated == 8)
        #expect(new.first { $0.jobID == 10 }?.gpusAllocated == nil)
        #expect(new.first { $0.jobID == 8 }?.displayID == "3_1")
        let old = try SlurmDecoder.jobs(try SlurmFixtures.bytes("22.05.8-slurmdbd/sacct.json"))
        let oldFailed = try #require(old.first { $0.jobID == 2 })
        #expect(oldFailed.outcome == .failed)
        #expect(oldFailed.exitCode?.returnCode == 0)  // what 22.05 writes although the job exited 3
        #expect(oldFailed.exitCode?.isReliable == false)
        #expect(old.first { $0.jobID == 1 }?.startTime == 1_795_967_094)
    }

    @Test(
        "nodes: CPUs, memory, GPUs total and allocated",
        arguments: [
            "22.05.8-slurmdbd/sinfo.json", "24.11.5-slurmdbd/sinfo.json", "24.11.5-slurmdbd/scontrol-show-node.json",
            "24.11.5-slurmdbd/restd-v0.0.40-nodes.json",
        ])
    func nodeFigures(file: String) throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let node = try #require(try SlurmDecoder.nodes(try SlurmFixtures.bytes(file)).first)
        #expect(node.state == SlurmNodeState(base: .mixed))
        #expect(node.state.sinfoName == "mixed")
        #expect(node.cpusTotal == 2)
        #expect(node.cpusAllocated == 1)
        #expect(node.memoryTotalBytes == 8000 * 1_048_576)
        #expect(node.memoryAllocatedBytes == 1000 * 1_048_576)
        #expect(node.gpusTotal == 8)
        #expect(node.gpusAllocated == 8)
        #expect(node.partitions == ["gpu"])
    }

    @Test("drain and resume: state flags and reason in both dialects", arguments: dialects)
    func drainResume(dialect: String) throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        func node(_ step: String) throws -> SlurmNode {
            try #require(
                try SlurmDecoder.nodes(try SlurmFixtures.bytes("\(dialect)/drain-resume/sinfo-\(step).json")).first)
        }
        let draining = try node("1-draining")
        #expect(draining.state.sinfoName == "draining")
        #expect(draining.reason == "test")
        #expect(draining.state.isUnavailable)
        #expect(try node("2-drained").state.sinfoName == "drained")
        #expect(try node("3-resumed").state.sinfoName == "idle")
        let down = try node("4-down")
        #expect(down.state.base == .down)
        #expect(down.state.sinfoName == "down")
        #expect(!down.reason.isEmpty)
    }

    @Test("sdiag text and JSON agree on 24.11")
    func sdiagTextMatchesJSON() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let text = try SlurmDecoder.schedulerStats(sdiagText: try SlurmFixtures.text("24.11.5-slurmdbd/sdiag.txt"))
        let json = try SlurmDecoder.schedulerStats(try SlurmFixtures.bytes("24.11.5-slurmdbd/sdiag.json"))
        #expect(text.requestTime == 1_795_967_297)
        #expect(text.dataSince == 1_795_967_206)
        #expect(text.scheduleCycleLast == 154)
        #expect(text.scheduleCycleMax == 907)
        #expect(text.scheduleCycleMean == 377)
        #expect(text.scheduleCycleTotal == 8)
        #expect(text.backfillCycleLast == 627)
        #expect(text.backfilledJobs == 1)
        #expect(text.backfillLastCycleTime == 1_795_967_296)
        #expect(
            text.rpcsByType.first
                == .init(name: "REQUEST_PARTITION_INFO", id: 2009, count: 101, averageTime: 86, totalTime: 8781))
        #expect(text.rpcsByUser.map(\.name) == ["root", "bob", "alice"])
        for keyPath: KeyPath<SlurmSchedulerStats, Int64?> in [
            \.requestTime, \.dataSince, \.serverThreadCount, \.agentQueueSize, \.dbdAgentQueueSize, \.jobsSubmitted,
            \.jobsStarted, \.jobsCompleted, \.jobsCanceled, \.jobsFailed, \.jobsPending, \.jobsRunning,
            \.scheduleCycleLast, \.scheduleCycleMax, \.scheduleCycleMean, \.scheduleCycleTotal,
            \.scheduleCyclesPerMinute, \.scheduleQueueLength, \.backfilledJobs, \.backfillCycleTotal,
            \.backfillCycleLast, \.backfillCycleMax, \.backfillCycleMean, \.backfillDepthMean, \.backfillQueueLength,
            \.backfillLastCycleTime,
        ] {
            #expect(text[keyPath: keyPath] == json[keyPath: keyPath], "\(keyPath)")
        }
    }

    @Test("22.05 sdiag text hand-checked")
    func sdiag2205() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let stats = try SlurmDecoder.schedulerStats(sdiagText: try SlurmFixtures.text("22.05.8-slurmdbd/sdiag.txt"))
        #expect(stats.serverThreadCount == 3)
        #expect(stats.jobsPending == 1)
        #expect(stats.scheduleCycleMax == 2797)
        #expect(stats.scheduleCycleLast == 382)
    }
}
