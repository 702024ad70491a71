/// Reads bits, most significant first, from a range of a byte buffer; the counterpart of ``BitWriter``.
///
/// Reading past the end of the range throws ``CodecError/Code-swift.enum/truncated`` and leaves the reader
/// unchanged; it never traps. Offsets in errors count bytes from the start of the range. The reader keeps up to
/// 64 bits in a register and refills it 8 bytes at a time, so a read usually costs a shift and a mask.
public struct BitReader: Sendable {
    @usableFromInline let source: [UInt8]
    @usableFromInline let start: Int
    @usableFromInline let end: Int
    /// The next byte of `source` to load into `buffer`.
    @usableFromInline var next: Int
    /// Bits loaded but not yet read, left-aligned: the next bit is bit 63.
    @usableFromInline var buffer: UInt64
    /// How many of `buffer`'s high bits are valid.
    @usableFromInline var available: Int

    /// Reads all of `bytes`.
    public init(_ bytes: [UInt8]) {
        self.init(bytes, range: 0..<bytes.count)
    }

    /// Reads `range` of `bytes`. A range reaching outside `bytes` is clipped to it, so a bad length read from
    /// disk shows up as ``CodecError/Code-swift.enum/truncated`` rather than a trap.
    public init(_ bytes: [UInt8], range: Range<Int>) {
        let clipped = range.clamped(to: 0..<bytes.count)
        self.source = bytes
        self.start = clipped.lowerBound
        self.end = clipped.upperBound
        self.next = clipped.lowerBound
        self.buffer = 0
        self.available = 0
    }

    /// Bits read so far.
    @inlinable
    public var bitPosition: Int { (next - start) * 8 - available }

    /// Bits left to read.
    @inlinable
    public var remainingBits: Int { (end - next) * 8 + available }

    /// Reads one bit.
    @inlinable
    public mutating func readBit() throws(CodecError) -> Bool {
        if available == 0 {
            guard next < end else { throw .truncated(at: next - start, "1 more bit needed, input ends") }
            loadBuffer()
        }
        available &-= 1  // it was 0 only before the load above
        let bit = buffer &>> 63
        buffer = buffer &<< 1
        return bit != 0
    }

    /// Reads `count` bits (0 to 64) as the low bits of the result.
    ///
    /// `count` outside 0...64 is a programmer error.
    @inlinable
    public mutating func readBits(_ count: Int) throws(CodecError) -> UInt64 {
        precondition(count >= 0 && count <= 64, "bit count out of range")
        if count <= available {
            guard count > 0 else { return 0 }
            let result = buffer &>> UInt64(64 - count)
            buffer = count == 64 ? 0 : buffer &<< UInt64(count)
            available &-= count  // count ≤ available
            return result
        }
        return try readBitsAcrossRefill(count)
    }

    /// Reads 8 bits; the reader need not be byte-aligned.
    @inlinable
    public mutating func readByte() throws(CodecError) -> UInt8 {
        UInt8(truncatingIfNeeded: try readBits(8))
    }

    /// Skips the rest of the current byte, if any of it has been read.
    @inlinable
    public mutating func alignToByte() {
        let partial = available & 7
        buffer = buffer &<< UInt64(partial)
        available -= partial
    }

    /// Reads an unsigned varint, one byte per 8 bits (aligned or not), as Go's `binary.ReadUvarint` on a
    /// Prometheus bit stream does. On error the reader is left where it was.
    @inlinable
    public mutating func readUVarint() throws(CodecError) -> UInt64 {
        let saved = self
        let startByte = (bitPosition + 7) / 8
        var result: UInt64 = 0
        var shift: UInt64 = 0
        for index in 1...Varint.maxLength {
            let byte: UInt8
            do throws(CodecError) {
                byte = try readByte()
            } catch {
                self = saved
                throw .truncated(at: startByte, "varint of \(index - 1) bytes is cut off by the end of the input")
            }
            if byte < 0x80 {
                if index == Varint.maxLength && byte > 1 { break }
                return result | (UInt64(byte) &<< shift)
            }
            if index == Varint.maxLength { break }
            result |= UInt64(byte & 0x7f) &<< shift
            shift += 7
        }
        self = saved
        throw Varint.overflow(at: startByte)
    }

    /// Reads a zig-zag signed varint.
    @inlinable
    public mutating func readVarint() throws(CodecError) -> Int64 {
        Varint.unZigZag(try readUVarint())
    }

    @inlinable
    mutating func readBitsAcrossRefill(_ count: Int) throws(CodecError) -> UInt64 {
        guard count <= remainingBits else { throw truncation(needing: count) }
        let held = available
        let high = held > 0 ? buffer &>> UInt64(64 - held) : 0
        let needed = count - held  // 1...64, and at least that many bits remain in `source`
        loadBuffer()
        let result: UInt64
        if needed == 64 {
            result = buffer
            buffer = 0
        } else {
            result = (high &<< UInt64(needed)) | (buffer &>> UInt64(64 - needed))
            buffer = buffer &<< UInt64(needed)
        }
        available &-= needed  // the load gave at least `needed` bits
        return result
    }

    @usableFromInline
    func truncation(needing count: Int) -> CodecError {
        .truncated(at: bitPosition / 8, "\(count) more bits needed, \(remainingBits) left in the input")
    }

    /// Loads up to 8 more bytes; only called when `available` is 0 and `next < end`.
    @inlinable
    mutating func loadBuffer() {
        let count = min(8, end - next)
        if count == 8 {
            let offset = next
            buffer = source.withUnsafeBytes { raw in
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            }
        } else {
            var loaded: UInt64 = 0
            for index in 0..<count {
                loaded |= UInt64(source[next + index]) &<< UInt64(56 - 8 * index)
            }
            buffer = loaded
        }
        next &+= count  // count ≤ end - next
        available = count * 8
    }
}
