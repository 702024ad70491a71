import ArgumentParser
import Foundation
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

    @Option(
        name: .customLong("slurm-restd"),
        help: ArgumentHelp(
            "Collect Slurm's jobs, nodes and scheduler health from slurmrestd at this URL instead of the commands "
                + "(a JWT from --slurm-jwt-file or $SLURM_JWT; --slurm-timeout limits each request).",
            valueName: "url"))
    var restd: String?

    @Option(
        name: .customLong("slurm-jwt-file"),
        help: ArgumentHelp(
            "With --slurm-restd: a file holding the JWT (`scontrol token`), read again on every request; "
                + "default: $SLURM_JWT.",
            valueName: "path"))
    var jwtFile: String?

    @Option(
        name: .customLong("slurm-user"),
        help: ArgumentHelp(
            "With --slurm-restd: the Slurm user the JWT belongs to (X-SLURM-USER-NAME); default: $USER.",
            valueName: "name"))
    var user: String?

    /// `--slurm-user`, else `$USER`.
    var resolvedUser: String { user ?? ProcessInfo.processInfo.environment["USER"] ?? "" }

    /// Whether a JWT is at hand: `--slurm-jwt-file`, else `$SLURM_JWT` (`SlurmRESTToken.resolve` reads
    /// the same two).
    var hasToken: Bool {
        jwtFile?.isEmpty == false || ProcessInfo.processInfo.environment["SLURM_JWT"]?.isEmpty == false
    }

    /// The per-command limit (``validate()`` has checked it parses).
    var timeout: Duration { PrometheusDuration.duration(timeoutText) ?? .seconds(5) }

    var sacctWindow: String? { sacctWindowText == "off" ? nil : sacctWindowText }

    func validate() throws {
        guard let timeout = PrometheusDuration.duration(timeoutText), timeout > .zero else {
            throw ValidationError(
                "--slurm-timeout '\(timeoutText)' is not a positive duration; write e.g. 5s or 1500ms")
        }
        if let restd {
            if slurm {
                throw ValidationError("--slurm runs Slurm's commands and --slurm-restd asks slurmrestd: choose one")
            }
            guard let url = URL(string: restd), url.scheme == "http" || url.scheme == "https", url.host != nil
            else {
                throw ValidationError(
                    "--slurm-restd '\(restd)' is not an http:// or https:// URL (e.g. http://slurmctld:6820)")
            }
            if !hasToken {
                throw ValidationError(
                    "--slurm-restd needs a JWT: --slurm-jwt-file PATH or $SLURM_JWT (from `scontrol token username=USER`)"
                )
            }
            if let jwtFile, !FileManager.default.isReadableFile(atPath: jwtFile) {
                throw ValidationError("--slurm-jwt-file '\(jwtFile)' is not a readable file")
            }
            if resolvedUser.isEmpty {
                throw ValidationError(
                    "--slurm-restd needs the Slurm user the JWT belongs to: --slurm-user NAME or $USER")
            }
        } else if jwtFile != nil || user != nil {
            throw ValidationError("--slurm-jwt-file and --slurm-user go with --slurm-restd URL")
        }
        guard !sacctWindowText.isEmpty, !sacctWindowText.contains(where: \.isWhitespace) else {
            throw ValidationError("--slurm-sacct-window must be a Slurm time such as now-1hours, or off")
        }
    }
}
