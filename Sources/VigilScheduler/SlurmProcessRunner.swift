import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs Slurm's commands as child processes, each bounded by a timeout.
///
/// Output goes to temporary files rather than pipes, so a command that prints megabytes of JSON never
/// blocks on a full pipe, and a killed command's children (which keep the files open) can't hang the
/// read. A command past its timeout gets SIGTERM, then SIGKILL a second later.
public struct SlurmProcessRunner: SlurmCommandRunner {
    /// Directories searched for a command given by name; `PATH` by default.
    public var searchPath: [String]

    public init(searchPath: [String]? = nil) {
        self.searchPath =
            searchPath
            ?? (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
            .map(String.init)
    }

    /// The executable's full path, or nil when it is not installed.
    public func resolve(_ executable: String) -> String? {
        if executable.contains("/") {
            return FileManager.default.isExecutableFile(atPath: executable) ? executable : nil
        }
        return searchPath.lazy.map { "\($0)/\(executable)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public func run(_ command: SlurmCommand, timeout: Duration) throws(SchedulerError) -> [UInt8] {
        guard let path = resolve(command.executable) else {
            throw SchedulerError(
                .commandNotFound,
                "\(command.executable) is not installed (not found on PATH): install Slurm's client commands "
                    + "(Debian: slurm-client) or run without --slurm")
        }
        let directory = FileManager.default.temporaryDirectory
        let token = UUID().uuidString
        let stdoutURL = directory.appendingPathComponent("vigil-slurm-\(token).out")
        let stderrURL = directory.appendingPathComponent("vigil-slurm-\(token).err")
        defer {
            try? FileManager.default.removeItem(at: stdoutURL)
            try? FileManager.default.removeItem(at: stderrURL)
        }
        let process = Process()
        let finished = DispatchSemaphore(value: 0)
        do {
            _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
            _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
            let stdout = try FileHandle(forWritingTo: stdoutURL)
            let stderr = try FileHandle(forWritingTo: stderrURL)
            defer {
                try? stdout.close()
                try? stderr.close()
            }
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = command.arguments
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = stdout
            process.standardError = stderr
            process.terminationHandler = { _ in finished.signal() }
            try process.run()
        } catch {
            throw SchedulerError(.commandFailed, "\(command): could not start: \(error.localizedDescription)")
        }
        if finished.wait(timeout: .now() + Self.dispatchInterval(timeout)) == .timedOut {
            process.terminate()
            if finished.wait(timeout: .now() + .seconds(1)) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                finished.wait()
            }
            throw SchedulerError(
                .commandTimedOut,
                "\(command): no answer within \(Self.format(timeout)); killed. Is slurmctld reachable? "
                    + "(`scontrol ping`)")
        }
        let output = (try? Data(contentsOf: stdoutURL)).map { [UInt8]($0) } ?? []
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let errorText = String(decoding: (try? Data(contentsOf: stderrURL)) ?? Data(), as: UTF8.self)
            let firstLine =
                errorText.split(whereSeparator: \.isNewline).first.map { String($0.prefix(300)) } ?? "no output"
            let status =
                process.terminationReason == .exit
                ? "exit status \(process.terminationStatus)" : "killed by signal \(process.terminationStatus)"
            throw SchedulerError(.commandFailed, "\(command): \(status): \(firstLine)")
        }
        return output
    }

    static func dispatchInterval(_ duration: Duration) -> DispatchTimeInterval {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(Int(clamping: seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
    }

    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
