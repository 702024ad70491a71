/// Prometheus's `parser.Prettify`, what `/api/v1/format_query` returns: an expression whose one-line form
/// is longer than 100 bytes is split over lines, its children indented by two spaces per level —
/// aggregations and calls open a parenthesis on the first line, binary operators stand on a line of
/// their own between their operands. Shorter expressions print as ``description``.
extension Expr {
    public var prettyPrinted: String { prettyPrinted(maxLineLength: 100) }

    /// Prettified with another line limit (Prometheus's `maxCharactersPerLine`; its tests use 10).
    public func prettyPrinted(maxLineLength: Int) -> String { pretty(level: 0, limit: maxLineLength) }

    private static func indent(_ level: Int) -> String { String(repeating: "  ", count: level) }

    private func pretty(level: Int, limit: Int) -> String {
        let needsSplit = description.utf8.count > limit
        let indent = Self.indent(level)
        switch self {
        case .numberLiteral, .stringLiteral, .vectorSelector, .matrixSelector:
            return indent + description
        case .subquery(let node):
            // As Prometheus: an unsplit subquery is not indented.
            guard needsSplit else { return description }
            return node.expr.pretty(level: level, limit: limit) + node.suffix
        case .unary(let node):
            let child = node.expr.pretty(level: level, limit: limit).trimmingSpaces()
            return indent + node.op.rawValue + child
        case .paren(let node):
            guard needsSplit else { return indent + description }
            return indent + "(\n" + node.expr.pretty(level: level + 1, limit: limit) + "\n" + indent + ")"
        case .call(let node):
            guard needsSplit else { return indent + description }
            let arguments = node.args.map { $0.pretty(level: level + 1, limit: limit) }.joined(separator: ",\n")
            return indent + node.function.name + "(\n" + arguments + "\n" + indent + ")"
        case .aggregate(let node):
            guard needsSplit else { return indent + description }
            var out = indent + node.prefix + "\n"
            if node.op.takesParameter, let param = node.param {
                out += param.pretty(level: level + 1, limit: limit) + ",\n"
            }
            return out + node.expr.pretty(level: level + 1, limit: limit) + "\n" + indent + ")"
        case .binary(let node):
            guard needsSplit else { return indent + description }
            let op = node.operatorText.trimmingSpaces()
            return node.lhs.pretty(level: level + 1, limit: limit) + "\n" + indent + op + "\n"
                + node.rhs.pretty(level: level + 1, limit: limit)
        }
    }
}

extension String {
    /// Go's `strings.TrimSpace` for the ASCII spaces and newlines the printer writes.
    fileprivate func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
