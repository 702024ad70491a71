import Foundation
import Testing

/// The captured Slurm output under ../shared/fixtures/slurm, found relative to the package root.
enum SlurmFixtures {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/fixtures/slurm")

    static var available: Bool { FileManager.default.fileExists(atPath: root.path) }

    static let skipMessage: Comment = "../shared/fixtures/slurm is absent: Slurm fixture tests skipped"

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(relativePath)))
    }

    static func text(_ relativePath: String) throws -> String {
        String(decoding: try bytes(relativePath), as: UTF8.self)
    }

    /// Every file in the fixture tree whose name matches, as paths relative to ``root``.
    static func files(where matches: (String) -> Bool) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
        return walker.compactMap { $0 as? String }.filter { matches(($0 as NSString).lastPathComponent) }.sorted()
    }
}
