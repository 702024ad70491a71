import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

// A copy of the process helpers in Tests/VigilAgentTests/ExternalProcess.swift (the parts these tests need),
// until the test targets share a support module.

/// Real peers for tests: Debian's prometheus.
enum ExternalTools {
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// The executable's full path on PATH, or nil.
    static func path(of tool: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A tool test runs when the tool is installed, and always in CI (where a missing tool is a failure).
    static func shouldRun(_ tool: String) -> Bool { isCI || path(of: tool) != nil }

    /// A TCP port that was free a moment ago on 127.0.0.1.
    static func freePort() -> Int {
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

    /// GET `url`, returning the body.
    static func get(_ url: String) async throws -> [UInt8] {
        let request = HTTPClientRequest(url: url)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        guard response.status == .ok else { throw TestFailure("GET \(url): HTTP \(response.status.code)") }
        return Array(try await response.body.collect(upTo: 64 << 20).readableBytesView)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A long-running child process whose output goes to a file.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let logPath: String

    init(_ executable: String, _ arguments: [String]) throws {
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

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until `url` answers 200.
    func waitForHTTP(_ url: String) async throws {
        for _ in 0..<600 {
            if (try? await ExternalTools.get(url)) != nil { return }
            if !process.isRunning { throw TestFailure("process exited with \(process.terminationStatus):\n\(log)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("timed out waiting for \(url):\n\(log)")
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
