import Testing
import VigilEncoding

/// A block and what it decodes to.
struct SnappyVector: Sendable, CustomTestStringConvertible {
    var name: String
    var block: String
    var decoded: [UInt8]
    var testDescription: String { name }
}

/// A damaged block and the error it must produce.
struct BadSnappyBlock: Sendable, CustomTestStringConvertible {
    var name: String
    var block: [UInt8]
    var code: CodecError.Code
    var offset: Int
    var testDescription: String { name }
}

@Suite("Snappy")
struct SnappyTests {
    static let pangram = Array(
        (String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 4) + "The end.").utf8)
    static let metricLines = Array(
        ("DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",modelName=\"NVIDIA H100 80GB HBM3\"} 41\n"
            + "DCGM_FI_DEV_GPU_TEMP{gpu=\"1\",modelName=\"NVIDIA H100 80GB HBM3\"} 43\n").utf8)

    /// Blocks written by python-snappy 0.7.3 (`snappy.compress`, the block format).
    static let pythonSnappy: [SnappyVector] = [
        SnappyVector(name: "empty", block: "00", decoded: []),
        SnappyVector(name: "one byte", block: "010061", decoded: [0x61]),
        SnappyVector(name: "hello", block: "051068656c6c6f", decoded: Array("hello".utf8)),
        SnappyVector(
            name: "abc × 30", block: "5a08616263fe03005a0300", decoded: Array(String(repeating: "abc", count: 30).utf8)),
        SnappyVector(
            name: "pangram × 4",
            block: "bc01b054686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f672e"
                + "20fe2d00fe2d001d2d0c656e642e",
            decoded: pangram),
        SnappyVector(
            name: "200-byte literal",
            block: "c801f0c7" + hex((0..<200).map { UInt8($0) }), decoded: (0..<200).map { UInt8($0) }),
        SnappyVector(
            name: "metric lines",
            block: "8601f0434443474d5f46495f4445565f4750555f54454d507b6770753d2230222c6d6f64656c4e616d653d224e5649"
                + "444941204831303020383047422048424d33227d2034310a4462430004312292430004330a",
            decoded: metricLines),
        SnappyVector(
            name: "300 zeros", block: "ac020000fe0100fe0100fe0100fe0100aa0100",
            decoded: [UInt8](repeating: 0, count: 300)),
    ]

    /// Blocks written by hand from google/snappy's format_description.txt, one per element kind.
    static let handMade: [SnappyVector] = [
        SnappyVector(name: "literal only", block: "05" + "10" + "68656c6c6f", decoded: Array("hello".utf8)),
        // 'abcd', then a copy of 8 bytes from 4 back with a 1-byte offset: tag 000|100|01, offset 04.
        SnappyVector(
            name: "copy, 1-byte offset", block: "0c" + "0c61626364" + "1104", decoded: Array("abcdabcdabcd".utf8)),
        // The same copy with a 2-byte offset: tag 000111|10, offset 04 00.
        SnappyVector(
            name: "copy, 2-byte offset", block: "0c" + "0c61626364" + "1e0400", decoded: Array("abcdabcdabcd".utf8)),
        // And with a 4-byte offset: tag 000111|11, offset 04 00 00 00.
        SnappyVector(
            name: "copy, 4-byte offset", block: "0c" + "0c61626364" + "1f04000000", decoded: Array("abcdabcdabcd".utf8)),
        // 'a', then 9 bytes from 1 back: the copy overlaps its own output. Tag 000|101|01, offset 01.
        SnappyVector(name: "overlapping copy", block: "0a" + "0061" + "1501", decoded: Array("aaaaaaaaaa".utf8)),
        // 61 bytes: tag 60 (111100|00) and the length − 1 (60 = 0x3c) in one byte.
        SnappyVector(
            name: "literal, 1-byte length", block: "3d" + "f03c" + String(repeating: "78", count: 61),
            decoded: [UInt8](repeating: 0x78, count: 61)),
        // 300 bytes: tag 61 (111101|00) and the length − 1 (299 = 0x012b) in two bytes, little-endian.
        SnappyVector(
            name: "literal, 2-byte length", block: "ac02" + "f42b01" + String(repeating: "79", count: 300),
            decoded: [UInt8](repeating: 0x79, count: 300)),
    ]

    @Test("decodes python-snappy's blocks", arguments: pythonSnappy)
    func pythonBlocks(vector: SnappyVector) throws {
        let block = bytes(hex: vector.block)
        #expect(try Snappy.decompress(block, maxDecodedLength: 1 << 20) == vector.decoded)
        #expect(try Snappy.decodedLength(of: block) == vector.decoded.count)
    }

    @Test("decodes hand-made blocks of every element kind", arguments: handMade)
    func handMadeBlocks(vector: SnappyVector) throws {
        #expect(try Snappy.decompress(bytes(hex: vector.block), maxDecodedLength: 1 << 20) == vector.decoded)
    }

    /// Our compressor's output for small inputs: each decodes with python-snappy 0.7.3, and is byte for byte
    /// what python-snappy itself writes.
    static let ownBlocks: [SnappyVector] = [
        SnappyVector(name: "empty", block: "00", decoded: []),
        SnappyVector(name: "hello", block: "051068656c6c6f", decoded: Array("hello".utf8)),
        SnappyVector(
            name: "abc × 30", block: "5a08616263fe03005a0300", decoded: Array(String(repeating: "abc", count: 30).utf8)),
        SnappyVector(
            name: "pangram × 4",
            block: "bc01b054686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f672e"
                + "20fe2d00fe2d001d2d0c656e642e",
            decoded: pangram),
        SnappyVector(
            name: "300 zeros", block: "ac020000fe0100fe0100fe0100fe0100aa0100",
            decoded: [UInt8](repeating: 0, count: 300)),
    ]

    @Test("compresses small inputs exactly as python-snappy does", arguments: ownBlocks)
    func ownOutput(vector: SnappyVector) throws {
        #expect(hex(Snappy.compress(vector.decoded)) == vector.block)
    }

    /// Larger blocks of ours, pinned by size and CRC32C, each checked to decode with python-snappy 0.7.3.
    /// "far repeat" holds literals and copies of all three kinds (53, 19, 1182 and 25 elements).
    @Test("compresses larger inputs to blocks python-snappy decodes")
    func ownLargerOutput() {
        let metrics = Array(EncodingBenchmark.generateMetricsText(byteCount: 2000, seed: 3).prefix(2000))
        let metricsBlock = Snappy.compress(metrics)
        #expect(metricsBlock.count == 412)
        #expect(CRC32C.checksum(metricsBlock) == 0x1EFA_2FC1)
        let random = EncodingBenchmark.generateRandomBytes(byteCount: 3000, seed: 9)
        let randomBlock = Snappy.compress(random)
        #expect(randomBlock.count == 3005)
        #expect(CRC32C.checksum(randomBlock) == 0xEEF7_344C)
        let motif = EncodingBenchmark.generateRandomBytes(byteCount: 100, seed: 4)
        let middle = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ ($0 >> 9)) }
        let farBlock = Snappy.compress(motif + middle + motif)
        #expect(farBlock.count == 4225)
        #expect(CRC32C.checksum(farBlock) == 0xF787_3FA3)
    }

    static func roundTripInputs() -> [(String, [UInt8])] {
        var random = SplitMix64(seed: 99)
        var inputs: [(String, [UInt8])] = []
        for size in [0, 1, 3, 4, 15, 16, 17, 63, 64, 65, 1000, 65_535, 65_536, 200_000] {
            inputs.append(("random \(size)", (0..<size).map { _ in UInt8(truncatingIfNeeded: random.next()) }))
        }
        for size in [5, 68, 1000, 100_000] {
            inputs.append(("one byte × \(size)", [UInt8](repeating: 7, count: size)))
        }
        // Small alphabets give short, frequent matches.
        inputs.append(("4-letter alphabet", (0..<50_000).map { _ in UInt8(97 + random.below(4)) }))
        // A 10 KiB random block repeated after 100 KiB of noise: only a copy with a 4-byte offset reaches it.
        let motif = (0..<10_000).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let noise = (0..<100_000).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        inputs.append(("far repeat", motif + noise + motif))
        // Matches of every length 4...200 at every offset class.
        var lengths: [UInt8] = []
        for length in 4...200 {
            let piece = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            lengths += piece + [0xEE] + Array(repeating: 0xDD, count: random.below(3000)) + piece
        }
        inputs.append(("match lengths", lengths))
        inputs.append(("metrics text", Array(EncodingBenchmarkText.sample)))
        return inputs
    }

    @Test("round trips")
    func roundTrips() throws {
        var compressor = SnappyCompressor()
        for (name, input) in Self.roundTripInputs() {
            var block: [UInt8] = [1, 2, 3]
            compressor.compress(input, appendingTo: &block)
            #expect(Array(block.prefix(3)) == [1, 2, 3])
            block.removeFirst(3)
            #expect(block.count <= Snappy.maxCompressedLength(input.count), "\(name)")
            #expect(try Snappy.decompress(block, maxDecodedLength: input.count) == input, "\(name)")
            var appended: [UInt8] = [9]
            try Snappy.decompress(block, appendingTo: &appended, maxDecodedLength: input.count)
            #expect(appended == [9] + input, "\(name)")
            #expect(Snappy.compress(input) == block, "\(name): a reused compressor gives the same bytes")
        }
    }

    @Test("compression uses all three copy forms and actually compresses")
    func copyForms() throws {
        let inputs = Dictionary(uniqueKeysWithValues: Self.roundTripInputs())
        let far = Snappy.compress(inputs["far repeat"]!)
        #expect(far.count < 112_000)  // the second motif costs a few bytes, not 10,000
        let text = Snappy.compress(inputs["metrics text"]!)
        #expect(text.count * 4 < inputs["metrics text"]!.count)
        let random = Snappy.compress(inputs["random 200000"]!)
        #expect(random.count <= 200_000 + 200_000 / 60 + 10)
    }

    static let badBlocks: [BadSnappyBlock] = [
        BadSnappyBlock(name: "no preamble", block: [], code: .truncated, offset: 0),
        BadSnappyBlock(name: "cut-off preamble", block: [0x80], code: .truncated, offset: 0),
        BadSnappyBlock(
            name: "overlong preamble", block: [UInt8](repeating: 0xff, count: 11), code: .varintOverflow, offset: 0),
        BadSnappyBlock(name: "length above 4 GiB", block: [0x80, 0x80, 0x80, 0x80, 0x10], code: .tooLarge, offset: 0),
        BadSnappyBlock(name: "no elements", block: [0x05], code: .corrupt, offset: 1),
        BadSnappyBlock(name: "literal past the input", block: [0x02, 0x04, 0x61], code: .truncated, offset: 1),
        BadSnappyBlock(name: "short of the declared length", block: [0x02, 0x00, 0x61], code: .corrupt, offset: 3),
        BadSnappyBlock(
            name: "literal beyond the declared length", block: [0x01, 0x04, 0x61, 0x62], code: .corrupt, offset: 1),
        BadSnappyBlock(name: "copy with offset 0", block: [0x05, 0x00, 0x61, 0x01, 0x00], code: .corrupt, offset: 3),
        BadSnappyBlock(
            name: "copy before the start", block: [0x05, 0x00, 0x61, 0x01, 0x02], code: .corrupt, offset: 3),
        BadSnappyBlock(
            name: "copy beyond the declared length", block: [0x05, 0x00, 0x61, 0x11, 0x01], code: .corrupt, offset: 3),
        BadSnappyBlock(name: "cut-off 1-byte offset", block: [0x05, 0x00, 0x61, 0x01], code: .truncated, offset: 3),
        BadSnappyBlock(
            name: "cut-off 2-byte offset", block: [0x05, 0x00, 0x61, 0x02, 0x01], code: .truncated, offset: 3),
        BadSnappyBlock(
            name: "cut-off 4-byte offset", block: [0x05, 0x00, 0x61, 0x03, 0x01, 0, 0], code: .truncated, offset: 3),
        BadSnappyBlock(
            name: "4-byte offset far before the start", block: [0x05, 0x00, 0x61, 0x0f, 0, 0, 0, 0x80], code: .corrupt,
            offset: 3),
        BadSnappyBlock(name: "cut-off literal length", block: [0x3d, 0xf0], code: .truncated, offset: 1),
        BadSnappyBlock(name: "cut-off 2-byte literal length", block: [0x3d, 0xf4, 0x3c], code: .truncated, offset: 1),
        BadSnappyBlock(
            name: "4 GiB literal", block: [0x05, 0xfc, 0xff, 0xff, 0xff, 0xff], code: .truncated, offset: 1),
    ]

    @Test("damaged blocks throw the right error at the right byte", arguments: badBlocks)
    func damaged(bad: BadSnappyBlock) {
        let error = #expect(throws: CodecError.self) { try Snappy.decompress(bad.block, maxDecodedLength: 1 << 20) }
        #expect(error?.code == bad.code)
        #expect(error?.offset == bad.offset)
        var output: [UInt8] = [42]
        #expect(throws: CodecError.self) {
            try Snappy.decompress(bad.block, appendingTo: &output, maxDecodedLength: 1 << 20)
        }
        #expect(output == [42], "output is left as it was")
    }

    @Test("a block declaring more than the cap is refused before anything is allocated")
    func decompressionBomb() {
        // 4 GiB − 1 declared, a few bytes of body: refused from the preamble alone.
        let bomb: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x00, 0xfe, 0x01, 0x00]
        let error = #expect(throws: CodecError.self) { try Snappy.decompress(bomb, maxDecodedLength: 32 << 20) }
        #expect(error?.code == .tooLarge)
        #expect(error?.message.contains("limit of 33554432") == true)
        let small = Snappy.compress([UInt8](repeating: 1, count: 1000))
        #expect(throws: CodecError.self) { try Snappy.decompress(small, maxDecodedLength: 999) }
        #expect(throws: CodecError.self) { try Snappy.decompress(small, maxDecodedLength: -1) }
        #expect((try? Snappy.decompress(small, maxDecodedLength: 1000))?.count == 1000)
    }

    @Test("every byte of a valid block mutated: throws or decodes, never traps")
    func mutations() {
        let block = Snappy.compress(Array(EncodingBenchmarkText.sample.prefix(3000)))
        for offset in block.indices {
            for mask: UInt8 in [0x01, 0x02, 0x04, 0x10, 0x80, 0xff] {
                var damaged = block
                damaged[offset] ^= mask
                if let output = try? Snappy.decompress(damaged, maxDecodedLength: 1 << 16) {
                    #expect(output.count == (try? Snappy.decodedLength(of: damaged)))
                }
            }
        }
    }

    @Test("every truncation of a valid block throws")
    func truncations() {
        let block = Snappy.compress(Array(EncodingBenchmarkText.sample.prefix(3000)))
        for length in 0..<block.count {
            #expect(throws: CodecError.self) {
                try Snappy.decompress(Array(block.prefix(length)), maxDecodedLength: 1 << 16)
            }
        }
    }

    @Test("random garbage never traps")
    func garbage() {
        var random = SplitMix64(seed: 1234)
        for _ in 0..<20_000 {
            let length = random.below(40)
            var block = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if !block.isEmpty && random.below(2) == 0 { block[0] = UInt8(random.below(128)) }  // plausible length
            _ = try? Snappy.decompress(block, maxDecodedLength: 4096)
        }
    }
}

/// A few KiB of exposition text, the kind of body remote_write compresses.
enum EncodingBenchmarkText {
    static let sample: [UInt8] = EncodingBenchmark.generateMetricsText(byteCount: 20_000, seed: 3)
}
