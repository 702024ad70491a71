import Testing
import VigilExposition
import VigilModel

/// One bad input and the error it must produce.
struct BadInput: CustomTestStringConvertible, Sendable {
    var name: String
    var format: ExpositionFormat
    var input: String
    var line: Int
    var column: Int
    var message: String
    var code: ExpositionError.Code

    var testDescription: String { name }
}

@Suite("Parser errors")
struct ParserErrorTests {
    static let textCases: [BadInput] = [
        BadInput(
            name: "unterminated label value", format: .text, input: "a 1\nm{job=\"api} 1\n", line: 2, column: 7,
            message: "unterminated label value for \"job\"", code: .syntax),
        BadInput(
            name: "missing '='", format: .text, input: "# HELP m x\n\nm{job=\"a\",inst \"b\"} 1\n", line: 3,
            column: 16, message: "expected '=' after label name \"inst\"", code: .syntax),
        BadInput(
            name: "missing '=' before comma", format: .text, input: "m{job} 1\n", line: 1, column: 6,
            message: "expected '=' after label name \"job\"", code: .syntax),
        BadInput(
            name: "label value not quoted", format: .text, input: "m{job=api} 1\n", line: 1, column: 7,
            message: "expected '\"' to open the value of label \"job\", found 'a'", code: .syntax),
        BadInput(
            name: "missing comma", format: .text, input: "m{a=\"1\" b=\"2\"} 1\n", line: 1, column: 9,
            message: "expected ',' or '}' after the value of label \"a\", found 'b'", code: .syntax),
        BadInput(
            name: "unterminated label set", format: .text, input: "m{a=\"1\"\n", line: 1, column: 2,
            message: "unterminated label set", code: .syntax),
        BadInput(
            name: "bad float", format: .text, input: "m 1.2.3\n", line: 1, column: 3,
            message: "invalid value \"1.2.3\"", code: .invalidNumber),
        BadInput(
            name: "hex float", format: .text, input: "m 0x1p3\n", line: 1, column: 3,
            message: "invalid value \"0x1p3\"", code: .invalidNumber),
        BadInput(
            name: "signed NaN", format: .text, input: "m -NaN\n", line: 1, column: 3,
            message: "invalid value \"-NaN\"", code: .invalidNumber),
        BadInput(
            name: "value overflow", format: .text, input: "m 1e400\n", line: 1, column: 3,
            message: "value \"1e400\" is out of range", code: .invalidNumber),
        BadInput(
            name: "missing value", format: .text, input: "m{a=\"b\"}\n", line: 1, column: 9,
            message: "missing sample value", code: .syntax),
        BadInput(
            name: "bad timestamp", format: .text, input: "m 1 12.5\n", line: 1, column: 5,
            message: "invalid timestamp \"12.5\": expected integer milliseconds", code: .invalidNumber),
        BadInput(
            name: "huge timestamp", format: .text, input: "m 1 9223372036854775808\n", line: 1, column: 5,
            message: "timestamp \"9223372036854775808\" is out of range", code: .invalidNumber),
        BadInput(
            name: "text after timestamp", format: .text, input: "m 1 2 3\n", line: 1, column: 7,
            message: "unexpected text after the timestamp", code: .syntax),
        BadInput(
            name: "duplicate label", format: .text, input: "m{a=\"1\",b=\"2\",a=\"3\"} 1\n", line: 1, column: 15,
            message: "duplicate label name \"a\"", code: .invalidLabels),
        BadInput(
            name: "duplicate quoted label", format: .text, input: "m{\"a\"=\"1\",a=\"3\"} 1\n", line: 1, column: 11,
            message: "duplicate label name \"a\"", code: .invalidLabels),
        BadInput(
            name: "TYPE after samples", format: .text, input: "m 1\n# TYPE m gauge\n", line: 2, column: 8,
            message: "TYPE line for metric family \"m\" after its samples", code: .invalidMetadata),
        BadInput(
            name: "TYPE after samples of another family in between", format: .text,
            input: "# HELP m x\nm 1\nn 2\n# TYPE m gauge\n", line: 4, column: 8,
            message: "TYPE line for metric family \"m\" after its samples", code: .invalidMetadata),
        BadInput(
            name: "duplicate HELP", format: .text, input: "# HELP m one\n# TYPE m gauge\n# HELP m two\n", line: 3,
            column: 8, message: "second HELP line for metric family \"m\"", code: .invalidMetadata),
        BadInput(
            name: "duplicate TYPE", format: .text, input: "# TYPE m gauge\n# TYPE m counter\n", line: 2, column: 8,
            message: "second TYPE line for metric family \"m\"", code: .invalidMetadata),
        BadInput(
            name: "invalid type", format: .text, input: "# TYPE m gaugeish\n", line: 1, column: 10,
            message: "invalid metric type \"gaugeish\"", code: .invalidMetadata),
        BadInput(
            name: "OpenMetrics-only type in text", format: .text, input: "# TYPE m info\n", line: 1, column: 10,
            message: "invalid metric type \"info\"", code: .invalidMetadata),
        BadInput(
            name: "missing type", format: .text, input: "# TYPE m\n", line: 1, column: 9,
            message: "expected a metric type", code: .invalidMetadata),
        BadInput(
            name: "empty label name", format: .text, input: "m{=\"x\"} 1\n", line: 1, column: 3,
            message: "empty label name", code: .syntax),
        BadInput(
            name: "empty quoted label name", format: .text, input: "m{\"\"=\"x\"} 1\n", line: 1, column: 3,
            message: "empty label name", code: .syntax),
        BadInput(
            name: "invalid metric name character", format: .text, input: "my-metric 1\n", line: 1, column: 3,
            message: "invalid character '-' in metric name \"my\"", code: .syntax),
        BadInput(
            name: "metric name starting with a digit", format: .text, input: "1metric 1\n", line: 1, column: 1,
            message: "expected a metric name, found '1'", code: .syntax),
        BadInput(
            name: "invalid label name character", format: .text, input: "m{my.label=\"x\"} 1\n", line: 1, column: 5,
            message: "invalid character '.' in label name \"my\"", code: .syntax),
        BadInput(
            name: "metric name given twice", format: .text, input: "m{\"n\"} 1\n", line: 1, column: 3,
            message: "metric name given twice", code: .syntax),
        BadInput(
            name: "no metric name", format: .text, input: "{a=\"b\"} 1\n", line: 1, column: 1,
            message: "missing metric name", code: .syntax),
        BadInput(
            name: "unterminated quoted name", format: .text, input: "{\"my.metric} 1\n", line: 1, column: 2,
            message: "unterminated quoted name", code: .syntax),
        BadInput(
            name: "missing final newline", format: .text, input: "a 1\nb 2", line: 2, column: 4,
            message: "the last line must end with a newline", code: .endOfInput),
        BadInput(
            name: "CRLF", format: .text, input: "# HELP a x\r\n", line: 1, column: 11,
            message: "CRLF line endings are not supported", code: .syntax),
    ]

    static let openMetricsCases: [BadInput] = [
        BadInput(
            name: "missing EOF", format: .openMetrics, input: "# TYPE a gauge\na 1\n", line: 3, column: 1,
            message: "expected # EOF at end of input", code: .endOfInput),
        BadInput(
            name: "empty input", format: .openMetrics, input: "", line: 1, column: 1,
            message: "expected # EOF at end of input", code: .endOfInput),
        BadInput(
            name: "truncated line", format: .openMetrics, input: "a 1\na 2", line: 2, column: 4,
            message: "unexpected end of input", code: .endOfInput),
        BadInput(
            name: "data after EOF", format: .openMetrics, input: "# EOF\na 1\n", line: 2, column: 1,
            message: "unexpected data after # EOF", code: .endOfInput),
        BadInput(
            name: "blank line after EOF", format: .openMetrics, input: "# EOF\n\n", line: 2, column: 1,
            message: "unexpected data after # EOF", code: .endOfInput),
        BadInput(
            name: "text after EOF marker", format: .openMetrics, input: "# EOF now\n", line: 1, column: 6,
            message: "unexpected text after # EOF", code: .endOfInput),
        BadInput(
            name: "comment", format: .openMetrics, input: "# just a comment\n# EOF\n", line: 1, column: 1,
            message: "comments are not allowed in OpenMetrics", code: .syntax),
        BadInput(
            name: "blank line", format: .openMetrics, input: "a 1\n\n# EOF\n", line: 2, column: 1,
            message: "empty line", code: .syntax),
        BadInput(
            name: "interleaved family", format: .openMetrics,
            input: "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x=\"y\"} 2\n# EOF\n", line: 5, column: 1,
            message: "metric family \"a\" appears again", code: .interleavedFamily),
        BadInput(
            name: "interleaved counter by its _total sample", format: .openMetrics,
            input: "# TYPE a counter\na_total 1\nb 1\na_total{x=\"y\"} 2\n# EOF\n", line: 4, column: 1,
            message: "metric family \"a\" appears again", code: .interleavedFamily),
        BadInput(
            name: "metadata of an earlier family", format: .openMetrics,
            input: "# TYPE a gauge\n# TYPE b gauge\n# HELP a late\n# EOF\n", line: 3, column: 8,
            message: "metric family \"a\" appears again", code: .interleavedFamily),
        BadInput(
            name: "unit not a suffix", format: .openMetrics,
            input: "# TYPE request_duration gauge\n# UNIT request_duration seconds\n# EOF\n", line: 2, column: 25,
            message: "unit \"seconds\" is not a suffix of metric family name \"request_duration\"",
            code: .invalidMetadata),
        BadInput(
            name: "unit matching without underscore", format: .openMetrics,
            input: "# UNIT kiloseconds seconds\n# EOF\n", line: 1, column: 20,
            message: "is not a suffix", code: .invalidMetadata),
        BadInput(
            name: "duplicate UNIT", format: .openMetrics,
            input: "# UNIT a_seconds seconds\n# UNIT a_seconds seconds\n# EOF\n", line: 2, column: 8,
            message: "second UNIT line", code: .invalidMetadata),
        BadInput(
            name: "HELP after samples", format: .openMetrics, input: "# TYPE a gauge\na 1\n# HELP a x\n# EOF\n",
            line: 3, column: 8, message: "HELP line for metric family \"a\" after its samples", code: .invalidMetadata),
        BadInput(
            name: "untyped is text-only", format: .openMetrics, input: "# TYPE a untyped\n# EOF\n", line: 1,
            column: 10, message: "invalid metric type \"untyped\"", code: .invalidMetadata),
        BadInput(
            name: "exemplar on a gauge", format: .openMetrics,
            input: "# TYPE g gauge\ng 1 # {trace_id=\"x\"} 1\n# EOF\n", line: 2, column: 5,
            message: "exemplars are only allowed on counter _total and histogram _bucket samples",
            code: .invalidExemplar),
        BadInput(
            name: "exemplar on histogram _count", format: .openMetrics,
            input: "# TYPE h histogram\nh_count 1 # {trace_id=\"x\"} 1\n# EOF\n", line: 2, column: 11,
            message: "exemplars are only allowed", code: .invalidExemplar),
        BadInput(
            name: "exemplar too long", format: .openMetrics,
            input: "# TYPE c counter\nc_total 1 # {id=\"\(String(repeating: "x", count: 127))\"} 1\n# EOF\n", line: 2,
            column: 13, message: "exemplar labels are 129 characters long", code: .invalidExemplar),
        BadInput(
            name: "exemplar without value", format: .openMetrics,
            input: "# TYPE c counter\nc_total 1 # {a=\"b\"}\n# EOF\n", line: 2, column: 20,
            message: "missing exemplar value", code: .syntax),
        BadInput(
            name: "exemplar naming a metric", format: .openMetrics,
            input: "# TYPE c counter\nc_total 1 # {\"x\"} 1\n# EOF\n", line: 2, column: 14,
            message: "exemplar labels cannot name a metric", code: .invalidExemplar),
        BadInput(
            name: "bad OpenMetrics timestamp", format: .openMetrics, input: "a 1 soon\n# EOF\n", line: 1, column: 5,
            message: "invalid timestamp \"soon\": expected seconds", code: .invalidNumber),
        BadInput(
            name: "infinite timestamp", format: .openMetrics, input: "a 1 +Inf\n# EOF\n", line: 1, column: 5,
            message: "invalid timestamp", code: .invalidNumber),
        BadInput(
            name: "huge OpenMetrics timestamp", format: .openMetrics, input: "a 1 1e300\n# EOF\n", line: 1, column: 5,
            message: "is out of range for 64-bit milliseconds", code: .invalidNumber),
        BadInput(
            name: "huge decimal OpenMetrics timestamp", format: .openMetrics, input: "a 1 9223372036854776\n# EOF\n",
            line: 1, column: 5, message: "is out of range", code: .invalidNumber),
        BadInput(
            name: "two spaces", format: .openMetrics, input: "a  1\n# EOF\n", line: 1, column: 3,
            message: "exactly one space", code: .syntax),
        BadInput(
            name: "tab separator", format: .openMetrics, input: "a\t1\n# EOF\n", line: 1, column: 2,
            message: "invalid character tab in metric name \"a\"", code: .syntax),
        BadInput(
            name: "trailing space", format: .openMetrics, input: "a 1 \n# EOF\n", line: 1, column: 4,
            message: "trailing space", code: .syntax),
        BadInput(
            name: "spaces in label set", format: .openMetrics, input: "a{x=\"1\", y=\"2\"} 1\n# EOF\n", line: 1,
            column: 9, message: "expected a label name, found ' '", code: .syntax),
        BadInput(
            name: "duplicate HELP", format: .openMetrics, input: "# HELP a x\n# HELP a y\n# EOF\n", line: 2,
            column: 8, message: "second HELP line for metric family \"a\"", code: .invalidMetadata),
        BadInput(
            name: "TYPE after samples", format: .openMetrics, input: "a 1\n# TYPE a gauge\n# EOF\n", line: 2,
            column: 8, message: "TYPE line for metric family \"a\" after its samples", code: .invalidMetadata),
    ]

    @Test(arguments: textCases + openMetricsCases)
    func rejects(_ bad: BadInput) throws {
        let error = try #require(parseError(bad.input, bad.format), "\(bad.name) parsed without error")
        #expect(error.message.contains(bad.message), "\(error)")
        #expect(error.line == bad.line, "\(error)")
        #expect(error.column == bad.column, "\(error)")
        #expect(error.code == bad.code, "\(error)")
    }

    @Test(arguments: ExpositionFormat.allCases)
    func invalidUTF8(_ format: ExpositionFormat) throws {
        var label = Array("m{a=\"".utf8) + [0xC3, 0x28] + Array("\"} 1\n# EOF\n".utf8)
        var error = try #require(throws: ExpositionError.self) {
            try ExpositionParser.parseFamilies(bytes: label, format: format)
        }
        #expect(error.code == .invalidLabels)
        #expect(error.column == 5)
        #expect(error.message == "value of label \"a\" is not valid UTF-8")

        label = Array("{\"".utf8) + [0xFF] + Array("\"} 1\n# EOF\n".utf8)
        error = try #require(throws: ExpositionError.self) {
            try ExpositionParser.parseFamilies(bytes: label, format: format)
        }
        #expect(error.message == "quoted name is not valid UTF-8")
        #expect(error.column == 2)
    }

    @Test func descriptionNamesLineAndColumn() {
        let error = parseError("a 1\nb 2\nup{instance=\"x\",job \"y\"} 1\n", .text)
        #expect(error?.description == "line 3, column 21: expected '=' after label name \"job\"")
    }

    @Test(arguments: ["node_exporter.txt", "dcgm_exporter.txt"])
    func everyPrefixOfAValidTextDocumentParsesOrThrows(_ name: String) throws {
        let bytes = try fixture(name)
        // The loop is quadratic: the first 6000 bytes keep it fast in debug builds.
        let document = Array(bytes.prefix(6000))
        for length in 0...document.count {
            _ = try? ExpositionParser.parseFamilies(bytes: Array(document[0..<length]), format: .text)
        }
    }

    @Test(arguments: ExpositionFormat.allCases)
    func everyPrefixOfAValidDocumentParsesOrThrows(_ format: ExpositionFormat) throws {
        let bytes = try fixture("openmetrics.txt")
        var accepted = 0
        for length in 0...bytes.count {
            var parser = ExpositionParser(bytes: Array(bytes[0..<length]), format: format)
            do {
                while try parser.next() != nil {}
                accepted += 1
            } catch {
                #expect(error.line >= 1 && error.column >= 1)
            }
        }
        if format == .openMetrics {
            // Only the complete document, with or without its final newline, is valid OpenMetrics.
            #expect(accepted == 2)
        }
    }

    @Test func everySingleByteCorruptionParsesOrThrows() throws {
        let bytes = try fixture("openmetrics.txt")
        let replacements: [UInt8] = [0, 0x0A, 0x0D, 0x20, 0x22, 0x23, 0x2C, 0x3D, 0x5C, 0x7B, 0x7D, 0xFF, 0x65, 0x2E]
        for index in stride(from: 0, to: bytes.count, by: 3) {
            for replacement in replacements {
                var corrupted = bytes
                corrupted[index] = replacement
                for format in ExpositionFormat.allCases {
                    _ = try? ExpositionParser.parseFamilies(bytes: corrupted, format: format)
                }
            }
        }
    }
}
