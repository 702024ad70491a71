import Testing
import VigilCollectors
import VigilModel
import VigilScheduler

/// Answers each command line with canned text or error.
private struct CannedRunner: SlurmCommandRunner {
    var answers: [String: Result<[UInt8], SchedulerError>]

    func run(_ command: SlurmCommand, timeout: Duration) throws(SchedulerError) -> [UInt8] {
        guard let answer = answers[command.description] else {
            throw SchedulerError(.commandNotFound, "\(command.executable) is not installed (canned)")
        }
        return try answer.get()
    }
}

@Suite("SlurmCollector: scontrol's GPU allocations as metrics, its failures as issues")
struct SlurmCollectorTests {
    /// squeue and sinfo answer with empty 24.11-style documents; sdiag is missing.
    static func answers(scontrol: Result<[UInt8], SchedulerError>) -> [String: Result<[UInt8], SchedulerError>] {
        [
            SlurmCommand.squeue.description: .success(Array(#"{"jobs": [], "errors": [], "warnings": []}"#.utf8)),
            SlurmCommand.sinfo.description: .success(Array(#"{"sinfo": [], "errors": [], "warnings": []}"#.utf8)),
            SlurmCommand.scontrolJobDetail.description: scontrol,
        ]
    }

    func collect(_ collector: SlurmCollector) -> CollectorOutput {
        var output = CollectorOutput(paths: HostPaths())
        collector.collect(into: &output)
        return output
    }

    @Test("scontrol answering: one slurm_job_gpu_info series per GPU")
    func allocations() {
        let text = "JobId=12 UserId=ann(5) Account=ml Partition=gpu Nodes=gpu[1-2] CPU_IDs=0 Mem=1 GRES=gpu(IDX:0,5)\n"
        let collector = SlurmCollector(
            poller: SlurmPoller(
                runner: CannedRunner(answers: Self.answers(scontrol: .success(Array(text.utf8)))), sacctWindow: nil,
                now: { 0 }))
        let output = collect(collector)
        let family = output.metrics.families.first { $0.name == "slurm_job_gpu_info" }
        #expect(family?.samples.count == 4)
        #expect(
            family?.samples.contains {
                $0.labels
                    == ["job_id": "12", "user": "ann", "account": "ml", "partition": "gpu", "node": "gpu2", "gpu": "5"]
            } == true)
        #expect(!output.issues.contains { $0.path.hasPrefix("scontrol") }, "\(output.issues)")
    }

    @Test("scontrol failing or unreadable: no slurm_job_gpu_info, an issue naming the command and the position")
    func failing() {
        let cases: [Result<[UInt8], SchedulerError>] = [
            .failure(SchedulerError(.commandFailed, "scontrol: exit status 1: Unable to contact slurm controller")),
            .success(Array("JobId=1 Nodes=n1 GRES=gpu(IDX:x)\n".utf8)),
        ]
        for answer in cases {
            let collector = SlurmCollector(
                poller: SlurmPoller(
                    runner: CannedRunner(answers: Self.answers(scontrol: answer)), sacctWindow: nil, now: { 0 }))
            let output = collect(collector)
            #expect(!output.metrics.families.contains { $0.name == "slurm_job_gpu_info" })
            let issue = output.issues.first { $0.path == SlurmCommand.scontrolJobDetail.description }
            #expect(issue != nil, "\(output.issues)")
            if case .success = answer {
                #expect(
                    issue?.message.contains("invalid_value: line 1, column 18: at GRES") == true,
                    "\(issue?.message ?? "")")
            }
            let errors = output.metrics.families.first { $0.name == "slurm_command_errors_total" }?.samples.first {
                $0.labels == ["command": "scontrol"]
            }
            #expect(errors?.value == 1)
        }
    }
}
