import Testing
import VigilTemplate

/// Go's `fmt` as templates print values: `%v` of float64 is strconv's shortest 'g', and printf's verbs.
struct GoFormatterTests {
    @Test(arguments: [
        (1e6, "1e+06"), (0.1, "0.1"), (95.5, "95.5"), (3.0, "3"), (Double.infinity, "+Inf"),
        (-Double.infinity, "-Inf"), (Double.nan, "NaN"), (100000.0, "100000"),
        (1234567.0, "1.234567e+06"),
        (0.0001, "0.0001"), (0.00001, "1e-05"), (-2.5, "-2.5"), (0.0, "0"),
        (123456789012.0, "1.23456789012e+11"),
        (1e21, "1e+21"), (5e-324, "5e-324"), (-0.0, "-0"),
    ])
    func printsFloatsAsGo(_ value: Double, _ expected: String) throws {
        let template = try Template(name: "t", text: "{{ . }}")
        #expect(try template.execute(.float(value)) == expected)
    }

    struct PrintfCase: Sendable, CustomTestStringConvertible {
        var format: String
        var arguments: [TemplateValue]
        var expected: String
        var testDescription: String { format }
    }

    @Test(arguments: [
        PrintfCase(format: "%s", arguments: ["x"], expected: "x"),
        PrintfCase(format: "%d", arguments: [42], expected: "42"),
        PrintfCase(format: "%f", arguments: [95.5], expected: "95.500000"),
        PrintfCase(format: "%.2f", arguments: [95.456], expected: "95.46"),
        PrintfCase(format: "%.0f", arguments: [2.5], expected: "2"),
        PrintfCase(format: "%5.1f|", arguments: [3.14159], expected: "  3.1|"),
        PrintfCase(format: "%-10s|", arguments: ["gpu"], expected: "gpu       |"),
        PrintfCase(format: "%10s|", arguments: ["gpu"], expected: "       gpu|"),
        PrintfCase(format: "%g", arguments: [1e6], expected: "1e+06"),
        PrintfCase(format: "%.3g", arguments: [1234.5678], expected: "1.23e+03"),
        PrintfCase(format: "%e", arguments: [1234.5678], expected: "1.234568e+03"),
        PrintfCase(format: "%.2e", arguments: [0.000123], expected: "1.23e-04"),
        PrintfCase(format: "%v %v %v", arguments: [1.5, 2, "s"], expected: "1.5 2 s"),
        PrintfCase(format: "%q", arguments: ["a\"b\n"], expected: "\"a\\\"b\\n\""),
        PrintfCase(format: "%x %X %x", arguments: [255, 255, "hi"], expected: "ff FF 6869"),
        PrintfCase(format: "%05d|%+d|% d", arguments: [42, 5, 7], expected: "00042|+5| 7"),
        PrintfCase(format: "%t", arguments: [true], expected: "true"),
        PrintfCase(format: "100%%", arguments: [], expected: "100%"),
        PrintfCase(format: "%d", arguments: [1.5], expected: "%!d(float64=1.5)"),
        PrintfCase(format: "%s", arguments: [3], expected: "%!s(int=3)"),
        PrintfCase(format: "%d %d", arguments: [1], expected: "1 %!d(MISSING)"),
        PrintfCase(format: "%d", arguments: [1, "x"], expected: "1%!(EXTRA string=x)"),
        PrintfCase(format: "%.2f%%", arguments: [12.345], expected: "12.35%"),
        PrintfCase(format: "%s", arguments: [nil], expected: "%!s(<nil>)"),
        PrintfCase(format: "%0.2f", arguments: [3720.01], expected: "3720.01"),
        PrintfCase(format: "%c%c", arguments: [72, 105], expected: "Hi"),
        PrintfCase(format: "%6.2f%%", arguments: [5.0], expected: "  5.00%"),
        PrintfCase(format: "%*d|", arguments: [-3, 1], expected: "1  |"),
        PrintfCase(format: "%.*f", arguments: [1, 2.25], expected: "2.2"),
        PrintfCase(format: "%", arguments: [], expected: "%!(NOVERB)"),
    ])
    func printf(_ testCase: PrintfCase) throws {
        var text = "{{ printf \(goQuote(testCase.format))"
        for index in testCase.arguments.indices { text += " (index .Args \(index))" }
        text += " }}"
        let printf = try Template(name: "t", text: text)
        #expect(try printf.execute(["Args": .list(testCase.arguments)]) == testCase.expected)
    }

    private func goQuote(_ text: String) -> String {
        "\""
            + text.replacingOccurrencesForTest("\\", "\\\\").replacingOccurrencesForTest("\"", "\\\"")
            .replacingOccurrencesForTest("\n", "\\n") + "\""
    }
}

extension String {
    func replacingOccurrencesForTest(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
