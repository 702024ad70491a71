import VigilModel
import VigilStorage

/// The head's series lookup and inverted index, behind the head's index lock.
///
/// Series are found by the label set's ``Labels/stableHash``; a bucket holds every series with that hash,
/// told apart by their full labels, so two label sets whose hashes collide are still two series.
struct HeadIndex: ~Copyable {
    /// label-set hash → the series with that hash (almost always one).
    var buckets: [UInt64: [HeadSeries]] = [:]
    /// series ref → series.
    var series: [UInt64: HeadSeries] = [:]
    /// label name → label value → ascending series refs.
    var postings: [String: [String: [UInt64]]] = [:]
    /// Every ref, ascending.
    var allRefs: [UInt64] = []
    var nextRef: UInt64 = 1

    func lookup(_ labels: Labels, hash: UInt64) -> HeadSeries? {
        guard let bucket = buckets[hash] else { return nil }
        for candidate in bucket where candidate.labels == labels { return candidate }
        return nil
    }

    /// Adds a series under `ref` (a new one, or one replayed from the WAL with its old ref).
    mutating func add(_ labels: Labels, hash: UInt64, ref: UInt64) -> HeadSeries {
        let created = HeadSeries(ref: ref, labels: labels)
        buckets[hash, default: []].append(created)
        series[ref] = created
        nextRef = Swift.max(nextRef, ref &+ 1)
        Postings.insert(ref, into: &allRefs)
        for label in labels {
            Postings.insert(ref, into: &postings[label.name, default: [:]][label.value, default: []])
        }
        return created
    }

    /// The postings the matchers need, copied out (copy-on-write, so in constant time) to be evaluated
    /// after the index lock is released: regexes over many label values never hold up appends.
    func postingsView(for matchers: [LabelMatcher]) -> HeadPostingsView {
        var subset: [String: [String: [UInt64]]] = [:]
        for matcher in matchers where subset[matcher.name] == nil {
            subset[matcher.name] = postings[matcher.name] ?? [:]
        }
        return HeadPostingsView(postings: subset, allRefs: allRefs)
    }

    /// Regex shapes the index answers without running the regex, as Prometheus's `FastRegexMatcher`.
    enum MatcherShape {
        /// `=~".*"`: no restriction at all.
        case everything
        /// `=~".+"` or `!~".+"`: whether the label is present.
        case anyValue
        /// `a|b|c`: a set of literal values.
        case literals([String])
        case other
    }

    static func shape(of matcher: LabelMatcher) -> MatcherShape {
        guard matcher.kind == .regexMatch || matcher.kind == .regexNoMatch else { return .other }
        if matcher.value == ".*" { return matcher.kind == .regexMatch ? .everything : .other }
        if matcher.value == ".+" { return .anyValue }
        if let literals = literalAlternatives(matcher.value) { return .literals(literals) }
        return .other
    }

    static let metacharacters: Set<Character> = ["\\", ".", "+", "*", "?", "(", ")", "[", "]", "{", "}", "^", "$", "|"]

    static func literalAlternatives(_ pattern: String) -> [String]? {
        let meta = metacharacters.subtracting(["|"])
        guard !pattern.contains(where: { meta.contains($0) }) else { return nil }
        return pattern.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    }

    /// The literal text a regex matcher's value must start with (`foo.*` → `foo`), when it has one and no
    /// top-level alternation could bypass it.
    static func literalPrefix(of matcher: LabelMatcher) -> String? {
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

/// The postings of a few label names, detached from the index, and the list of all refs.
struct HeadPostingsView {
    let postings: [String: [String: [UInt64]]]
    let allRefs: [UInt64]

    /// Ascending refs of the series matching every matcher (none for no matchers), as Prometheus's
    /// `PostingsForMatchers`: matchers that reject the empty string intersect the postings of the values
    /// they accept; matchers that accept it subtract the postings of the values they reject, so that
    /// series without the label stay in.
    func matchingRefs(_ matchers: [LabelMatcher]) -> [UInt64] {
        guard !matchers.isEmpty else { return [] }
        var intersecting: [[UInt64]] = []
        var subtracting: [[UInt64]] = []
        for matcher in matchers {
            let values = postings[matcher.name] ?? [:]
            switch HeadIndex.shape(of: matcher) {
            case .everything:
                continue
            case .anyValue:
                // `=~".+"`: every series that has the label; `!~".+"`: every series without it.
                let list = Postings.unionOfDisjoint(Array(values.values))
                if matcher.kind == .regexMatch {
                    if list.isEmpty { return [] }
                    intersecting.append(list)
                } else {
                    subtracting.append(list)
                }
                continue
            case .literals(let literals) where !matcher.matchesEmpty && matcher.kind == .regexMatch:
                // An alternation of literals: look each one up instead of testing every value.
                let list = Postings.unionOfDisjoint(literals.compactMap { values[$0] })
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
                    subtracting.append(
                        Postings.unionOfDisjoint(values.compactMap { matcher.matches($0.key) ? nil : $0.value }))
                }
            } else if matcher.kind == .equal {
                guard let list = values[matcher.value] else { return [] }
                intersecting.append(list)
            } else {
                let prefix = HeadIndex.literalPrefix(of: matcher)
                let list = Postings.unionOfDisjoint(
                    values.compactMap { entry -> [UInt64]? in
                        if let prefix, !entry.key.hasPrefix(prefix) { return nil }
                        return matcher.matches(entry.key) ? entry.value : nil
                    })
                if list.isEmpty { return [] }
                intersecting.append(list)
            }
        }
        var result: [UInt64]
        if intersecting.isEmpty {
            result = allRefs
        } else {
            intersecting.sort { $0.count < $1.count }
            result = intersecting[0]
            for list in intersecting.dropFirst() where !result.isEmpty {
                result = Postings.intersect(result, list)
            }
        }
        for list in subtracting where !result.isEmpty {
            result = Postings.subtract(result, list)
        }
        return result
    }
}
