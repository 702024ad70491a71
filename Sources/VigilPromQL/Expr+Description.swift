import VigilModel

/// The canonical text of an expression, as Prometheus's `String()` prints it (what `format_query` starts from):
/// `sum by (job) (rate(http_requests_total{code=~"5.."}[5m] offset 1h))`.
///
/// Two deliberate differences keep the printed text parsing back to the same tree where Prometheus's does not:
/// `on`/`ignoring`/`group_*` labels that are not plain identifiers are quoted, and a `group_left`/`group_right`
/// after an empty `ignoring ()` is kept.
extension Expr: CustomStringConvertible {
    public var description: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// Appends the text; the switch only dispatches, so that recursion costs little stack per level.
    func write(to out: inout String) {
        switch self {
        case .numberLiteral, .stringLiteral, .vectorSelector, .matrixSelector: writeLeaf(to: &out)
        case .subquery: writeSubquery(to: &out)
        case .call: writeCall(to: &out)
        case .aggregate: writeAggregate(to: &out)
        case .binary: writeBinary(to: &out)
        case .unary, .paren: writeWrapped(to: &out)
        }
    }

    @inline(never)
    private func writeLeaf(to out: inout String) {
        switch self {
        case .numberLiteral(let node): out += node.text
        case .stringLiteral(let node): out += node.goQuoted
        case .vectorSelector(let node): node.write(to: &out)
        case .matrixSelector(let node): node.write(to: &out)
        default: break
        }
    }

    @inline(never)
    private func writeSubquery(to out: inout String) {
        guard case .subquery(let node) = self else { return }
        node.expr.write(to: &out)
        out += node.suffix
    }

    @inline(never)
    private func writeCall(to out: inout String) {
        guard case .call(let node) = self else { return }
        out += node.function.name + "("
        for index in node.args.indices {
            if index > 0 { out += ", " }
            node.args[index].write(to: &out)
        }
        out += ")"
    }

    @inline(never)
    private func writeAggregate(to out: inout String) {
        guard case .aggregate(let node) = self else { return }
        out += node.prefix
        if node.op.takesParameter, let param = node.param {
            param.write(to: &out)
            out += ", "
        }
        node.expr.write(to: &out)
        out += ")"
    }

    @inline(never)
    private func writeBinary(to out: inout String) {
        guard case .binary(let node) = self else { return }
        node.lhs.write(to: &out)
        out += node.operatorText
        node.rhs.write(to: &out)
    }

    @inline(never)
    private func writeWrapped(to out: inout String) {
        switch self {
        case .unary(let node):
            out += node.op.rawValue
            node.expr.write(to: &out)
        case .paren(let node):
            out += "("
            node.expr.write(to: &out)
            out += ")"
        default: break
        }
    }
}

extension NumberLiteral {
    /// `strconv.FormatFloat(v, 'f', -1, 64)`, or the duration (`5m`, `-1h30m`) for a literal written as one.
    var text: String {
        guard isDuration, value.isFinite, let milliseconds = PromQLDuration.milliseconds(fromSeconds: value.magnitude)
        else { return GoStrconv.formatShortest(value) }
        return (value < 0 ? "-" : "") + PromQLDuration.format(milliseconds: milliseconds)
    }
}

extension VectorSelector: CustomStringConvertible {
    public var description: String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String, modifiers: Bool = true) {
        var labels: [String] = []
        for matcher in matchers {
            // The name written outside the braces is not repeated inside them.
            if matcher.name == metricNameLabel && matcher.kind == .equal && matcher.value == name
                && !matcher.value.isEmpty
            {
                continue
            }
            labels.append(Self.format(matcher))
        }
        out += name ?? ""
        if !labels.isEmpty {
            labels.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            out += "{" + labels.joined(separator: ",") + "}"
        }
        if modifiers { writeModifiers(at: at, offsetMilliseconds: offsetMilliseconds, to: &out) }
    }

    /// `name="value"` with Go quoting; the name is quoted when it is not a plain identifier.
    static func format(_ matcher: LabelMatcher) -> String {
        let name = isPlainLabelName(matcher.name) ? matcher.name : GoStrconv.quote(matcher.name)
        return name + matcher.kind.rawValue + GoStrconv.quote(matcher.value)
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, the names Prometheus prints unquoted inside braces.
    static func isPlainLabelName(_ name: String) -> Bool {
        guard !name.isEmpty else { return false }
        for (index, byte) in name.utf8.enumerated() {
            let letter =
                byte == UInt8(ascii: "_") || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
            let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            if !(letter || (index > 0 && digit)) { return false }
        }
        return true
    }
}

/// ` @ 1700000000.000` / ` @ start()` / ` @ end()`, then ` offset 5m` / ` offset -5m`, as Prometheus orders them.
private func writeModifiers(at: AtModifier?, offsetMilliseconds: Int64, to out: inout String) {
    switch at {
    case .timestamp(let milliseconds):
        out += " @ " + GoStrconv.formatFixed(Double(milliseconds) / 1000, decimals: 3)
    case .start: out += " @ start()"
    case .end: out += " @ end()"
    case nil: break
    }
    if offsetMilliseconds > 0 {
        out += " offset " + PromQLDuration.format(milliseconds: offsetMilliseconds)
    } else if offsetMilliseconds < 0 {
        out += " offset -" + PromQLDuration.format(milliseconds: -offsetMilliseconds)
    }
}

extension MatrixSelector {
    func write(to out: inout String) {
        vectorSelector.write(to: &out, modifiers: false)
        out += "[" + PromQLDuration.format(milliseconds: rangeMilliseconds) + "]"
        writeModifiers(at: vectorSelector.at, offsetMilliseconds: vectorSelector.offsetMilliseconds, to: &out)
    }
}

extension SubqueryExpr {
    /// `[range:step]` and the modifiers.
    @inline(never) var suffix: String {
        var out = "[" + PromQLDuration.format(milliseconds: rangeMilliseconds) + ":"
        if stepMilliseconds != 0 { out += PromQLDuration.format(milliseconds: stepMilliseconds) }
        out += "]"
        writeModifiers(at: at, offsetMilliseconds: offsetMilliseconds, to: &out)
        return out
    }
}

/// Labels of `by`/`without`/`on`/... : quoted unless a legacy metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
private func writeLabelList(_ labels: [String], to out: inout String) {
    for (index, label) in labels.enumerated() {
        if index > 0 { out += ", " }
        out += isLegacyMetricName(label) ? label : GoStrconv.quote(label)
    }
}

private func isLegacyMetricName(_ name: String) -> Bool {
    guard !name.isEmpty else { return false }
    for (index, byte) in name.utf8.enumerated() {
        let letter =
            byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
            || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
        let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        if !(letter || (index > 0 && digit)) { return false }
    }
    return true
}

extension AggregateExpr {
    /// `sum by (job) (`: the operator, its grouping and the opening parenthesis.
    @inline(never) var prefix: String {
        var out = op.rawValue
        if without {
            out += " without ("
            writeLabelList(grouping, to: &out)
            out += ") "
        } else if !grouping.isEmpty {
            out += " by ("
            writeLabelList(grouping, to: &out)
            out += ") "
        }
        return out + "("
    }
}

extension BinaryExpr {
    /// ` + `, ` == bool on (a) group_left (b) `: the operator between the operands, with its modifiers.
    @inline(never) var operatorText: String {
        var out = " " + op.rawValue
        if returnBool { out += " bool" }
        if let matching,
            !matching.matchingLabels.isEmpty || matching.on || matching.cardinality == .manyToOne
                || matching.cardinality == .oneToMany
        {
            out += matching.on ? " on (" : " ignoring ("
            writeLabelList(matching.matchingLabels, to: &out)
            out += ")"
            if matching.cardinality == .manyToOne || matching.cardinality == .oneToMany {
                out += matching.cardinality == .manyToOne ? " group_left (" : " group_right ("
                writeLabelList(matching.include, to: &out)
                out += ")"
            }
        }
        return out + " "
    }
}
