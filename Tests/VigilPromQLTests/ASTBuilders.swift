import VigilModel
import VigilPromQL

// Terse constructors for expected trees, positions included, in the style of Prometheus's parse_test.go.

let second: Int64 = 1000
let minute: Int64 = 60 * second
let hour: Int64 = 60 * minute
let day: Int64 = 24 * hour
let week: Int64 = 7 * day
let year: Int64 = 365 * day

func range(_ start: Int, _ end: Int) -> PositionRange { PositionRange(start: start, end: end) }

func num(_ value: Double, _ start: Int, _ end: Int) -> Expr {
    .numberLiteral(NumberLiteral(value, position: range(start, end)))
}

/// A number written as a duration (`5m`).
func dur(_ seconds: Double, _ start: Int, _ end: Int) -> Expr {
    .numberLiteral(NumberLiteral(seconds, isDuration: true, position: range(start, end)))
}

func str(_ value: String, _ start: Int, _ end: Int) -> Expr {
    .stringLiteral(StringLiteral(value, position: range(start, end)))
}

func strBytes(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Expr {
    .stringLiteral(StringLiteral(bytes: bytes, position: range(start, end)))
}

func matcher(_ kind: LabelMatcher.Kind, _ name: String, _ value: String) -> LabelMatcher {
    // swift-format-ignore: NeverUseForceTry
    try! LabelMatcher(kind, name, value)
}

func eq(_ name: String, _ value: String) -> LabelMatcher { matcher(.equal, name, value) }

/// A selector as the parser builds it: a name written outside the braces is also the last matcher.
func vs(
    _ name: String?, _ matchers: [LabelMatcher], _ start: Int, _ end: Int, offset: Int64 = 0,
    at: AtModifier? = nil, bypass: Bool = false
) -> VectorSelector {
    VectorSelector(
        name: name, matchers: matchers + (name.map { [eq("__name__", $0)] } ?? []), offsetMilliseconds: offset,
        at: at, position: range(start, end), bypassEmptyMatcherCheck: bypass)
}

func sel(
    _ name: String?, _ matchers: [LabelMatcher], _ start: Int, _ end: Int, offset: Int64 = 0,
    at: AtModifier? = nil
) -> Expr {
    .vectorSelector(vs(name, matchers, start, end, offset: offset, at: at))
}

func matrix(_ selector: VectorSelector, _ rangeMilliseconds: Int64, end: Int) -> Expr {
    .matrixSelector(MatrixSelector(vectorSelector: selector, rangeMilliseconds: rangeMilliseconds, endPosition: end))
}

func subquery(
    _ expr: Expr, _ rangeMilliseconds: Int64, step: Int64 = 0, offset: Int64 = 0, at: AtModifier? = nil, end: Int
) -> Expr {
    .subquery(
        SubqueryExpr(
            expr: expr, rangeMilliseconds: rangeMilliseconds, stepMilliseconds: step, offsetMilliseconds: offset,
            at: at, endPosition: end))
}

func bin(_ op: BinaryOp, _ lhs: Expr, _ rhs: Expr, bool: Bool = false, _ matching: VectorMatching? = nil) -> Expr {
    .binary(BinaryExpr(op, lhs: lhs, rhs: rhs, returnBool: bool, matching: matching))
}

func card(
    _ cardinality: VectorMatching.Cardinality, on: Bool = false, _ labels: [String] = [], include: [String] = []
) -> VectorMatching {
    VectorMatching(cardinality: cardinality, matchingLabels: labels, on: on, include: include)
}

func call(_ name: String, _ args: [Expr], _ start: Int, _ end: Int) -> Expr {
    .call(Call(Function.named(name)!, args: args, position: range(start, end)))
}

func agg(
    _ op: AggregationOp, _ expr: Expr, param: Expr? = nil, by grouping: [String] = [], without: Bool = false,
    _ start: Int, _ end: Int
) -> Expr {
    .aggregate(
        AggregateExpr(op, expr: expr, param: param, grouping: grouping, without: without, position: range(start, end)))
}

func paren(_ expr: Expr, _ start: Int, _ end: Int) -> Expr { .paren(ParenExpr(expr, position: range(start, end))) }

func unary(_ op: UnaryExpr.Operator, _ expr: Expr, _ start: Int) -> Expr {
    .unary(UnaryExpr(op, expr, startPosition: start))
}

func vs(_ name: String?, _ start: Int, _ end: Int, offset: Int64 = 0, at: AtModifier? = nil) -> VectorSelector {
    vs(name, [], start, end, offset: offset, at: at)
}

func sel(_ name: String?, _ start: Int, _ end: Int, offset: Int64 = 0, at: AtModifier? = nil) -> Expr {
    sel(name, [], start, end, offset: offset, at: at)
}
