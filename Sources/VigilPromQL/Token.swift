/// A lexical token of PromQL: its kind and the byte range of its text.
struct Token: Sendable, Equatable {
    var kind: TokenKind
    var start: Int
    var end: Int

    var range: PositionRange { PositionRange(start: start, end: end) }

    func text(in input: [UInt8]) -> String { String(decoding: input[start..<end], as: UTF8.self) }

    /// How Prometheus's parser names the token in "unexpected ..." messages (`Item.desc()`).
    func describe(in input: [UInt8]) -> String {
        let bytes = Array(input[start..<end])
        let text = String(decoding: bytes, as: UTF8.self)
        func shortQuoted() -> String {
            bytes.count > 10 ? GoStrconv.quotePrefix(bytes: bytes, runes: 10) + "..." : GoStrconv.quote(bytes: bytes)
        }
        switch kind {
        case .eof: return "end of input"
        case .error: return "error"
        case .identifier: return "identifier \(GoStrconv.quote(bytes: bytes))"
        case .metricIdentifier: return "metric identifier \(GoStrconv.quote(bytes: bytes))"
        case .number: return "number \(shortQuoted())"
        case .duration: return "duration \(shortQuoted())"
        case .string: return "string \(shortQuoted())"
        case .comment: return "comment \(shortQuoted())"
        default:
            switch kind.category {
            case .keyword: return "<\(text)>"
            case .operator: return "<op:\(text)>"
            case .aggregator: return "<aggr:\(text)>"
            case .other: return shortQuoted()
            }
        }
    }
}

enum TokenKind: Sendable, Equatable {
    case eof, error, comment
    case identifier, metricIdentifier, number, duration, string
    case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket, comma, colon, eql
    // Operators.
    case add, sub, mul, div, mod, pow, eqlc, neq, lte, lss, gte, gtr, eqlRegex, neqRegex, at, atan2
    case land, lor, lunless
    // Aggregators.
    case aggregator(AggregationOp)
    // Keywords.
    case bool, by, groupLeft, groupRight, ignoring, offset, on, without
    // `@` preprocessors.
    case start, end

    enum Category { case keyword, `operator`, aggregator, other }

    var category: Category {
        switch self {
        case .add, .sub, .mul, .div, .mod, .pow, .eqlc, .neq, .lte, .lss, .gte, .gtr, .eqlRegex, .neqRegex, .at,
            .atan2, .land, .lor, .lunless:
            .operator
        case .aggregator: .aggregator
        case .bool, .by, .groupLeft, .groupRight, .ignoring, .offset, .on, .without: .keyword
        default: .other
        }
    }

    /// The binary operator the token stands for, if it is one.
    var binaryOp: BinaryOp? {
        switch self {
        case .add: .add
        case .sub: .sub
        case .mul: .mul
        case .div: .div
        case .mod: .mod
        case .pow: .pow
        case .atan2: .atan2
        case .eqlc: .eql
        case .neq: .neq
        case .gtr: .gtr
        case .lss: .lss
        case .gte: .gte
        case .lte: .lte
        case .land: .and
        case .lor: .or
        case .lunless: .unless
        default: nil
        }
    }

    /// Keywords lexed as such outside braces, by lower-cased text; `inf` and `nan` are numbers.
    static let keywords: [String: TokenKind] = {
        var table: [String: TokenKind] = [
            "and": .land, "or": .lor, "unless": .lunless, "atan2": .atan2,
            "offset": .offset, "by": .by, "without": .without, "on": .on, "ignoring": .ignoring,
            "group_left": .groupLeft, "group_right": .groupRight, "bool": .bool,
            "start": .start, "end": .end, "inf": .number, "nan": .number,
        ]
        for op in AggregationOp.allCases { table[op.rawValue] = .aggregator(op) }
        return table
    }()
}
