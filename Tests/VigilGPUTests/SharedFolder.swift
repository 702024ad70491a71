import Foundation

/// ../shared beside the checkout: fixtures read in place at run time, never copied into the repository.
enum SharedFolder {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")

    static var available: Bool { FileManager.default.fileExists(atPath: root.path) }

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }
}
