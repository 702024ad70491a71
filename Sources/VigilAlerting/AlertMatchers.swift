import VigilModel

/// Alertmanager's matcher syntax (`pkg/labels/parse.go`): `severity="critical"`, `team=~"gpu|infra"`,
/// unquoted values (`a=b`), and lists `{a="b",c!="d"}`.
public enum AlertMatchers {
    /// Parses a comma-separated list of matchers, optionally in braces.
    public static func parseList(_ text: String) throws(AlertingError) -> [LabelMatcher] {
        var body = Substring(text)
        if body.hasPrefix("{") { body = body.dropFirst() }
        if body.hasSuffix("}") { body = body.dropLast() }
        var tokens: [String] = []
        var token = ""
        var insideQuotes = false
        var escaped = false
        for character in body {
            switch character {
            case "," where !insideQuotes:
                tokens.append(token)
                token = ""
                continue
            case "\"":
                if !escaped { insideQuotes.toggle() } else { escaped = false }
            case "\\":
                escaped.toggle()
            default:
                escaped = false
            }
            token.append(character)
        }
        let last = token.trimmingSpaces
        if !last.isEmpty { tokens.append(last) }
        var matchers: [LabelMatcher] = []
        for token in tokens { matchers.append(try parse(token)) }
        return matchers
    }

    /// Parses one matcher.
    public static func parse(_ text: String) throws(AlertingError) -> LabelMatcher {
        let bad = AlertingError(.matcher, "bad matcher format: \(text)")
        var rest = Substring(text).drop { $0 == " " || $0 == "\t" || $0 == "\n" }
        guard let first = rest.first, first.isASCII, first.isLetter || first == "_" || first == ":" else { throw bad }
        let name = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
        rest = rest.dropFirst(name.count).drop { $0 == " " || $0 == "\t" }
        let kind: LabelMatcher.Kind
        if rest.hasPrefix("=~") {
            kind = .regexMatch
        } else if rest.hasPrefix("!=") {
            kind = .notEqual
        } else if rest.hasPrefix("!~") {
            kind = .regexNoMatch
        } else if rest.hasPrefix("=") {
            kind = .equal
        } else {
            throw bad
        }
        rest = rest.dropFirst(kind.rawValue.count).drop { $0 == " " || $0 == "\t" || $0 == "\n" }
        let raw = String(rest).trimmingSpaces
        var valueText = Substring(raw)
        var expectTrailingQuote = false
        if valueText.hasPrefix("\"") {
            valueText = valueText.dropFirst()
            expectTrailingQuote = true
        }
        var value = ""
        var escaped = false
        var index = valueText.startIndex
        while index < valueText.endIndex {
            let character = valueText[index]
            let isLast = valueText.index(after: index) == valueText.endIndex
            defer { index = valueText.index(after: index) }
            if escaped {
                escaped = false
                switch character {
                case "n": value.append("\n")
                case "\"", "\\": value.append(character)
                default:
                    value.append("\\")
                    value.append(character)
                }
                continue
            }
            switch character {
            case "\\":
                if !isLast {
                    escaped = true
                } else {
                    value.append("\\")
                }
            case "\"":
                if !expectTrailingQuote || !isLast {
                    throw AlertingError(.matcher, "matcher value contains unescaped double quote: \(raw)")
                }
                expectTrailingQuote = false
            default:
                value.append(character)
            }
        }
        if expectTrailingQuote {
            throw AlertingError(.matcher, "matcher value contains unescaped double quote: \(raw)")
        }
        do {
            return try LabelMatcher(kind, String(name), value)
        } catch {
            throw AlertingError(.matcher, error.message)
        }
    }

    /// Alertmanager's `Matchers.String()`: `{a="b",c=~"d"}` with Go's `%q` quoting.
    public static func format(_ matchers: [LabelMatcher]) -> String {
        "{" + matchers.map(format).joined(separator: ",") + "}"
    }

    /// Alertmanager's `Matcher.String()`: `name="value"` with Go's `%q` quoting.
    public static func format(_ matcher: LabelMatcher) -> String {
        matcher.name + matcher.kind.rawValue + GoQuote.quote(matcher.value)
    }

    /// Alertmanager's matcher order (`labels.Matchers.Less`): by name, then value, then type.
    static func sorted(_ matchers: [LabelMatcher]) -> [LabelMatcher] {
        let order: [LabelMatcher.Kind: Int] = [.equal: 0, .notEqual: 1, .regexMatch: 2, .regexNoMatch: 3]
        return matchers.sorted {
            if $0.name != $1.name { return $0.name < $1.name }
            if $0.value != $1.value { return $0.value < $1.value }
            return order[$0.kind, default: 0] < order[$1.kind, default: 0]
        }
    }
}

extension String {
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }

    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
