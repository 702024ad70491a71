import Foundation
import Testing
import VigilModel
import VigilScheduler

@Suite("sacct -P text: states and exit codes, and 22.05's sacct --json corrected by them")
struct SlurmSacctTextTests {
    @Test("the captured sacct -P text: jobs without their steps, the failed job's exit 3, the timeout's state")
    func fixture() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        for dialect in ["22.05.8-slurmdbd", "24.11.5-slurmdbd"] {
            let exits = try SlurmDecoder.sacctExits(text: try SlurmFixtures.text("\(dialect)/sacct.txt"))
            #expect(exits.map(\.jobID) == ["1", "2", "4", "6", "3_0", "3_1", "3_2", "9", "10"], "\(dialect)")
            let failed = try #require(exits.first { $0.jobID == "2" })
            #expect(failed.state.base == .failed)
            #expect(failed.exitCode == SlurmExitCode(returnCode: 3))
            #expect(exits.first { $0.jobID == "6" }?.state.base == .timeout)
            #expect(exits.first { $0.jobID == "9" }?.state.base == .running)
        }
    }

    @Test("22.05's sacct --json says exit 0 for job 2; corrected by the text it is failed with exit code 3")
    func correction() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let json = try SlurmDecoder.jobs(try SlurmFixtures.bytes("22.05.8-slurmdbd/sacct.json"))
        let before = try #require(json.first { $0.jobID == 2 })
        #expect(before.exitCode?.returnCode == 0)
        #expect(before.exitCode?.isReliable == false)
        let exits = try SlurmDecoder.sacctExits(text: try SlurmFixtures.text("22.05.8-slurmdbd/sacct.txt"))
        let corrected = SlurmPoller.correct(json, with: exits)
        let after = try #require(corrected.first { $0.jobID == 2 })
        #expect(after.state.base == .failed)
        #expect(after.outcome == .failed)
        #expect(after.exitCode == SlurmExitCode(returnCode: 3))
        #expect(corrected.count == json.count)
        // array tasks match by their printed id
        #expect(corrected.first { $0.jobID == 7 }?.exitCode?.isReliable == true)
    }

    /// 22.05-slurmdbd's output, with squeue no longer listing job 2 so that only sacct knows it.
    static func runnerWithoutJob2InSqueue(sacctText: Result<[UInt8], SchedulerError>?) throws -> CannedSlurmRunner {
        let dialect = "22.05.8-slurmdbd"
        var squeue = try #require(
            try JSONSerialization.jsonObject(with: Data(SlurmFixtures.bytes("\(dialect)/squeue.json")))
                as? [String: Any])
        let jobs = try #require(squeue["jobs"] as? [[String: Any]])
        squeue["jobs"] = jobs.filter { ($0["job_id"] as? Int) != 2 }
        var answers: [String: Result<[UInt8], SchedulerError>] = [
            SlurmCommand.squeue.description: .success([UInt8](try JSONSerialization.data(withJSONObject: squeue))),
            SlurmCommand.sinfo.description: .success(try SlurmFixtures.bytes("\(dialect)/sinfo.json")),
            SlurmCommand.sacct(since: "now-1hours").description: .success(
                try SlurmFixtures.bytes("\(dialect)/sacct.json")),
            SlurmCommand.sdiagText.description: .success(try SlurmFixtures.bytes("\(dialect)/sdiag.txt")),
        ]
        if let sacctText { answers[SlurmCommand.sacctText(since: "now-1hours").description] = sacctText }
        return CannedSlurmRunner(answers)
    }

    @Test("sacct selects jobs by when they ended in any finished state, so a held job cancelled is listed")
    func sacctWindow() {
        for command in [SlurmCommand.sacct(since: "now-2hours"), SlurmCommand.sacctText(since: "now-2hours")] {
            #expect(command.arguments.contains("--starttime=now-2hours"))
            #expect(command.arguments.contains("--endtime=now"))
            let states = command.arguments.first { $0.hasPrefix("--state=") }?.dropFirst("--state=".count)
            let listed = Set((states ?? "").split(separator: ",").map(String.init))
            let finished = SlurmJobState.Base.allCases.filter(\.isFinished).map { $0.rawValue.uppercased() }
            #expect(listed == Set(finished), "\(command)")
        }
    }

    @Test("the poller on 22.05 with slurmdbd: a job only sacct knows ends up failed with exit code 3")
    func pollerCorrects() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let runner = try Self.runnerWithoutJob2InSqueue(
            sacctText: .success(try SlurmFixtures.bytes("22.05.8-slurmdbd/sacct.txt")))
        let poll = SlurmPoller(runner: runner, allocations: false, now: { 1_795_967_300 }).poll()
        let job = try #require(poll.snapshot?.jobs.first { $0.jobID == 2 })
        #expect(job.state.base == .failed)
        #expect(job.exitCode == SlurmExitCode(returnCode: 3))
        #expect(runner.commandsRun.contains(SlurmCommand.sacctText(since: "now-1hours").description))
        #expect(poll.issues.filter { $0.command.hasPrefix("sacct") }.isEmpty, "\(poll.issues)")
        let exits = poll.metrics.families.first { $0.name == "slurm_jobs_finished_exit_code" }?.samples ?? []
        #expect(
            exits.contains {
                $0.labels == ["partition": "gpu", "outcome": "failed", "exit_code": "3"] && $0.value == 1
            }, "\(exits)")
        // sacct ran twice (JSON, then text) but is one series per health metric
        for name in ["slurm_command_success", "slurm_command_duration_seconds"] {
            let family = poll.metrics.families.first { $0.name == name }
            #expect(family?.samples.filter { $0.labels == ["command": "sacct"] }.count == 1, "\(name)")
        }
    }

    @Test("sacct text failing: the JSON's values are kept, an issue names the command")
    func pollerTextFails() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let runner = try Self.runnerWithoutJob2InSqueue(
            sacctText: .success(Array("JobID|State\n2|FAILED\n".utf8)))
        let poll = SlurmPoller(runner: runner, allocations: false, now: { 1_795_967_300 }).poll()
        let job = try #require(poll.snapshot?.jobs.first { $0.jobID == 2 })
        #expect(job.exitCode?.isReliable == false)
        // The JSON's exit 0 for a failed job is not counted as one.
        let exits = poll.metrics.families.first { $0.name == "slurm_jobs_finished_exit_code" }?.samples ?? []
        #expect(!exits.contains { $0.labels["outcome"] == "failed" }, "\(exits)")
        let issue = try #require(poll.issues.first { $0.command.hasPrefix("sacct -P") })
        #expect(issue.error.code == .missingKey)
        #expect(issue.error.keyPath == "ExitCode")
        #expect(issue.error.line == 1)
        let success = poll.metrics.families.first { $0.name == "slurm_command_success" }?.samples
            .filter { $0.labels == ["command": "sacct"] }
        #expect(success?.map(\.value) == [0])
    }

    @Test("24.11's sacct --json is right: no sacct text runs")
    func noTextOn2411() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let runner = try CannedSlurmRunner.fixtures("24.11.5-slurmdbd")
        _ = SlurmPoller(runner: runner, now: { 1_795_967_300 }).poll()
        #expect(!runner.commandsRun.contains { $0.hasPrefix("sacct -P") })
    }

    static let bad: [(String, String, SchedulerError.Code, Int, String)] = [
        ("no ExitCode column", "JobID|State\n1|COMPLETED\n", .missingKey, 1, "ExitCode"),
        ("no JobID column", "State|ExitCode\n", .missingKey, 1, "JobID"),
        (
            "a row with fewer fields (not -P)", "JobID|State|ExitCode\n1|COMPLETED|0:0\n2 FAILED 3:0\n", .malformedText,
            3, ""
        ),
        ("an unknown state", "JobID|State|ExitCode\n1|DREAMING|0:0\n", .unknownState, 2, "State"),
        ("an exit code without a signal", "JobID|State|ExitCode\n1|FAILED|3\n", .invalidValue, 2, "ExitCode"),
        ("an exit code that is not a number", "JobID|State|ExitCode\n1|FAILED|x:0\n", .invalidValue, 2, "ExitCode"),
    ]

    @Test("bad sacct text: the code, line and column name", arguments: bad)
    func badText(_ what: String, text: String, code: SchedulerError.Code, line: Int, key: String) {
        do {
            _ = try SlurmDecoder.sacctExits(text: text)
            Issue.record("\(what): no error")
        } catch {
            #expect(error.code == code, "\(what): \(error)")
            #expect(error.line == line, "\(what): \(error)")
            #expect(error.keyPath == key, "\(what): \(error)")
        }
    }

    @Test("a state with its actor (CANCELLED by 1001) and a signal")
    func cancelledBy() throws {
        let exits = try SlurmDecoder.sacctExits(text: "JobID|State|ExitCode\n5|CANCELLED by 1001|0:15\n")
        #expect(
            exits == [
                SlurmSacctExit(
                    jobID: "5", state: SlurmJobState(base: .cancelled),
                    exitCode: SlurmExitCode(returnCode: 0, signal: 15))
            ])
    }
}
