/// Decodes a packed chunk (``PackedChunkEncoder``) at once into arrays of timestamps and values, which bulk
/// readers use directly and ``next()`` walks one sample at a time.
///
/// A decoder is reusable: ``reset(_:)`` decodes another chunk into the same storage, so walking thousands of
/// chunks allocates only when a chunk is larger than any before it. Damage is reported, never trapped on: a
/// count of 0 or above ``PackedChunk/maxSamples``, unknown flags, a scale above 15, a frame wider than 55
/// bits or cut off by the end, timestamps that do not increase (or overflow), and bytes left after the last
/// frame all throw a ``CodecError`` whose offset counts bytes from the start of the chunk. After an error the
/// decoder holds no samples.
public struct PackedChunkDecoder: Sendable {
    /// The decoded timestamps, ascending.
    public var timestamps: ArraySlice<Int64> { timestampStorage[..<count] }
    /// The decoded values, one per timestamp.
    public var values: ArraySlice<Double> { valueStorage[..<count] }
    /// Sized for the largest chunk decoded so far: only the first ``count`` entries are the current chunk's.
    @usableFromInline var timestampStorage: [Int64] = []
    @usableFromInline var valueStorage: [Double] = []
    /// The number of samples decoded.
    public private(set) var count = 0
    /// The position of ``next()``: −1 before the first sample.
    @usableFromInline var index = -1
    /// Integers of one chunk before scaling, reused.
    private var integers: [Int64] = []

    public init() {}

    /// Decodes `chunk`.
    public init(_ chunk: [UInt8]) throws(CodecError) {
        try reset(chunk)
    }

    /// Decodes another chunk in place of the current one; ``next()`` starts again before its first sample.
    public mutating func reset(_ chunk: [UInt8]) throws(CodecError) {
        let result: Result<Void, CodecError> = chunk.withUnsafeBytes { bytes in
            do throws(CodecError) {
                try decode(bytes)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        if case .failure(let error) = result {
            count = 0
            index = -1
            throw error
        }
    }

    /// Moves to the next sample; `false` after the last.
    @inlinable
    public mutating func next() -> Bool {
        guard index + 1 < count else { return false }
        index += 1
        return true
    }

    /// The current sample's timestamp.
    @inlinable public var timestamp: Int64 { timestampStorage[index] }
    /// The current sample's value.
    @inlinable public var value: Double { valueStorage[index] }

    /// Decodes a whole chunk.
    public static func decodeAll(_ chunk: [UInt8]) throws(CodecError) -> [(timestamp: Int64, value: Double)] {
        let decoder = try PackedChunkDecoder(chunk)
        return zip(decoder.timestamps, decoder.values).map { ($0, $1) }
    }

    private mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(CodecError) {
        var reader = FrameReader(bytes: bytes)
        let header = try reader.header()
        let (count, first, step, base, frame) = (header.count, header.first, header.step, header.base, header.frame)
        let packedSteps = header.packedSteps
        let packedValues = header.packedValues
        let scale = header.scale

        if timestampStorage.count < count {
            timestampStorage = [Int64](repeating: 0, count: count)
            valueStorage = [Double](repeating: 0, count: count)
            integers = [Int64](repeating: 0, count: count)
        }
        try timestampStorage.withUnsafeMutableBufferPointer { timestamps throws(CodecError) in
            timestamps[0] = first
            if !packedSteps {
                for index in 1..<count { timestamps[index] = first &+ Int64(index) &* step }
                return
            }
            // The steps land in timestamps[1...], then become times by a running sum that must stay increasing.
            let stepsStart = reader.position
            try reader.frames(into: timestamps.baseAddress! + 1, count: count - 1, frame: frame, first: 0)
            var time = first
            for index in 1..<count {
                let (next, overflow) = time.addingReportingOverflow(timestamps[index])
                guard timestamps[index] > 0, !overflow else {
                    throw .corrupt(
                        at: stepsStart, "timestamp step \(index) is \(timestamps[index]): times must increase")
                }
                timestamps[index] = next
                time = next
            }
        }
        try integers.withUnsafeMutableBufferPointer { integers throws(CodecError) in
            if packedValues {
                try reader.frames(into: integers.baseAddress!, count: count, frame: frame, first: base)
            } else {
                for index in 0..<count { integers[index] = base }
            }
        }
        guard reader.position == bytes.count else {
            throw .corrupt(
                at: reader.position, "\(bytes.count - reader.position) bytes follow the last frame of the packed chunk")
        }
        integers.withUnsafeBufferPointer { integers in
            valueStorage.withUnsafeMutableBufferPointer { values in
                if scale == 0 {
                    for index in 0..<count { values[index] = Double(integers[index]) }
                } else {
                    let divisor = PackedChunk.powersOfTen[scale]
                    for index in 0..<count { values[index] = Double(integers[index]) / divisor }
                }
            }
        }
        self.count = count
        index = -1
    }
}

extension PackedChunk {
    /// What a packed chunk's header tells without decoding its frames.
    public struct Summary: Sendable, Equatable {
        public var count: Int
        public var firstTimestamp: Int64
        /// The smallest and largest value (packed chunks hold no NaN).
        public var minimum: Double
        public var maximum: Double
    }

    /// Reads `chunk`'s header: sample count, first timestamp, and the range of its values. Throws what
    /// ``PackedChunkDecoder`` would throw for a damaged header (damage in the frames goes unnoticed).
    public static func summary(of chunk: [UInt8]) throws(CodecError) -> Summary {
        let result: Result<PackedChunkHeader, CodecError> = chunk.withUnsafeBytes { bytes in
            var reader = FrameReader(bytes: bytes)
            do throws(CodecError) {
                return .success(try reader.header())
            } catch {
                return .failure(error)
            }
        }
        let header = try result.get()
        return Summary(
            count: header.count, firstTimestamp: header.first, minimum: value(header.lowest, scale: header.scale),
            maximum: value(header.highest, scale: header.scale))
    }
}

/// A packed chunk's header: everything before its frames.
struct PackedChunkHeader {
    var count: Int
    var first: Int64
    var scale: Int
    var packedSteps: Bool
    var packedValues: Bool
    var frame: Int
    /// The step of regular timestamps (0 when they are packed, or for one sample).
    var step: Int64
    /// The first value's integer, and the smallest and largest of the chunk's integers.
    var base: Int64
    var lowest: Int64
    var highest: Int64
}

/// Reads the varints, bytes and bit-packed frames of one packed chunk, checking every bound.
struct FrameReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    mutating func unsigned() throws(CodecError) -> UInt64 {
        try Varint.decodeUnsigned(from: bytes, at: &position)
    }

    mutating func signed() throws(CodecError) -> Int64 {
        try Varint.decodeSigned(from: bytes, at: &position)
    }

    /// Reads the chunk's header, everything before the frames, checking every field.
    mutating func header() throws(CodecError) -> PackedChunkHeader {
        let rawCount = try unsigned()
        guard rawCount >= 1, rawCount <= UInt64(PackedChunk.maxSamples) else {
            throw .corrupt(at: 0, "packed chunk declares \(rawCount) samples (1 to \(PackedChunk.maxSamples) allowed)")
        }
        let count = Int(rawCount)
        let first = try signed()
        let flagsOffset = position
        let flags = try byte()
        guard flags & ~PackedChunk.knownFlags == 0, flags >> PackedChunk.frameShiftBit <= 2 else {
            throw .corrupt(at: flagsOffset, "unknown packed chunk flags 0x\(String(flags, radix: 16))")
        }
        let scaleOffset = position
        let scale = Int(try byte())
        guard scale <= PackedChunk.maxScale else {
            throw .corrupt(at: scaleOffset, "decimal scale \(scale) is above \(PackedChunk.maxScale)")
        }
        let packedSteps = flags & PackedChunk.packedStepsFlag != 0
        let packedValues = flags & PackedChunk.packedValuesFlag != 0
        var step: Int64 = 0
        if count > 1 && !packedSteps {
            let stepOffset = position
            let raw = try unsigned()
            guard raw >= 1, raw < UInt64(PackedChunk.integerLimit) else {
                throw .corrupt(at: stepOffset, "timestamp step \(raw) is not between 1 and 2⁵³")
            }
            step = Int64(raw)
            let (span, overflow) = step.multipliedReportingOverflow(by: Int64(count - 1))
            guard !overflow, !first.addingReportingOverflow(span).overflow else {
                throw .corrupt(at: stepOffset, "timestamps overflow: \(count) samples from \(first) every \(step) ms")
            }
        }
        let base = try signed()
        var lowest = base
        var highest = base
        if packedValues {
            let rangeOffset = position
            let below = try unsigned()
            let above = try unsigned()
            guard below < UInt64(PackedChunk.integerLimit) * 2, above < UInt64(PackedChunk.integerLimit) * 2 else {
                throw .corrupt(
                    at: rangeOffset, "value range \(below) below and \(above) above the first value is too wide")
            }
            lowest = base &- Int64(below)
            highest = base &+ Int64(above)
        }
        return PackedChunkHeader(
            count: count, first: first, scale: scale, packedSteps: packedSteps, packedValues: packedValues,
            frame: PackedChunk.minimumFrame << Int(flags >> PackedChunk.frameShiftBit), step: step, base: base,
            lowest: lowest, highest: highest)
    }

    mutating func byte() throws(CodecError) -> UInt8 {
        guard position < bytes.count else { throw .truncated(at: position, "packed chunk ends before a header byte") }
        defer { position += 1 }
        return bytes[position]
    }

    /// Reads the frames of `count` integers into `output`. A frame of differences continues from the integer
    /// before it (`first` for the chunk's first frame).
    mutating func frames(into output: UnsafeMutablePointer<Int64>, count: Int, frame: Int, first: Int64)
        throws(CodecError)
    {
        var previous = first
        var start = 0
        while start < count {
            let length = Swift.min(frame, count - start)
            let headerOffset = position
            let header = try byte()
            let width = Int(header & PackedChunk.widthMask)
            guard width <= PackedChunk.maxWidth else {
                throw .corrupt(at: headerOffset, "frame width \(width) is above \(PackedChunk.maxWidth) bits")
            }
            let minimum = try signed()
            var factor: UInt64 = 1
            if header & PackedChunk.factorFlag != 0 {
                factor = try unsigned()
                guard factor >= 2 else { throw .corrupt(at: headerOffset, "frame factor \(factor) is below 2") }
            }
            let byteCount = (length * width + 7) / 8
            guard byteCount <= bytes.count - position else {
                throw .truncated(
                    at: headerOffset,
                    "frame of \(length) × \(width) bits needs \(byteCount) bytes, \(bytes.count - position) left")
            }
            let target = output + start
            if width == 0 {
                for index in 0..<length { target[index] = minimum }
            } else {
                unpack(into: target, count: length, width: width, minimum: minimum, factor: factor)
            }
            if header & PackedChunk.differencesFlag != 0 {
                for index in 0..<length {
                    previous = previous &+ target[index]
                    target[index] = previous
                }
            } else {
                previous = target[length - 1]
            }
            position += byteCount
            start += length
        }
    }

    /// `minimum + offset × factor` for `count` offsets of `width` bits packed from `position`, least significant
    /// bit first. Each offset is read with one 8-byte load at its first byte (7 + 55 bits fit), except near the
    /// end of the chunk, where the bytes that exist are assembled one by one.
    private func unpack(
        into output: UnsafeMutablePointer<Int64>, count: Int, width: Int, minimum: Int64, factor: UInt64
    ) {
        let mask: UInt64 = (1 << UInt64(width)) &- 1
        let base = bytes.baseAddress! + position
        let available = bytes.count - position
        var bit = 0
        for index in 0..<count {
            let byte = bit >> 3
            let word: UInt64
            if byte + 8 <= available {
                word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: byte, as: UInt64.self))
            } else {
                var assembled: UInt64 = 0
                for k in 0..<(available - byte) {
                    assembled |= UInt64(base.load(fromByteOffset: byte + k, as: UInt8.self)) << UInt64(8 * k)
                }
                word = assembled
            }
            let offset = (word >> UInt64(bit & 7)) & mask
            output[index] = minimum &+ Int64(bitPattern: offset &* factor)
            bit += width
        }
    }
}
