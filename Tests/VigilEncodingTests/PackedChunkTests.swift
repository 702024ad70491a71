import Testing
import VigilEncoding

/// Packs `samples`; nil when the encoder declines them.
func packChunk(_ samples: [BitSample]) -> [UInt8]? {
    var output: [UInt8] = []
    let timestamps = samples.map(\.timestamp)
    let values = samples.map(\.value)
    let packed = timestamps.withUnsafeBufferPointer { times in
        values.withUnsafeBufferPointer { PackedChunkEncoder.encode(timestamps: times, values: $0, into: &output) }
    }
    return packed ? output : nil
}

func unpackChunk(_ chunk: [UInt8]) throws(CodecError) -> [BitSample] {
    try PackedChunkDecoder.decodeAll(chunk).map { BitSample($0.timestamp, $0.value) }
}

/// Series of decimal values in the shapes the block writer meets.
enum DecimalShape: String, CaseIterable, Sendable {
    case constant, gauge3Decimals, counter, steppedClock, pagedBytes, idleThenBusy, negativeAndZero, single
    case extremes, scale15

    func samples(count: Int, seed: UInt64, jitter: Bool) -> [BitSample] {
        var random = SplitMix64(seed: seed)
        var time: Int64 = 1_764_460_800_000
        var counter: Int64 = 6_000_000_000
        var result: [BitSample] = []
        for index in 0..<(self == .single ? 1 : count) {
            time += 15_000 + (jitter ? Int64(random.below(5)) - 2 : 0)
            let value: Double
            switch self {
            case .constant: value = 81_559
            case .gauge3Decimals: value = Double(120_000 + random.below(82_000)) / 1000
            case .counter:
                counter += Int64(15_000_000 + random.below(40_000_000))
                value = Double(counter)
            case .steppedClock: value = Double(1755 + 15 * random.below(16))
            case .pagedBytes: value = Double(2_199_023_255_552 - 4096 * (180_000_000 + random.below(40_000_000)))
            case .idleThenBusy: value = index < count / 2 ? Double(random.below(3)) : Double(82 + random.below(16))
            case .negativeAndZero: value = index % 3 == 0 ? 0 : Double(random.below(2001) - 1000) / 100
            case .single: value = 42.5
            case .extremes: value = index % 2 == 0 ? 9_007_199_254_740_991 : -9_007_199_254_740_991
            case .scale15: value = Double(random.below(1_000_000)) / 1e15
            }
            result.append(BitSample(time, value))
        }
        return result
    }
}

@Suite("Packed chunk")
struct PackedChunkTests {
    @Test("decimal series round-trip bit for bit", arguments: DecimalShape.allCases, [false, true])
    func roundTrip(shape: DecimalShape, jitter: Bool) throws {
        for count in [1, 2, 31, 32, 33, 120, 1000, PackedChunk.maxSamples] {
            let samples = shape.samples(count: count, seed: UInt64(count), jitter: jitter)
            let chunk = try #require(packChunk(samples), "\(shape) × \(count) was not packed")
            #expect(PackedChunk.sampleCount(of: chunk) == samples.count)
            #expect(try unpackChunk(chunk) == samples, "\(shape) × \(count), jitter \(jitter)")
        }
    }

    @Test("the worked example of docs/format/chunks.md, byte for byte")
    func workedExample() throws {
        let samples = [BitSample(1000, 4.5), BitSample(16000, 4.7), BitSample(31000, 5.0)]
        let chunk = try #require(packChunk(samples))
        #expect(chunk == bytes(hex: "03d00f02019875" + "5a0005" + "820038"))
        #expect(try unpackChunk(chunk) == samples)
    }

    @Test("the header alone gives count, first timestamp, minimum and maximum", arguments: DecimalShape.allCases)
    func summary(shape: DecimalShape) throws {
        for count in [1, 2, 100, 1440] {
            let samples = shape.samples(count: count, seed: 3, jitter: count % 2 == 0)
            let summary = try PackedChunk.summary(of: try #require(packChunk(samples)))
            #expect(summary.count == samples.count)
            #expect(summary.firstTimestamp == samples[0].timestamp)
            #expect(summary.minimum == samples.map(\.value).min())
            #expect(summary.maximum == samples.map(\.value).max())
        }
    }

    @Test("a decoder is reusable across chunks of different sizes and walks samples with next()")
    func reuse() throws {
        var decoder = PackedChunkDecoder()
        for (index, count) in [1000, 3, 2000, 1].enumerated() {
            let samples = DecimalShape.counter.samples(count: count, seed: UInt64(index), jitter: index % 2 == 0)
            try decoder.reset(try #require(packChunk(samples)))
            var walked: [BitSample] = []
            while decoder.next() { walked.append(BitSample(decoder.timestamp, decoder.value)) }
            #expect(walked == samples)
            #expect(decoder.count == count)
            // The arrays hold this chunk only, not what is left of a larger one before it.
            #expect(zip(decoder.timestamps, decoder.values).map { BitSample($0, $1) } == samples)
        }
    }

    @Test("compact on the shapes it is for: regular timestamps cost nothing, constants a few bytes")
    func sizes() throws {
        let constant = try #require(packChunk(DecimalShape.constant.samples(count: 1000, seed: 1, jitter: false)))
        #expect(constant.count <= 16)
        // Uniform noise over 82,000 values needs 17 bits a sample: the chunk is within a few % of that.
        let gauge = try #require(packChunk(DecimalShape.gauge3Decimals.samples(count: 1024, seed: 1, jitter: false)))
        #expect(gauge.count < 1024 * 17 / 8 + 200)
        // The clock's steps of 15 are divided out: 4 bits a sample, not 8.
        let clock = try #require(packChunk(DecimalShape.steppedClock.samples(count: 1024, seed: 1, jitter: false)))
        #expect(clock.count < 1024 * 4 / 8 + 200)
        // Timestamps jittered by ±2 ms cost 4 bits a sample (steps within 15,000 ± 4).
        let jittered = try #require(packChunk(DecimalShape.constant.samples(count: 1024, seed: 1, jitter: true)))
        #expect(jittered.count < 1024 * 4 / 8 + 200)
    }

    @Test(
        "values no decimal writes exactly are declined, so the caller keeps XOR",
        arguments: [
            Double.nan, Double(bitPattern: staleNaN), .infinity, -.infinity, -0.0, 0.1 + 0.2, 1e300,
            9_007_199_254_740_992,
            .pi, 1e-16,
        ])
    func declined(value: Double) {
        var samples = DecimalShape.gauge3Decimals.samples(count: 50, seed: 9, jitter: false)
        samples[17] = BitSample(samples[17].timestamp, value)
        #expect(packChunk(samples) == nil)
    }

    @Test("timestamps that do not increase, empty and oversized runs are declined")
    func declinedShapes() {
        var samples = DecimalShape.counter.samples(count: 10, seed: 1, jitter: false)
        samples[5].timestamp = samples[4].timestamp
        #expect(packChunk(samples) == nil)
        #expect(packChunk([]) == nil)
        #expect(
            packChunk(DecimalShape.constant.samples(count: PackedChunk.maxSamples + 1, seed: 1, jitter: false)) == nil)
        // A step of 2⁶³ ms wraps: declined rather than packed wrongly.
        #expect(packChunk([BitSample(.min, 1), BitSample(.max, 2)]) == nil)
    }

    @Test("extreme timestamps and integers round-trip")
    func extremes() throws {
        let samples = [
            BitSample(Int64.min, 9_007_199_254_740_991), BitSample(Int64.min + 1, -9_007_199_254_740_991),
            BitSample(Int64.min + (1 << 52), 0),
        ]
        #expect(try unpackChunk(try #require(packChunk(samples))) == samples)
        let late = [BitSample(Int64.max - 30, 1), BitSample(Int64.max - 15, 2), BitSample(Int64.max, 3)]
        #expect(try unpackChunk(try #require(packChunk(late))) == late)
    }
}

@Suite("Packed chunk corruption")
struct PackedChunkCorruptionTests {
    static let chunks: [[UInt8]] = [
        packChunk(DecimalShape.gauge3Decimals.samples(count: 300, seed: 5, jitter: true))!,
        packChunk(DecimalShape.counter.samples(count: 200, seed: 6, jitter: false))!,
        packChunk(DecimalShape.constant.samples(count: 40, seed: 7, jitter: false))!,
    ]

    @Test("every prefix is refused with an offset inside the chunk, never a trap", arguments: 0..<3)
    func truncations(which: Int) {
        let chunk = Self.chunks[which]
        for length in 0..<chunk.count {
            do {
                _ = try unpackChunk(Array(chunk[..<length]))
                Issue.record("a \(length)-byte prefix of \(chunk.count) decoded")
            } catch {
                #expect(error.offset.map { $0 <= length } ?? false, "\(error)")
            }
        }
    }

    @Test(
        "every byte mutated: decoding throws or returns, never traps", arguments: [0x01, 0x10, 0x80, 0xff] as [UInt8])
    func mutations(mask: UInt8) {
        for chunk in Self.chunks {
            for offset in chunk.indices {
                var damaged = chunk
                damaged[offset] ^= mask
                if case .success(let samples) = Result(catching: { () throws(CodecError) in try unpackChunk(damaged) })
                {
                    // What decodes keeps the format's promise: increasing times, as many as declared.
                    #expect(zip(samples, samples.dropFirst()).allSatisfy { $0.timestamp < $1.timestamp })
                }
            }
        }
    }

    @Test(
        "bad headers are named with their offset",
        arguments: [
            ([0x00], "declares 0 samples"),
            ([0x81, 0x40], "declares 8193 samples"),
            ([0x02, 0x00, 0x08], "unknown packed chunk flags 0x8"),
            ([0x02, 0x00, 0x30], "unknown packed chunk flags 0x30"),
            ([0x02, 0x00, 0x00, 0x10], "decimal scale 16"),
            ([0x02, 0x00, 0x00, 0x00, 0x00], "timestamp step 0"),
            ([0x02, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x38, 0x00], "frame width 56"),
            ([0x02, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x00], "needs 2 bytes, 0 left"),
            ([0x02, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x40, 0x00, 0x01], "frame factor 1"),
            (
                [0x02, 0x00, 0x02, 0x00, 0x01, 0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x00],
                "value range"
            ),
            ([0x01, 0x00, 0x00, 0x00, 0x00, 0x00], "1 bytes follow the last frame"),
            ([0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00], "timestamp step 1 is 0"),
        ] as [([UInt8], String)])
    func badHeaders(bytes: [UInt8], message: String) {
        do {
            _ = try unpackChunk(bytes)
            Issue.record("decoded")
        } catch {
            #expect(error.message.contains(message), "\(error)")
            #expect(error.offset != nil)
        }
    }
}
