import Testing
import VigilEncoding

@Suite("Varints")
struct VarintTests {
    /// Encodings as Go's `binary.PutUvarint` writes them.
    static let unsignedCases: [(UInt64, String)] = [
        (0, "00"), (1, "01"), (127, "7f"), (128, "8001"), (255, "ff01"), (300, "ac02"), (16383, "ff7f"),
        (16384, "808001"), (1 << 63, "80808080808080808001"), (UInt64.max, "ffffffffffffffffff01"),
    ]

    /// Encodings as Go's `binary.PutVarint` writes them (zig-zag).
    static let signedCases: [(Int64, String)] = [
        (0, "00"), (-1, "01"), (1, "02"), (-2, "03"), (63, "7e"), (-64, "7f"), (64, "8001"), (-65, "8101"),
        (1_700_000_000_000, "80a0abfef962"), (Int64.max, "feffffffffffffffff01"), (Int64.min, "ffffffffffffffffff01"),
    ]

    @Test("unsigned varints match Go's encoding/binary", arguments: unsignedCases)
    func unsigned(value: UInt64, expected: String) throws {
        var buffer: [UInt8] = [0xEE]
        Varint.appendUnsigned(value, to: &buffer)
        #expect(hex(buffer.dropFirst()) == expected)
        #expect(Varint.length(ofUnsigned: value) == expected.count / 2)
        var position = 1
        #expect(try Varint.decodeUnsigned(from: buffer, at: &position) == value)
        #expect(position == buffer.count)
        let fromRaw = buffer.withUnsafeBytes { raw -> (UInt64?, Int) in
            var rawPosition = 1
            return (try? Varint.decodeUnsigned(from: raw, at: &rawPosition), rawPosition)
        }
        #expect(fromRaw.0 == value)
        #expect(fromRaw.1 == buffer.count)
    }

    @Test("signed varints match Go's encoding/binary", arguments: signedCases)
    func signed(value: Int64, expected: String) throws {
        var buffer: [UInt8] = []
        Varint.appendSigned(value, to: &buffer)
        #expect(hex(buffer) == expected)
        #expect(Varint.length(ofSigned: value) == expected.count / 2)
        var position = 0
        #expect(try Varint.decodeSigned(from: buffer, at: &position) == value)
        let fromRaw = buffer.withUnsafeBytes { raw -> Int64? in
            var rawPosition = 0
            return try? Varint.decodeSigned(from: raw, at: &rawPosition)
        }
        #expect(fromRaw == value)
    }

    @Test("random values round-trip back to back")
    func randomRoundTrip() throws {
        var random = SplitMix64(seed: 7)
        var values: [UInt64] = []
        var buffer: [UInt8] = []
        for _ in 0..<5000 {
            let value = random.next() >> UInt64(random.below(64))
            values.append(value)
            Varint.appendUnsigned(value, to: &buffer)
            Varint.appendSigned(Int64(bitPattern: value), to: &buffer)
        }
        var position = 0
        for value in values {
            #expect(try Varint.decodeUnsigned(from: buffer, at: &position) == value)
            #expect(try Varint.decodeSigned(from: buffer, at: &position) == Int64(bitPattern: value))
        }
        #expect(position == buffer.count)
    }

    @Test("non-minimal encodings are accepted, as Go accepts them")
    func nonMinimal() throws {
        var position = 0
        #expect(try Varint.decodeUnsigned(from: [0x80, 0x00], at: &position) == 0)
        position = 0
        #expect(try Varint.decodeUnsigned(from: [0x81, 0x80, 0x00], at: &position) == 1)
        #expect(position == 3)
    }

    static let truncatedInputs: [[UInt8]] = [
        [], [0x80], [0xff, 0xff], [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80],
    ]

    @Test("a cut-off varint throws truncated and leaves the position alone", arguments: truncatedInputs)
    func truncated(input: [UInt8]) {
        var position = 0
        let error = #expect(throws: CodecError.self) { try Varint.decodeUnsigned(from: input, at: &position) }
        #expect(error?.code == .truncated)
        #expect(position == 0)
        input.withUnsafeBytes { raw in
            var rawPosition = 0
            let rawError = #expect(throws: CodecError.self) { try Varint.decodeUnsigned(from: raw, at: &rawPosition) }
            #expect(rawError?.code == .truncated)
        }
    }

    static let overflowingInputs: [[UInt8]] = [
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02],  // 10th byte above 1: 65 bits
        [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00],  // 11 bytes
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    ]

    @Test("a varint over 64 bits or 10 bytes throws varintOverflow", arguments: overflowingInputs)
    func overflow(input: [UInt8]) {
        var position = 0
        let error = #expect(throws: CodecError.self) { try Varint.decodeUnsigned(from: input, at: &position) }
        #expect(error?.code == .varintOverflow)
        #expect(error?.offset == 0)
        input.withUnsafeBytes { raw in
            var rawPosition = 0
            let rawError = #expect(throws: CodecError.self) { try Varint.decodeUnsigned(from: raw, at: &rawPosition) }
            #expect(rawError?.code == .varintOverflow)
        }
    }

    @Test("decoding stops at the end bound and reports offsets in the buffer")
    func bounds() {
        var position = 2
        let error = #expect(throws: CodecError.self) {
            try Varint.decodeUnsigned(from: [0x01, 0x02, 0x83, 0x01], at: &position, end: 3)
        }
        #expect(error?.offset == 2)
        var outside = 10
        #expect(throws: CodecError.self) { try Varint.decodeUnsigned(from: [0x01], at: &outside) }
        var negative = -1
        #expect(throws: CodecError.self) { try Varint.decodeUnsigned(from: [0x01], at: &negative) }
    }

    @Test("zig-zag maps small magnitudes to small codes")
    func zigZag() {
        #expect(Varint.zigZag(0) == 0)
        #expect(Varint.zigZag(-1) == 1)
        #expect(Varint.zigZag(1) == 2)
        #expect(Varint.zigZag(Int64.min) == UInt64.max)
        for value: Int64 in [0, 1, -1, 12345, -98765, .max, .min] {
            #expect(Varint.unZigZag(Varint.zigZag(value)) == value)
        }
    }
}
