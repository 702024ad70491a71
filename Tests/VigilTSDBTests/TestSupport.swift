import Foundation
import VigilModel
import VigilStorage
import VigilStorageTestSupport

/// A fresh directory under the system's temporary directory, removed with everything in it at the end.
final class TemporaryDirectory {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.path + "/vigil-tsdb-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The WAL segment files, ascending.
    var segments: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path + "/wal")) ?? []
        return names.filter { $0.count == 8 && $0.allSatisfy(\.isNumber) }.sorted().map { path + "/wal/" + $0 }
    }
}

/// File helpers for damaging WAL segments.
enum TestFile {
    static func read(_ path: String) -> [UInt8] {
        Array(FileManager.default.contents(atPath: path) ?? Data())
    }

    static func write(_ path: String, _ bytes: [UInt8]) {
        try! Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}
