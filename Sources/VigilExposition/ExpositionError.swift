/// Why an exposition could not be parsed, and where.
///
/// ``line`` and ``column`` are 1-based; the column counts bytes from the start of the line, so it points at
/// the offending byte even in lines holding multi-byte UTF-8.
public struct ExpositionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The broad kind of problem, for callers that react to kinds rather than read messages.
    public enum Code: Sendable, Hashable {
        /// A line does not follow the format's grammar: an unexpected character, an unterminated string,
        /// a missing `=`, an invalid name.
        case syntax
        /// A sample value or timestamp is not a number, or is out of range.
        case invalidNumber
        /// A label set repeats a label name, or a label value is not valid UTF-8.
        case invalidLabels
        /// A `# HELP`, `# TYPE` or `# UNIT` line is invalid, repeated, or comes after the family's samples.
        case invalidMetadata
        /// An exemplar where the family type forbids one, or one whose labels are too long.
        case invalidExemplar
        /// An OpenMetrics family appears twice instead of in one contiguous block.
        case interleavedFamily
        /// The input ends wrongly: a last line without a newline, no `# EOF`, or data after `# EOF`.
        case endOfInput
    }

    public var code: Code
    public var line: Int
    public var column: Int
    public var message: String

    public init(code: Code, line: Int, column: Int, message: String) {
        self.code = code
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line 3, column 14: expected '=' after label name "job"`.
    public var description: String { "line \(line), column \(column): \(message)" }
}
