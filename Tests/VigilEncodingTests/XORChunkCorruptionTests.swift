import Testing
import VigilEncoding

@Suite("XOR chunk corruption")
struct XORChunkCorruptionTests {
    /// A chunk exercising every encoding branch: jittered and huge gaps, special values, window changes.
    static let chunk: [UInt8] = {
        var samples = makeSeries(.specialValues, count: 60, seed: 3)
        let last = samples[samples.count - 1].timestamp
        samples += makeSeries(.hugeJumps, count: 60, seed: 4).enumerated().map {
            BitSample(last + 1 + Int64($0.offset) * 1_000_003 + Int64($0.offset / 7) << 35, bits: $0.element.bits)
        }
        return try! encodeChunk(samples)
    }()

    /// Decodes everything; returns the samples or the error, and must never trap.
    static func outcome(_ bytes: [UInt8]) -> Result<[BitSample], CodecError> {
        Result { () throws(CodecError) in try decodeChunk(bytes) }
    }

    @Test(
        "every byte mutated: decoding throws or returns, never traps", arguments: [0x01, 0x10, 0x80, 0xff] as [UInt8])
    func mutations(mask: UInt8) {
        let original = Self.chunk
        var thrown = 0
        for offset in original.indices {
            var damaged = original
            damaged[offset] ^= mask
            switch Self.outcome(damaged) {
            case .success(let samples):
                #expect(samples.count == XORChunkDecoder.sampleCount(of: damaged))
                // Whatever comes back is still strictly ordered: order is checked while decoding.
                #expect(zip(samples, samples.dropFirst()).allSatisfy { $0.timestamp < $1.timestamp })
            case .failure(let error):
                #expect(error.offset.map { $0 >= 0 && $0 <= damaged.count } == true)
                thrown += 1
            }
        }
        // Damage to value bits decodes to other values: the chunk format has no checksum of its own (the CRC32C
        // around each chunk on disk catches that). Damage to the structure is caught.
        #expect(thrown > 0)
    }

    @Test("every byte set to random values, many times")
    func randomBytes() {
        var random = SplitMix64(seed: 17)
        for _ in 0..<3000 {
            var damaged = Self.chunk
            for _ in 0..<(1 + random.below(4)) {
                damaged[random.below(damaged.count)] = UInt8(truncatingIfNeeded: random.next())
            }
            _ = Self.outcome(damaged)
        }
    }

    @Test("every truncation throws")
    func truncations() {
        for length in 0..<Self.chunk.count {
            let result = Self.outcome(Array(Self.chunk.prefix(length)))
            guard case .failure(let error) = result else {
                Issue.record("a chunk cut to \(length) of \(Self.chunk.count) bytes decoded")
                continue
            }
            #expect(error.code == .truncated || error.code == .corrupt)
        }
    }

    @Test("a count larger than the data throws truncated")
    func countTooLarge() {
        // Up to 3 extra samples can hide in the padding: 2 zero bits read as "same interval, same value". Ten
        // cannot.
        var damaged = Self.chunk
        damaged[1] &+= 10
        guard case .failure(let error) = Self.outcome(damaged) else {
            Issue.record("decoded")
            return
        }
        #expect(error.code == .truncated)
    }

    @Test("zero padding can pass for up to 3 repeats of the last sample when the count is too large")
    func phantomSamples() throws {
        // The chunk ends in c267ff80: 1 bit of the last sample and 7 bits of padding. Each extra sample the count
        // claims reads 2 zero bits: same interval, same value.
        var damaged = try encodeChunk([BitSample(0, 1.0), BitSample(10, 3.0)])
        damaged[1] = 5
        #expect(
            try decodeChunk(damaged) == [
                BitSample(0, 1.0), BitSample(10, 3.0), BitSample(20, 3.0), BitSample(30, 3.0), BitSample(40, 3.0),
            ])
        damaged[1] = 6
        let error = #expect(throws: CodecError.self) { try decodeChunk(damaged) }
        #expect(error?.code == .truncated)
    }

    @Test("bytes after the last sample throw corrupt")
    func trailingBytes() {
        let error = #expect(throws: CodecError.self) { try decodeChunk(Self.chunk + [0]) }
        #expect(error?.code == .corrupt)
        let counted = #expect(throws: CodecError.self) {
            // A count one too small leaves the last sample's bits behind. (Only a last sample encoded as all
            // zero bits, "same value, same interval", could go unnoticed; random values never are.)
            var damaged = try encodeChunk(makeSeries(.randomBits, count: 10, seed: 1))
            damaged[1] &-= 1
            _ = try decodeChunk(damaged)
        }
        #expect(counted?.code == .corrupt)
    }

    @Test("non-zero padding throws corrupt")
    func padding() throws {
        let chunk = try encodeChunk([BitSample(0, 1.0), BitSample(10, 3.0)])  // ends in 0x80: 7 padding bits
        var damaged = chunk
        damaged[damaged.count - 1] |= 1
        let error = #expect(throws: CodecError.self) { try decodeChunk(damaged) }
        #expect(error?.code == .corrupt)
    }

    @Test("a chunk shorter than its header throws on reset", arguments: [[], [0x00]] as [[UInt8]])
    func noHeader(bytes: [UInt8]) {
        let error = #expect(throws: CodecError.self) { try XORChunkDecoder(bytes) }
        #expect(error?.code == .truncated)
        #expect(XORChunkDecoder.sampleCount(of: bytes) == nil)
    }

    @Test("an impossible XOR window throws corrupt")
    func impossibleWindow() {
        // Second value: '11', 31 leading zeros, 0 significant bits (read as 64): 95 bits in a 64-bit word.
        var writer = BitWriter(appendingTo: [0, 2])
        writer.writeVarint(0)
        writer.writeBits(0, count: 64)
        writer.writeUVarint(1)
        writer.writeBits(0b11, count: 2)
        writer.writeBits(31, count: 5)
        writer.writeBits(0, count: 6)
        writer.writeBits(UInt64.max, count: 64)
        let error = #expect(throws: CodecError.self) { try decodeChunk(writer.bytes) }
        #expect(error?.code == .corrupt)
    }

    @Test("timestamps that do not increase are reported as corruption")
    func nonIncreasing() {
        // A second delta of 0 (uvarint 0).
        var zero = BitWriter(appendingTo: [0, 2])
        zero.writeVarint(5)
        zero.writeBits(0, count: 64)
        zero.writeUVarint(0)
        zero.writeBit(false)
        #expect(throws: CodecError.self) { try decodeChunk(zero.bytes) }
        // A delta that wraps past Int64.max.
        var wrap = BitWriter(appendingTo: [0, 2])
        wrap.writeVarint(.max - 1)
        wrap.writeBits(0, count: 64)
        wrap.writeUVarint(5)
        wrap.writeBit(false)
        let error = #expect(throws: CodecError.self) { try decodeChunk(wrap.bytes) }
        #expect(error?.code == .corrupt)
        #expect(error?.offset == 20)  // 2 header + 10 varint + 8 value bytes: the delta's first byte
    }

    @Test("after an error the decoder keeps throwing until reset")
    func stickyError() throws {
        var decoder = try XORChunkDecoder(Array(Self.chunk.prefix(20)))
        var firstError: CodecError?
        do {
            while try decoder.next() {}
        } catch {
            firstError = error
        }
        #expect(firstError != nil)
        #expect(throws: CodecError.self) { try decoder.next() }
        #expect(throws: CodecError.self) { try decoder.seek(to: .max) }
        try decoder.reset(Self.chunk)
        var count = 0
        while try decoder.next() { count += 1 }
        #expect(count == 120)
    }

    @Test("resuming a damaged chunk throws instead of appending to it")
    func resumeDamaged() {
        #expect(throws: CodecError.self) { try XORChunkEncoder(resuming: Array(Self.chunk.dropLast())) }
        #expect(throws: CodecError.self) { try XORChunkEncoder(resuming: [1, 2, 3], chunkStart: 4) }
    }
}
