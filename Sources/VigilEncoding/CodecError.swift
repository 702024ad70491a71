/// Why bytes could not be encoded or decoded, and where.
///
/// Every decoder in this module reports damaged input with one of these instead of trapping, so a corrupt
/// chunk, WAL record or remote-write body costs one error, never the process. ``offset`` is the byte offset,
/// counted from the start of the buffer or range the decoder was given, at which the problem was found.
public struct CodecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The broad kind of problem, for callers that react to kinds (count them, quarantine a block) rather
    /// than read messages.
    public enum Code: Sendable, Hashable {
        /// The input ends in the middle of a value: a varint, a field of bits, a snappy literal or tag.
        case truncated
        /// A varint is longer than 10 bytes or does not fit in 64 bits.
        case varintOverflow
        /// The input is malformed: an impossible bit-field value, a snappy copy reaching before the start of
        /// the output, timestamps that do not increase, bytes left over after the last sample.
        case corrupt
        /// A timestamp appended to a chunk is not after the chunk's last one (out of order or duplicate).
        case outOfOrder
        /// The chunk already holds ``XORChunkEncoder/maxSamples`` samples.
        case chunkFull
        /// A snappy block declares a decoded length above the caller's cap (or above 2³² − 1).
        case tooLarge
    }

    public var code: Code
    /// Byte offset of the problem in the input, or `nil` when the error is about a value rather than bytes
    /// (``Code-swift.enum/outOfOrder``, ``Code-swift.enum/chunkFull``).
    public var offset: Int?
    public var message: String

    public init(code: Code, offset: Int?, message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    /// `at byte 17: snappy copy offset 300 reaches before the start of the output (12 bytes decoded)`.
    public var description: String {
        if let offset { return "at byte \(offset): \(message)" }
        return message
    }
}

extension CodecError {
    @usableFromInline
    static func truncated(at offset: Int, _ message: String) -> CodecError {
        CodecError(code: .truncated, offset: offset, message: message)
    }

    @usableFromInline
    static func corrupt(at offset: Int, _ message: String) -> CodecError {
        CodecError(code: .corrupt, offset: offset, message: message)
    }
}
