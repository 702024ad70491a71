import VigilModel

extension Postings {
    /// Ascending ids of the series matching every matcher (none for no matchers), as Prometheus's
    /// `PostingsForMatchers`: matchers that reject the empty string intersect the postings of the values
    /// they accept; matchers that accept it subtract the postings of the values they reject, so that
    /// series without the label stay in. Regex shapes that need no regex (`.*`, `.+`, `a|b|c`, a literal
    /// prefix) are answered from the index directly.
    ///
    /// - Parameters:
    ///   - postings: label name → label value → ascending ids (only the names the matchers use are read).
    ///   - all: every id, ascending.
    @inlinable
    public static func matching<ID: FixedWidthInteger>(
        _ matchers: [LabelMatcher], postings: [String: [String: [ID]]], all: [ID]
    ) -> [ID] {
        guard !matchers.isEmpty else { return [] }
        var intersecting: [[ID]] = []
        var subtracting: [[ID]] = []
        for matcher in matchers {
            let values = postings[matcher.name] ?? [:]
            switch MatcherShape(matcher) {
            case .everything:
                continue
            case .anyValue:
                // `=~".+"`: every series that has the label; `!~".+"`: every series without it.
                let list = unionOfDisjoint(Array(values.values))
                if matcher.kind == .regexMatch {
                    if list.isEmpty { return [] }
                    intersecting.append(list)
                } else {
                    subtracting.append(list)
                }
                continue
            case .literals(let literals) where !matcher.matchesEmpty && matcher.kind == .regexMatch:
                // An alternation of literals: look each one up instead of testing every value.
                let list = unionOfDisjoint(literals.compactMap { values[$0] })
                if list.isEmpty { return [] }
                intersecting.append(list)
                continue
            default:
                break
            }
            if matcher.matchesEmpty {
                if matcher.kind == .notEqual {
                    if let list = values[matcher.value] { subtracting.append(list) }
                } else {
                    subtracting.append(unionOfDisjoint(values.compactMap { matcher.matches($0.key) ? nil : $0.value }))
                }
            } else if matcher.kind == .equal {
                guard let list = values[matcher.value] else { return [] }
                intersecting.append(list)
            } else {
                let prefix = MatcherShape.literalPrefix(of: matcher)
                let list = unionOfDisjoint(
                    values.compactMap { entry -> [ID]? in
                        if let prefix, !entry.key.hasPrefix(prefix) { return nil }
                        return matcher.matches(entry.key) ? entry.value : nil
                    })
                if list.isEmpty { return [] }
                intersecting.append(list)
            }
        }
        var result: [ID]
        if intersecting.isEmpty {
            result = all
        } else {
            intersecting.sort { $0.count < $1.count }
            result = intersecting[0]
            for list in intersecting.dropFirst() where !result.isEmpty {
                result = intersect(result, list)
            }
        }
        for list in subtracting where !result.isEmpty {
            result = subtract(result, list)
        }
        return result
    }
}

/// Regex shapes an index answers without running the regex, as Prometheus's `FastRegexMatcher`.
public enum MatcherShape: Sendable, Equatable {
    /// `=~".*"`: no restriction at all.
    case everything
    /// `=~".+"` or `!~".+"`: whether the label is present.
    case anyValue
    /// `a|b|c`: a set of literal values.
    case literals([String])
    case other

    public init(_ matcher: LabelMatcher) {
        guard matcher.kind == .regexMatch || matcher.kind == .regexNoMatch else {
            self = .other
            return
        }
        if matcher.value == ".*" {
            self = matcher.kind == .regexMatch ? .everything : .other
        } else if matcher.value == ".+" {
            self = .anyValue
        } else if let literals = Self.literalAlternatives(matcher.value) {
            self = .literals(literals)
        } else {
            self = .other
        }
    }

    static let metacharacters: Set<Character> = [
        "\\", ".", "+", "*", "?", "(", ")", "[", "]", "{", "}", "^", "$", "|",
    ]

    static func literalAlternatives(_ pattern: String) -> [String]? {
        guard !pattern.contains(where: { $0 != "|" && metacharacters.contains($0) }) else { return nil }
        return pattern.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    }

    /// The literal text a regex matcher's value must start with (`foo.*` → `foo`), when it has one and no
    /// top-level alternation could bypass it.
    public static func literalPrefix(of matcher: LabelMatcher) -> String? {
        guard matcher.kind == .regexMatch, !matcher.value.contains("|") else { return nil }
        var prefix = ""
        for character in matcher.value {
            if metacharacters.contains(character) { break }
            prefix.append(character)
        }
        // A quantifier right after the prefix applies to its last character (`ab?` does not need "ab").
        if let next = matcher.value.dropFirst(prefix.count).first, "*?{".contains(next) {
            prefix = String(prefix.dropLast())
        }
        return prefix.isEmpty ? nil : prefix
    }
}

extension SelectHints {
    /// The time window a `select` covers: the querier's range, narrowed (never widened) by the hints;
    /// nil when it is empty.
    public static func window(mint: Int64, maxt: Int64, hints: SelectHints?) -> ClosedRange<Int64>? {
        var low = mint
        var high = maxt
        if let hints {
            low = max(low, hints.start)
            high = min(high, hints.end)
        }
        return low <= high ? low...high : nil
    }
}
