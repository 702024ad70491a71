/// The packed chunk format's constants and its decimal arithmetic, shared by ``PackedChunkEncoder`` and
/// ``PackedChunkDecoder``. Layout: `docs/format/chunks.md` ("Packed chunk").
public enum PackedChunk {
    /// The most samples a packed chunk may hold.
    public static let maxSamples = 4096
    /// The largest decimal scale: values are `m / 10ᵉ` with `e ≤ 15`.
    public static let maxScale = 15
    /// Integers (and timestamp steps) must stay below this in magnitude: 2⁵³, where doubles stop being exact.
    static let integerLimit: Int64 = 1 << 53
    /// Frames hold `minimumFrame << shift` samples, shift 0, 1 or 2: 32, 64 or 128.
    static let minimumFrame = 32
    static let frameShifts = [0, 1, 2]
    /// A frame's width field holds up to 55 bits: differences of integers below 2⁵³ span less than 2⁵⁵.
    static let maxWidth = 55

    // Chunk flags.
    static let packedStepsFlag: UInt8 = 0x01
    static let packedValuesFlag: UInt8 = 0x02
    static let frameShiftBit: UInt8 = 4
    static let knownFlags: UInt8 = 0x33

    // Frame header.
    static let differencesFlag: UInt8 = 0x80
    static let factorFlag: UInt8 = 0x40
    static let widthMask: UInt8 = 0x3F

    /// 10⁰ … 10¹⁵, each exact as a double.
    @usableFromInline static let powersOfTen: [Double] = {
        var powers: [Double] = [1]
        for _ in 0..<maxScale { powers.append(powers[powers.count - 1] * 10) }
        return powers
    }()

    /// The value an integer stands for at `scale`: `m / 10ᵉ`, one correctly rounded division, so it is the
    /// double nearest the decimal, as a parser reading the decimal's text would produce.
    @inlinable
    public static func value(_ integer: Int64, scale: Int) -> Double {
        scale == 0 ? Double(integer) : Double(integer) / powersOfTen[scale]
    }

    /// The integer `m` with `value(m, scale) == value` bit for bit and `|m| < 2⁵³`, or nil.
    static func integer(_ value: Double, scale: Int) -> Int64? {
        let scaled = value * powersOfTen[scale]
        guard Swift.abs(scaled) < Double(integerLimit) else { return nil }  // also false for NaN
        // Round to the nearest integer by hand (truncation is exact below 2⁵³), keeping this module free of libm.
        var integer = Int64(scaled)
        let fraction = scaled - Double(integer)
        if fraction >= 0.5 { integer += 1 } else if fraction <= -0.5 { integer -= 1 }
        return Self.value(integer, scale: scale).bitPattern == value.bitPattern ? integer : nil
    }

    /// The smallest scale at which every value is a decimal, or nil (NaN, infinities, −0, too many digits).
    /// A value exact at scale `e` stays exact at `e + 1` while `10·m < 2⁵³` (the same rational, so the same
    /// nearest double), so one pass that only raises the scale finds it; the encoder checks every value again.
    static func decimalScale(of values: UnsafeBufferPointer<Double>) -> Int? {
        var scale = 0
        for value in values {
            guard value.isFinite else { return nil }
            while integer(value, scale: scale) == nil {
                scale += 1
                if scale > maxScale { return nil }
            }
        }
        return scale
    }

    static func greatestCommonDivisor(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    /// The number of samples a packed chunk declares (its first varint), or nil when it has none.
    public static func sampleCount(of chunk: [UInt8]) -> Int? {
        var position = 0
        guard let count = try? Varint.decodeUnsigned(from: chunk, at: &position), count <= UInt64(maxSamples) else {
            return nil
        }
        return Int(count)
    }
}
