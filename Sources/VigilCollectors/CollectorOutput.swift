import VigilModel

/// What one collector run produces: metrics, and the issues that made it skip some of them.
///
/// File access goes through here so that every failure is recorded the same way.
public struct CollectorOutput: Sendable {
    public let paths: HostPaths
    public var metrics = MetricSet()
    public var issues: [CollectorIssue] = []

    public init(paths: HostPaths) {
        self.paths = paths
    }

    /// Records an issue for `path`.
    public mutating func report(_ path: String, _ message: String) {
        issues.append(CollectorIssue(path: path, message: message))
    }

    /// The file's text, or nil with an issue recorded when it can't be read.
    mutating func readText(_ path: String) -> String? {
        do {
            return try HostFile.readText(path)
        } catch {
            issues.append(error)
            return nil
        }
    }

    /// The file's text; nil without an issue when the file does not exist (an optional kernel feature),
    /// nil with an issue on any other failure.
    mutating func readOptionalText(_ path: String) -> String? {
        do {
            return try HostFile.readText(path)
        } catch  where error.isMissingFile {
            return nil
        } catch {
            issues.append(error)
            return nil
        }
    }

    /// The text of the first of `paths` that exists; an issue for the last one when none does and the
    /// file is required, none when it is optional.
    mutating func readFirstText(of paths: [String], optional: Bool = false) -> (path: String, text: String)? {
        for path in paths.dropLast() {
            if let text = try? HostFile.readText(path) { return (path, text) }
        }
        guard let last = paths.last, let text = optional ? readOptionalText(last) : readText(last) else { return nil }
        return (last, text)
    }

    /// The entries of a directory, sorted; empty without an issue when it does not exist.
    mutating func listOptionalDirectory(_ path: String) -> [String] {
        do {
            return try HostFile.listDirectory(path)
        } catch  where error.isMissingFile {
            return []
        } catch {
            issues.append(error)
            return []
        }
    }
}
