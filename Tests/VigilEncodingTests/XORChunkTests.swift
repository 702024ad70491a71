import Testing
import VigilEncoding

/// A chunk whose bytes are known in advance.
struct GoldenChunk: Sendable, CustomTestStringConvertible {
    var name: String
    var samples: [BitSample]
    var hex: String
    var testDescription: String { name }
}

@Suite("XOR chunks")
struct XORChunkTests {
    /// Bytes produced by an independent bit-by-bit model of Prometheus's `chunkenc/xor.go` (a Python script
    /// written from the format; see docs/format/chunks.md), for samples covering every branch of the encoding.
    static let golden: [GoldenChunk] = [
        GoldenChunk(name: "empty", samples: [], hex: "0000"),
        GoldenChunk(name: "one sample", samples: [BitSample(1000, 1.0)], hex: "0001d00f3ff0000000000000"),
        GoldenChunk(
            name: "two samples", samples: [BitSample(1000, 1.0), BitSample(16000, 1.0)],
            hex: "0002d00f3ff0000000000000987500"),
        GoldenChunk(
            name: "constant", samples: (0..<6).map { BitSample(1_700_000_000_000 + 15_000 * Int64($0), 42.0) },
            hex: "000680a0abfef962404500000000000098750000"),
        GoldenChunk(
            name: "counter",
            samples: (0..<8).map { BitSample(1_700_000_000_000 + 15_000 * Int64($0), Double(1000 + 7 * $0 * $0)) },
            hex: "000880a0abfef962408f4000000000009875e41f6b2bed701a36f1ffb7119e9cdb49ed80"),
        GoldenChunk(
            name: "value windows",
            samples: [
                0.0, 1.5, 1.5, 2.25, -2.25, 1e300, .leastNonzeroMagnitude, 0.1, 0.2, 0.3, 0.4, 0.4, 100.0, 99.5, 1.0,
                1.0000000000000002, 3.0,
            ].enumerated().map { BitSample(1000 * Int64($0.offset), $0.element) },
            hex: "0011000000000000000000e807c45fff184efff5801b07d7c6bc8791000eb3b0fff8df90f22001d6753fb99999999999"
                + "9b401c0000000000001001aaaaaaaaaaaa94002aaaaaaaaaaaa45fe026666666666690001e000000000005fea3800000"
                + "00000100000000000000015ffe00000000000040"),
        GoldenChunk(
            name: "delta-of-delta bucket boundaries", samples: dodBoundarySamples,
            hex: "0013ffffffffffffff073ff0000000000000808080808080800210002bfff500028005bc000c200168000340005de0000e"
                + "100017400003a00005ffffffffffff00000f0000000000080001780000080000000003ffffffc00000000000"),
        GoldenChunk(
            name: "special values",
            samples: [
                BitSample(-5000, .infinity), BitSample(-4000, -.infinity), BitSample(-3000, -0.0),
                BitSample(-2000, 0.0), BitSample(-1000, bits: staleNaN), BitSample(0, bits: 0x7ff8_0000_0000_0001),
                BitSample(1, bits: 1), BitSample(2, bits: 0x000f_ffff_ffff_ffff),
                BitSample(3, .leastNonzeroMagnitude), BitSample(4, .greatestFiniteMagnitude),
            ],
            hex: "000a8f4e7ff0000000000000e807c00d84bffec00d87effe0000000000005b348000000000003bc19c267ffb667fffff"
                + "fffffffd7ffffffffffff61fbff7ffffffffffff"),
        GoldenChunk(
            name: "extreme timestamps", samples: [BitSample(.min, 1.0), BitSample(.max, 2.0)],
            hex: "0002ffffffffffffffffff013ff0000000000000ffffffffffffffffff01c25fff"),
    ]

    /// Deltas of deltas at the edges of every bucket, around a 2⁵⁰ ms base delta.
    static var dodBoundarySamples: [BitSample] {
        let base: Int64 = 1 << 50
        var timestamp: Int64 = -(1 << 51)
        var samples = [BitSample(timestamp, 1.0)]
        var delta = base
        timestamp += delta
        samples.append(BitSample(timestamp, 1.0))
        let dods: [Int64] = [
            0, 1, -1, 8192, -8191, -8192, 8193, 65536, -65535, -65536, 65537, 524_288, -524_287, -524_288,
            524_289, 1 << 40, -(1 << 40),
        ]
        for dod in dods {
            delta += dod
            timestamp += delta
            samples.append(BitSample(timestamp, 1.0))
        }
        return samples
    }

    @Test("encodes byte for byte as Prometheus", arguments: golden)
    func goldenBytes(chunk: GoldenChunk) throws {
        #expect(hex(try encodeChunk(chunk.samples)) == chunk.hex)
        #expect(try decodeChunk(bytes(hex: chunk.hex)) == chunk.samples)
    }

    @Test("bit layout of a delta of delta, worked by hand")
    func handWorkedTimestamps() throws {
        // 0004: 4 samples. d00f: zig-zag varint of 1000 (2000 = 0b1111_1010000 → 0xd0 0x0f).
        // 3ff0000000000000: 1.0. 9875: uvarint 15000. Then the bits
        //   0 (value same) | 0 0 (dod 0, value same) | 10 00000000000001 (dod +1 in 14 bits) 0 (value same)
        // = 00010000 00000000 0010(0000) = 10 00 20.
        let samples = [BitSample(1000, 1.0), BitSample(16000, 1.0), BitSample(31000, 1.0), BitSample(46001, 1.0)]
        #expect(hex(try encodeChunk(samples)) == "0004d00f3ff0000000000000987510" + "0020")
    }

    @Test("bit layout of a new XOR window, worked by hand")
    func handWorkedValue() throws {
        // 1.0 ^ 3.0 = 0x3ff0… ^ 0x4008… = 0x7ff8000000000000: 1 leading zero, 51 trailing, 12 significant bits.
        //   11 | 00001 | 001100 | 111111111111 | 0000000 (padding) = c2 67 ff 80
        let samples = [BitSample(0, 1.0), BitSample(1, 3.0)]
        #expect(hex(try encodeChunk(samples)) == "0002" + "00" + "3ff0000000000000" + "01" + "c267ff80")
        // A third value inside that window reuses it: 3.0 ^ 2.0 = 0x0008000000000000 has 12 leading zeros and
        // 51 trailing, so: '0' (dod 0), '10', then the window's 12 bits 000000000001. The first 7 of those
        // 15 bits fill the last byte (1|0100000 = a0), the other 8 make 01.
        var encoder = XORChunkEncoder()
        try encoder.append(timestamp: 0, value: 1.0)
        try encoder.append(timestamp: 1, value: 3.0)
        try encoder.append(timestamp: 2, value: 2.0)
        #expect(hex(encoder.chunkBytes) == "0003" + "00" + "3ff0000000000000" + "01" + "c267ff" + "a0" + "01")
    }

    @Test("round trips keep every bit", arguments: SeriesShape.allCases, [1, 2, 3] as [UInt64])
    func roundTrip(shape: SeriesShape, seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for _ in 0..<20 {
            let count = [1, 2, 3, 120, 121, 500][random.below(6)]
            let samples = makeSeries(shape, count: count, seed: random.next())
            let chunk = try encodeChunk(samples)
            #expect(XORChunkDecoder.sampleCount(of: chunk) == count)
            #expect(try decodeChunk(chunk) == samples)
        }
    }

    @Test("the staleness marker and other NaN payloads come back bit for bit")
    func nanPayloads() throws {
        let payloads: [UInt64] = [
            staleNaN, 0x7ff8_0000_0000_0000, 0x7ff8_0000_0000_0001, 0xfff8_dead_beef_0001,
            0x7ff0_0000_0000_0001, staleNaN,
        ]
        let samples = payloads.enumerated().map { BitSample(Int64($0.offset) * 15_000, bits: $0.element) }
        #expect(try decodeChunk(try encodeChunk(samples)) == samples)
    }

    @Test("out-of-order and duplicate timestamps are refused and leave the chunk as it was")
    func ordering() throws {
        var encoder = XORChunkEncoder()
        try encoder.append(timestamp: 100, value: 1)
        let duplicate = #expect(throws: CodecError.self) { try encoder.append(timestamp: 100, value: 2) }
        #expect(duplicate?.code == .outOfOrder)
        try encoder.append(timestamp: 200, value: 2)
        let before = encoder.bytes
        let earlier = #expect(throws: CodecError.self) { try encoder.append(timestamp: 150, value: 3) }
        #expect(earlier?.code == .outOfOrder)
        #expect(encoder.bytes == before)
        #expect(encoder.count == 2)
        #expect(encoder.lastTimestamp == 200)
        #expect(encoder.lastValue == 2)
    }

    @Test("a chunk holds at most 65535 samples")
    func capacity() throws {
        var encoder = XORChunkEncoder()
        for index in 0..<XORChunkEncoder.maxSamples {
            try encoder.append(timestamp: Int64(index), value: 1)
        }
        let error = #expect(throws: CodecError.self) { try encoder.append(timestamp: 1 << 40, value: 1) }
        #expect(error?.code == .chunkFull)
        #expect(Array(encoder.bytes.prefix(2)) == [0xff, 0xff])
        var decoder = try XORChunkDecoder(encoder.bytes)
        var count = 0
        while try decoder.next() { count += 1 }
        #expect(count == XORChunkEncoder.maxSamples)
    }

    @Test("seek moves forward to the first sample at or after a time")
    func seek() throws {
        let samples = (0..<10).map { BitSample(Int64($0) * 10, Double($0)) }
        let chunk = try encodeChunk(samples)
        var decoder = try XORChunkDecoder(chunk)
        #expect(try decoder.seek(to: -5))
        #expect(decoder.at() == (0, 0))
        #expect(try decoder.seek(to: 35))
        #expect(decoder.timestamp == 40)
        #expect(try decoder.seek(to: 40))  // already there: stays
        #expect(decoder.decodedCount == 5)
        #expect(try decoder.seek(to: 90))
        #expect(decoder.value == 9)
        #expect(try !decoder.seek(to: 91))
        #expect(try !decoder.next())
    }

    @Test("a decoder is reused across chunks and ranges")
    func reuse() throws {
        let first = try encodeChunk(makeSeries(.counter, count: 50, seed: 1))
        let second = try encodeChunk(makeSeries(.noisyGauge, count: 70, seed: 2))
        let file = [0xAB, 0xCD] + first + second + [0xEF]
        var decoder = XORChunkDecoder()
        #expect(try !decoder.next())
        try decoder.reset(file, range: 2..<(2 + first.count))
        var samples: [BitSample] = []
        while try decoder.next() { samples.append(BitSample(decoder.timestamp, decoder.value)) }
        #expect(samples == makeSeries(.counter, count: 50, seed: 1))
        try decoder.reset(file, range: (2 + first.count)..<(file.count - 1))
        samples = []
        while try decoder.next() { samples.append(BitSample(decoder.timestamp, decoder.value)) }
        #expect(samples == makeSeries(.noisyGauge, count: 70, seed: 2))
    }

    @Test("an encoder appends after the caller's bytes and resets without losing them")
    func prefixAndReset() throws {
        var encoder = XORChunkEncoder(appendingTo: [1, 2, 3])
        try encoder.append(timestamp: 1000, value: 1.0)
        #expect(hex(encoder.bytes) == "010203" + "0001d00f3ff0000000000000")
        #expect(encoder.byteCount == 12)
        #expect(hex(encoder.chunkBytes) == "0001d00f3ff0000000000000")
        encoder.reset()
        #expect(encoder.bytes == [1, 2, 3, 0, 0])
        #expect(encoder.lastTimestamp == nil)
        try encoder.append(timestamp: 1000, value: 1.0)
        try encoder.append(timestamp: 16000, value: 1.0)
        #expect(hex(encoder.chunkBytes) == "0002d00f3ff0000000000000987500")
    }

    @Test("resuming a chunk gives the bytes of appending without a break", arguments: SeriesShape.allCases)
    func resume(shape: SeriesShape) throws {
        let samples = makeSeries(shape, count: 130, seed: 11)
        let whole = try encodeChunk(samples)
        for split in [0, 1, 2, 3, 7, 64, 129, 130] {
            let head = try encodeChunk(Array(samples[..<split]))
            var resumed = try XORChunkEncoder(resuming: [0x77] + head, chunkStart: 1)
            #expect(resumed.count == split)
            for sample in samples[split...] {
                try resumed.append(timestamp: sample.timestamp, value: sample.value)
            }
            #expect(Array(resumed.chunkBytes) == whole, "split at \(split)")
        }
    }

    @Test("a window reused before any is set means 64 bits, as Prometheus reads it")
    func reuseWithoutWindow() throws {
        // Prometheus's appender, reopened on a chunk whose values never changed, has leading = trailing = 0
        // and may write '10' + 64 bits. Build such a chunk by hand: two samples, the second value 2.0.
        var writer = BitWriter(appendingTo: [0, 2])
        writer.writeVarint(0)
        writer.writeBits((1.0).bitPattern, count: 64)
        writer.writeUVarint(10)
        writer.writeBits(0b10, count: 2)
        writer.writeBits((1.0).bitPattern ^ (2.0).bitPattern, count: 64)
        let samples = try decodeChunk(writer.bytes)
        #expect(samples == [BitSample(0, 1.0), BitSample(10, 2.0)])
    }

    @Test("bytes per sample on regular series stay Gorilla-sized")
    func density() throws {
        let constant = try encodeChunk((0..<120).map { BitSample(Int64($0) * 15_000, 1.0) })
        // 2 header + 1 timestamp (0) + 8 value + 2 delta (15000), then 1 + 118 × 2 = 237 bits.
        #expect(constant.count == 2 + 1 + 8 + 2 + 30)
        let counter = try encodeChunk(makeSeries(.counter, count: 120, seed: 5))
        #expect(Double(counter.count) / 120 < 6)
    }
}
