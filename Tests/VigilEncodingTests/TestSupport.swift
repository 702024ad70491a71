import VigilEncoding

extension SplitMix64 {
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}

/// A sample with its value as a bit pattern, so NaN payloads compare exactly.
struct BitSample: Sendable, Equatable, CustomStringConvertible {
    var timestamp: Int64
    var bits: UInt64

    init(_ timestamp: Int64, _ value: Double) {
        self.timestamp = timestamp
        self.bits = value.bitPattern
    }

    init(_ timestamp: Int64, bits: UInt64) {
        self.timestamp = timestamp
        self.bits = bits
    }

    var value: Double { Double(bitPattern: bits) }
    var description: String { "(\(timestamp), 0x\(String(bits, radix: 16)))" }
}

/// Prometheus's staleness marker.
let staleNaN: UInt64 = 0x7ff0_0000_0000_0002

func bytes(hex: String) -> [UInt8] {
    var result: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        result.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return result
}

func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}

func encodeChunk(_ samples: [BitSample]) throws -> [UInt8] {
    var encoder = XORChunkEncoder()
    for sample in samples {
        try encoder.append(timestamp: sample.timestamp, value: sample.value)
    }
    return encoder.bytes
}

func decodeChunk(_ chunk: [UInt8]) throws(CodecError) -> [BitSample] {
    try XORChunkDecoder.decodeAll(chunk).map { BitSample($0.timestamp, $0.value) }
}

/// Shapes of series the property tests draw from.
enum SeriesShape: String, CaseIterable, Sendable {
    /// Monotonic integer counter with occasional resets, 15 s scrapes with a little jitter.
    case counter
    /// Gauge around a level with noise, 3 decimals.
    case noisyGauge
    /// Never changes.
    case constant
    /// Random gaps from 1 ms to 10 min.
    case irregularTimestamps
    /// Gaps that jump across every delta-of-delta bucket, up to 2⁵⁰ ms.
    case hugeJumps
    /// NaN payloads, the staleness marker, ±Inf, ±0, subnormals, extremes, mixed with ordinary values.
    case specialValues
    /// Uniformly random 64-bit patterns: the worst case for XOR windows.
    case randomBits
}

func makeSeries(_ shape: SeriesShape, count: Int, seed: UInt64) -> [BitSample] {
    var random = SplitMix64(seed: seed)
    var samples: [BitSample] = []
    var timestamp = Int64(bitPattern: random.next() >> 24) - (1 << 39)
    var counter = 0.0
    let level = 100 * random.unit()
    let specials: [UInt64] = [
        staleNaN, Double.nan.bitPattern, 0x7ff8_0000_0000_0001, 0xfff8_0000_0000_0000, 0x7ff0_0000_0000_0001,
        Double.infinity.bitPattern, (-Double.infinity).bitPattern, (0.0).bitPattern, (-0.0).bitPattern,
        1, 0x000f_ffff_ffff_ffff, 0x8000_0000_0000_0001, Double.greatestFiniteMagnitude.bitPattern,
        Double.leastNormalMagnitude.bitPattern, (1.0).bitPattern,
    ]
    for index in 0..<count {
        let gap: Int64
        switch shape {
        case .irregularTimestamps:
            gap = 1 + Int64(random.below(600_000))
        case .hugeJumps:
            let magnitude = [1, 100, 9000, 70_000, 600_000, 1 << 30, 1 << 50][random.below(7)]
            gap = 1 + Int64(random.below(magnitude))
        default:
            gap = 15_000 + Int64(random.below(5)) - 2
        }
        if index > 0 { timestamp += gap }
        let bits: UInt64
        switch shape {
        case .counter:
            if random.below(100) == 0 { counter = 0 }
            counter += Double(random.below(10_000))
            bits = counter.bitPattern
        case .noisyGauge:
            let noisy = level + random.unit() - 0.5
            bits = (Double(Int64(noisy * 1000)) / 1000).bitPattern
        case .constant:
            bits = (42.0).bitPattern
        case .irregularTimestamps, .hugeJumps:
            bits = Double(random.below(50)).bitPattern
        case .specialValues:
            bits = random.below(3) == 0 ? (level + Double(index)).bitPattern : specials[random.below(specials.count)]
        case .randomBits:
            bits = random.next()
        }
        samples.append(BitSample(timestamp, bits: bits))
    }
    return samples
}
