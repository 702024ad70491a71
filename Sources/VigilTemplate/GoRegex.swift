import VigilModel

/// Go's `regexp` as template functions use it: unanchored `MatchString` and `ReplaceAllString`, whose
/// replacement expands `$1`, `${name}` with ``RegexTemplate`` (Go's `Regexp.Expand`). Patterns are RE2
/// syntax compiled by Swift Regex, matching Unicode scalars as RE2 matches code points.
struct GoRegex {
    private let regex: Regex<AnyRegexOutput>

    init(_ pattern: String) throws(TemplateError) {
        do {
            regex = try Regex(pattern).matchingSemantics(.unicodeScalar)
        } catch {
            throw TemplateError(
                "error parsing regexp: invalid regular expression \(GoFormatter.quote(pattern))")
        }
    }

    /// `regexp.MatchString`: whether the pattern matches anywhere in `text`.
    func matches(_ text: String) -> Bool {
        (try? regex.firstMatch(in: text)) != nil
    }

    /// `Regexp.ReplaceAllString`: every non-overlapping match replaced by the expanded template; an empty
    /// match right after a previous match is left alone, as in Go.
    func replaceAll(in text: String, with replacement: String) -> String {
        var out = ""
        var copied = text.startIndex
        var lastMatchEnd: String.Index?
        for match in text.matches(of: regex) {
            let range = match.range
            if range.isEmpty, let lastMatchEnd, range.lowerBound == lastMatchEnd { continue }
            out += text[copied..<range.lowerBound]
            out += RegexTemplate.expand(replacement) { reference in
                switch reference {
                case .number(let number):
                    guard number < match.output.count else { return "" }
                    return match.output[number].substring.map(String.init) ?? ""
                case .name(let name):
                    return match.output[name]?.substring.map(String.init) ?? ""
                }
            }
            copied = range.upperBound
            lastMatchEnd = range.upperBound
        }
        out += text[copied...]
        return out
    }
}
