/// Appends float samples to a Gorilla-style XOR chunk, byte-compatible with Prometheus's `chunkenc` XOR chunk.
///
/// Layout (see `docs/format/chunks.md`): a 2-byte big-endian sample count, then the first timestamp as a
/// signed varint and the first value as 64 raw bits; the second timestamp as an unsigned varint delta and its
/// value XORed with the first; every later timestamp as a delta of deltas in 1, 16, 20, 24 or 68 bits and
/// every later value as an XOR with the previous one in 1 bit (unchanged), 2 bits + the previous window of
/// significant bits, or 13 bits + a new window. The chunk's bytes are valid after every append.
///
/// Timestamps must strictly increase: an out-of-order or duplicate timestamp is refused with
/// ``CodecError/Code-swift.enum/outOfOrder`` and leaves the chunk unchanged. Values are stored bit for bit,
/// so every NaN payload (Prometheus's staleness marker `0x7ff0000000000002` included), −0 and subnormals
/// come back exactly.
///
/// ```swift
/// var chunk = XORChunkEncoder()
/// try chunk.append(timestamp: 1_700_000_000_000, value: 42)
/// try chunk.append(timestamp: 1_700_000_015_000, value: 43)
/// let bytes = chunk.bytes   // store it, or read it with XORChunkDecoder
/// ```
public struct XORChunkEncoder: Sendable {
    /// The most samples a chunk can hold: its count field has 16 bits.
    public static let maxSamples = Int(UInt16.max)

    private var writer: BitWriter
    /// Index in `writer`'s buffer of the chunk's first byte (its count field).
    private let chunkStart: Int
    public private(set) var count: Int
    private var previousTimestamp: Int64
    private var previousValueBits: UInt64
    private var previousDelta: UInt64
    /// Leading zeros of the current XOR window, clamped to 31; `noWindow` until the first window is written.
    private var leading: UInt8
    private var trailing: UInt8

    private static let noWindow: UInt8 = 0xff

    /// Starts an empty chunk at the end of `buffer` (whose bytes are kept in front of it).
    ///
    /// Prometheus cuts chunks at about 120 samples, roughly 150 to 250 bytes; reserve capacity in `buffer`
    /// to avoid regrowing it.
    public init(appendingTo buffer: [UInt8] = []) {
        var writer = BitWriter(appendingTo: buffer)
        chunkStart = writer.storage.count
        writer.storage.append(0)
        writer.storage.append(0)
        self.writer = writer
        count = 0
        previousTimestamp = 0
        previousValueBits = 0
        previousDelta = 0
        leading = Self.noWindow
        trailing = 0
    }

    /// Continues appending to an existing chunk that starts at `chunkStart` and runs to the end of `buffer`,
    /// as if every sample in it had been appended by this encoder.
    ///
    /// The chunk is decoded once to recover the encoder's state; a damaged chunk throws.
    public init(resuming buffer: [UInt8], chunkStart: Int = 0) throws(CodecError) {
        guard chunkStart >= 0, chunkStart <= buffer.count else {
            throw .truncated(at: 0, "chunk start \(chunkStart) is outside the \(buffer.count)-byte buffer")
        }
        var decoder = try XORChunkDecoder(buffer, range: chunkStart..<buffer.count)
        while try decoder.next() {}
        let usedBits = decoder.dataBitCount
        let freeBits = (buffer.count - chunkStart) * 8 - usedBits
        // The decoder has checked that fewer than 8 padding bits follow the last sample.
        writer = BitWriter(continuing: buffer, freeBits: freeBits)
        self.chunkStart = chunkStart
        count = decoder.count
        previousTimestamp = decoder.timestamp
        previousValueBits = decoder.valueBits
        previousDelta = decoder.delta
        leading = decoder.hasWindow ? decoder.leading : Self.noWindow
        trailing = decoder.trailing
    }

    /// The buffer: whatever preceded the chunk, then the chunk.
    public var bytes: [UInt8] { writer.storage }

    /// The chunk's own bytes.
    public var chunkBytes: ArraySlice<UInt8> { writer.storage[chunkStart...] }

    /// The chunk's size in bytes, its 2-byte header included.
    public var byteCount: Int { writer.storage.count - chunkStart }

    /// The timestamp of the last sample appended, if any.
    public var lastTimestamp: Int64? { count > 0 ? previousTimestamp : nil }

    /// The value of the last sample appended, if any.
    public var lastValue: Double? { count > 0 ? Double(bitPattern: previousValueBits) : nil }

    /// Empties the chunk, keeping the buffer's prefix and capacity, to encode the next chunk without allocating.
    public mutating func reset() {
        writer.storage.removeSubrange((chunkStart + 2)...)
        writer.storage[chunkStart] = 0
        writer.storage[chunkStart + 1] = 0
        writer.alignToByte()
        count = 0
        previousTimestamp = 0
        previousValueBits = 0
        previousDelta = 0
        leading = Self.noWindow
        trailing = 0
    }

    /// Appends one sample.
    ///
    /// Throws ``CodecError/Code-swift.enum/outOfOrder`` when `timestamp` is not after the last one and
    /// ``CodecError/Code-swift.enum/chunkFull`` when the chunk holds ``maxSamples``; the chunk is then unchanged.
    public mutating func append(timestamp: Int64, value: Double) throws(CodecError) {
        guard count < Self.maxSamples else {
            throw CodecError(
                code: .chunkFull, offset: nil, message: "chunk already holds \(Self.maxSamples) samples")
        }
        let valueBits = value.bitPattern
        if count == 0 {
            writer.writeVarint(timestamp)
            writer.writeBits(valueBits, count: 64)
        } else {
            guard timestamp > previousTimestamp else {
                throw CodecError(
                    code: .outOfOrder, offset: nil,
                    message: timestamp == previousTimestamp
                        ? "duplicate timestamp \(timestamp)"
                        : "timestamp \(timestamp) is before the chunk's last timestamp \(previousTimestamp)")
            }
            // Exact: the difference of two increasing Int64s is in 1...2⁶⁴−1.
            let delta = UInt64(bitPattern: timestamp &- previousTimestamp)
            if count == 1 {
                writer.writeUVarint(delta)
            } else {
                writeDeltaOfDelta(Int64(bitPattern: delta &- previousDelta))
            }
            writeValue(valueBits)
            previousDelta = delta
        }
        previousTimestamp = timestamp
        previousValueBits = valueBits
        count += 1
        writer.storage[chunkStart] = UInt8(truncatingIfNeeded: count >> 8)
        writer.storage[chunkStart + 1] = UInt8(truncatingIfNeeded: count)
    }

    /// Prometheus's buckets: a prefix of 1 to 4 bits, then the value in 0, 14, 17, 20 or 64 bits two's
    /// complement. A bucket of n bits holds −(2ⁿ⁻¹−1) ... 2ⁿ⁻¹ (one more positive than negative).
    private mutating func writeDeltaOfDelta(_ dod: Int64) {
        let raw = UInt64(bitPattern: dod)
        if dod == 0 {
            writer.writeBit(false)
        } else if dod >= -8191 && dod <= 8192 {
            writer.writeBits(0b10 << 14 | (raw & 0x3fff), count: 16)
        } else if dod >= -65535 && dod <= 65536 {
            writer.writeBits(0b110 << 17 | (raw & 0x1_ffff), count: 20)
        } else if dod >= -524_287 && dod <= 524_288 {
            writer.writeBits(0b1110 << 20 | (raw & 0xf_ffff), count: 24)
        } else {
            writer.writeBits(0b1111, count: 4)
            writer.writeBits(raw, count: 64)
        }
    }

    /// `0`: same value. `10` + bits: the XOR fits the previous window of significant bits. `11` + 5 bits of
    /// leading zeros (clamped to 31) + 6 bits of significant-bit count (64 written as 0) + the bits.
    private mutating func writeValue(_ valueBits: UInt64) {
        let xor = valueBits ^ previousValueBits
        if xor == 0 {
            writer.writeBit(false)
            return
        }
        let newLeading = UInt8(min(xor.leadingZeroBitCount, 31))
        let newTrailing = UInt8(xor.trailingZeroBitCount)
        if leading != Self.noWindow && newLeading >= leading && newTrailing >= trailing {
            let significant = 64 - Int(leading) - Int(trailing)
            let bits = xor &>> UInt64(trailing)
            if significant <= 62 {
                writer.writeBits(0b10 &<< UInt64(significant) | bits, count: significant + 2)
            } else {
                writer.writeBits(0b10, count: 2)
                writer.writeBits(bits, count: significant)
            }
            return
        }
        leading = newLeading
        trailing = newTrailing
        let significant = 64 - Int(newLeading) - Int(newTrailing)
        let header = 0b11 << 11 | UInt64(newLeading) << 6 | UInt64(significant & 63)
        writer.writeBits(header, count: 13)
        writer.writeBits(xor &>> UInt64(newTrailing), count: significant)
    }
}
