/// CRC-32C (Castagnoli), the checksum of Prometheus's chunk files, index, WAL records and tombstones, and of
/// iSCSI (RFC 3720) and ext4.
///
/// The usual parameters: reflected polynomial `0x82F63B78`, initial value and final XOR `0xFFFFFFFF`, so
/// `CRC32C.checksum(Array("123456789".utf8)) == 0xE3069283` and the result equals Go's
/// `crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli))`. Software slicing-by-8: eight 1 KiB tables, 8 bytes
/// per step.
///
/// ```swift
/// var crc = CRC32C()
/// crc.update(header)
/// crc.update(payload)
/// let sum = crc.value
/// ```
public struct CRC32C: Sendable, Hashable {
    /// The running remainder, before the final XOR.
    private var state: UInt32

    public init() {
        state = 0xFFFF_FFFF
    }

    /// The checksum of everything passed to `update` so far.
    public var value: UInt32 { ~state }

    /// The checksum of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc = CRC32C()
        crc.update(bytes)
        return crc.value
    }

    /// The checksum of `bytes`.
    public static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc = CRC32C()
        crc.update(bytes)
        return crc.value
    }

    /// The checksum of the bytes in `buffer`.
    public static func checksum(_ buffer: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32C()
        crc.update(buffer)
        return crc.value
    }

    /// Adds `bytes` to the checksum.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Adds `bytes` to the checksum.
    public mutating func update(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Adds the bytes in `buffer` to the checksum.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        var crc = state
        Self.tables.withUnsafeBufferPointer { table in
            let count = buffer.count
            var index = 0
            while count - index >= 8 {
                let word =
                    UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                    ^ UInt64(crc)
                // The first byte has 7 more to pass through, so it takes the table that advances 7 extra bytes.
                crc =
                    table[7 &* 256 &+ Int(word & 0xff)]
                    ^ table[6 &* 256 &+ Int((word &>> 8) & 0xff)]
                    ^ table[5 &* 256 &+ Int((word &>> 16) & 0xff)]
                    ^ table[4 &* 256 &+ Int((word &>> 24) & 0xff)]
                    ^ table[3 &* 256 &+ Int((word &>> 32) & 0xff)]
                    ^ table[2 &* 256 &+ Int((word &>> 40) & 0xff)]
                    ^ table[1 &* 256 &+ Int((word &>> 48) & 0xff)]
                    ^ table[Int(word &>> 56)]
                index &+= 8
            }
            while index < count {
                crc = table[Int((crc ^ UInt32(buffer[index])) & 0xff)] ^ (crc &>> 8)
                index &+= 1
            }
        }
        state = crc
    }

    /// `tables[k * 256 + b]`: the remainder of byte `b` followed by `k` zero bytes.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
            }
            tables[byte] = crc
        }
        for slice in 1..<8 {
            for byte in 0..<256 {
                let previous = tables[(slice - 1) * 256 + byte]
                tables[slice * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xff)]
            }
        }
        return tables
    }()
}
