/// A label matcher of a PromQL selector: `name="v"`, `name!="v"`, `name=~"re"`, `name!~"re"`.
///
/// Regular expressions are fully anchored, as in Prometheus (`=~"foo"` matches only "foo", not
/// "foobar"), and an absent label matches as the empty string.
public struct LabelMatcher: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case equal = "="
        case notEqual = "!="
        case regexMatch = "=~"
        case regexNoMatch = "!~"
    }

    public let kind: Kind
    public let name: String
    public let value: String
    private let regex: AnchoredRegex?

    /// Throws ``LabelMatcherError`` when a regex matcher's value is not a valid regular expression.
    public init(_ kind: Kind, _ name: String, _ value: String) throws(LabelMatcherError) {
        self.kind = kind
        self.name = name
        self.value = value
        switch kind {
        case .equal, .notEqual:
            regex = nil
        case .regexMatch, .regexNoMatch:
            guard let compiled = AnchoredRegex(value) else {
                throw LabelMatcherError(
                    message: "invalid regular expression \"\(value)\" in matcher for label \"\(name)\"")
            }
            regex = compiled
        }
    }

    /// Whether a label value (the empty string for an absent label) satisfies the matcher.
    public func matches(_ labelValue: String) -> Bool {
        switch kind {
        case .equal: labelValue == value
        case .notEqual: labelValue != value
        case .regexMatch: regex!.matches(labelValue)
        case .regexNoMatch: !regex!.matches(labelValue)
        }
    }

    /// Whether a whole label set satisfies the matcher.
    public func matches(_ labels: Labels) -> Bool {
        matches(labels[name] ?? "")
    }

    /// True when the matcher also matches the empty string (so series without the label match).
    public var matchesEmpty: Bool { matches("") }

    public var description: String { "\(name)\(kind.rawValue)\"\(escapeLabelValue(value))\"" }

    public static func == (lhs: LabelMatcher, rhs: LabelMatcher) -> Bool {
        lhs.kind == rhs.kind && lhs.name == rhs.name && lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(name)
        hasher.combine(value)
    }
}

public struct LabelMatcherError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// A regular expression matched against the whole string, with a fast path for literals and
/// alternations of literals (`a|b|c`) and for `.*`, which are most of what dashboards send.
struct AnchoredRegex: @unchecked Sendable {
    // Regex is immutable once compiled; @unchecked because Regex<AnyRegexOutput> is not Sendable.
    private let regex: Regex<AnyRegexOutput>?
    private let literals: Set<String>?
    private let matchesAnything: Bool

    init?(_ pattern: String) {
        matchesAnything = pattern == ".*"
        if let alternatives = Self.literalAlternatives(pattern) {
            literals = alternatives
            regex = nil
            return
        }
        literals = nil
        if matchesAnything {
            regex = nil
            return
        }
        // Prometheus's `.` matches newlines in 3.x: (?s).
        guard let compiled = try? Regex("(?s)^(?:" + pattern + ")$") else { return nil }
        regex = compiled
    }

    func matches(_ value: String) -> Bool {
        if matchesAnything { return true }
        if let literals { return literals.contains(value) }
        guard let regex else { return false }
        return (try? regex.wholeMatch(in: value)) != nil
    }

    /// `foo`, `foo|bar` with no regex metacharacters → the set of literal alternatives.
    static func literalAlternatives(_ pattern: String) -> Set<String>? {
        let meta: Set<Character> = ["\\", ".", "+", "*", "?", "(", ")", "[", "]", "{", "}", "^", "$"]
        guard !pattern.contains(where: { meta.contains($0) }) else { return nil }
        return Set(pattern.split(separator: "|", omittingEmptySubsequences: false).map(String.init))
    }
}
