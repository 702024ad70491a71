import Testing

@testable import VigilPromQL

/// Tokens as Prometheus's lexer produces them (cases in the spirit of `promql/parser/lex_test.go`).
@Suite struct LexerTests {
    static func kinds(_ query: String) -> [TokenKind] {
        Lexer.tokenize(Array(query.utf8)).tokens.map(\.kind)
    }

    static func texts(_ query: String) -> [String] {
        let input = Array(query.utf8)
        return Lexer.tokenize(input).tokens.map { $0.text(in: input) }
    }

    static let kindCases: [(query: String, kinds: [TokenKind])] = [
        (",", [.comma, .eof]),
        ("()", [.leftParen, .rightParen, .eof]),
        ("{}", [.leftBrace, .rightBrace, .eof]),
        ("[5m]", [.leftBracket, .duration, .rightBracket, .eof]),
        ("[ 5m]", [.leftBracket, .duration, .rightBracket, .eof]),
        ("[5m :3s]", [.leftBracket, .duration, .colon, .duration, .rightBracket, .eof]),
        ("[5m:]", [.leftBracket, .duration, .colon, .rightBracket, .eof]),
        ("[-5m]", [.leftBracket, .sub, .duration, .rightBracket, .eof]),
        ("1", [.number, .eof]),
        ("4.23", [.number, .eof]),
        (".3", [.number, .eof]),
        ("5.", [.number, .eof]),
        ("NaN nan Inf inF", [.number, .number, .number, .number, .eof]),
        ("0x1f 0X_1F 1_000 1e5 1E-5 .5e+3", [.number, .number, .number, .number, .number, .number, .eof]),
        (
            "5m 1h30m 500ms 1y 2w 3d 4s",
            [.duration, .duration, .duration, .duration, .duration, .duration, .duration, .eof]
        ),
        ("+ - * / % ^", [.add, .sub, .mul, .div, .mod, .pow, .eof]),
        ("== != < <= > >= =", [.eqlc, .neq, .lss, .lte, .gtr, .gte, .eql, .eof]),
        ("@", [.at, .eof]),
        ("and or unless atan2", [.land, .lor, .lunless, .atan2, .eof]),
        ("AND Or UNLESS ATAN2", [.land, .lor, .lunless, .atan2, .eof]),
        (
            "offset by without on ignoring group_left group_right bool",
            [.offset, .by, .without, .on, .ignoring, .groupLeft, .groupRight, .bool, .eof]
        ),
        ("start end START", [.start, .end, .start, .eof]),
        (
            "sum avg count min max group stddev stdvar topk bottomk count_values quantile limitk limit_ratio",
            [
                .aggregator(.sum), .aggregator(.avg), .aggregator(.count), .aggregator(.min), .aggregator(.max),
                .aggregator(.group), .aggregator(.stddev), .aggregator(.stdvar), .aggregator(.topk),
                .aggregator(.bottomk),
                .aggregator(.countValues), .aggregator(.quantile), .aggregator(.limitk), .aggregator(.limitRatio), .eof,
            ]
        ),
        (
            "foo bar_1 :foo foo:bar smoothed step",
            [.identifier, .identifier, .metricIdentifier, .metricIdentifier, .identifier, .identifier, .eof]
        ),
        (
            #"{foo="bar", sum!="x", by=~"y", a!~"z"}"#,
            [
                .leftBrace, .identifier, .eql, .string, .comma, .identifier, .neq, .string, .comma, .identifier,
                .eqlRegex,
                .string, .comma, .identifier, .neqRegex, .string, .rightBrace, .eof,
            ]
        ),
        (
            #"{"a.b"='c', `d`=`e`}"#,
            [.leftBrace, .string, .eql, .string, .comma, .string, .eql, .string, .rightBrace, .eof]
        ),
        (#""a" 'b' `c`"#, [.string, .string, .string, .eof]),
        ("# only a comment", [.eof]),
        ("foo # comment\n+ bar", [.identifier, .add, .identifier, .eof]),
        ("{a=\"b\" # comment\n}", [.leftBrace, .identifier, .eql, .string, .rightBrace, .eof]),
        ("1 @ start()", [.number, .at, .start, .leftParen, .rightParen, .eof]),
    ]

    @Test(arguments: kindCases)
    func tokenKinds(query: String, kinds: [TokenKind]) {
        #expect(Self.kinds(query) == kinds)
    }

    @Test func tokenTextAndPositions() {
        let input = Array(#"sum by (job) (rate(x{a="b"}[5m] offset 1h))"#.utf8)
        let tokens = Lexer.tokenize(input).tokens
        #expect(
            tokens.map { $0.text(in: input) } == [
                "sum", "by", "(", "job", ")", "(", "rate", "(", "x", "{", "a", "=", #""b""#, "}", "[", "5m", "]",
                "offset",
                "1h", ")", ")", "",
            ])
        #expect(tokens[0].range == PositionRange(start: 0, end: 3))
        #expect(tokens[15].range == PositionRange(start: 28, end: 30))
        #expect(tokens.last?.range == PositionRange(start: 43, end: 43))
    }

    static let errorCases: [(query: String, message: String, start: Int)] = [
        ("=~", "unexpected character after '=': '~'", 0),
        ("!", "unexpected character after '!': '\u{FFFD}'", 0),
        ("$", "unexpected character: '$'", 0),
        ("(", "unclosed left parenthesis", 1),
        (")", "unexpected right parenthesis ')'", 1),
        ("[", "unexpected end of input in duration expression", 1),
        ("[5m", "unclosed left bracket", 3),
        ("]", "unexpected right bracket ']'", 0),
        ("[5m[", "unexpected left bracket '['", 3),
        ("[5m:1m:", "unexpected colon ':'", 6),
        ("[5m x", "unexpected character: 'x', expected ':'", 4),
        ("{", "unexpected end of input inside braces", 1),
        ("{{", "unexpected left brace '{'", 1),
        ("{a*", "unexpected character inside braces: '*'", 2),
        ("{a!x", "unexpected character after '!' inside braces: 'x'", 2),
        (#""abc"#, "unterminated quoted string", 0),
        ("\"a\nb\"", "unterminated quoted string", 0),
        ("`abc", "unterminated raw string", 0),
        (#""\q""#, "unknown escape sequence U+0071 'q'", 0),
        (#""\x4""#, "illegal character U+0022 '\"' in escape sequence", 0),
        (#""\u12""#, "illegal character U+0022 '\"' in escape sequence", 0),
        (#""\"#, "escape sequence not terminated", 0),
        (#""\x"#, "escape sequence not terminated", 0),
        (#""\777""#, "escape sequence is an invalid Unicode code point", 0),
        ("1e", #"bad number or duration syntax: "1e""#, 0),
        ("1__0", #"bad number or duration syntax: "1__""#, 0),
        ("1_", #"bad number or duration syntax: "1_""#, 0),
        ("0x1.5", #"bad number or duration syntax: "0x1.""#, 0),
        ("1.2.3", #"bad number or duration syntax: "1.2.""#, 0),
        ("1e5e5", #"bad number or duration syntax: "1e5e""#, 0),
        ("5mx", #"bad number or duration syntax: "5mx""#, 0),
        ("5m5", #"bad number or duration syntax: "5m5""#, 0),
        ("1 + 0deadbeef", #"bad number or duration syntax: "0de""#, 4),
    ]

    @Test(arguments: errorCases)
    func lexerErrors(query: String, message: String, start: Int) {
        let result = Lexer.tokenize(Array(query.utf8))
        #expect(result.tokens.last?.kind == .error)
        #expect(result.errorMessage == message)
        #expect(result.tokens.last?.start == start)
    }

    @Test func describesTokensLikePrometheus() {
        let input = Array(#"foo a:b 1 5m "a long string value" "s" ( ) , <by> sum + and start"#.utf8)
        let descriptions = Lexer.tokenize(input).tokens.map { $0.describe(in: input) }
        #expect(
            descriptions == [
                #"identifier "foo""#, #"metric identifier "a:b""#, #"number "1""#, #"duration "5m""#,
                #"string "\"a long st"..."#, #"string "\"s\"""#, #""(""#, #"")""#, #"",""#, "<op:<>", "<by>", "<op:>>",
                "<aggr:sum>",
                "<op:+>", "<op:and>", #""start""#, "end of input",
            ])
    }
}
