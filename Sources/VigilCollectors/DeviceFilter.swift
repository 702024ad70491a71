/// A name filter from an exclude regular expression, anchored like Go's `regexp.MatchString` is not:
/// node_exporter's patterns carry their own `^…$`, and this matches anywhere as Go does.
public struct DeviceFilter: @unchecked Sendable {
    // Regex values are immutable once built; @unchecked because Regex<AnyRegexOutput> is not Sendable.
    private let regex: Regex<AnyRegexOutput>?
    public let pattern: String

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
        return (try? regex.firstMatch(in: name)) != nil
    }
}
