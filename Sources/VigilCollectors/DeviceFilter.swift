import Synchronization

/// A name filter from an exclude regular expression, matched anywhere in the name as Go's
/// `regexp.MatchString` does (node_exporter's patterns carry their own `^…$`).
///
/// Device and mount names repeat on every collection, so verdicts are memoised: the regex runs once
/// per new name.
public final class DeviceFilter: Sendable {
    // Regex<AnyRegexOutput> is not Sendable; it is immutable after init and only used under the lock.
    private nonisolated(unsafe) let regex: Regex<AnyRegexOutput>?
    private let verdicts = Mutex<[String: Bool]>([:])
    public let pattern: String
    private static let maximumMemoised = 4096

    /// nil when `pattern` is not a valid regular expression.
    public init?(exclude pattern: String) {
        self.pattern = pattern
        if pattern.isEmpty {
            regex = nil
        } else {
            guard let regex = try? Regex(pattern) else { return nil }
            self.regex = regex
        }
    }

    /// A filter that excludes nothing.
    public static let none = DeviceFilter(exclude: "")!

    public func excludes(_ name: String) -> Bool {
        guard let regex else { return false }
        return verdicts.withLock { verdicts in
            if let verdict = verdicts[name] { return verdict }
            let verdict = (try? regex.firstMatch(in: name)) != nil
            if verdicts.count >= Self.maximumMemoised { verdicts.removeAll(keepingCapacity: true) }
            verdicts[name] = verdict
            return verdict
        }
    }
}
