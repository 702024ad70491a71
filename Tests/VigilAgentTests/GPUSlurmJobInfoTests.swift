import Foundation
import Synchronization
import Testing
import VigilAgent
import VigilCollectors
import VigilGPU
import VigilModel
import VigilScheduler

/// Answers squeue and sinfo with a fixture set's captured JSON (or a failure; squeue's answer can change
/// between polls); anything else is missing.
private final class FixtureRunner: SlurmCommandRunner {
    let squeue: Mutex<Result<[UInt8], SchedulerError>>
    let sinfo: Result<[UInt8], SchedulerError>

    init(squeue: Result<[UInt8], SchedulerError>, sinfo: Result<[UInt8], SchedulerError>) {
        self.squeue = Mutex(squeue)
        self.sinfo = sinfo
    }

    func run(_ command: SlurmCommand, timeout: Duration) throws(SchedulerError) -> [UInt8] {
        switch command.description {
        case SlurmCommand.squeue.description: try squeue.withLock { $0 }.get()
        case SlurmCommand.sinfo.description: try sinfo.get()
        default: throw SchedulerError(.commandNotFound, "\(command.executable) is not installed (fixture runner)")
        }
    }
}

/// One GPU whose processes' cgroups name Slurm jobs, as NVML plus /proc would report them.
private struct AttributedBackend: GPUBackend {
    let name = "attributed"
    /// (cgroup text, user from /proc/PID/status) per process.
    var processes: [(cgroup: String, user: String?)]

    func read() throws(GPUError) -> [GPUReading] {
        var reading = GPUReading(
            identity: GPUIdentity(
                index: 0, name: "NVIDIA H100 80GB HBM3", uuid: "GPU-00000000-0000-0000-0000-000000000000",
                pciBusID: "00000000:18:00.0"))
        reading.processes = processes.enumerated().map { index, process in
            var gpuProcess = GPUProcess(pid: 1000 + index)
            var attribution = ProcessAttribution(cgroup: process.cgroup)
            attribution.user = process.user
            attribution.apply(to: &gpuProcess)
            return gpuProcess
        }
        return [reading]
    }
}

/// `vigil_gpu_job_info` on a real node: the cgroup gives the job id, the Slurm collector's latest job list
/// (here a fixture poll) its account and partition, with no Slurm call per GPU collection.
@Suite("vigil_gpu_job_info: account and partition from the agent's Slurm collector")
struct GPUSlurmJobInfoTests {
    static let fixtures = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/fixtures/slurm")
    static var available: Bool { FileManager.default.fileExists(atPath: fixtures.path) }

    static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent(relative)))
    }

    /// Slurm's cgroup v2 layout (v1's is `/slurm/uid_1000/job_9/step_0` and reads the same).
    static func cgroup(job: String) -> String {
        "0::/system.slice/slurmstepd.scope/job_\(job)/step_0/user/task_0\n"
    }

    static func jobInfo(_ collector: GPUCollector) -> [Labels] {
        var output = CollectorOutput(paths: HostPaths())
        collector.collect(into: &output)
        return output.metrics.families.first { $0.name == "vigil_gpu_job_info" }?.samples.map(\.labels) ?? []
    }

    static func collector(_ poller: SlurmPoller, processes: [(cgroup: String, user: String?)]) -> GPUCollector {
        GPUCollector(
            backend: AttributedBackend(processes: processes),
            format: DCGMExporterFormat(
                hostname: "gpu01", slurmJobLookup: DCGMExporterFormat.slurmJobLookup(poller)))
    }

    @Test(
        "both JSON dialects: job 9 (alice, ml-research, gpu) named from squeue; an unlisted job keeps empty labels",
        .enabled(if: available, "../shared/fixtures/slurm is absent: Slurm fixture test skipped"),
        arguments: ["22.05.8-slurmdbd", "24.11.5-slurmdbd"])
    func accountAndPartitionFromTheLatestPoll(dialect: String) throws {
        let poller = SlurmPoller(
            runner: FixtureRunner(
                squeue: .success(try Self.bytes("\(dialect)/squeue.json")),
                sinfo: .success(try Self.bytes("\(dialect)/sinfo.json"))),
            sacctWindow: nil, allocations: false, now: { 1_795_967_300 })
        let collector = Self.collector(
            poller,
            processes: [
                (Self.cgroup(job: "9"), nil),  // no passwd entry read: the user comes from Slurm
                (Self.cgroup(job: "10"), "bob"),
                (Self.cgroup(job: "424242"), "carol"),
                // Job 7 (finished in the 22.05 listing, absent from 24.11's squeue): a bare UID stays a UID
                // unless Slurm names the user.
                (Self.cgroup(job: "7"), "1001"),
            ])
        // Before the first poll nothing is known: the labels stay empty, as without --slurm.
        let before = Self.jobInfo(collector)
        #expect(before.count == 4)
        #expect(before.allSatisfy { $0["account"] == "" && $0["partition"] == "" })

        #expect(poller.poll().snapshot != nil)
        let info = Dictionary(uniqueKeysWithValues: Self.jobInfo(collector).map { ($0["job_id"] ?? "", $0) })
        #expect(info["9"]?["user"] == "alice")
        #expect(info["9"]?["account"] == "ml-research")
        #expect(info["9"]?["partition"] == "gpu")
        #expect(info["9"]?["Hostname"] == "gpu01")
        #expect(info["10"]?["user"] == "bob")
        #expect(info["10"]?["account"] == "ml-infra")
        #expect(info["424242"]?["user"] == "carol")
        #expect(info["424242"]?["account"] == "")
        #expect(info["424242"]?["partition"] == "")
        #expect(info["7"]?["user"] == (dialect.hasPrefix("22") ? "alice" : "1001"))
    }

    @Test(
        "a failed poll keeps the last good job list; one that never succeeded names nothing",
        .enabled(if: available, "../shared/fixtures/slurm is absent: Slurm fixture test skipped"))
    func failedPollsKeepTheLastGoodList() throws {
        let good = try Self.bytes("24.11.5-slurmdbd/squeue.json")
        let sinfo = try Self.bytes("24.11.5-slurmdbd/sinfo.json")
        let down = SchedulerError(.commandFailed, "squeue: exit status 1: Unable to contact slurm controller")
        let failing = SlurmPoller(
            runner: FixtureRunner(squeue: .failure(down), sinfo: .success(sinfo)), sacctWindow: nil,
            allocations: false, now: { 0 })
        #expect(failing.poll().snapshot == nil)
        #expect(failing.job(id: "9") == nil)
        #expect(Self.jobInfo(Self.collector(failing, processes: [(Self.cgroup(job: "9"), nil)]))[0]["account"] == "")

        // Unreadable squeue JSON after a good poll: the job list of the good one stays.
        let runner = FixtureRunner(squeue: .success(good), sinfo: .success(sinfo))
        let poller = SlurmPoller(runner: runner, sacctWindow: nil, allocations: false, now: { 0 })
        #expect(poller.poll().snapshot != nil)
        runner.squeue.withLock { $0 = .success(Array("{\"jobs\": [".utf8)) }
        let broken = poller.poll()
        #expect(broken.snapshot == nil)
        #expect(broken.issues.contains { $0.command.hasPrefix("squeue") }, "\(broken.issues)")
        #expect(poller.job(id: "9")?.account == "ml-research")
        let info = Self.jobInfo(Self.collector(poller, processes: [(Self.cgroup(job: "9"), nil)]))
        #expect(info.first?["account"] == "ml-research")
        #expect(info.first?["partition"] == "gpu")
    }

    @Test("ids that are not a decimal job id find no job", arguments: ["", "abc", "9_1", "-9", "99999999999999999999"])
    func malformedIDs(id: String) {
        let index = SlurmJobIndex([
            SlurmJob(jobID: 9, user: "alice", account: "ml", partition: "gpu", state: SlurmJobState(base: .running))
        ])
        #expect(index[id: id] == nil)
        #expect(index[id: "9"]?.account == "ml")
    }
}
