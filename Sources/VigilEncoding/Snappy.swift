/// The Snappy block format: what Prometheus remote_write (1.0) and its receivers put in request bodies.
///
/// A block is the decoded length as an unsigned varint, then elements, each starting with a tag byte whose
/// low 2 bits give its kind: `00` a literal (the bytes follow), `01`/`10`/`11` a copy of earlier output with a
/// 1-, 2- or 4-byte offset. See `docs/format/chunks.md` and Google's `format_description.txt`. The framing
/// (stream) format, with its chunk headers and masked CRCs, is not supported.
///
/// Decompression checks every tag, length and offset against the input and the declared length, so a damaged
/// or hostile block throws a ``CodecError`` with the byte offset of the offending element, never traps, and
/// never writes more than the declared length, which must itself be within the caller's cap.
public enum Snappy {
    /// The largest decoded length the format can declare.
    public static let maxDecodedLengthInFormat = Int(UInt32.max)

    /// An upper bound on the size of a compressed block for `inputLength` bytes of input.
    public static func maxCompressedLength(_ inputLength: Int) -> Int {
        32 + inputLength + inputLength / 6
    }

    /// Compresses `input` into a new block. To reuse buffers, use ``SnappyCompressor``.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        var compressor = SnappyCompressor()
        var output: [UInt8] = []
        compressor.compress(input, appendingTo: &output)
        return output
    }

    /// The decoded length a block declares, read from its preamble without decoding it.
    public static func decodedLength(of block: [UInt8]) throws(CodecError) -> Int {
        var position = 0
        let declared = try Varint.decodeUnsigned(from: block, at: &position)
        guard declared <= UInt64(maxDecodedLengthInFormat) else {
            throw CodecError(
                code: .tooLarge, offset: 0,
                message: "snappy block declares \(declared) bytes, more than the format's 4 GiB - 1")
        }
        return Int(declared)
    }

    /// Decompresses `block` into a new array.
    ///
    /// - Parameter maxDecodedLength: the most bytes the caller accepts; a block declaring more throws
    ///   ``CodecError/Code-swift.enum/tooLarge`` before anything is allocated (a decompression bomb costs
    ///   nothing).
    public static func decompress(_ block: [UInt8], maxDecodedLength: Int) throws(CodecError) -> [UInt8] {
        let (declared, elementsStart) = try preamble(block, maxDecodedLength: maxDecodedLength)
        var failure: CodecError?
        let output = [UInt8](unsafeUninitializedCapacity: declared) { buffer, initializedCount in
            block.withUnsafeBytes { source in
                do throws(CodecError) {
                    try decodeElements(source, from: elementsStart, into: UnsafeMutableRawBufferPointer(buffer))
                    initializedCount = declared
                } catch {
                    failure = error
                    initializedCount = 0
                }
            }
        }
        if let failure { throw failure }
        return output
    }

    /// Decompresses `block` onto the end of `output`, reusing its capacity. On error `output` is left as it was.
    public static func decompress(
        _ block: [UInt8], appendingTo output: inout [UInt8], maxDecodedLength: Int
    ) throws(CodecError) {
        var failure: CodecError?
        block.withUnsafeBytes { source in
            do throws(CodecError) {
                try decompress(source, appendingTo: &output, maxDecodedLength: maxDecodedLength)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// Decompresses the block in `source` onto the end of `output`. On error `output` is left as it was.
    public static func decompress(
        _ source: UnsafeRawBufferPointer, appendingTo output: inout [UInt8], maxDecodedLength: Int
    ) throws(CodecError) {
        var position = 0
        let declared = try Varint.decodeUnsigned(from: source, at: &position)
        let length = try checkDeclaredLength(declared, maxDecodedLength: maxDecodedLength)
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: length))
        var failure: CodecError?
        output.withUnsafeMutableBytes { buffer in
            do throws(CodecError) {
                try decodeElements(
                    source, from: position, into: UnsafeMutableRawBufferPointer(rebasing: buffer[start...]))
            } catch {
                failure = error
            }
        }
        if let failure {
            output.removeSubrange(start...)
            throw failure
        }
    }

    private static func preamble(_ block: [UInt8], maxDecodedLength: Int) throws(CodecError) -> (Int, Int) {
        var position = 0
        let declared = try Varint.decodeUnsigned(from: block, at: &position)
        return (try checkDeclaredLength(declared, maxDecodedLength: maxDecodedLength), position)
    }

    private static func checkDeclaredLength(_ declared: UInt64, maxDecodedLength: Int) throws(CodecError) -> Int {
        guard declared <= UInt64(maxDecodedLengthInFormat) else {
            throw CodecError(
                code: .tooLarge, offset: 0,
                message: "snappy block declares \(declared) bytes, more than the format's 4 GiB - 1")
        }
        guard declared <= UInt64(max(maxDecodedLength, 0)) else {
            throw CodecError(
                code: .tooLarge, offset: 0,
                message: "snappy block declares \(declared) decoded bytes, above the limit of \(maxDecodedLength)")
        }
        return Int(declared)
    }

    /// Decodes the elements in `source[start...]` into exactly `output.count` bytes.
    ///
    /// Every read of `source` and write of `output` is checked first, so this is safe on any input.
    private static func decodeElements(
        _ source: UnsafeRawBufferPointer, from start: Int, into output: UnsafeMutableRawBufferPointer
    ) throws(CodecError) {
        let inputEnd = source.count
        let total = output.count
        var position = start
        var written = 0
        while position < inputEnd {
            let tagOffset = position
            let tag = source[position]
            let length: Int
            let distance: Int
            switch tag & 0b11 {
            case 0b00:
                var stored = Int(tag >> 2)
                if stored < 60 {
                    position += 1
                } else {
                    let extraBytes = stored - 59
                    guard inputEnd - position > extraBytes else {
                        throw .truncated(at: tagOffset, "literal tag needs \(extraBytes) length bytes, input ends")
                    }
                    stored = 0
                    for index in 0..<extraBytes {
                        stored |= Int(source[position + 1 + index]) << (8 * index)
                    }
                    position += 1 + extraBytes
                }
                let literalLength = stored + 1
                guard literalLength <= inputEnd - position else {
                    throw .truncated(
                        at: tagOffset,
                        "literal of \(literalLength) bytes runs past the end of the input "
                            + "(\(inputEnd - position) bytes left)")
                }
                guard literalLength <= total - written else {
                    throw .corrupt(
                        at: tagOffset,
                        "literal of \(literalLength) bytes overflows the declared length \(total) "
                            + "(\(written) bytes decoded)")
                }
                output.baseAddress.unsafelyUnwrapped.advanced(by: written).copyMemory(
                    from: source.baseAddress.unsafelyUnwrapped.advanced(by: position), byteCount: literalLength)
                position += literalLength
                written += literalLength
                continue
            case 0b01:
                guard inputEnd - position >= 2 else {
                    throw .truncated(at: tagOffset, "copy tag needs 1 offset byte, input ends")
                }
                length = 4 + Int((tag >> 2) & 0b111)
                distance = Int(tag >> 5) << 8 | Int(source[position + 1])
                position += 2
            case 0b10:
                guard inputEnd - position >= 3 else {
                    throw .truncated(at: tagOffset, "copy tag needs 2 offset bytes, input ends")
                }
                length = Int(tag >> 2) + 1
                distance = Int(source[position + 1]) | Int(source[position + 2]) << 8
                position += 3
            default:
                guard inputEnd - position >= 5 else {
                    throw .truncated(at: tagOffset, "copy tag needs 4 offset bytes, input ends")
                }
                length = Int(tag >> 2) + 1
                distance =
                    Int(source[position + 1]) | Int(source[position + 2]) << 8 | Int(source[position + 3]) << 16
                    | Int(source[position + 4]) << 24
                position += 5
            }
            guard distance > 0 else {
                throw .corrupt(at: tagOffset, "copy with offset 0")
            }
            guard distance <= written else {
                throw .corrupt(
                    at: tagOffset,
                    "copy offset \(distance) reaches before the start of the output (\(written) bytes decoded)")
            }
            guard length <= total - written else {
                throw .corrupt(
                    at: tagOffset,
                    "copy of \(length) bytes overflows the declared length \(total) (\(written) bytes decoded)")
            }
            let destination = output.baseAddress.unsafelyUnwrapped.advanced(by: written)
            if distance >= length {
                destination.copyMemory(from: destination - distance, byteCount: length)
            } else {
                // The copy overlaps what it writes: a repeating pattern of `distance` bytes.
                let bytes = destination.assumingMemoryBound(to: UInt8.self)
                for index in 0..<length {
                    bytes[index] = bytes[index - distance]
                }
            }
            written += length
        }
        guard written == total else {
            throw .corrupt(
                at: inputEnd, "snappy block decodes to \(written) bytes, its preamble declares \(total)")
        }
    }
}
