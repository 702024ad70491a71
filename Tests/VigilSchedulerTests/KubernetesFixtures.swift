import Foundation
import Testing

/// The recorded API objects under ../shared/fixtures/k8s, found relative to the package root.
enum KubernetesFixtures {
    static let root: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/fixtures/k8s")

    static var available: Bool { FileManager.default.fileExists(atPath: root.path) }

    static let skipMessage: Comment = "../shared/fixtures/k8s is absent: Kubernetes fixture tests skipped"

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(relativePath)))
    }

    /// The fixture as a JSON object, to derive variants from real objects.
    static func json(_ relativePath: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(try bytes(relativePath))) as? [String: Any] ?? [:]
    }

    static func encode(_ object: Any) throws -> [UInt8] {
        [UInt8](try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    /// The JSON files of `pods/` or `nodes/`, as paths relative to ``root``; empty when the tree is absent.
    static func files(_ folder: String) -> [String] {
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { "\(folder)/\($0)" }
    }
}
