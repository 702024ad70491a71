import Testing
import VigilScheduler

/// The real runner against ordinary programs standing in for Slurm's (sh, sleep, head).
@Suite("SlurmProcessRunner: real processes with a timeout")
struct SlurmProcessRunnerTests {
    let runner = SlurmProcessRunner()

    @Test("standard output comes back whole, however large")
    func output() throws {
        let bytes = try runner.run(SlurmCommand("sh", ["-c", "head -c 300000 /dev/zero; echo"]), timeout: .seconds(30))
        #expect(bytes.count == 300_001)
    }

    @Test("a non-zero exit is command_failed with the status and the first line of standard error")
    func failure() {
        #expect {
            try runner.run(
                SlurmCommand("sh", ["-c", "echo 'Slurm accounting storage is disabled' >&2; exit 3"]),
                timeout: .seconds(30))
        } throws: { error in
            guard let error = error as? SchedulerError else { return false }
            return error.code == .commandFailed && error.message.contains("exit status 3")
                && error.message.contains("Slurm accounting storage is disabled")
        }
    }

    @Test("a missing command is command_not_found, naming it")
    func missing() {
        #expect {
            try runner.run(SlurmCommand("vigil-no-such-squeue", ["--json"]), timeout: .seconds(30))
        } throws: { error in
            (error as? SchedulerError)?.code == .commandNotFound
                && (error as? SchedulerError)?.message.contains("vigil-no-such-squeue") == true
        }
    }

    @Test("a hanging command is killed at its timeout: command_timeout")
    func hanging() {
        // The assertion is on the outcome, not on time: sleep 600 would otherwise never return in a test run.
        #expect {
            try runner.run(SlurmCommand("sleep", ["600"]), timeout: .milliseconds(200))
        } throws: { error in
            (error as? SchedulerError)?.code == .commandTimedOut
                && (error as? SchedulerError)?.message.contains("sleep 600") == true
        }
    }

    @Test("a command that ignores SIGTERM is killed all the same")
    func ignoresTerm() {
        #expect {
            try runner.run(
                SlurmCommand("sh", ["-c", "trap '' TERM; while :; do sleep 1; done"]), timeout: .milliseconds(200))
        } throws: { error in
            (error as? SchedulerError)?.code == .commandTimedOut
        }
    }
}
