/// Why an exposition could not be parsed, and where.
///
/// ``line`` and ``column`` are 1-based; the column counts bytes from the start of the line, so it points at
/// the offending byte even in lines holding multi-byte UTF-8. Binary formats (the remote_write protobuf) have
/// no lines: they set ``offset``, the byte offset in the decoded message, and leave `line` and `column` 0.
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
        /// A protobuf message is malformed: a truncated varint, a length past the end of its message, a wire
        /// type that the field does not have, an invalid field number.
        case protobuf
    }

    public var code: Code
    public var line: Int
    public var column: Int
    public var message: String
    /// The byte offset of the problem in a binary message; nil for the text formats.
    public var offset: Int?

    public init(code: Code, line: Int, column: Int, message: String) {
        self.code = code
        self.line = line
        self.column = column
        self.message = message
        self.offset = nil
    }

    /// An error in a binary message, at byte `offset`.
    public init(code: Code, offset: Int, message: String) {
        self.code = code
        self.line = 0
        self.column = 0
        self.message = message
        self.offset = offset
    }

    /// `line 3, column 14: expected '=' after label name "job"`, or `at byte 17: …` for a binary message.
    public var description: String {
        if let offset { return "at byte \(offset): \(message)" }
        return "line \(line), column \(column): \(message)"
    }
}
