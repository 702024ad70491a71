import VigilModel

extension PromQLParser {
    /// Parses a series selector as Prometheus's `parser.ParseMetricSelector` does for the API's `match[]`
    /// parameters: a metric name, label matchers in braces, or both, and nothing else.
    ///
    /// Unlike ``parse(_:)`` this does not insist on a matcher that rejects the empty string; the API checks
    /// that itself, with its own message. Anything after the selector is `unexpected`, as in Prometheus:
    /// `up + 1` fails with `1:4: parse error: unexpected <op:+>`.
    public func parseMetricSelector(_ selector: String) throws(PromQLError) -> [LabelMatcher] {
        let input = Array(selector.utf8)
        let lexed = Lexer.tokenize(input)
        if let stray = Self.firstTokenOutsideSelector(lexed.tokens) {
            throw PromQLError.parse("unexpected " + stray.describe(in: input), at: stray.range, in: input)
        }
        var parser = ExpressionParser(input: input, tokens: lexed, options: options)
        let tree = try parser.parseQuery()
        guard case .vectorSelector(let vectorSelector) = tree else {
            throw PromQLError.parse("unexpected " + lexed.tokens[0].describe(in: input), at: tree.position, in: input)
        }
        return vectorSelector.matchers
    }

    /// The first token that cannot belong to `name`, `name{…}` or `{…}`; nil when the tokens fit that shape or
    /// end early (a lexer error, or input ending inside the braces), which the expression parser then reports.
    private static func firstTokenOutsideSelector(_ tokens: [Token]) -> Token? {
        var index = 0
        switch tokens[0].kind {
        case .identifier, .metricIdentifier:
            index = 1
            if tokens[index].kind != .leftBrace {
                return tokens[index].kind == .eof || tokens[index].kind == .error ? nil : tokens[index]
            }
        case .leftBrace: break
        case .error: return nil
        default: return tokens[0]
        }
        // tokens[index] is `{`: the selector ends at the first `}`.
        while index < tokens.count, tokens[index].kind != .rightBrace {
            if tokens[index].kind == .eof || tokens[index].kind == .error { return nil }
            index += 1
        }
        guard index + 1 < tokens.count else { return nil }
        let next = tokens[index + 1]
        return next.kind == .eof || next.kind == .error ? nil : next
    }
}
