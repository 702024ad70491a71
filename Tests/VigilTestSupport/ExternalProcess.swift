import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Real peers for tests, shared by every test target that runs processes: the built `vigil` binary, promtool, node_exporter.
public enum ExternalTools {
    public static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// The executable's full path on PATH, or nil.
    public static func path(of tool: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A tool test runs when the tool is installed, and always in CI (where a missing tool is a failure).
    public static func shouldRun(_ tool: String) -> Bool { isCI || path(of: tool) != nil }

    /// The `vigil` binary SwiftPM built beside this test bundle.
    public static var vigilBinary: String {
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        return bundle.appendingPathComponent("vigil").path
    }

    /// A TCP port that was free a moment ago on 127.0.0.1.
    public static func freePort() -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// GET `url`, returning the body; `accept` sets the Accept header.
    public static func get(_ url: String, accept: String? = nil) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        if let accept { request.headers.add(name: "Accept", value: accept) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        guard response.status == .ok else { throw TestFailure("GET \(url): HTTP \(response.status.code)") }
        return Array(try await response.body.collect(upTo: 64 << 20).readableBytesView)
    }

    /// Runs a command to completion with `input` on stdin; returns exit status and combined output.
    public static func run(_ executable: String, _ arguments: [String], input: [UInt8] = []) throws -> (
        status: Int32, output: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vigil-test-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        defer { try? FileManager.default.removeItem(at: output) }
        process.standardInput = stdin
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        stdin.fileHandleForWriting.write(Data(input))
        try stdin.fileHandleForWriting.close()
        let status = waitForExit(process)
        try handle.close()
        return (status, String(decoding: (try? Data(contentsOf: output)) ?? Data(), as: UTF8.self))
    }

    /// Waits for `process` to exit and returns its exit status (or the signal that ended it).
    ///
    /// Reaps the child itself with `waitpid` rather than trusting `Process.waitUntilExit` alone: in the
    /// test runner, where threads block signals, Foundation can miss a child's SIGCHLD and then waits
    /// for ever on a child that has long exited (seen with a script that starts daemons in the background).
    public static func waitForExit(_ process: Process) -> Int32 {
        let pid = process.processIdentifier
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                let signal = status & 0x7f
                return signal == 0 ? (status >> 8) & 0xff : signal
            }
            if reaped == -1 && errno != EINTR {
                // Foundation reaped it first: its status is the one to read.
                process.waitUntilExit()
                return process.terminationStatus
            }
            usleep(10_000)
        }
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A long-running child process (an agent, an exporter) whose output goes to a file we can poll.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    public let logPath: String

    public init(_ executable: String, _ arguments: [String]) throws {
        logPath =
            FileManager.default.temporaryDirectory.appendingPathComponent("vigil-child-\(UUID().uuidString).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until the log contains `text` (or the process exits, or 60 s pass).
    public func waitForLog(containing text: String) async throws -> String {
        for _ in 0..<600 {
            let current = log
            if current.contains(text) { return current }
            if !process.isRunning { throw TestFailure("process exited with \(process.terminationStatus):\n\(current)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("timed out waiting for \"\(text)\" in:\n\(log)")
    }

    /// Waits until `url` answers 200.
    public func waitForHTTP(_ url: String) async throws {
        for _ in 0..<600 {
            if (try? await ExternalTools.get(url)) != nil { return }
            if !process.isRunning { throw TestFailure("process exited with \(process.terminationStatus):\n\(log)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("timed out waiting for \(url):\n\(log)")
    }

    /// SIGTERM, then SIGKILL after 5 s: a child started from a test thread can inherit a signal mask
    /// that blocks SIGTERM (Python's http.server then never exits).
    public func stop() {
        if process.isRunning {
            process.terminate()
            for _ in 0..<50 where process.isRunning { usleep(100_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            _ = ExternalTools.waitForExit(process)
        }
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// Starts `vigil agent` on a free port and returns it with its base URL.
    /// `launcher` runs the agent through another command, e.g. setpriv to drop to another user.
    public static func agent(_ extraArguments: [String] = [], launcher: [String] = []) async throws -> (
        ChildProcess, String
    ) {
        let command = launcher + [ExternalTools.vigilBinary, "agent", "--listen", "127.0.0.1:0"] + extraArguments
        let child = try ChildProcess(command[0], Array(command.dropFirst()))
        let log = try await child.waitForLog(containing: "/metrics")
        // The listen address is the one before /metrics (a --slurm-restd URL is logged earlier).
        guard let range = log.range(of: #"http://127\.0\.0\.1:\d+(?=/metrics)"#, options: .regularExpression) else {
            child.stop()
            throw TestFailure("no listen address in agent output:\n\(log)")
        }
        return (child, String(log[range]))
    }
}
