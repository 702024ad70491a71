import Foundation
import Testing

/// Compares rendered text with `Snapshots/<name>` beside this file (read through `#filePath`, not as a
/// resource). A missing snapshot, or `VIGIL_RECORD_SNAPSHOTS=1` in the environment, writes it instead and
/// fails the test, so a new snapshot is always looked at before it is trusted.
func expectSnapshot(_ actual: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Snapshots").appendingPathComponent(name)
    let record = ProcessInfo.processInfo.environment["VIGIL_RECORD_SNAPSHOTS"] == "1"
    if !record, let expected = try? String(contentsOf: file, encoding: .utf8) {
        if expected != actual {
            let line = firstDifferentLine(expected, actual)
            Issue.record(
                """
                \(name) differs from the snapshot at line \(line.number):
                  snapshot: \(line.expected)
                  rendered: \(line.actual)
                rerun with VIGIL_RECORD_SNAPSHOTS=1 to accept the change (and review it)
                """, sourceLocation: sourceLocation)
        }
        return
    }
    do {
        try actual.write(to: file, atomically: true, encoding: .utf8)
        Issue.record(
            "recorded snapshot \(file.path); review it and run the tests again", sourceLocation: sourceLocation)
    } catch {
        Issue.record("cannot write snapshot \(file.path): \(error)", sourceLocation: sourceLocation)
    }
}

private func firstDifferentLine(_ a: String, _ b: String) -> (number: Int, expected: String, actual: String) {
    let left = a.split(separator: "\n", omittingEmptySubsequences: false)
    let right = b.split(separator: "\n", omittingEmptySubsequences: false)
    for index in 0..<max(left.count, right.count) {
        let l = index < left.count ? String(left[index]) : "<end>"
        let r = index < right.count ? String(right[index]) : "<end>"
        if l != r { return (index + 1, String(l.prefix(300)), String(r.prefix(300))) }
    }
    return (0, "", "")
}
