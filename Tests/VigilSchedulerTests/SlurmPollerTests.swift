import Synchronization
import Testing
import VigilModel
import VigilScheduler

/// Answers each command line with canned output or a canned error, and records what was run.
final class CannedSlurmRunner: SlurmCommandRunner {
    private let answers: [String: Result<[UInt8], SchedulerError>]
    private let calls = Mutex<[String]>([])

    init(_ answers: [String: Result<[UInt8], SchedulerError>]) { self.answers = answers }

    var commandsRun: [String] { calls.withLock { $0 } }

    func run(_ command: SlurmCommand, timeout: Duration) throws(SchedulerError) -> [UInt8] {
        calls.withLock { $0.append(command.description) }
        guard let answer = answers[command.description] else {
            throw SchedulerError(.commandNotFound, "\(command.executable) is not installed (canned)")
        }
        return try answer.get()
    }

    /// The fixture set's captured output of each command; what a version lacks fails as it does there.
    static func fixtures(_ dialect: String) throws -> CannedSlurmRunner {
        let sacct = SlurmCommand.sacct(since: "now-1hours").description
        let scontrol = SlurmCommand.scontrolJobDetail.description
        let scontrolAnswer: Result<[UInt8], SchedulerError> = .success(
            try SlurmFixtures.bytes("\(dialect)/scontrol-show-job-detail.txt"))
        if dialect.hasPrefix("22") {
            let refused = SchedulerError(
                .commandFailed, "sdiag --json: exit status 1: sdiag: unrecognized option '--json'")
            let sacctAnswer: Result<[UInt8], SchedulerError> =
                dialect.hasSuffix("nodbd")
                ? .failure(
                    SchedulerError(.commandFailed, "\(sacct): exit status 1: Slurm accounting storage is disabled"))
                : .success(try SlurmFixtures.bytes("\(dialect)/sacct.json"))
            return CannedSlurmRunner([
                SlurmCommand.squeue.description: .success(try SlurmFixtures.bytes("\(dialect)/squeue.json")),
                SlurmCommand.sinfo.description: .success(try SlurmFixtures.bytes("\(dialect)/sinfo.json")),
                sacct: sacctAnswer,
                SlurmCommand.sdiagJSON.description: .failure(refused),
                SlurmCommand.sdiagText.description: .success(try SlurmFixtures.bytes("\(dialect)/sdiag.txt")),
                SlurmCommand.sacctText(since: "now-1hours").description: .success(
                    try SlurmFixtures.bytes("\(dialect)/sacct.txt")),
                scontrol: scontrolAnswer,
            ])
        }
        return CannedSlurmRunner([
            SlurmCommand.squeue.description: .success(try SlurmFixtures.bytes("\(dialect)/squeue-states-all.json")),
            SlurmCommand.sinfo.description: .success(try SlurmFixtures.bytes("\(dialect)/sinfo.json")),
            sacct: .success(try SlurmFixtures.bytes("\(dialect)/sacct.json")),
            SlurmCommand.sdiagJSON.description: .success(try SlurmFixtures.bytes("\(dialect)/sdiag.json")),
            scontrol: scontrolAnswer,
        ])
    }
}

@Suite("SlurmPoller: one round of Slurm's commands as metrics")
struct SlurmPollerTests {
    static let time: Int64 = 1_795_967_300

    func value(_ set: MetricSet, _ name: String, _ labels: Labels = Labels()) -> Double? {
        set.families.first { $0.name == name }?.samples.first { $0.labels == labels }?.value
    }

    func poller(_ runner: CannedSlurmRunner, sacct: Bool = true) -> SlurmPoller {
        SlurmPoller(runner: runner, sacctWindow: sacct ? "now-1hours" : nil, now: { Self.time })
    }

    @Test(
        "both dialects: jobs, nodes and scheduler statistics from the captured output",
        arguments: ["22.05.8-nodbd", "22.05.8-slurmdbd", "24.11.5-slurmdbd"])
    func dialects(dialect: String) throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let runner = try CannedSlurmRunner.fixtures(dialect)
        let poll = poller(runner).poll()
        let set = poll.metrics
        #expect(poll.snapshot != nil)
        #expect(value(set, "slurm_up") == 1)
        #expect(value(set, "slurm_queue_running") == 1)
        #expect(value(set, "slurm_queue_pending") == 1)
        // sacct's jobs that squeue still lists are not counted twice.
        #expect(value(set, "slurm_queue_completed") == 5)
        #expect(value(set, "slurm_queue_failed") == 1)
        #expect(value(set, "slurm_nodes_mix") == 1 || value(set, "slurm_nodes_alloc") == 1)
        #expect(value(set, "slurm_gpus_alloc") == 8)
        #expect(value(set, "slurm_gpus_total") == 8)
        #expect(value(set, "slurm_scheduler_threads") != nil)
        #expect(value(set, "slurm_command_success", ["command": "squeue"]) == 1)
        #expect(value(set, "slurm_command_success", ["command": "sdiag"]) == 1)
        #expect(value(set, "slurm_command_errors_total", ["command": "sdiag"]) == 0)
        #expect(value(set, "slurm_scrape_duration_seconds") != nil)
        if dialect.hasSuffix("nodbd") {
            #expect(poll.issues.map(\.command) == [SlurmCommand.sacct(since: "now-1hours").description])
            #expect(poll.issues.first?.error.message.contains("accounting storage is disabled") == true)
            #expect(value(set, "slurm_command_success", ["command": "sacct"]) == 0)
        } else {
            #expect(poll.issues.isEmpty, "\(poll.issues)")
            #expect(value(set, "slurm_command_success", ["command": "sacct"]) == 1)
        }
    }

    @Test("22.05: sdiag --json is refused once, then only text sdiag runs; a missing slurmdbd is said once")
    func rememberedFallbacks() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let runner = try CannedSlurmRunner.fixtures("22.05.8-nodbd")
        let poller = poller(runner)
        let first = poller.poll()
        let second = poller.poll()
        #expect(first.issues.count == 1)
        #expect(second.issues.isEmpty, "sacct's failure was already reported: \(second.issues)")
        #expect(runner.commandsRun.filter { $0 == SlurmCommand.sdiagJSON.description }.count == 1)
        #expect(runner.commandsRun.filter { $0 == SlurmCommand.sdiagText.description }.count == 2)
        // still counted every time
        #expect(value(second.metrics, "slurm_command_errors_total", ["command": "sacct"]) == 2)
        #expect(value(second.metrics, "slurm_command_errors_total", ["command": "sdiag"]) == 0)
    }

    @Test("sacct off: it never runs")
    func sacctOff() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let runner = try CannedSlurmRunner.fixtures("24.11.5-slurmdbd")
        let poll = poller(runner, sacct: false).poll()
        #expect(!runner.commandsRun.contains { $0.hasPrefix("sacct") })
        #expect(value(poll.metrics, "slurm_up") == 1)
    }

    static let failures: [(String, SchedulerError.Code)] = [
        ("squeue", .commandFailed), ("squeue", .commandTimedOut), ("squeue", .commandNotFound),
        ("sinfo", .commandFailed), ("sinfo", .commandTimedOut),
    ]

    @Test("a failing or hanging squeue or sinfo: slurm_up 0, no data metrics, the error counted", arguments: failures)
    func requiredCommandFails(command: String, code: SchedulerError.Code) throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let failing = command == "squeue" ? SlurmCommand.squeue : SlurmCommand.sinfo
        var answers: [String: Result<[UInt8], SchedulerError>] = [
            SlurmCommand.squeue.description: .success(try SlurmFixtures.bytes("24.11.5-slurmdbd/squeue.json")),
            SlurmCommand.sinfo.description: .success(try SlurmFixtures.bytes("24.11.5-slurmdbd/sinfo.json")),
            SlurmCommand.sdiagJSON.description: .success(try SlurmFixtures.bytes("24.11.5-slurmdbd/sdiag.json")),
        ]
        answers[failing.description] = .failure(SchedulerError(code, "\(failing): canned \(code.rawValue)"))
        let poller = SlurmPoller(
            runner: CannedSlurmRunner(answers), sacctWindow: nil, allocations: false, now: { Self.time })
        let poll = poller.poll()
        #expect(poll.snapshot == nil)
        #expect(value(poll.metrics, "slurm_up") == 0)
        #expect(value(poll.metrics, "slurm_queue_running") == nil)
        #expect(value(poll.metrics, "slurm_nodes_idle") == nil)
        #expect(
            poll.issues == [
                SlurmPollIssue(
                    command: failing.description, error: SchedulerError(code, "\(failing): canned \(code.rawValue)"))
            ])
        #expect(value(poll.metrics, "slurm_command_success", ["command": command]) == 0)
        #expect(value(poll.metrics, "slurm_command_errors_total", ["command": command]) == 1)
        let again = poller.poll()
        #expect(value(again.metrics, "slurm_command_errors_total", ["command": command]) == 2)
        #expect(again.issues.count == 1, "required commands are reported on every failure")
    }

    @Test("output Vigil cannot read is an issue with the command and the JSON position")
    func unreadableOutput() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let runner = CannedSlurmRunner([
            SlurmCommand.squeue.description: .success(Array(#"{"jobs": [ {"job_id": "#.utf8)),
            SlurmCommand.sinfo.description: .success(try SlurmFixtures.bytes("24.11.5-slurmdbd/sinfo.json")),
            SlurmCommand.sdiagJSON.description: .success(
                Array("sdiag: error: Unable to contact slurm controller".utf8)),
        ])
        let poll = SlurmPoller(runner: runner, sacctWindow: nil, allocations: false, now: { Self.time }).poll()
        #expect(poll.issues.map(\.command) == [SlurmCommand.squeue.description, SlurmCommand.sdiagJSON.description])
        #expect(poll.issues.map(\.error.code) == [.malformedJSON, .malformedJSON])
        #expect(poll.issues.first?.error.line == 1)
        #expect(value(poll.metrics, "slurm_up") == 0)
    }

    @Test("sdiag failing for another reason than --json keeps trying JSON and leaves the scheduler metrics out")
    func sdiagDown() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let down = SchedulerError(.commandFailed, "sdiag --json: exit status 1: Unable to contact slurm controller")
        let runner = CannedSlurmRunner([
            SlurmCommand.squeue.description: .success(try SlurmFixtures.bytes("24.11.5-slurmdbd/squeue.json")),
            SlurmCommand.sinfo.description: .success(try SlurmFixtures.bytes("24.11.5-slurmdbd/sinfo.json")),
            SlurmCommand.sdiagJSON.description: .failure(down),
        ])
        let poller = SlurmPoller(runner: runner, sacctWindow: nil, allocations: false, now: { Self.time })
        let poll = poller.poll()
        _ = poller.poll()
        #expect(value(poll.metrics, "slurm_up") == 1)
        #expect(value(poll.metrics, "slurm_scheduler_threads") == nil)
        #expect(poll.issues.map(\.error) == [down])
        #expect(!runner.commandsRun.contains(SlurmCommand.sdiagText.description))
        #expect(runner.commandsRun.filter { $0 == SlurmCommand.sdiagJSON.description }.count == 2)
    }
}

@Suite("SlurmPoller: GPU→job allocations from scontrol -d show job -o")
struct SlurmPollerAllocationTests {
    func value(_ set: MetricSet, _ name: String, _ labels: Labels = Labels()) -> Double? {
        set.families.first { $0.name == name }?.samples.first { $0.labels == labels }?.value
    }

    @Test(
        "slurm_job_gpu_info for the running job's eight GPUs, in both dialects",
        arguments: ["22.05.8-nodbd", "22.05.8-slurmdbd", "24.11.5-slurmdbd"])
    func gpuInfo(dialect: String) throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let poll = SlurmPoller(runner: try CannedSlurmRunner.fixtures(dialect), now: { 1_795_967_300 }).poll()
        let family = try #require(poll.metrics.families.first { $0.name == "slurm_job_gpu_info" })
        #expect(family.samples.count == 8)
        let account = dialect.hasSuffix("nodbd") ? "" : "ml-research"
        for gpu in 0..<8 {
            let labels: Labels = [
                "job_id": "9", "user": "alice", "account": account, "partition": "gpu", "node": "localhost",
                "gpu": String(gpu),
            ]
            #expect(value(poll.metrics, "slurm_job_gpu_info", labels) == 1)
        }
        #expect(poll.allocations?.count == 1)
        #expect(value(poll.metrics, "slurm_command_success", ["command": "scontrol"]) == 1)
        #expect(value(poll.metrics, "slurm_command_errors_total", ["command": "scontrol"]) == 0)
    }

    @Test("scontrol failing or printing what Vigil can't read: no slurm_job_gpu_info, the error counted, the rest up")
    func scontrolFails() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let dialect = "24.11.5-slurmdbd"
        let answers: [String: Result<[UInt8], SchedulerError>] = [
            SlurmCommand.squeue.description: .success(try SlurmFixtures.bytes("\(dialect)/squeue.json")),
            SlurmCommand.sinfo.description: .success(try SlurmFixtures.bytes("\(dialect)/sinfo.json")),
            SlurmCommand.sdiagJSON.description: .success(try SlurmFixtures.bytes("\(dialect)/sdiag.json")),
            SlurmCommand.scontrolJobDetail.description: .success(Array("JobId=9 Nodes=n1 GRES=gpu(IDX:7-0)\n".utf8)),
        ]
        let poller = SlurmPoller(runner: CannedSlurmRunner(answers), sacctWindow: nil, now: { 1_795_967_300 })
        let poll = poller.poll()
        #expect(value(poll.metrics, "slurm_up") == 1)
        #expect(!poll.metrics.families.contains { $0.name == "slurm_job_gpu_info" })
        #expect(poll.allocations == nil)
        #expect(poll.issues.map(\.command) == [SlurmCommand.scontrolJobDetail.description])
        #expect(poll.issues.first?.error.code == .invalidValue)
        #expect(poll.issues.first?.error.keyPath == "GRES")
        #expect(value(poll.metrics, "slurm_command_success", ["command": "scontrol"]) == 0)
        let again = poller.poll()
        #expect(value(again.metrics, "slurm_command_errors_total", ["command": "scontrol"]) == 2)
    }

    @Test("allocations off: scontrol never runs and has no error counter")
    func off() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let runner = try CannedSlurmRunner.fixtures("24.11.5-slurmdbd")
        let poll = SlurmPoller(runner: runner, allocations: false, now: { 1_795_967_300 }).poll()
        #expect(!runner.commandsRun.contains { $0.hasPrefix("scontrol") })
        #expect(value(poll.metrics, "slurm_command_errors_total", ["command": "scontrol"]) == nil)
    }
}
