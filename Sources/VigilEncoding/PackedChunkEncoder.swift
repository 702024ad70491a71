/// Encodes a run of samples as a packed chunk: decimal values as integers, bit-packed in frames against
/// each frame's minimum (frame of reference), and timestamps as one step when they are regular. The dense
/// encoding of immutable blocks; the format is in `docs/format/chunks.md` ("Packed chunk").
///
/// Values must be decimals: each must be exactly `m / 10ᵉ` for one scale `e ≤ 15` shared by the chunk and
/// an integer `|m| < 2⁵³` (what an exporter's `571.123` or `42` parses to). A chunk with NaN (a staleness
/// marker), an infinity, −0 or a value no decimal writes exactly is not packed: ``encode(timestamps:values:into:)``
/// returns `false` and the caller keeps the XOR encoding, which stores any bit pattern.
///
/// Each frame picks the smaller of two forms: the integers themselves (gauges) or their differences from the
/// previous sample (counters), and divides out a common factor (a clock in steps of 15 MHz, memory in
/// pages). The encoder tries frames of 32, 64 and 128 samples and keeps the smallest chunk.
public enum PackedChunkEncoder {
    /// The most samples one packed chunk holds.
    public static let maxSamples = PackedChunk.maxSamples

    /// Appends the packed chunk of `timestamps` (strictly increasing) and `values` (as many) to `output`.
    /// Returns `false`, leaving `output` as it was, when the values are not all decimals of one scale, the
    /// timestamps do not increase, or the counts are empty, unequal or above ``maxSamples``.
    public static func encode(
        timestamps: UnsafeBufferPointer<Int64>, values: UnsafeBufferPointer<Double>, into output: inout [UInt8]
    ) -> Bool {
        let count = timestamps.count
        guard count > 0, count == values.count, count <= maxSamples else { return false }
        guard let scale = PackedChunk.decimalScale(of: values) else { return false }
        var integers = [Int64](repeating: 0, count: count)
        for index in 0..<count {
            guard let integer = PackedChunk.integer(values[index], scale: scale) else { return false }
            integers[index] = integer
        }
        var steps = [Int64](repeating: 0, count: count)
        for index in 1..<count {
            steps[index] = timestamps[index] &- timestamps[index - 1]
            // A step must be positive without wrapping, and below 2⁵³ ms (285,000 years) so it packs in 53 bits.
            guard steps[index] > 0 && steps[index] < PackedChunk.integerLimit else { return false }
        }
        let regularStep = count > 1 && steps[1...].allSatisfy { $0 == steps[1] } ? steps[1] : nil
        let lowest = integers.min()!
        let highest = integers.max()!
        let constant = lowest == highest

        var best: [UInt8] = []
        for frameShift in constant && (count == 1 || regularStep != nil) ? [0] : PackedChunk.frameShifts {
            var chunk: [UInt8] = []
            chunk.reserveCapacity(count * 2 + 32)
            Varint.appendUnsigned(UInt64(count), to: &chunk)
            Varint.appendSigned(timestamps[0], to: &chunk)
            let packedSteps = count > 1 && regularStep == nil
            var flags = UInt8(frameShift) << PackedChunk.frameShiftBit
            if packedSteps { flags |= PackedChunk.packedStepsFlag }
            if !constant { flags |= PackedChunk.packedValuesFlag }
            chunk.append(flags)
            chunk.append(UInt8(scale))
            if let regularStep { Varint.appendUnsigned(UInt64(regularStep), to: &chunk) }
            Varint.appendSigned(integers[0], to: &chunk)
            if !constant {
                // The range of the values, so that readers can answer min/max without decoding the frames.
                Varint.appendUnsigned(UInt64(bitPattern: integers[0] &- lowest), to: &chunk)
                Varint.appendUnsigned(UInt64(bitPattern: highest &- integers[0]), to: &chunk)
            }
            let frame = PackedChunk.minimumFrame << frameShift
            if packedSteps {
                steps.withUnsafeBufferPointer {
                    appendFrames($0[1...], frame: frame, allowDifferences: false, to: &chunk)
                }
            }
            if !constant {
                integers.withUnsafeBufferPointer {
                    appendFrames($0[...], frame: frame, allowDifferences: true, to: &chunk)
                }
            }
            if best.isEmpty || chunk.count < best.count { best = chunk }
        }
        output.append(contentsOf: best)
        return true
    }

    /// Appends `integers` in frames of `frame`. With `allowDifferences`, each frame holds whichever packs
    /// smaller: the integers, or their differences from the previous integer (the first frame's first
    /// difference is taken from the first integer itself, so it is 0).
    static func appendFrames(
        _ integers: Slice<UnsafeBufferPointer<Int64>>, frame: Int, allowDifferences: Bool, to output: inout [UInt8]
    ) {
        var previous = integers[integers.startIndex]
        var differences = [Int64](repeating: 0, count: allowDifferences ? frame : 0)
        var start = integers.startIndex
        while start < integers.endIndex {
            let end = Swift.min(start + frame, integers.endIndex)
            let values = integers[start..<end]
            let plain = FrameShape(values)
            var packedDifferences = false
            if allowDifferences {
                var last = previous
                for index in start..<end {
                    differences[index - start] = integers[index] &- last
                    last = integers[index]
                }
                packedDifferences = differences.withUnsafeBufferPointer { buffer in
                    let slice = buffer[0..<(end - start)]
                    let shape = FrameShape(slice)
                    guard shape.byteCount(values: slice.count) < plain.byteCount(values: slice.count) else {
                        return false
                    }
                    appendFrame(slice, shape: shape, differences: true, to: &output)
                    return true
                }
            }
            if !packedDifferences { appendFrame(values, shape: plain, differences: false, to: &output) }
            previous = integers[end - 1]
            start = end
        }
    }

    /// One frame: `header │ minimum <varint> │ [factor <uvarint>] │ packed offsets`, padded to a byte.
    static func appendFrame(
        _ values: Slice<UnsafeBufferPointer<Int64>>, shape: FrameShape, differences: Bool, to output: inout [UInt8]
    ) {
        var header = UInt8(shape.width)
        if differences { header |= PackedChunk.differencesFlag }
        if shape.factor > 1 { header |= PackedChunk.factorFlag }
        output.append(header)
        Varint.appendSigned(shape.minimum, to: &output)
        if shape.factor > 1 { Varint.appendUnsigned(shape.factor, to: &output) }
        guard shape.width > 0 else { return }
        // Least significant bit first: offset i occupies bits [i·width, (i+1)·width) of the frame.
        var accumulator: UInt64 = 0
        var bits = 0
        for value in values {
            let offset = UInt64(bitPattern: value &- shape.minimum) / shape.factor
            accumulator |= offset << UInt64(bits)
            bits += shape.width
            while bits >= 8 {
                output.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
                bits -= 8
            }
        }
        if bits > 0 { output.append(UInt8(truncatingIfNeeded: accumulator)) }
    }
}

/// The minimum, common factor and bit width of one frame's integers.
struct FrameShape {
    var minimum: Int64
    var factor: UInt64
    var width: Int

    init(_ values: Slice<UnsafeBufferPointer<Int64>>) {
        var low = Int64.max
        var high = Int64.min
        for value in values {
            low = Swift.min(low, value)
            high = Swift.max(high, value)
        }
        minimum = low
        let range = UInt64(bitPattern: high &- low)
        var factor: UInt64 = 0
        if range > 1 {
            for value in values {
                factor = PackedChunk.greatestCommonDivisor(factor, UInt64(bitPattern: value &- low))
                if factor == 1 { break }
            }
        }
        self.factor = factor > 1 ? factor : 1
        width = range == 0 ? 0 : 64 - (range / self.factor).leadingZeroBitCount
    }

    /// The frame's size in bytes with `values` offsets.
    func byteCount(values: Int) -> Int {
        1 + Varint.length(ofSigned: minimum) + (factor > 1 ? Varint.length(ofUnsigned: factor) : 0)
            + (values * width + 7) / 8
    }
}
