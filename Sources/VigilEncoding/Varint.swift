/// Variable-length integers, byte-compatible with Go's `encoding/binary` (`PutUvarint`, `PutVarint`,
/// `Uvarint`, `Varint`), which Prometheus uses in chunks, the index and the WAL.
///
/// An unsigned varint (LEB128) stores 7 bits per byte, least significant group first; the high bit of a byte
/// says another byte follows. A signed varint is the unsigned varint of the zig-zag mapping
/// 0, −1, 1, −2, … → 0, 1, 2, 3, …, so small magnitudes stay short whatever their sign.
///
/// Decoding accepts what Go accepts, including non-minimal encodings (`0x80 0x00` is 0), and rejects what Go
/// rejects: more than ``maxLength`` bytes, or a tenth byte above 1 (the value would not fit in 64 bits).
public enum Varint {
    /// The longest encoding of a 64-bit value.
    public static let maxLength = 10

    /// Maps a signed value to an unsigned one so that small magnitudes get small codes.
    @inlinable
    public static func zigZag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value &<< 1) ^ (value >> 63))
    }

    /// The inverse of ``zigZag(_:)``.
    @inlinable
    public static func unZigZag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ (0 &- Int64(bitPattern: value & 1))
    }

    /// How many bytes ``appendUnsigned(_:to:)`` writes for `value`.
    @inlinable
    public static func length(ofUnsigned value: UInt64) -> Int {
        // 1 byte for up to 7 significant bits, one more per further 7.
        let bits = 64 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    /// How many bytes ``appendSigned(_:to:)`` writes for `value`.
    @inlinable
    public static func length(ofSigned value: Int64) -> Int {
        length(ofUnsigned: zigZag(value))
    }

    /// Appends `value` as an unsigned varint (1 to 10 bytes).
    @inlinable
    public static func appendUnsigned(_ value: UInt64, to buffer: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        buffer.append(UInt8(truncatingIfNeeded: rest))
    }

    /// Appends `value` as a zig-zag signed varint (1 to 10 bytes).
    @inlinable
    public static func appendSigned(_ value: Int64, to buffer: inout [UInt8]) {
        appendUnsigned(zigZag(value), to: &buffer)
    }

    /// Decodes an unsigned varint starting at `position` and moves `position` past it.
    ///
    /// Reads no further than `end` (default: the end of `bytes`). On error `position` is left where it was and
    /// the error's offset is the index of the varint's first byte.
    @inlinable
    public static func decodeUnsigned(
        from bytes: [UInt8], at position: inout Int, end: Int? = nil
    ) throws(CodecError) -> UInt64 {
        try decodeUnsigned(bytes, at: &position, limit: min(end ?? bytes.count, bytes.count))
    }

    /// Decodes a zig-zag signed varint starting at `position` and moves `position` past it.
    @inlinable
    public static func decodeSigned(
        from bytes: [UInt8], at position: inout Int, end: Int? = nil
    ) throws(CodecError) -> Int64 {
        unZigZag(try decodeUnsigned(from: bytes, at: &position, end: end))
    }

    /// Decodes an unsigned varint from raw memory (a mapped file, a network buffer), as the array version does.
    @inlinable
    public static func decodeUnsigned(
        from buffer: UnsafeRawBufferPointer, at position: inout Int
    ) throws(CodecError) -> UInt64 {
        try decodeUnsigned(buffer, at: &position, limit: buffer.count)
    }

    /// The one decoder behind both public forms, specialised for arrays and raw buffers.
    @inlinable
    static func decodeUnsigned<Bytes: RandomAccessCollection<UInt8>>(
        _ bytes: Bytes, at position: inout Int, limit: Int
    ) throws(CodecError) -> UInt64 where Bytes.Index == Int {
        let start = position
        guard start >= 0, start < limit else {
            throw .truncated(at: start, "varint expected, input ends")
        }
        let first = bytes[start]
        if first < 0x80 {
            position = start + 1
            return UInt64(first)
        }
        var result = UInt64(first & 0x7f)
        var shift: UInt64 = 7
        var index = start + 1
        while index < limit {
            let byte = bytes[index]
            index += 1
            if byte < 0x80 {
                if index - start == maxLength && byte > 1 {
                    throw overflow(at: start)
                }
                position = index
                return result | (UInt64(byte) << shift)
            }
            if index - start == maxLength {
                throw overflow(at: start)
            }
            result |= UInt64(byte & 0x7f) << shift
            shift += 7
        }
        throw .truncated(at: start, "varint of \(index - start) bytes is cut off by the end of the input")
    }

    /// Decodes a zig-zag signed varint from raw memory.
    @inlinable
    public static func decodeSigned(
        from buffer: UnsafeRawBufferPointer, at position: inout Int
    ) throws(CodecError) -> Int64 {
        unZigZag(try decodeUnsigned(from: buffer, at: &position))
    }

    @usableFromInline
    static func overflow(at offset: Int) -> CodecError {
        CodecError(code: .varintOverflow, offset: offset, message: "varint does not fit in 64 bits")
    }
}
