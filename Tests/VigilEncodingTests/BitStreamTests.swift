import Testing
import VigilEncoding

@Suite("Bit streams")
struct BitStreamTests {
    @Test("bits fill bytes from the most significant end")
    func bitOrder() {
        var writer = BitWriter()
        writer.writeBit(true)
        writer.writeBit(false)
        writer.writeBit(true)
        #expect(writer.bytes == [0b1010_0000])
        #expect(writer.freeBits == 5)
        writer.writeBits(0b11111, count: 5)
        #expect(writer.bytes == [0b1011_1111])
        #expect(writer.freeBits == 0)
        writer.writeBits(0xABC, count: 12)
        #expect(writer.bytes == [0xBF, 0xAB, 0xC0])
        #expect(writer.bitCount == 20)
    }

    @Test("only the low count bits of a value are written")
    func highBitsIgnored() throws {
        var writer = BitWriter()
        writer.writeBits(UInt64(bitPattern: -3), count: 14)  // -3 in 14-bit two's complement
        #expect(writer.bytes == [0b1111_1111, 0b1111_0100])
        var reader = BitReader(writer.bytes)
        #expect(try reader.readBits(14) == 0x3ffd)
    }

    @Test("a writer appends after the caller's bytes and can continue a partial byte")
    func prefixAndContinue() throws {
        var writer = BitWriter(appendingTo: [0xAA])
        writer.writeBits(0b1, count: 1)
        #expect(writer.bytes == [0xAA, 0x80])
        var continued = BitWriter(continuing: [0xAA, 0xFF], freeBits: 3)  // the 3 free bits are cleared
        #expect(continued.bytes == [0xAA, 0xF8])
        continued.writeBits(0b101, count: 3)
        #expect(continued.bytes == [0xAA, 0xFD])
        continued.writeByte(0x12)
        continued.alignToByte()
        continued.writeAlignedBytes([0x34])
        #expect(continued.bytes == [0xAA, 0xFD, 0x12, 0x34])
    }

    @Test("unaligned bytes and varints round-trip")
    func unalignedVarints() throws {
        var writer = BitWriter()
        writer.writeBits(0b101, count: 3)
        writer.writeUVarint(300)
        writer.writeVarint(-1_000_000)
        writer.writeByte(0x7f)
        var reader = BitReader(writer.bytes)
        #expect(try reader.readBits(3) == 0b101)
        #expect(try reader.readUVarint() == 300)
        #expect(try reader.readVarint() == -1_000_000)
        #expect(try reader.readByte() == 0x7f)
        #expect(reader.remainingBits == 5)
    }

    @Test("random widths round-trip", arguments: [1, 2, 3, 99] as [UInt64])
    func randomWidths(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var fields: [(value: UInt64, width: Int, singleBit: Bool)] = []
        var writer = BitWriter(appendingTo: [9, 9])
        for _ in 0..<2000 {
            let width = random.below(65)
            let value = width == 64 ? random.next() : random.next() & ((1 << UInt64(width)) - 1)
            let singleBit = width == 1 && random.below(2) == 0
            fields.append((value, width, singleBit))
            if singleBit {
                writer.writeBit(value == 1)
            } else {
                writer.writeBits(value, count: width)
            }
        }
        var reader = BitReader(writer.bytes, range: 2..<writer.bytes.count)
        for field in fields {
            if field.singleBit {
                #expect(try reader.readBit() == (field.value == 1))
            } else {
                #expect(try reader.readBits(field.width) == field.value)
            }
        }
        #expect(reader.remainingBits == writer.freeBits)
    }

    @Test("reading past the end throws and leaves the reader usable")
    func overrun() throws {
        var reader = BitReader([0xF0, 0x0F])
        #expect(try reader.readBits(12) == 0xF00)
        #expect(throws: CodecError.self) { try reader.readBits(5) }
        #expect(reader.bitPosition == 12)
        #expect(try reader.readBits(4) == 0xF)
        let error = #expect(throws: CodecError.self) { try reader.readBit() }
        #expect(error?.code == .truncated)
        #expect(error?.offset == 2)
        #expect(throws: CodecError.self) { try reader.readBits(64) }
    }

    @Test("a 64-bit read across the register boundary")
    func wideReads() throws {
        let bytes: [UInt8] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC]
        var reader = BitReader(bytes)
        #expect(try reader.readBits(4) == 0x0)
        #expect(try reader.readBits(64) == 0x1234_5678_9ABC_DEFF)
        #expect(try reader.readBits(12) == 0xEDC)
        #expect(reader.remainingBits == 0)
    }

    @Test("a range is read in isolation and clipped to the buffer")
    func ranges() throws {
        var reader = BitReader([1, 2, 3, 4], range: 1..<3)
        #expect(try reader.readByte() == 2)
        #expect(try reader.readByte() == 3)
        #expect(throws: CodecError.self) { try reader.readByte() }
        var clipped = BitReader([1, 2], range: 1..<100)
        #expect(clipped.remainingBits == 8)
        #expect(try clipped.readByte() == 2)
    }

    @Test("alignment skips the rest of a byte")
    func alignment() throws {
        var reader = BitReader([0b1010_0000, 0x55])
        #expect(try reader.readBits(3) == 0b101)
        reader.alignToByte()
        #expect(try reader.readByte() == 0x55)
    }

    @Test("a cut-off varint in a bit stream throws and leaves the reader where it was")
    func truncatedVarint() throws {
        var reader = BitReader([0x80, 0x80])
        let error = #expect(throws: CodecError.self) { try reader.readUVarint() }
        #expect(error?.code == .truncated)
        #expect(reader.bitPosition == 0)
        var overlong = BitReader([UInt8](repeating: 0xff, count: 11))
        #expect(throws: CodecError(code: .varintOverflow, offset: 0, message: "varint does not fit in 64 bits")) {
            try overlong.readUVarint()
        }
    }
}
