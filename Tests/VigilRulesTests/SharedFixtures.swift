#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `../shared` beside the package root, where the conformance files and fixtures live; nil when absent.
enum SharedFixtures {
    static let root: String? = {
        // Resolved, so that a package that links these sources from elsewhere still finds the checkout.
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let shared = url.deletingLastPathComponent().appendingPathComponent("shared").path
        return FileManager.default.fileExists(atPath: shared) ? shared : nil
    }()

    static let promtool: String? = root.map { $0 + "/conformance/promtool" }

    static let skipMessage = "../shared is absent beside the package root: shared conformance files not checked"
}
