import VigilModel
import VigilPromQL

/// The tree with every position zeroed and selector matchers in printed order: what printing a tree and parsing
/// the text again must preserve.
func canonical(_ expr: Expr) -> Expr {
    switch expr {
    case .numberLiteral(var node):
        node.position = .zero
        return .numberLiteral(node)
    case .stringLiteral(var node):
        node.position = .zero
        return .stringLiteral(node)
    case .vectorSelector(let node):
        return .vectorSelector(canonical(node))
    case .matrixSelector(var node):
        node.vectorSelector = canonical(node.vectorSelector)
        node.endPosition = 0
        return .matrixSelector(node)
    case .subquery(let node):
        return .subquery(
            SubqueryExpr(
                expr: canonical(node.expr), rangeMilliseconds: node.rangeMilliseconds,
                stepMilliseconds: node.stepMilliseconds, offsetMilliseconds: node.offsetMilliseconds, at: node.at))
    case .call(var node):
        node.args = node.args.map(canonical)
        node.position = .zero
        return .call(node)
    case .aggregate(var node):
        node.expr = canonical(node.expr)
        node.param = node.param.map(canonical)
        node.position = .zero
        return .aggregate(node)
    case .binary(let node):
        return .binary(
            BinaryExpr(
                node.op, lhs: canonical(node.lhs), rhs: canonical(node.rhs), returnBool: node.returnBool,
                matching: node.matching))
    case .unary(let node):
        return .unary(UnaryExpr(node.op, canonical(node.expr)))
    case .paren(var node):
        node.expr = canonical(node.expr)
        node.position = .zero
        return .paren(node)
    }
}

private func canonical(_ selector: VectorSelector) -> VectorSelector {
    var selector = selector
    selector.position = .zero
    selector.matchers.sort { $0.description.utf8.lexicographicallyPrecedes($1.description.utf8) }
    return selector
}
