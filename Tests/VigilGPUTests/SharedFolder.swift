import Foundation

/// ../shared beside the checkout: fixtures read in place at run time, never copied into the repository.
enum SharedFolder {
    /// From this file's real location (symbolic links resolved, so a package that links it in finds the same folder).
    static let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")

    static var available: Bool { FileManager.default.fileExists(atPath: root.path) }

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }
}
