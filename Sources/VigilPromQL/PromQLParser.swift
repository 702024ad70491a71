import VigilModel

/// Parses PromQL as Prometheus 3.5 does: the same grammar, precedence and type rules, and the same error
/// messages and positions wherever that is practical.
///
/// ```swift
/// let expr = try PromQLParser().parse("sum by (job) (rate(http_requests_total[5m]))")
/// print(expr)  // sum by (job) (rate(http_requests_total[5m]))
/// ```
///
/// Any input returns a tree or a ``PromQLError`` with a position; nesting beyond
/// ``Options-swift.struct/maxNestingDepth`` is an error rather than a risk to the stack.
public struct PromQLParser: Sendable {
    public struct Options: Sendable, Hashable {
        /// Accept the functions and aggregations Prometheus keeps behind
        /// `--enable-feature=promql-experimental-functions` (`limitk`, `sort_by_label`, `mad_over_time`, ...).
        public var enableExperimentalFunctions: Bool
        /// The deepest expression tree accepted: nested parentheses, calls and aggregations, and chains of
        /// binary operators (`a + b + c` is 2 deep) all count. Prometheus has no such limit; Vigil has one so that
        /// no query can exhaust a thread's stack in the parser or in code that walks the tree. Each level costs
        /// the parser about 1 KiB of stack in release builds (about 5 KiB in debug builds), so the default of
        /// 256 fits a 512 KiB thread stack with room to spare.
        public var maxNestingDepth: Int

        public init(enableExperimentalFunctions: Bool = true, maxNestingDepth: Int = 256) {
            self.enableExperimentalFunctions = enableExperimentalFunctions
            self.maxNestingDepth = maxNestingDepth
        }
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Parses and type-checks a query.
    public func parse(_ query: String) throws(PromQLError) -> Expr {
        try parse(utf8: Array(query.utf8))
    }

    /// Parses and type-checks a query given as bytes, which need not be valid UTF-8 (invalid bytes are a
    /// positioned error, as in Prometheus).
    public func parse(utf8 query: [UInt8]) throws(PromQLError) -> Expr {
        var parser = ExpressionParser(input: query, tokens: Lexer.tokenize(query), options: options)
        let tree = try parser.parseQuery()
        return try TypeChecker(input: query).check(tree)
    }
}

extension Expr {
    /// Parses and type-checks a query with the default options.
    public init(parsing query: String) throws(PromQLError) {
        self = try PromQLParser().parse(query)
    }
}

/// The recursive-descent parser over the token list. Prometheus's grammar is LALR with error productions; the
/// contexts those productions name ("in aggregation", "in grouping opts", ...) are reproduced where they apply.
///
/// The functions that recurse (`parseExpr`, `parseUnary`, `parseOperand`, `parsePrimary`, `parseParenthesized`,
/// `parseCall`, `parseArguments`, `parseAggregate`) keep their frames small: errors and node construction live in
/// separate functions, so that the nesting limit, not the thread's stack, bounds what a query can do.
struct ExpressionParser {
    private let input: [UInt8]
    private let tokens: [Token]
    private let lexerErrorMessage: String
    private let options: PromQLParser.Options
    private var index = 0
    /// Open aggregations: a syntax error inside one with no closer context is "... in aggregation".
    private var openAggregations = 0
    private var nesting = 0

    /// An expression and the depth of its tree.
    private struct Parsed {
        var expr: Expr
        var depth: Int
    }

    /// The arguments of a call or aggregation, through the closing parenthesis.
    private struct Arguments {
        var exprs: [Expr] = []
        var end = 0
        var depth = 0
    }

    init(input: [UInt8], tokens: Lexer.Tokens, options: PromQLParser.Options) {
        self.input = input
        self.tokens = tokens.tokens
        self.lexerErrorMessage = tokens.errorMessage
        self.options = options
    }

    // MARK: - Tokens and errors

    private var current: Token { tokens[index] }

    private func kind(ahead offset: Int) -> TokenKind { tokens[min(index + offset, tokens.count - 1)].kind }

    @discardableResult
    private mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private func text(_ token: Token) -> String { token.text(in: input) }

    @inline(never)
    private func error(_ message: String, _ range: PositionRange, cause: (any Error & Sendable)? = nil) -> PromQLError {
        .parse(message, at: range, in: input, cause: cause)
    }

    /// Prometheus's `unexpected(context, expected)` about the current token; a lexer error is reported as itself.
    @inline(never)
    private func unexpected(_ context: String = "", _ expected: String = "") -> PromQLError {
        let token = current
        if token.kind == .error {
            return error(lexerErrorMessage, PositionRange(start: token.start, end: input.count))
        }
        var message = "unexpected " + token.describe(in: input)
        if !context.isEmpty { message += " in " + context }
        if !expected.isEmpty { message += ", expected " + expected }
        return error(message, token.range)
    }

    /// A syntax error with no production of its own: it belongs to the innermost open aggregation, if any.
    @inline(never)
    private func unexpectedHere() -> PromQLError {
        unexpected(openAggregations > 0 ? "aggregation" : "")
    }

    @inline(never)
    private func tooDeep(_ range: PositionRange) -> PromQLError {
        error("expression nested too deeply (more than \(options.maxNestingDepth) levels)", range)
    }

    // MARK: - Expressions

    mutating func parseQuery() throws(PromQLError) -> Expr {
        switch current.kind {
        case .eof: throw error("no expression found in input", .zero)
        case .error: throw unexpected()
        default: break
        }
        let parsed = try parseExpr(minPrecedence: 0)
        guard current.kind == .eof else { throw unexpectedHere() }
        return parsed.expr
    }

    /// Binary operators by precedence climbing; `^` groups to the right, the rest to the left.
    private mutating func parseExpr(minPrecedence: Int) throws(PromQLError) -> Parsed {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > options.maxNestingDepth { throw tooDeep(current.range) }
        var result = try parseUnary()
        while let op = current.kind.binaryOp, op.precedence >= minPrecedence {
            result = try parseBinary(lhs: result, op: op)
        }
        return result
    }

    /// The operator, its modifiers and the right-hand side.
    @inline(never)
    private mutating func parseBinary(lhs: Parsed, op: BinaryOp) throws(PromQLError) -> Parsed {
        let operatorStart = advance().start
        let modifiers = try parseBinaryModifiers(op)
        let rhs = try parseExpr(minPrecedence: op.isRightAssociative ? op.precedence : op.precedence + 1)
        return try makeBinary(op, lhs: lhs, rhs: rhs, modifiers: modifiers, operatorStart: operatorStart)
    }

    @inline(never)
    private func makeBinary(
        _ op: BinaryOp, lhs: Parsed, rhs: Parsed, modifiers: BinaryModifiers, operatorStart: Int
    ) throws(PromQLError) -> Parsed {
        let depth = max(lhs.depth, rhs.depth) + 1
        if depth > options.maxNestingDepth {
            throw tooDeep(PositionRange(start: operatorStart, end: operatorStart + 1))
        }
        let binary = BinaryExpr(
            op, lhs: lhs.expr, rhs: rhs.expr, returnBool: modifiers.returnBool, matching: modifiers.matching)
        return Parsed(expr: .binary(binary), depth: depth)
    }

    private struct BinaryModifiers {
        var returnBool = false
        var matching = VectorMatching(cardinality: .oneToOne)
    }

    /// `bool`, `on (...)`/`ignoring (...)`, `group_left (...)`/`group_right (...)` after a binary operator.
    @inline(never)
    private mutating func parseBinaryModifiers(_ op: BinaryOp) throws(PromQLError) -> BinaryModifiers {
        var modifiers = BinaryModifiers()
        if current.kind == .bool {
            advance()
            modifiers.returnBool = true
        }
        if current.kind == .on || current.kind == .ignoring {
            modifiers.matching.on = advance().kind == .on
            modifiers.matching.matchingLabels = try parseGroupingLabels().labels
            if current.kind == .groupLeft || current.kind == .groupRight {
                modifiers.matching.cardinality = advance().kind == .groupLeft ? .manyToOne : .oneToMany
                if current.kind == .leftParen { modifiers.matching.include = try parseGroupingLabels().labels }
            }
        }
        if op.isSetOperator && modifiers.matching.cardinality == .oneToOne {
            modifiers.matching.cardinality = .manyToMany
        }
        return modifiers
    }

    /// `+x`/`-x`, binding more loosely than `^` and more tightly than `*`; a sign folds into a number literal.
    @inline(never)
    private mutating func parseUnary() throws(PromQLError) -> Parsed {
        guard current.kind == .add || current.kind == .sub else { return try parseOperand() }
        let opToken = advance()
        let operand = try parseExpr(minPrecedence: BinaryOp.pow.precedence)
        return makeUnary(minus: opToken.kind == .sub, start: opToken.start, operand: operand)
    }

    @inline(never)
    private func makeUnary(minus: Bool, start: Int, operand: Parsed) -> Parsed {
        if case .numberLiteral(var literal) = operand.expr {
            if minus { literal.value *= -1 }
            literal.position.start = start
            return Parsed(expr: .numberLiteral(literal), depth: operand.depth)
        }
        let unary = UnaryExpr(minus ? .minus : .plus, operand.expr, startPosition: start)
        return Parsed(expr: .unary(unary), depth: operand.depth + 1)
    }

    /// A primary expression and its postfix modifiers: `[range]`, `[range:step]`, `offset`, `@`.
    @inline(never)
    private mutating func parseOperand() throws(PromQLError) -> Parsed {
        var result = try parsePrimary()
        while true {
            switch current.kind {
            case .leftBracket, .offset, .at: result = try parsePostfix(result)
            default: return result
            }
        }
    }

    @inline(never)
    private mutating func parsePostfix(_ operand: Parsed) throws(PromQLError) -> Parsed {
        switch current.kind {
        case .leftBracket:
            let expr = try parseRangeOrSubquery(operand.expr)
            if operand.depth + 1 > options.maxNestingDepth { throw tooDeep(expr.position) }
            return Parsed(expr: expr, depth: operand.depth + 1)
        case .offset:
            return Parsed(expr: try parseOffset(operand.expr), depth: operand.depth)
        default:
            return Parsed(expr: try parseAt(operand.expr), depth: operand.depth)
        }
    }

    @inline(never)
    private mutating func parsePrimary() throws(PromQLError) -> Parsed {
        switch current.kind {
        case .number, .duration, .string:
            return Parsed(expr: try parseLiteral(), depth: 1)
        case .leftParen:
            return try parseParenthesized()
        case .leftBrace, .metricIdentifier, .by, .without, .land, .lor, .lunless, .offset, .start, .end:
            return Parsed(expr: try parseSelector(), depth: 1)
        case .identifier:
            if kind(ahead: 1) == .leftParen { return try parseCall() }
            return Parsed(expr: try parseSelector(), depth: 1)
        case .aggregator:
            switch kind(ahead: 1) {
            case .leftParen, .by, .without: return try parseAggregate()
            default: return Parsed(expr: try parseSelector(), depth: 1)
            }
        default:
            throw unexpectedHere()
        }
    }

    @inline(never)
    private mutating func parseLiteral() throws(PromQLError) -> Expr {
        let token = advance()
        switch token.kind {
        case .number:
            return .numberLiteral(NumberLiteral(try numberValue(token), position: token.range))
        case .duration:
            let seconds = Self.seconds(try durationValue(token))
            return .numberLiteral(NumberLiteral(seconds, isDuration: true, position: token.range))
        default:
            return .stringLiteral(StringLiteral(bytes: unquote(token), position: token.range))
        }
    }

    @inline(never)
    private mutating func parseParenthesized() throws(PromQLError) -> Parsed {
        let start = advance().start
        let inner = try parseExpr(minPrecedence: 0)
        guard current.kind == .rightParen else { throw unexpectedHere() }
        return makeParen(inner, start: start, end: advance().end)
    }

    @inline(never)
    private func makeParen(_ inner: Parsed, start: Int, end: Int) -> Parsed {
        let paren = ParenExpr(inner.expr, position: PositionRange(start: start, end: end))
        return Parsed(expr: .paren(paren), depth: inner.depth + 1)
    }

    // MARK: - Selectors

    @inline(never)
    private mutating func parseSelector() throws(PromQLError) -> Expr {
        let nameToken = current.kind == .leftBrace ? nil : advance()
        return .vectorSelector(try parseVectorSelector(nameToken: nameToken))
    }

    /// `name`, `name{matchers}` or `{matchers}`; the name, when written outside, becomes the last matcher.
    @inline(never)
    private mutating func parseVectorSelector(nameToken: Token?) throws(PromQLError) -> VectorSelector {
        var matchers: [LabelMatcher] = []
        var range = nameToken?.range ?? current.range
        if current.kind == .leftBrace {
            let (parsed, end) = try parseLabelMatchers()
            matchers = parsed
            range.end = end
        }
        var name: String?
        if let nameToken {
            let text = text(nameToken)
            name = text
            matchers.append(Self.metricNameMatcher(text))
        }
        return VectorSelector(name: name, matchers: matchers, position: range)
    }

    private static func metricNameMatcher(_ name: String) -> LabelMatcher {
        // An equality matcher cannot fail.
        // swift-format-ignore: NeverUseForceTry
        try! LabelMatcher(.equal, metricNameLabel, name)
    }

    @inline(never)
    private mutating func parseLabelMatchers() throws(PromQLError) -> ([LabelMatcher], end: Int) {
        advance()  // {
        var matchers: [LabelMatcher] = []
        if current.kind == .rightBrace { return ([], advance().end) }
        while true {
            matchers.append(try parseLabelMatcher())
            switch current.kind {
            case .comma:
                advance()
                if current.kind == .rightBrace { return (matchers, advance().end) }
            case .rightBrace:
                return (matchers, advance().end)
            default:
                throw unexpected("label matching", #""," or "}""#)
            }
        }
    }

    private static func matchKind(_ kind: TokenKind) -> LabelMatcher.Kind? {
        switch kind {
        case .eql: .equal
        case .neq: .notEqual
        case .eqlRegex: .regexMatch
        case .neqRegex: .regexNoMatch
        default: nil
        }
    }

    @inline(never)
    private mutating func parseLabelMatcher() throws(PromQLError) -> LabelMatcher {
        let nameToken = current
        let labelName: String
        switch nameToken.kind {
        case .identifier:
            advance()
            labelName = text(nameToken)
            guard Self.matchKind(current.kind) != nil else {
                throw unexpected("label matching", "label matching operator")
            }
        case .string:
            advance()
            labelName = String(decoding: unquote(nameToken), as: UTF8.self)
            // A quoted name alone is the metric name: `{"my.metric"}`.
            guard Self.matchKind(current.kind) != nil else { return Self.metricNameMatcher(labelName) }
        default:
            throw unexpected("label matching", #"identifier or "}""#)
        }
        let kind = Self.matchKind(advance().kind)!
        guard current.kind == .string else { throw unexpected("label matching", "string") }
        let valueToken = advance()
        let value = String(decoding: unquote(valueToken), as: UTF8.self)
        do {
            return try LabelMatcher(kind, labelName, value)
        } catch {
            throw self.error(
                error.message, PositionRange(start: nameToken.start, end: valueToken.end), cause: error)
        }
    }

    // MARK: - Calls and aggregations

    @inline(never)
    private mutating func parseCall() throws(PromQLError) -> Parsed {
        let nameToken = advance()
        advance()  // (
        let args = try parseArguments()
        return try makeCall(nameToken, args)
    }

    @inline(never)
    private func makeCall(_ nameToken: Token, _ args: Arguments) throws(PromQLError) -> Parsed {
        let name = text(nameToken)
        guard let function = Function.named(name) else {
            throw error("unknown function with name \(GoStrconv.quote(name))", nameToken.range)
        }
        if function.isExperimental && !options.enableExperimentalFunctions {
            throw error("function \(GoStrconv.quote(name)) is not enabled", nameToken.range)
        }
        let call = Call(function, args: args.exprs, position: PositionRange(start: nameToken.start, end: args.end))
        return Parsed(expr: .call(call), depth: args.depth + 1)
    }

    /// The arguments after `(`, through `)`.
    @inline(never)
    private mutating func parseArguments() throws(PromQLError) -> Arguments {
        var args = Arguments()
        if current.kind == .rightParen {
            args.end = advance().end
            return args
        }
        while true {
            let arg = try parseExpr(minPrecedence: 0)
            args.exprs.append(arg.expr)
            args.depth = max(args.depth, arg.depth)
            switch current.kind {
            case .comma:
                try parseArgumentComma()
            case .rightParen:
                args.end = advance().end
                return args
            default:
                throw unexpectedHere()
            }
        }
    }

    @inline(never)
    private mutating func parseArgumentComma() throws(PromQLError) {
        let comma = advance()
        if current.kind == .rightParen || current.kind == .comma {
            throw error("trailing commas not allowed in function call args", comma.range)
        }
    }

    private struct Grouping {
        var labels: [String]
        var without: Bool
        var end: Int
    }

    /// `op [by|without (...)] (args) [by|without (...)]`.
    @inline(never)
    private mutating func parseAggregate() throws(PromQLError) -> Parsed {
        let opToken = advance()
        let leading = try parseGroupingModifier()
        openAggregations += 1
        guard current.kind == .leftParen else { throw unexpectedHere() }
        advance()
        let args = try parseArguments()
        openAggregations -= 1
        return try finishAggregate(opToken, leading: leading, args: args)
    }

    /// `by (...)` or `without (...)`, if present.
    @inline(never)
    private mutating func parseGroupingModifier() throws(PromQLError) -> Grouping? {
        guard current.kind == .by || current.kind == .without else { return nil }
        let without = advance().kind == .without
        let parsed = try parseGroupingLabels()
        return Grouping(labels: parsed.labels, without: without, end: parsed.end)
    }

    @inline(never)
    private mutating func finishAggregate(_ opToken: Token, leading: Grouping?, args: Arguments) throws(PromQLError)
        -> Parsed
    {
        guard case .aggregator(let op) = opToken.kind else { throw unexpectedHere() }
        var grouping = leading
        if grouping == nil { grouping = try parseGroupingModifier() }
        let end = leading == nil ? grouping?.end ?? args.end : args.end
        let position = PositionRange(start: opToken.start, end: end)
        if args.exprs.isEmpty { throw error("no arguments for aggregate expression provided", position) }
        var expected = 1
        var param: Expr?
        if op.takesParameter {
            if op.isExperimental && !options.enableExperimentalFunctions {
                throw error(
                    "\(op.rawValue)() is experimental and must be enabled with "
                        + "--enable-feature=promql-experimental-functions", position)
            }
            expected = 2
            param = args.exprs[0]
        }
        guard args.exprs.count == expected else {
            throw error(
                "wrong number of arguments for aggregate expression provided, expected \(expected), got "
                    + "\(args.exprs.count)", position)
        }
        let aggregate = AggregateExpr(
            op, expr: args.exprs[expected - 1], param: param, grouping: grouping?.labels ?? [],
            without: grouping?.without ?? false, position: position)
        return Parsed(expr: .aggregate(aggregate), depth: args.depth + 1)
    }

    /// `(label, ...)` after `by`, `without`, `on`, `ignoring`, `group_left`, `group_right`.
    @inline(never)
    private mutating func parseGroupingLabels() throws(PromQLError) -> (labels: [String], end: Int) {
        guard current.kind == .leftParen else { throw unexpected("grouping opts", #""(""#) }
        advance()
        var labels: [String] = []
        if current.kind == .rightParen { return ([], advance().end) }
        while true {
            labels.append(try parseGroupingLabel())
            switch current.kind {
            case .comma:
                advance()
                if current.kind == .rightParen { return (labels, advance().end) }
            case .rightParen:
                return (labels, advance().end)
            default:
                throw unexpected("grouping opts", #""," or ")""#)
            }
        }
    }

    @inline(never)
    private mutating func parseGroupingLabel() throws(PromQLError) -> String {
        let token = current
        switch token.kind {
        case .identifier, .metricIdentifier, .aggregator, .bool, .by, .groupLeft, .groupRight, .ignoring, .land,
            .lor, .lunless, .offset, .on, .start, .end, .atan2:
            advance()
            return text(token)
        case .string:
            advance()
            let bytes = unquote(token)
            let literal = StringLiteral(bytes: bytes)
            guard !bytes.isEmpty, literal.isValidUTF8 else {
                throw error("invalid label name for grouping: \(literal.goQuoted)", token.range)
            }
            return literal.value
        default:
            throw unexpected("grouping opts", "label")
        }
    }

    // MARK: - Modifiers

    /// `[range]` on a vector selector, or `[range:step]` / `[range:]` on any expression.
    @inline(never)
    private mutating func parseRangeOrSubquery(_ expr: Expr) throws(PromQLError) -> Expr {
        let open = advance()
        var sign: Token?
        if current.kind == .add || current.kind == .sub { sign = advance() }
        let rangeToken = current
        guard rangeToken.kind == .number || rangeToken.kind == .duration else {
            throw unexpected("subquery selector", "number or duration")
        }
        advance()
        var range = try durationMilliseconds(rangeToken)
        if sign?.kind == .sub { range = -range }
        guard range > 0 else {
            throw error(
                "duration must be greater than 0",
                PositionRange(start: sign?.start ?? rangeToken.start, end: rangeToken.end))
        }
        switch current.kind {
        case .rightBracket:
            let close = advance()
            let bracketRange = PositionRange(start: open.start, end: close.end)
            guard case .vectorSelector(let selector) = expr else {
                throw error("ranges only allowed for vector selectors", bracketRange)
            }
            if selector.offsetMilliseconds != 0 {
                throw error("no offset modifiers allowed before range", bracketRange)
            }
            if case .timestamp = selector.at { throw error("no @ modifiers allowed before range", bracketRange) }
            return .matrixSelector(
                MatrixSelector(vectorSelector: selector, rangeMilliseconds: range, endPosition: close.end))
        case .colon:
            advance()
            var step: Int64 = 0
            if current.kind == .number || current.kind == .duration {
                step = try durationMilliseconds(advance())
                guard current.kind == .rightBracket else { throw unexpected("subquery selector", #""]""#) }
            } else if current.kind != .rightBracket {
                throw unexpected("subquery selector", #"number or duration or "]""#)
            }
            let close = advance()
            return .subquery(
                SubqueryExpr(expr: expr, rangeMilliseconds: range, stepMilliseconds: step, endPosition: close.end))
        default:
            throw unexpected("subquery or range", #"":" or "]""#)
        }
    }

    @inline(never)
    private mutating func parseOffset(_ expr: Expr) throws(PromQLError) -> Expr {
        advance()  // offset
        let negative = current.kind == .sub
        if negative { advance() }
        let token = current
        guard token.kind == .number || token.kind == .duration else {
            throw unexpected("offset", "number or duration")
        }
        advance()
        var offset = try durationMilliseconds(token)
        if negative { offset = -offset }
        let end = token.end
        let message = "offset may not be set multiple times"
        switch expr {
        case .vectorSelector(var selector):
            if selector.offsetMilliseconds != 0 { throw error(message, selector.position) }
            selector.offsetMilliseconds = offset
            selector.position.end = end
            return .vectorSelector(selector)
        case .matrixSelector(var matrix):
            if matrix.vectorSelector.offsetMilliseconds != 0 { throw error(message, matrix.position) }
            matrix.vectorSelector.offsetMilliseconds = offset
            matrix.endPosition = end
            return .matrixSelector(matrix)
        case .subquery(var subquery):
            if subquery.offsetMilliseconds != 0 { throw error(message, subquery.position) }
            subquery.offsetMilliseconds = offset
            subquery.endPosition = end
            return .subquery(subquery)
        default:
            throw error(
                "offset modifier must be preceded by an instant vector selector or range vector selector or a "
                    + "subquery", expr.position)
        }
    }

    @inline(never)
    private mutating func parseAt(_ expr: Expr) throws(PromQLError) -> Expr {
        advance()  // @
        let modifier: AtModifier
        let end: Int
        switch current.kind {
        case .add, .sub, .number, .duration:
            var sign = 1.0
            if current.kind == .add || current.kind == .sub {
                sign = advance().kind == .sub ? -1 : 1
                guard current.kind == .number || current.kind == .duration else {
                    throw unexpected("@", "timestamp")
                }
            }
            let token = advance()
            let seconds = try literalSeconds(token) * sign
            if !seconds.isFinite || seconds >= 9.223_372_036_854_775_807e18 || seconds <= -9.223_372_036_854_775_808e18
            {
                throw error(
                    "timestamp out of bounds for @ modifier: \(GoStrconv.formatFixed(seconds, decimals: 6))",
                    expr.position)
            }
            let milliseconds = (seconds * 1000).rounded()
            let inRange = milliseconds > -9.223_372_036_854_775_808e18 && milliseconds < 9.223_372_036_854_775_807e18
            // Go converts an out-of-range float to the minimum int64 on amd64; so does this.
            modifier = .timestamp(milliseconds: inRange ? Int64(milliseconds) : Int64.min)
            end = token.end
        case .start, .end:
            let which = advance().kind
            guard current.kind == .leftParen else { throw unexpected("@", "timestamp") }
            advance()
            guard current.kind == .rightParen else { throw unexpected("@", "timestamp") }
            end = advance().end
            modifier = which == .start ? .start : .end
        default:
            throw unexpected("@", "timestamp")
        }
        let message = "@ <timestamp> may not be set multiple times"
        switch expr {
        case .vectorSelector(var selector):
            if selector.at != nil { throw error(message, selector.position) }
            selector.at = modifier
            selector.position.end = end
            return .vectorSelector(selector)
        case .matrixSelector(var matrix):
            if matrix.vectorSelector.at != nil { throw error(message, matrix.position) }
            matrix.vectorSelector.at = modifier
            matrix.endPosition = end
            return .matrixSelector(matrix)
        case .subquery(var subquery):
            if subquery.at != nil { throw error(message, subquery.position) }
            subquery.at = modifier
            subquery.endPosition = end
            return .subquery(subquery)
        default:
            throw error(
                "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery",
                expr.position)
        }
    }

    // MARK: - Literals

    private func numberValue(_ token: Token) throws(PromQLError) -> Double {
        switch GoStrconv.parsePromQLNumber(text(token)) {
        case .value(let value): return value
        case .failure(let message): throw error("error parsing number: \(message)", token.range)
        }
    }

    private func durationValue(_ token: Token) throws(PromQLError) -> Int64 {
        switch PromQLDuration.parse(text(token)) {
        case .success(let milliseconds): return milliseconds
        case .failure(let failure): throw error(failure.message, token.range)
        }
    }

    /// A number or duration token as seconds (Go's `Duration.Seconds()` for durations).
    private func literalSeconds(_ token: Token) throws(PromQLError) -> Double {
        token.kind == .duration ? Self.seconds(try durationValue(token)) : try numberValue(token)
    }

    private static func seconds(_ milliseconds: Int64) -> Double {
        Double(milliseconds / 1000) + Double((milliseconds % 1000) * 1_000_000) / 1e9
    }

    /// A number or duration token used as a duration: durations exactly, numbers as seconds.
    private func durationMilliseconds(_ token: Token) throws(PromQLError) -> Int64 {
        if token.kind == .duration { return try durationValue(token) }
        guard let milliseconds = PromQLDuration.milliseconds(fromSeconds: try numberValue(token)) else {
            throw error("duration out of range", token.range)
        }
        return milliseconds
    }

    /// The value of a string token (already validated by the lexer): escapes resolved, bytes kept as written.
    private func unquote(_ token: Token) -> [UInt8] {
        let raw = input[(token.start + 1)..<(token.end - 1)]
        if input[token.start] == UInt8(ascii: "`") { return Array(raw) }
        guard raw.contains(UInt8(ascii: "\\")) else { return Array(raw) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = raw.startIndex
        func hexValue(_ byte: UInt8) -> UInt32 {
            switch byte {
            case 0x30...0x39: UInt32(byte - 0x30)
            case 0x61...0x66: UInt32(byte - 0x61 + 10)
            default: UInt32(byte - 0x41 + 10)
            }
        }
        func number(from start: Int, count: Int, base: UInt32) -> UInt32 {
            var value: UInt32 = 0
            for offset in 0..<count { value = value * base + hexValue(raw[start + offset]) }
            return value
        }
        while index < raw.endIndex {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                index += 1
                continue
            }
            let escape = raw[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                out.append(UInt8(number(from: index - 1, count: 3, base: 8)))
                index += 2
            case UInt8(ascii: "x"):
                out.append(UInt8(number(from: index, count: 2, base: 16)))
                index += 2
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let count = escape == UInt8(ascii: "u") ? 4 : 8
                let scalar = Unicode.Scalar(number(from: index, count: count, base: 16)) ?? "\u{FFFD}"
                out.append(contentsOf: String(Character(scalar)).utf8)
                index += count
            default:  // \\, \" and \'
                out.append(escape)
            }
        }
        return out
    }
}
