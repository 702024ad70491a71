/// A PromQL expression: the syntax tree the parser produces, type-checked as Prometheus checks it.
///
/// Every node is a value and carries the byte range of the query text it came from. ``description`` prints the
/// canonical form Prometheus prints (`sum by (job) (rate(x[5m]))`), which parses back to the same tree.
///
/// Trees are as deep as the query is nested (long operator chains included); the parser bounds the depth
/// (``PromQLParser/Options-swift.struct/maxNestingDepth``), and code that recurses over a tree keeps its frames
/// small: switches that only dispatch, with the work in helpers.
public indirect enum Expr: Sendable {
    case numberLiteral(NumberLiteral)
    case stringLiteral(StringLiteral)
    case vectorSelector(VectorSelector)
    case matrixSelector(MatrixSelector)
    case subquery(SubqueryExpr)
    case call(Call)
    case aggregate(AggregateExpr)
    case binary(BinaryExpr)
    case unary(UnaryExpr)
    case paren(ParenExpr)

    /// The type the expression evaluates to, as Prometheus's `Expr.Type()` computes it from the tree's shape.
    public var type: ValueType {
        var node = self
        // Parentheses and unary operators pass their operand's type through.
        while true {
            switch node {
            case .numberLiteral: return .scalar
            case .stringLiteral: return .string
            case .vectorSelector, .aggregate: return .vector
            case .matrixSelector, .subquery: return .matrix
            case .call(let call): return call.function.returnType
            case .binary(let binary): return binary.type
            case .unary(let unary): node = unary.expr
            case .paren(let paren): node = paren.expr
            }
        }
    }

    /// The byte range of the query text the expression was parsed from.
    public var position: PositionRange {
        switch self {
        case .numberLiteral(let node): node.position
        case .stringLiteral(let node): node.position
        case .vectorSelector(let node): node.position
        case .matrixSelector(let node): node.position
        case .subquery(let node): node.position
        case .call(let node): node.position
        case .aggregate(let node): node.position
        case .binary(let node): node.position
        case .unary(let node): node.position
        case .paren(let node): node.position
        }
    }

    /// The direct sub-expressions, in the order Prometheus's `Children` lists them.
    public var children: [Expr] {
        switch self {
        case .numberLiteral, .stringLiteral, .vectorSelector: []
        case .matrixSelector(let node): [.vectorSelector(node.vectorSelector)]
        case .subquery(let node): [node.expr]
        case .call(let node): node.args
        case .aggregate(let node): node.param.map { [node.expr, $0] } ?? [node.expr]
        case .binary(let node): [node.lhs, node.rhs]
        case .unary(let node): [node.expr]
        case .paren(let node): [node.expr]
        }
    }
}

// Equality and hashing by hand, so that recursion through them dispatches in small frames.
extension Expr: Hashable {
    public static func == (lhs: Expr, rhs: Expr) -> Bool {
        switch lhs {
        case .numberLiteral: equalNumbers(lhs, rhs)
        case .stringLiteral: equalStrings(lhs, rhs)
        case .vectorSelector: equalSelectors(lhs, rhs)
        case .matrixSelector: equalMatrices(lhs, rhs)
        case .subquery: equalSubqueries(lhs, rhs)
        case .call: equalCalls(lhs, rhs)
        case .aggregate: equalAggregates(lhs, rhs)
        case .binary: equalBinaries(lhs, rhs)
        case .unary: equalUnaries(lhs, rhs)
        case .paren: equalParens(lhs, rhs)
        }
    }

    @inline(never) private static func equalNumbers(_ lhs: Expr, _ rhs: Expr) -> Bool {
        guard case .numberLiteral(let a) = lhs, case .numberLiteral(let b) = rhs else { return false }
        return a == b
    }

    @inline(never) private static func equalStrings(_ lhs: Expr, _ rhs: Expr) -> Bool {
        guard case .stringLiteral(let a) = lhs, case .stringLiteral(let b) = rhs else { return false }
        return a == b
    }

    @inline(never) private static func equalSelectors(_ lhs: Expr, _ rhs: Expr) -> Bool {
        guard case .vectorSelector(let a) = lhs, case .vectorSelector(let b) = rhs else { return false }
        return a == b
    }

    @inline(never) private static func equalMatrices(_ lhs: Expr, _ rhs: Expr) -> Bool {
        guard case .matrixSelector(let a) = lhs, case .matrixSelector(let b) = rhs else { return false }
        return a == b
    }

    @inline(never) private static func equalSubqueries(_ lhs: Expr, _ rhs: Expr) -> Bool {
        guard case .subquery(let a) = lhs, case .subquery(let b) = rhs else { return false }
        return a == b
    }

    @inline(never) private static func equalCalls(_ lhs: Expr, _ rhs: Expr) -> Bool {
        guard case .call(let a) = lhs, case .call(let b) = rhs else { return false }
        return a == b
    }

    @inline(never) private static func equalAggregates(_ lhs: Expr, _ rhs: Expr) -> Bool {
        guard case .aggregate(let a) = lhs, case .aggregate(let b) = rhs else { return false }
        return a == b
    }

    @inline(never) private static func equalBinaries(_ lhs: Expr, _ rhs: Expr) -> Bool {
        guard case .binary(let a) = lhs, case .binary(let b) = rhs else { return false }
        return a.op == b.op && a.returnBool == b.returnBool && a.matching == b.matching && a.position == b.position
            && a.lhs == b.lhs && a.rhs == b.rhs
    }

    @inline(never) private static func equalUnaries(_ lhs: Expr, _ rhs: Expr) -> Bool {
        guard case .unary(let a) = lhs, case .unary(let b) = rhs else { return false }
        return a.op == b.op && a.position == b.position && a.expr == b.expr
    }

    @inline(never) private static func equalParens(_ lhs: Expr, _ rhs: Expr) -> Bool {
        guard case .paren(let a) = lhs, case .paren(let b) = rhs else { return false }
        return a.position == b.position && a.expr == b.expr
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .numberLiteral, .stringLiteral, .vectorSelector, .matrixSelector: hashLeaf(into: &hasher)
        case .subquery, .call, .aggregate: hashComposite(into: &hasher)
        case .binary, .unary, .paren: hashOperator(into: &hasher)
        }
    }

    @inline(never) private func hashLeaf(into hasher: inout Hasher) {
        switch self {
        case .numberLiteral(let node): hasher.combine(node)
        case .stringLiteral(let node): hasher.combine(node)
        case .vectorSelector(let node): hasher.combine(node)
        case .matrixSelector(let node): hasher.combine(node)
        default: break
        }
    }

    @inline(never) private func hashComposite(into hasher: inout Hasher) {
        switch self {
        case .subquery(let node): hasher.combine(node)
        case .call(let node): hasher.combine(node)
        case .aggregate(let node): hasher.combine(node)
        default: break
        }
    }

    @inline(never) private func hashOperator(into hasher: inout Hasher) {
        switch self {
        case .binary(let node):
            hasher.combine(node.op)
            hasher.combine(node.lhs)
            hasher.combine(node.rhs)
        case .unary(let node):
            hasher.combine(node.op)
            hasher.combine(node.expr)
        case .paren(let node):
            hasher.combine(0 as UInt8)
            hasher.combine(node.expr)
        default: break
        }
    }
}

/// A byte range `start..<end` in the query text (UTF-8 offsets, as Prometheus counts them).
public struct PositionRange: Sendable, Hashable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    public static let zero = PositionRange(start: 0, end: 0)

    public var description: String { "\(start)..<\(end)" }
}

/// The four types a PromQL expression can evaluate to (and `none`, which no valid expression has).
public enum ValueType: String, Sendable, Hashable, CaseIterable {
    case none
    case scalar
    case vector
    case matrix
    case string

    /// The name Prometheus's error messages use: "instant vector", "range vector", "scalar", "string".
    public var documentedName: String {
        switch self {
        case .vector: "instant vector"
        case .matrix: "range vector"
        default: rawValue
        }
    }
}
