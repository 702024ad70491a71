import ArgumentParser
import VigilModel

/// Slurm flags shared by `agent` and `server`.
struct SlurmOptions: ParsableArguments {
    @Flag(
        help:
            "Collect Slurm's jobs, nodes and scheduler health through squeue, sinfo, sacct (needs slurmdbd) and sdiag."
    )
    var slurm = false

    @Option(
        name: .customLong("slurm-timeout"),
        help: ArgumentHelp(
            "With --slurm: the limit for each Slurm command; one past it is killed.", valueName: "duration"))
    var timeoutText = "5s"

    @Option(
        name: .customLong("slurm-sacct-window"),
        help: ArgumentHelp(
            "With --slurm: how far back sacct lists finished jobs (Slurm's time syntax), or 'off' to not run sacct.",
            valueName: "start"))
    var sacctWindowText = "now-1hours"

    /// The per-command limit (``validate()`` has checked it parses).
    var timeout: Duration { PrometheusDuration.duration(timeoutText) ?? .seconds(5) }

    var sacctWindow: String? { sacctWindowText == "off" ? nil : sacctWindowText }

    func validate() throws {
        guard let timeout = PrometheusDuration.duration(timeoutText), timeout > .zero else {
            throw ValidationError(
                "--slurm-timeout '\(timeoutText)' is not a positive duration; write e.g. 5s or 1500ms")
        }
        guard !sacctWindowText.isEmpty, !sacctWindowText.contains(where: \.isWhitespace) else {
            throw ValidationError("--slurm-sacct-window must be a Slurm time such as now-1hours, or off")
        }
    }
}
