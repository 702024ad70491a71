import Foundation
import Glibc
import Testing
import VigilAlerting
import VigilModel
import VigilTestSupport

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// `../shared/conformance/alertmanager`, or nil (with a message) when the shared folder is absent.
func alertmanagerConformanceDirectory() -> URL? {
    let directory = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance/alertmanager")
    guard FileManager.default.fileExists(atPath: directory.path) else {
        print("skipping: \(directory.path) is absent (the shared conformance data sits beside the repository)")
        return nil
    }
    return directory
}

/// Whether a test that needs `tool` runs; prints why not when it does not.
func requireTool(_ tool: String) -> Bool {
    if ExternalTools.shouldRun(tool) { return true }
    print("skipping: \(tool) is not installed (CI=true makes this a failure)")
    return false
}

/// A temporary directory for one test.
struct ScratchDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-receivers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    var path: String { url.path }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Polls `condition` until it holds or `seconds` pass (for external processes only).
func waitUntil(seconds: Int = 30, _ condition: () throws -> Bool) async throws -> Bool {
    for _ in 0..<(seconds * 20) {
        if try condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try condition()
}

/// A notification like the one in sample-webhook-payload-am0.25.json.
func sampleNotification(startsAt: Date) -> NotificationData {
    let labels: Labels = ["alertname": "Raw", "cluster": "c9", "severity": "info"]
    let alert = NotificationAlert(
        status: .firing, labels: labels, annotations: ["summary": "s"], startsAt: startsAt, endsAt: nil,
        generatorURL: "http://x/y", fingerprint: "aa55782260705ed9")
    return NotificationData(
        receiver: "default", status: .firing, alerts: [alert], groupLabels: ["alertname": "Raw", "cluster": "c9"],
        commonLabels: labels, commonAnnotations: ["summary": "s"], externalURL: "http://vm:9093",
        groupKey: "{}:{alertname=\"Raw\", cluster=\"c9\"}")
}

/// 2026-11-29T15:10:37.341706Z: the sample's start time at the microsecond precision `Date` carries.
let sampleStart = Date(timeIntervalSince1970: 1_795_965_037.341706)

/// The sample payload with its start time at microsecond precision (Alertmanager printed
/// `.34170579`; a `Date` holds about a microsecond, so Vigil prints `.341706`).
func samplePayloadBytes(_ directory: URL) throws -> [UInt8] {
    let text = try String(
        contentsOf: directory.appendingPathComponent("sample-webhook-payload-am0.25.json"), encoding: .utf8)
    #expect(text.contains("2026-11-29T15:10:37.34170579Z"))
    return Array(
        text.replacingOccurrences(of: "2026-11-29T15:10:37.34170579Z", with: "2026-11-29T15:10:37.341706Z").utf8)
}

/// Stops a child with SIGKILL: the test runner's threads block SIGTERM, and Python inherits the mask,
/// so `ChildProcess.stop()` (SIGTERM, then wait) would wait for ever on a Python child.
func kill(_ child: ChildProcess) {
    if child.process.isRunning {
        Glibc.kill(child.process.processIdentifier, SIGKILL)
        child.process.waitUntilExit()
    }
    try? FileManager.default.removeItem(atPath: child.logPath)
}
