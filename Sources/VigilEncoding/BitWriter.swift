/// Appends bits, most significant first, to a byte buffer.
///
/// The buffer is always complete: its last byte holds the bits written so far in its high end and zeros in its
/// low ``freeBits``, so ``bytes`` can be read (or copied for a reader) between any two writes. This is the bit
/// order of Prometheus's `bstream` and of Gorilla.
///
/// ```swift
/// var writer = BitWriter()
/// writer.writeBits(0b101, count: 3)   // bytes == [0b1010_0000], freeBits == 5
/// ```
public struct BitWriter: Sendable {
    /// The bytes written so far, the caller's prefix included.
    @usableFromInline internal var storage: [UInt8]
    /// Unused low bits of the last byte (0 to 7).
    @usableFromInline internal var unusedBits: Int

    /// The bytes written so far, the caller's prefix included.
    public var bytes: [UInt8] { storage }
    /// How many low bits of the last byte are still unused (0 to 7).
    public var freeBits: Int { unusedBits }

    /// Starts writing at the end of `buffer`, on a byte boundary; the buffer's bytes are kept.
    public init(appendingTo buffer: [UInt8] = []) {
        self.storage = buffer
        self.unusedBits = 0
    }

    /// Continues a bit stream whose last byte has `freeBits` unused low bits; they are cleared.
    ///
    /// `freeBits` outside 0...7, or above 0 with an empty buffer, is a programmer error.
    public init(continuing buffer: [UInt8], freeBits: Int) {
        precondition((0...7).contains(freeBits) && (freeBits == 0 || !buffer.isEmpty), "invalid freeBits")
        self.storage = buffer
        self.unusedBits = freeBits
        if freeBits > 0 {
            storage[storage.count - 1] &= ~UInt8((1 << freeBits) - 1)
        }
    }

    /// Empties the buffer, keeping its capacity for the next stream.
    public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        unusedBits = 0
    }

    /// Bits written so far, the caller's prefix included.
    public var bitCount: Int { storage.count * 8 - unusedBits }

    /// Reserves room for `byteCount` more bytes.
    public mutating func reserveCapacity(_ byteCount: Int) {
        storage.reserveCapacity(storage.count + byteCount)
    }

    /// Appends one bit.
    @inlinable
    public mutating func writeBit(_ bit: Bool) {
        if unusedBits == 0 {
            storage.append(bit ? 0x80 : 0)
            unusedBits = 7
            return
        }
        unusedBits -= 1
        if bit {
            storage[storage.count - 1] |= UInt8(1) &<< UInt8(unusedBits)
        }
    }

    /// Appends the low `count` bits of `value`, most significant first; higher bits of `value` are ignored.
    ///
    /// `count` outside 0...64 is a programmer error.
    @inlinable
    public mutating func writeBits(_ value: UInt64, count: Int) {
        precondition(count >= 0 && count <= 64, "bit count out of range")
        guard count > 0 else { return }
        // Left-align the bits so the next one to write is bit 63; the bits above `count` fall off.
        var pending = value &<< UInt64(64 - count)
        var remaining = count
        if unusedBits > 0 {
            let taken = min(unusedBits, remaining)
            let top = UInt8(truncatingIfNeeded: pending &>> UInt64(64 - taken))
            unusedBits -= taken
            storage[storage.count - 1] |= top &<< UInt8(unusedBits)
            pending = pending &<< UInt64(taken)
            remaining -= taken
        }
        while remaining >= 8 {
            storage.append(UInt8(truncatingIfNeeded: pending &>> 56))
            pending = pending &<< 8
            remaining -= 8
        }
        if remaining > 0 {
            storage.append(UInt8(truncatingIfNeeded: pending &>> 56))
            unusedBits = 8 - remaining
        }
    }

    /// Appends 8 bits; the stream need not be byte-aligned.
    @inlinable
    public mutating func writeByte(_ byte: UInt8) {
        if unusedBits == 0 {
            storage.append(byte)
        } else {
            writeBits(UInt64(byte), count: 8)
        }
    }

    /// Pads the last byte with zero bits so the next write starts a new byte.
    public mutating func alignToByte() {
        unusedBits = 0
    }

    /// Pads to a byte boundary, then appends `newBytes` as they are.
    public mutating func writeAlignedBytes(_ newBytes: some Sequence<UInt8>) {
        unusedBits = 0
        storage.append(contentsOf: newBytes)
    }

    /// Appends `value` as an unsigned varint, one byte per 8 bits (aligned or not), as Prometheus's chunks do.
    @inlinable
    public mutating func writeUVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            writeByte(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        writeByte(UInt8(truncatingIfNeeded: rest))
    }

    /// Appends `value` as a zig-zag signed varint.
    @inlinable
    public mutating func writeVarint(_ value: Int64) {
        writeUVarint(Varint.zigZag(value))
    }
}
