/// The simulator's random numbers: xoshiro256** seeded through SplitMix64.
///
/// It deliberately does not conform to `RandomNumberGenerator`: the standard library's
/// `random(in:using:)` algorithms may change between toolchains, and the simulator promises the
/// same readings for the same seed on every toolchain and platform. Every draw here is integer
/// arithmetic or exact IEEE operations.
struct SimulationRandom: Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    init(seed: UInt64) {
        var state = seed
        s0 = Self.splitMix64(&state)
        s1 = Self.splitMix64(&state)
        s2 = Self.splitMix64(&state)
        s3 = Self.splitMix64(&state)
    }

    /// A generator for one entity (a node, a GPU), independent of every other entity's draws.
    init(seed: UInt64, stream: UInt64, _ index: UInt64 = 0) {
        self.init(seed: Self.hash(seed, stream, index))
    }

    /// SplitMix64's step: advances `state` and returns a well-mixed value.
    static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Mixes a few integers into one 64-bit value (stable identities: UUIDs, serials).
    static func hash(_ values: UInt64...) -> UInt64 {
        var state: UInt64 = 0x243F_6A88_85A3_08D3
        var out: UInt64 = 0
        for value in values {
            state ^= value
            out = splitMix64(&state)
            state = out
        }
        return out
    }

    mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let shifted = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= shifted
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in `range`.
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * unit()
    }

    /// Uniform integer in `range` (multiply-high, so no modulo bias worth mentioning).
    mutating func integer(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next().multipliedFullWidth(by: span).high)
    }

    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// Roughly standard normal (Irwin–Hall of four uniforms, rescaled): cheap, bounded to ±3.5σ,
    /// and built from exact operations only.
    mutating func gaussian() -> Double {
        (unit() + unit() + unit() + unit() - 2) * 1.732_050_807_568_877_2
    }

    /// Exponentially distributed with the given mean.
    mutating func exponential(mean: Double) -> Double {
        -mean * SimulationMath.log(1 - unit())
    }

    /// Log-uniform in `range`: durations spread over orders of magnitude.
    mutating func logUniform(_ range: ClosedRange<Double>) -> Double {
        let low = SimulationMath.log(range.lowerBound)
        let high = SimulationMath.log(range.upperBound)
        return SimulationMath.exp(low + (high - low) * unit())
    }

    /// One element of a non-empty array.
    mutating func element<T>(of array: [T]) -> T {
        array[integer(0...(array.count - 1))]
    }

    private func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}
