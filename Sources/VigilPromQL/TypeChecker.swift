import VigilModel

/// Prometheus's `checkAST`: the type rules of PromQL, checked after a successful parse in the same order, so the
/// first error reported is the one Prometheus reports.
///
/// It also settles what Prometheus settles there: vector matching is dropped unless both operands are instant
/// vectors, and the second argument of `info()` may match the empty string.
struct TypeChecker {
    let input: [UInt8]

    @inline(never)
    private func error(_ message: String, _ range: PositionRange) -> PromQLError {
        .parse(message, at: range, in: input)
    }

    /// Checks a tree and returns it as Prometheus leaves it after checking. The switch only dispatches, so that
    /// recursion costs little stack per level.
    func check(_ expr: Expr) throws(PromQLError) -> Expr {
        switch expr {
        case .numberLiteral, .stringLiteral: return expr
        case .vectorSelector, .matrixSelector: return try checkSelectorExpr(expr)
        case .paren: return try checkParen(expr)
        case .unary: return try checkUnary(expr)
        case .subquery: return try checkSubquery(expr)
        case .aggregate: return try checkAggregate(expr)
        case .call: return try checkCall(expr)
        case .binary: return try checkBinary(expr)
        }
    }

    @inline(never)
    private func checkSelectorExpr(_ expr: Expr) throws(PromQLError) -> Expr {
        switch expr {
        case .vectorSelector(let selector): try checkSelector(selector)
        case .matrixSelector(let matrix): try checkSelector(matrix.vectorSelector)
        default: break
        }
        return expr
    }

    @inline(never)
    private func checkParen(_ expr: Expr) throws(PromQLError) -> Expr {
        guard case .paren(let paren) = expr else { return expr }
        return .paren(ParenExpr(try check(paren.expr), position: paren.position))
    }

    @inline(never)
    private func checkUnary(_ expr: Expr) throws(PromQLError) -> Expr {
        guard case .unary(let unary) = expr else { return expr }
        let operand = try check(unary.expr)
        try validateUnary(operand, position: unary.position)
        return .unary(UnaryExpr(unary.op, operand, startPosition: unary.startPosition))
    }

    @inline(never)
    private func validateUnary(_ operand: Expr, position: PositionRange) throws(PromQLError) {
        let type = operand.type
        guard type == .scalar || type == .vector else {
            throw error(
                "unary expression only allowed on expressions of type scalar or instant vector, got "
                    + GoStrconv.quote(type.documentedName), position)
        }
    }

    @inline(never)
    private func checkSubquery(_ expr: Expr) throws(PromQLError) -> Expr {
        guard case .subquery(let subquery) = expr else { return expr }
        let inner = try check(subquery.expr)
        return .subquery(try validateSubquery(subquery, inner: inner))
    }

    @inline(never)
    private func validateSubquery(_ subquery: SubqueryExpr, inner: Expr) throws(PromQLError) -> SubqueryExpr {
        let type = inner.type
        guard type == .vector else {
            throw error("subquery is only allowed on instant vector, got \(type.rawValue) instead", subquery.position)
        }
        return SubqueryExpr(
            expr: inner, rangeMilliseconds: subquery.rangeMilliseconds, stepMilliseconds: subquery.stepMilliseconds,
            offsetMilliseconds: subquery.offsetMilliseconds, at: subquery.at, endPosition: subquery.endPosition)
    }

    @inline(never)
    private func checkAggregate(_ expr: Expr) throws(PromQLError) -> Expr {
        guard case .aggregate(var aggregate) = expr else { return expr }
        aggregate.expr = try check(aggregate.expr)
        try expect(aggregate.expr, .vector, in: "aggregation expression")
        if let wanted = aggregate.op.parameterType, let param = aggregate.param {
            aggregate.param = try check(param)
            try expect(aggregate.param!, wanted, in: "aggregation parameter")
        }
        return .aggregate(aggregate)
    }

    @inline(never)
    private func checkCall(_ expr: Expr) throws(PromQLError) -> Expr {
        guard case .call(let original) = expr else { return expr }
        var call = try validateArity(original)
        let declared = call.function.argTypes.count
        for index in call.args.indices {
            // Arguments past a fixed signature were already reported; variadic ones take the last type.
            if index >= declared && call.function.variadic == 0 { break }
            let checked = try check(call.args[index])
            try validateArgument(checked, of: call, at: index)
            call.args[index] = checked
        }
        return .call(call)
    }

    @inline(never)
    private func checkBinary(_ expr: Expr) throws(PromQLError) -> Expr {
        guard case .binary(let binary) = expr else { return expr }
        let lhs = try check(binary.lhs)
        let rhs = try check(binary.rhs)
        return .binary(try validateBinary(binary, lhs: lhs, rhs: rhs))
    }

    @inline(never)
    private func expect(_ expr: Expr, _ wanted: ValueType, in context: String) throws(PromQLError) {
        let type = expr.type
        if type != wanted {
            throw error(
                "expected type \(wanted.documentedName) in \(context), got \(type.documentedName)", expr.position)
        }
    }

    @inline(never)
    private func checkSelector(_ selector: VectorSelector) throws(PromQLError) {
        if let name = selector.name {
            // The last matcher is the name written outside the braces; another one for the name is a conflict.
            for matcher in selector.matchers.dropLast() where matcher.name == "__name__" {
                throw error(
                    "metric name must not be set twice: \(GoStrconv.quote(name)) or \(GoStrconv.quote(matcher.value))",
                    selector.position)
            }
            return
        }
        // At least one matcher must exclude the empty string, so a typo cannot select every series.
        if !selector.bypassEmptyMatcherCheck && !selector.matchers.contains(where: { !$0.matchesEmpty }) {
            throw error("vector selector must contain at least one non-empty matcher", selector.position)
        }
    }

    /// The argument count, and `info()`'s second argument; returns the call as checking leaves it.
    @inline(never)
    private func validateArity(_ original: Call) throws(PromQLError) -> Call {
        var call = original
        let function = call.function
        let name = GoStrconv.quote(function.name)
        let declared = function.argTypes.count
        if function.variadic == 0 {
            if declared != call.args.count {
                throw error(
                    "expected \(declared) argument(s) in call to \(name), got \(call.args.count)", call.position)
            }
        } else {
            let required = declared - 1
            if required > call.args.count {
                throw error(
                    "expected at least \(required) argument(s) in call to \(name), got \(call.args.count)",
                    call.position)
            }
            if function.variadic > 0 && required + function.variadic < call.args.count {
                throw error(
                    "expected at most \(required + function.variadic) argument(s) in call to \(name), "
                        + "got \(call.args.count)", call.position)
            }
        }
        if function.name == "info" && call.args.count > 1 {
            let labelSelector = call.args[1]
            if labelSelector.type != .vector {
                throw error(
                    "expected type instant vector in call to function \(name), got "
                        + labelSelector.type.documentedName, call.position)
            }
            guard case .vectorSelector(var selector) = labelSelector else {
                throw error("expected label selectors only", labelSelector.position)
            }
            if selector.name != nil {
                throw error("expected label selectors only, got vector selector instead", labelSelector.position)
            }
            selector.bypassEmptyMatcherCheck = true
            call.args[1] = .vectorSelector(selector)
        }
        return call
    }

    @inline(never)
    private func validateArgument(_ checked: Expr, of call: Call, at index: Int) throws(PromQLError) {
        let function = call.function
        let wanted = function.argTypes[min(index, function.argTypes.count - 1)]
        if checked.type != wanted {
            throw error(
                "expected type \(wanted.documentedName) in call to function \(GoStrconv.quote(function.name)), got "
                    + checked.type.documentedName, call.args[index].position)
        }
    }

    @inline(never)
    private func validateBinary(_ binary: BinaryExpr, lhs: Expr, rhs: Expr) throws(PromQLError) -> BinaryExpr {
        let leftType = lhs.type
        let rightType = rhs.type
        let op = binary.op
        var matching = binary.matching

        // The operator's own range: from the end of the left side to the start of the right, spaces trimmed.
        func operatorRange() -> PositionRange {
            var start = lhs.position.end
            while start < input.count && Self.isSpace(input[start]) { start += 1 }
            var end = rhs.position.start - 1
            while end > 0 && end < input.count && Self.isSpace(input[end]) { end -= 1 }
            return PositionRange(start: start, end: end)
        }

        if binary.returnBool && !op.isComparison {
            throw error("bool modifier can only be used on comparison operators", operatorRange())
        }
        if op.isComparison && !binary.returnBool && leftType == .scalar && rightType == .scalar {
            throw error("comparisons between scalars must use BOOL modifier", operatorRange())
        }
        if let matching = binary.matching, matching.on {
            for label in matching.matchingLabels where matching.include.contains(label) {
                throw error(
                    "label \(GoStrconv.quote(label)) must not occur in ON and GROUP clause at once", operatorRange())
            }
        }
        if leftType != .scalar && leftType != .vector {
            throw error("binary expression must contain only scalar and instant vector types", lhs.position)
        }
        if rightType != .scalar && rightType != .vector {
            throw error("binary expression must contain only scalar and instant vector types", rhs.position)
        }
        if leftType != .vector || rightType != .vector {
            if let matching, !matching.matchingLabels.isEmpty {
                throw error("vector matching only allowed between instant vectors", binary.position)
            }
            matching = nil
        } else if op.isSetOperator, let matching {
            if matching.cardinality == .oneToMany || matching.cardinality == .manyToOne {
                throw error("no grouping allowed for \(GoStrconv.quote(op.rawValue)) operation", binary.position)
            }
            if matching.cardinality != .manyToMany {
                throw error("set operations must always be many-to-many", binary.position)
            }
        }
        if (leftType == .scalar || rightType == .scalar) && op.isSetOperator {
            throw error(
                "set operator \(GoStrconv.quote(op.rawValue)) not allowed in binary scalar expression", binary.position)
        }
        return BinaryExpr(op, lhs: lhs, rhs: rhs, returnBool: binary.returnBool, matching: matching)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
