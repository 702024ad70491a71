/// One Slurm client command Vigil runs: the executable, looked up on `PATH`, and its arguments.
public struct SlurmCommand: Sendable, Hashable, CustomStringConvertible {
    /// The executable's name (`squeue`) or path.
    public var executable: String
    public var arguments: [String]

    public init(_ executable: String, _ arguments: [String] = []) {
        self.executable = executable
        self.arguments = arguments
    }

    /// The command line as a person would type it.
    public var description: String { ([executable] + arguments).joined(separator: " ") }

    /// The executable's last path component: the `command` label of the health metrics.
    public var name: String { String(executable.split(separator: "/").last ?? Substring(executable)) }

    /// Every job of every user, finished ones included (`--states=all`, which 22.05 and 24.11 both
    /// accept; without it 24.11 leaves out jobs that already ended).
    public static let squeue = SlurmCommand("squeue", ["--all", "--states=all", "--json"])
    /// Nodes with their states, CPUs, memory and GRES.
    public static let sinfo = SlurmCommand("sinfo", ["--json"])
    /// Scheduler statistics as JSON (24.11; 22.05 answers "unrecognized option").
    public static let sdiagJSON = SlurmCommand("sdiag", ["--json"])
    /// Scheduler statistics as text (every version).
    public static let sdiagText = SlurmCommand("sdiag")

    /// The finished states `sacct --state` selects by, every one Slurm ends a job in.
    public static let finishedStates =
        "BOOT_FAIL,CANCELLED,COMPLETED,DEADLINE,FAILED,NODE_FAIL,OUT_OF_MEMORY,PREEMPTED,TIMEOUT"

    /// Jobs that ended since `start` (Slurm's time syntax, e.g. `now-1hours`), from slurmdbd.
    ///
    /// `--state` with `--endtime` selects by the time a job *ended* in one of ``finishedStates``;
    /// `--starttime` alone selects jobs that were eligible or ran in the window and so leaves out a job
    /// cancelled while it was held (never eligible), as the real 22.05 showed.
    public static func sacct(since start: String) -> SlurmCommand {
        SlurmCommand("sacct", ["--json", "--allusers"] + window(since: start))
    }

    /// The same jobs' states and exit codes as `|`-separated text: right where 22.05's `sacct --json`
    /// writes exit code 0 for a job that exited non-zero.
    public static func sacctText(since start: String) -> SlurmCommand {
        SlurmCommand("sacct", ["-P", "--allusers"] + window(since: start) + ["--format=JobID,State,ExitCode"])
    }

    static func window(since start: String) -> [String] {
        ["--starttime=\(start)", "--endtime=now", "--state=\(finishedStates)"]
    }

    /// Every job with its per-node detail (`Nodes=gpu01 … GRES=gpu:h100:8(IDX:0-7)`), one line a job.
    public static let scontrolJobDetail = SlurmCommand("scontrol", ["-d", "show", "job", "-o"])
}

/// Runs Slurm's client commands. ``SlurmProcessRunner`` starts real processes; tests pass canned output.
public protocol SlurmCommandRunner: Sendable {
    /// The command's standard output.
    ///
    /// - Throws: ``SchedulerError`` `command_not_found` when it is not installed, `command_failed` when
    ///   it can't start or exits non-zero (the message carries its first line of standard error), and
    ///   `command_timeout` when it runs past `timeout` (it is then killed).
    func run(_ command: SlurmCommand, timeout: Duration) throws(SchedulerError) -> [UInt8]
}
