import VigilEncoding

/// One field's key as read from the wire: its number, wire type, and where its tag starts.
struct ProtobufField {
    var number: UInt64
    var wireType: UInt8
    var offset: Int
}

/// Reads protobuf wire format from raw memory: tags, varints, fixed-width values, length-delimited ranges,
/// and skipping of fields of every wire type. Every read checks the end of the message it is in (`end`), so
/// a nested message cannot read past its own length. Errors carry the byte offset from the buffer's start.
///
/// The wire types: 0 varint, 1 64-bit, 2 length-delimited, 3 start group, 4 end group (both deprecated but
/// valid), 5 32-bit; 6 and 7 do not exist.
struct ProtobufReader {
    let buffer: UnsafeRawBufferPointer
    var position: Int

    /// The largest field number protobuf allows (2²⁹ − 1).
    static let maxFieldNumber: UInt64 = (1 << 29) - 1

    init(buffer: UnsafeRawBufferPointer, position: Int = 0) {
        self.buffer = buffer
        self.position = position
    }

    /// Reads the next field's tag.
    @inline(__always)
    mutating func field(end: Int, in message: StaticString) throws(ExpositionError) -> ProtobufField {
        let offset = position
        // Every field of prompb has a number below 16: its tag is one byte.
        let first = buffer[offset]
        let tag: UInt64
        if first < 0x80 {
            position = offset + 1
            tag = UInt64(first)
        } else {
            tag = try varint(end: end, "field tag", in: message)
        }
        let number = tag >> 3
        guard number != 0, number <= Self.maxFieldNumber else {
            throw ExpositionError(
                code: .protobuf, offset: offset, message: "invalid field number \(number) in \(message)")
        }
        return ProtobufField(number: number, wireType: UInt8(truncatingIfNeeded: tag & 7), offset: offset)
    }

    /// Reads an unsigned varint that must end before `end`.
    @inline(__always)
    mutating func varint(end: Int, _ what: StaticString, in message: StaticString) throws(ExpositionError) -> UInt64 {
        if position < end {
            let first = buffer[position]
            if first < 0x80 {
                position += 1
                return UInt64(first)
            }
        }
        let limited = UnsafeRawBufferPointer(rebasing: buffer[0..<end])
        do throws(CodecError) {
            return try Varint.decodeUnsigned(from: limited, at: &position)
        } catch {
            let offset = error.offset ?? position
            if error.code == .varintOverflow {
                throw ExpositionError(
                    code: .protobuf, offset: offset, message: "varint (\(what)) in \(message) does not fit in 64 bits")
            }
            throw ExpositionError(
                code: .protobuf, offset: offset,
                message: "truncated varint (\(what)) at the end of the \(message)")
        }
    }

    /// Reads a varint field's value, checking that the field has the varint wire type.
    @inline(__always)
    mutating func varintField(
        _ field: ProtobufField, end: Int, _ name: StaticString, in message: StaticString
    ) throws(ExpositionError) -> UInt64 {
        guard field.wireType == 0 else { throw wrongWireType(field, expected: 0, name, in: message) }
        return try varint(end: end, name, in: message)
    }

    /// Reads a 64-bit (wire type 1) field's value as little-endian bits.
    @inline(__always)
    mutating func fixed64Field(
        _ field: ProtobufField, end: Int, _ name: StaticString, in message: StaticString
    ) throws(ExpositionError) -> UInt64 {
        guard field.wireType == 1 else { throw wrongWireType(field, expected: 1, name, in: message) }
        guard end - position >= 8 else {
            throw ExpositionError(
                code: .protobuf, offset: position,
                message: "\(message) field \(field.number) (\(name)) needs 8 bytes, \(end - position) left")
        }
        let bits = buffer.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return UInt64(littleEndian: bits)
    }

    /// Reads a length-delimited field's length and returns the range of its bytes, leaving ``position`` at
    /// their start.
    @inline(__always)
    mutating func lengthDelimitedField(
        _ field: ProtobufField, end: Int, _ name: StaticString, in message: StaticString
    ) throws(ExpositionError) -> Range<Int> {
        guard field.wireType == 2 else { throw wrongWireType(field, expected: 2, name, in: message) }
        return try lengthDelimited(field, end: end, name, in: message)
    }

    private mutating func lengthDelimited(
        _ field: ProtobufField, end: Int, _ name: StaticString, in message: StaticString
    ) throws(ExpositionError) -> Range<Int> {
        let lengthOffset = position
        let length = try varint(end: end, "length", in: message)
        guard length <= UInt64(end - position) else {
            throw ExpositionError(
                code: .protobuf, offset: lengthOffset,
                message:
                    "length \(length) of \(message) field \(field.number) (\(name)) runs past the end of the \(message) (\(end - position) bytes left)"
            )
        }
        return position..<(position + Int(length))
    }

    /// Skips a field this decoder does not read, whatever its wire type, groups included.
    mutating func skip(_ field: ProtobufField, end: Int, in message: StaticString) throws(ExpositionError) {
        switch field.wireType {
        case 3:
            var depth = 1
            while depth > 0 {
                guard position < end else {
                    throw ExpositionError(
                        code: .protobuf, offset: field.offset,
                        message: "group of field \(field.number) in \(message) has no end-group")
                }
                let inner = try self.field(end: end, in: message)
                switch inner.wireType {
                case 3: depth += 1
                case 4: depth -= 1
                default: try skipValue(inner, end: end, in: message)
                }
            }
        case 4:
            throw ExpositionError(
                code: .protobuf, offset: field.offset,
                message: "end-group for field \(field.number) in \(message) without a matching start-group")
        default:
            try skipValue(field, end: end, in: message)
        }
    }

    private mutating func skipValue(_ field: ProtobufField, end: Int, in message: StaticString) throws(ExpositionError)
    {
        switch field.wireType {
        case 0:
            _ = try varint(end: end, "unknown field", in: message)
        case 1, 5:
            let size = field.wireType == 1 ? 8 : 4
            guard end - position >= size else {
                throw ExpositionError(
                    code: .protobuf, offset: position,
                    message: "\(message) field \(field.number) (unknown) needs \(size) bytes, \(end - position) left")
            }
            position += size
        case 2:
            position = try lengthDelimited(field, end: end, "unknown", in: message).upperBound
        default:
            throw ExpositionError(
                code: .protobuf, offset: field.offset,
                message: "invalid wire type \(field.wireType) for field \(field.number) in \(message)")
        }
    }

    private func wrongWireType(
        _ field: ProtobufField, expected: UInt8, _ name: StaticString, in message: StaticString
    ) -> ExpositionError {
        ExpositionError(
            code: .protobuf, offset: field.offset,
            message:
                "\(message) field \(field.number) (\(name)) has wire type \(field.wireType) (\(Self.wireTypeName(field.wireType))), expected \(expected) (\(Self.wireTypeName(expected)))"
        )
    }

    static func wireTypeName(_ wireType: UInt8) -> String {
        switch wireType {
        case 0: "varint"
        case 1: "64-bit"
        case 2: "length-delimited"
        case 3: "start group"
        case 4: "end group"
        case 5: "32-bit"
        default: "invalid"
        }
    }
}
