import Testing

@testable import VigilPromQL

/// The Go formatting and parsing behaviours Prometheus's messages and printer depend on.
@Suite struct GoStrconvTests {
    static let shortestFloatCases: [(value: Double, text: String)] = [
        (1.0, "1"), (-1.0, "-1"), (0.0, "0"), (-0.0, "-0"), (0.5, "0.5"), (123.4567, "123.4567"),
        (1e21, "1000000000000000000000"),
        (1e-7, "0.0000001"), (0.1, "0.1"), (1.0 / 3.0, "0.3333333333333333"),
        (Double.leastNonzeroMagnitude, "0." + String(repeating: "0", count: 323) + "5"),
        (Double.greatestFiniteMagnitude, "17976931348623157" + String(repeating: "0", count: 292)), (.infinity, "+Inf"),
        (-.infinity, "-Inf"), (.nan, "NaN"), (123456789012345680, "123456789012345680"), (0.000123, "0.000123"),
    ]

    static let fixedFloatCases: [(value: Double, decimals: Int, text: String)] = [
        (10.0, 3, "10.000"), (-100.0, 3, "-100.000"), (0.0005, 3, "0.001"), (0.0004, 3, "0.000"), (0.0015, 3, "0.002"),
        (2.345, 3, "2.345"), (1603774568.123, 3, "1603774568.123"),
        (9223372036854775808.0, 6, "9223372036854775808.000000"),
        (-9223372036854775808.0, 6, "-9223372036854775808.000000"),
        (
            1e300, 0,
            "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160"
        ),
        (.infinity, 6, "+Inf"), (.nan, 6, "NaN"), (-0.0, 3, "-0.000"), (2.5, 0, "2"), (3.5, 0, "4"),
        (1e-10, 6, "0.000000"),
    ]

    static let quoteCases: [(value: String, quoted: String)] = [
        ("a", #""a""#), ("a\"b\\c", #""a\"b\\c""#), ("\n\t\r\u{7}\u{8}\u{C}\u{B}", #""\n\t\r\a\b\f\v""#),
        ("\u{0}\u{1F}\u{7F}", #""\x00\x1f\x7f""#), ("é☺😀", #""é☺😀""#),
        ("\u{A0}\u{200B}\u{FEFF}", #""\u00a0\u200b\ufeff""#),
        ("\u{E000}", #""\ue000""#), ("\u{F0000}", #""\U000f0000""#), (" ", #"" ""#),
    ]

    static let numbersCases: [(text: String, value: Double)] = [
        ("1", 1.0), ("0x1f", 31), ("0X1F", 31), ("0755", 493), ("08", 8), ("1_000", 1000), ("0x_ff", 255),
        ("1e3", 1000),
        (".5", 0.5), ("5.", 5), ("Inf", .infinity), ("iNf", .infinity), ("1_0.5", 10.5), ("1e-400", 0),
        ("18446744073709551616", 18446744073709551616),
    ]

    static let numberFailuresCases: [(text: String, message: String)] = [
        ("1e400", #"strconv.ParseFloat: parsing "1e400": value out of range"#),
        ("0x1e+5", #"strconv.ParseFloat: parsing "0x1e+5": invalid syntax"#),
        ("0xffffffffffffffffff", #"strconv.ParseFloat: parsing "0xffffffffffffffffff": invalid syntax"#),
        ("1__0", #"strconv.ParseFloat: parsing "1__0": invalid syntax"#),
    ]

    static let durationsCases: [(text: String, milliseconds: Int64)] = [
        ("5m", 300_000), ("1h30m", 5_400_000), ("1m30ms", 60_030), ("0", 0), ("1y", 31_536_000_000),
        ("2w", 1_209_600_000),
        ("500ms", 500), ("1d1h1m1s1ms", 90_061_001), ("0s", 0), ("292y", 9_208_512_000_000),
    ]

    static let durationFailuresCases: [(text: String, message: String)] = [
        ("", "empty duration string"), ("5m1h", #"not a valid duration string: "5m1h""#),
        ("5y1hs", #"unknown unit "hs" in duration "5y1hs""#), ("300y", "duration out of range"),
        ("1.5h", #"unknown unit "." in duration "1.5h""#),
        ("m", #"not a valid duration string: "m""#), ("5", #"not a valid duration string: "5""#),
    ]

    static let durationFormatCases: [(milliseconds: Int64, text: String)] = [
        (0, "0s"), (1, "1ms"), (1000, "1s"), (90_000, "1m30s"), (5_400_000, "1h30m"), (86_400_000, "1d"),
        (604_800_000, "1w"), (691_200_000, "8d"), (31_536_000_000, "1y"), (31_622_400_000, "366d"),
        (7_776_000_000, "90d"),
        (1_209_600_000, "2w"), (1_209_600_001, "14d1ms"), (3_661_001, "1h1m1s1ms"),
    ]

    @Test(arguments: shortestFloatCases)
    func shortestFloat(value: Double, text: String) {
        #expect(GoStrconv.formatShortest(value) == text)
    }

    @Test(arguments: fixedFloatCases)
    func fixedFloat(value: Double, decimals: Int, text: String) {
        #expect(GoStrconv.formatFixed(value, decimals: decimals) == text)
    }

    @Test(arguments: quoteCases)
    func quote(value: String, quoted: String) {
        #expect(GoStrconv.quote(value) == quoted)
    }

    @Test func quoteInvalidBytes() {
        #expect(GoStrconv.quote(bytes: [0x61, 0xC5, 0x7A]) == #""a\xc5z""#)
        #expect(GoStrconv.quote(bytes: [0xFF]) == #""\xff""#)
        #expect(GoStrconv.quote(bytes: [0xED, 0xA0, 0x80]) == #""\xed\xa0\x80""#)
        #expect(GoStrconv.quotePrefix(bytes: Array(#""a long string""#.utf8), runes: 10) == #""\"a long st""#)
    }

    @Test func runes() {
        #expect(GoStrconv.quoteRune(0x27) == #"'\''"#)
        #expect(GoStrconv.quoteRune(0x7E) == "'~'")
        #expect(GoStrconv.quoteRune(0x0A) == #"'\n'"#)
        #expect(GoStrconv.quoteRune(-1) == "'\u{FFFD}'")
        #expect(GoStrconv.unicodeFormat(0x63) == "U+0063 'c'")
        #expect(GoStrconv.unicodeFormat(0x0A) == "U+000A")
        #expect(GoStrconv.unicodeFormat(0x1F600) == "U+1F600 '😀'")
    }

    @Test(arguments: numbersCases)
    func numbers(text: String, value: Double) {
        #expect(GoStrconv.parsePromQLNumber(text) == .value(value))
    }

    @Test(arguments: numberFailuresCases)
    func numberFailures(text: String, message: String) {
        #expect(GoStrconv.parsePromQLNumber(text) == .failure(message))
    }

    @Test func nanParses() {
        guard case .value(let value) = GoStrconv.parsePromQLNumber("nAn") else {
            Issue.record("not a value")
            return
        }
        #expect(value.isNaN)
    }

    @Test(arguments: durationsCases)
    func durations(text: String, milliseconds: Int64) {
        #expect(PromQLDuration.parse(text) == .success(milliseconds))
    }

    @Test(arguments: durationFailuresCases)
    func durationFailures(text: String, message: String) {
        #expect(PromQLDuration.parse(text) == .failure(.init(message: message)))
    }

    @Test(arguments: durationFormatCases)
    func durationFormat(milliseconds: Int64, text: String) {
        #expect(PromQLDuration.format(milliseconds: milliseconds) == text)
    }
}
