/// Iterates over the samples of an XOR chunk written by ``XORChunkEncoder`` or by Prometheus.
///
/// A decoder is reusable: ``reset(_:range:)`` points it at another chunk without allocating, so a query can
/// walk thousands of chunks with one decoder.
///
/// ```swift
/// var decoder = try XORChunkDecoder(chunk)
/// while try decoder.next() {
///     let (t, v) = decoder.at()
/// }
/// ```
///
/// Damage is reported, never trapped on: reading past the end of the chunk (a count larger than the data),
/// bytes or non-zero padding left after the last sample (a count smaller than the data), an impossible XOR
/// window, or a timestamp that does not increase all throw a ``CodecError`` whose offset counts bytes from the
/// start of the chunk. After an error the decoder keeps throwing it until it is reset.
public struct XORChunkDecoder: Sendable {
    // The stored state is `@usableFromInline` so that `next()` inlines into readers in other modules (the
    // TSDB's bulk read): a call per sample across the module boundary cost as much as the decoding itself.
    @usableFromInline var reader: BitReader
    /// The number of samples the chunk's header declares.
    public private(set) var count: Int
    @usableFromInline var decoded: Int
    @usableFromInline var currentTimestamp: Int64
    @usableFromInline var valueBits: UInt64
    @usableFromInline var delta: UInt64
    @usableFromInline var leading: UInt8
    @usableFromInline var trailing: UInt8
    /// Whether a `11` value header has set the window; until then a `10` (reuse) means 64 significant bits,
    /// as in Prometheus, whose appender can write that after reopening a chunk.
    @usableFromInline var hasWindow: Bool
    /// Bits from the start of the chunk to the end of the last sample, once all samples are decoded.
    @usableFromInline var dataBitCount: Int
    @usableFromInline var endChecked: Bool
    @usableFromInline var failure: CodecError?

    /// How many samples ``next()`` has produced.
    @inlinable public var decodedCount: Int { decoded }
    /// The current sample's timestamp (`Int64.min` before the first ``next()``).
    @inlinable public var timestamp: Int64 { currentTimestamp }

    /// A decoder over no chunk; ``next()`` returns `false` until ``reset(_:range:)``.
    public init() {
        reader = BitReader([])
        count = 0
        decoded = 0
        currentTimestamp = .min
        valueBits = 0
        delta = 0
        leading = 0
        trailing = 0
        hasWindow = false
        dataBitCount = 0
        endChecked = true
        failure = nil
    }

    /// A decoder over the chunk in `range` of `bytes` (all of `bytes` by default).
    public init(_ bytes: [UInt8], range: Range<Int>? = nil) throws(CodecError) {
        self.init()
        try reset(bytes, range: range)
    }

    /// Points the decoder at another chunk. Throws when the chunk is shorter than its 2-byte header.
    public mutating func reset(_ bytes: [UInt8], range: Range<Int>? = nil) throws(CodecError) {
        reader = BitReader(bytes, range: range ?? 0..<bytes.count)
        decoded = 0
        currentTimestamp = .min
        valueBits = 0
        delta = 0
        leading = 0
        trailing = 0
        hasWindow = false
        dataBitCount = 0
        endChecked = false
        failure = nil
        guard reader.remainingBits >= 16 else {
            count = 0
            let error = CodecError.truncated(
                at: 0, "chunk of \(reader.remainingBits / 8) bytes is shorter than its 2-byte header")
            failure = error
            throw error
        }
        count = Int(try reader.readBits(16))
    }

    /// The number of samples a chunk's header declares, without decoding it; `nil` if it has no header.
    public static func sampleCount(of chunk: [UInt8]) -> Int? {
        chunk.count >= 2 ? Int(chunk[0]) << 8 | Int(chunk[1]) : nil
    }

    /// Decodes a whole chunk.
    public static func decodeAll(_ chunk: [UInt8]) throws(CodecError) -> [(timestamp: Int64, value: Double)] {
        var decoder = try XORChunkDecoder(chunk)
        var samples: [(timestamp: Int64, value: Double)] = []
        samples.reserveCapacity(decoder.count)
        while try decoder.next() {
            samples.append(decoder.at())
        }
        return samples
    }

    /// The current sample's value.
    public var value: Double { Double(bitPattern: valueBits) }

    /// The current sample.
    public func at() -> (timestamp: Int64, value: Double) {
        (currentTimestamp, Double(bitPattern: valueBits))
    }

    /// Moves to the next sample. Returns `false` after the last one, having checked that nothing but zero
    /// padding follows it.
    @inlinable
    public mutating func next() throws(CodecError) -> Bool {
        if let failure { throw failure }
        do throws(CodecError) {
            guard decoded < count else {
                if !endChecked { try checkEnd() }
                return false
            }
            if decoded >= 2 {
                let start = reader.bitPosition
                let dod = try readDeltaOfDelta()
                try advance(by: UInt64(bitPattern: Int64(bitPattern: delta) &+ dod), fieldStart: start)
                try readValue()
            } else if decoded == 0 {
                currentTimestamp = try reader.readVarint()
                valueBits = try reader.readBits(64)
            } else {
                let start = reader.bitPosition
                try advance(by: try reader.readUVarint(), fieldStart: start)
                try readValue()
            }
            decoded &+= 1
            if decoded == count {
                dataBitCount = reader.bitPosition
            }
            return true
        } catch {
            failure = error
            throw error
        }
    }

    /// Moves to the first sample at or after `target`, staying put if the current sample is already there.
    /// Returns `false` if the chunk has no such sample.
    public mutating func seek(to target: Int64) throws(CodecError) -> Bool {
        if decoded > 0 && currentTimestamp >= target && failure == nil { return true }
        while try next() {
            if currentTimestamp >= target { return true }
        }
        return false
    }

    @inlinable
    mutating func advance(by newDelta: UInt64, fieldStart: Int) throws(CodecError) {
        let next = currentTimestamp &+ Int64(bitPattern: newDelta)
        guard next > currentTimestamp else { throw nonIncreasing(delta: newDelta, fieldStart: fieldStart) }
        currentTimestamp = next
        delta = newDelta
    }

    @usableFromInline
    func nonIncreasing(delta newDelta: UInt64, fieldStart: Int) -> CodecError {
        .corrupt(
            at: fieldStart / 8,
            "timestamp of sample \(decoded) does not increase (delta \(Int64(bitPattern: newDelta)) "
                + "after \(currentTimestamp))")
    }

    @inlinable
    mutating func readDeltaOfDelta() throws(CodecError) -> Int64 {
        guard try reader.readBit() else { return 0 }
        let size: Int
        if !(try reader.readBit()) {
            size = 14
        } else if !(try reader.readBit()) {
            size = 17
        } else if !(try reader.readBit()) {
            size = 20
        } else {
            return Int64(bitPattern: try reader.readBits(64))
        }
        let raw = try reader.readBits(size)
        // Two's complement in `size` bits, except that 2^(size-1) itself is positive (see the encoder).
        return raw > 1 << (size - 1) ? Int64(raw) - (1 << size) : Int64(raw)
    }

    @inlinable
    mutating func readValue() throws(CodecError) {
        guard try reader.readBit() else { return }
        let significant: Int
        if try reader.readBit() {
            let start = reader.bitPosition
            let header = try reader.readBits(11)
            let newLeading = Int(header >> 6)
            let field = Int(header & 63)
            let newSignificant = field == 0 ? 64 : field
            guard newLeading + newSignificant <= 64 else {
                throw impossibleWindow(leading: newLeading, significant: newSignificant, fieldStart: start)
            }
            leading = UInt8(newLeading)
            trailing = UInt8(64 - newLeading - newSignificant)
            hasWindow = true
            significant = newSignificant
        } else {
            significant = 64 - Int(leading) - Int(trailing)
        }
        let bits = try reader.readBits(significant)
        valueBits ^= bits &<< UInt64(trailing)
    }

    @usableFromInline
    func impossibleWindow(leading newLeading: Int, significant newSignificant: Int, fieldStart: Int) -> CodecError {
        .corrupt(
            at: fieldStart / 8,
            "value of sample \(decoded) declares \(newLeading) leading zeros and \(newSignificant) "
                + "significant bits, more than 64")
    }

    @usableFromInline
    mutating func checkEnd() throws(CodecError) {
        let left = reader.remainingBits
        if count == 0 {
            dataBitCount = reader.bitPosition
        }
        if left >= 8 {
            throw .corrupt(
                at: (reader.bitPosition + 7) / 8,
                "\(left / 8) bytes follow the last of the chunk's \(count) samples")
        }
        let padding = try reader.readBits(left)
        guard padding == 0 else {
            throw .corrupt(at: reader.bitPosition / 8 - 1, "padding after the last sample is not zero")
        }
        endChecked = true
    }
}
