import Foundation
import VigilScheduler

/// Where the JWT for `X-SLURM-USER-TOKEN` comes from: a file read on every request (so a token
/// rotated by `scontrol token` on disk is picked up without a restart), or a fixed value (`$SLURM_JWT`).
public enum SlurmRESTToken: Sendable, Equatable {
    /// `--slurm-jwt-file PATH`: the file's content, surrounding whitespace removed.
    case file(String)
    /// The token itself (from `$SLURM_JWT`).
    case value(String)

    /// `--slurm-jwt-file` when given, else `$SLURM_JWT` from `environment`; nil when neither is set.
    public static func resolve(file: String?, environment: [String: String]) -> SlurmRESTToken? {
        if let file, !file.isEmpty { return .file(file) }
        if let token = environment["SLURM_JWT"], !token.isEmpty { return .value(token) }
        return nil
    }

    /// Where the token came from, for error messages (never the token itself).
    public var origin: String {
        switch self {
        case .file(let path): "--slurm-jwt-file \(path)"
        case .value: "$SLURM_JWT"
        }
    }

    /// The token to send.
    public func current() throws(SchedulerError) -> String {
        switch self {
        case .value(let token):
            return token
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SchedulerError(
                    .badConfiguration,
                    "cannot read the Slurm JWT file \(path) (--slurm-jwt-file); make one with "
                        + "`scontrol token username=USER lifespan=SECONDS` and save the part after SLURM_JWT=")
            }
            var token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if token.hasPrefix("SLURM_JWT=") { token.removeFirst("SLURM_JWT=".count) }
            guard !token.isEmpty else {
                throw SchedulerError(.badConfiguration, "the Slurm JWT file \(path) (--slurm-jwt-file) is empty")
            }
            return token
        }
    }
}
