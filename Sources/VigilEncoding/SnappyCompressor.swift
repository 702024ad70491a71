/// Compresses bytes into the Snappy block format (the raw format of Prometheus remote_write bodies, not the
/// framing format), decodable by any Snappy implementation.
///
/// A greedy matcher: a hash table of the last position seen for each 4-byte prefix finds candidate matches,
/// which are extended in both directions and emitted as copies; the stretches between them become literals.
/// Runs of bytes that do not match are skipped faster and faster, so incompressible input costs little time.
/// Copies use the shortest form that fits: 2 bytes (length 4 to 11, offset below 2048), 3 bytes (offset
/// below 65,536) or 5 bytes. The window is the whole input, so repeats further back than 64 KiB are found too.
///
/// The compressor keeps its hash table between calls; reuse one to compress many bodies without allocating.
public struct SnappyCompressor: Sendable {
    private var table: [UInt32]

    public init() {
        table = []
    }

    /// Appends the compressed form of `input` to `output`.
    ///
    /// Inputs of 4 GiB or more cannot be expressed in the format's length preamble; passing one is a
    /// programmer error.
    public mutating func compress(_ input: [UInt8], appendingTo output: inout [UInt8]) {
        input.withUnsafeBufferPointer { source in
            compress(source, appendingTo: &output)
        }
    }

    /// Appends the compressed form of the bytes in `input` to `output`.
    public mutating func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) {
        compress(input.assumingMemoryBound(to: UInt8.self), appendingTo: &output)
    }

    private static let minimumTableBits = 8
    private static let maximumTableBits = 14
    /// A 4-byte match further back than 64 KiB needs a 5-byte copy; shorter ones would grow the output.
    private static let minimumFarMatch = 8

    private mutating func compress(_ source: UnsafeBufferPointer<UInt8>, appendingTo output: inout [UInt8]) {
        let count = source.count
        precondition(count <= Int(UInt32.max), "snappy blocks hold at most 4 GiB - 1")
        output.reserveCapacity(output.count + Snappy.maxCompressedLength(count))
        Varint.appendUnsigned(UInt64(count), to: &output)
        guard count >= 16, let base = source.baseAddress else {
            Self.appendLiteral(source, from: 0, to: count, to: &output)
            return
        }
        var tableBits = Self.minimumTableBits
        while tableBits < Self.maximumTableBits && (1 << tableBits) < count { tableBits += 1 }
        let tableSize = 1 << tableBits
        if table.count < tableSize {
            table = [UInt32](repeating: 0, count: tableSize)
        } else {
            table.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
        let shift = UInt32(32 - tableBits)
        let raw = UnsafeRawPointer(base)
        @inline(__always) func load32(_ index: Int) -> UInt32 {
            UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt32.self))
        }
        @inline(__always) func load64(_ index: Int) -> UInt64 {
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
        }
        @inline(__always) func slot(_ word: UInt32) -> Int {
            Int((word &* 0x1E35_A7BD) &>> shift)
        }

        table.withUnsafeMutableBufferPointer { table in
            var literalStart = 0
            var position = 0
            var misses = 32
            let lastLoad = count - 4
            while position <= lastLoad {
                let word = load32(position)
                let hash = slot(word)
                let candidate = Int(table[hash])
                table[hash] = UInt32(truncatingIfNeeded: position)
                guard candidate < position, load32(candidate) == word else {
                    // Step further after each miss: 1 byte for the first 32, then 2, 3, ...
                    position += misses >> 5
                    misses += 1
                    continue
                }
                var matchStart = position
                var earlier = candidate
                while earlier > 0 && matchStart > literalStart && base[earlier - 1] == base[matchStart - 1] {
                    earlier -= 1
                    matchStart -= 1
                }
                var matchEnd = position + 4
                var earlierEnd = candidate + 4
                var mismatchFound = false
                while matchEnd + 8 <= count {
                    let difference = load64(matchEnd) ^ load64(earlierEnd)
                    if difference != 0 {
                        matchEnd += difference.trailingZeroBitCount >> 3
                        mismatchFound = true
                        break
                    }
                    matchEnd += 8
                    earlierEnd += 8
                }
                if !mismatchFound {
                    while matchEnd < count && base[matchEnd] == base[earlierEnd] {
                        matchEnd += 1
                        earlierEnd += 1
                    }
                }
                let distance = matchStart - earlier
                let length = matchEnd - matchStart
                if distance >= 65536 && length < Self.minimumFarMatch {
                    position += 1
                    continue
                }
                Self.appendLiteral(source, from: literalStart, to: matchStart, to: &output)
                Self.appendCopy(distance: distance, length: length, to: &output)
                // Remember a position just before the match's end, so a repeat of what follows the match can
                // find it.
                if matchEnd - 2 <= lastLoad {
                    table[slot(load32(matchEnd - 2))] = UInt32(truncatingIfNeeded: matchEnd - 2)
                }
                position = matchEnd
                literalStart = matchEnd
                misses = 32
            }
            Self.appendLiteral(source, from: literalStart, to: count, to: &output)
        }
    }

    /// A literal: a tag with the length − 1 in its upper 6 bits when below 60, otherwise 60 to 63 there and
    /// the length − 1 in the following 1 to 4 bytes, little-endian; then the bytes.
    private static func appendLiteral(
        _ source: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, to output: inout [UInt8]
    ) {
        guard end > start else { return }
        let stored = end - start - 1
        if stored < 60 {
            output.append(UInt8(stored << 2))
        } else {
            let extraBytes = stored < 1 << 8 ? 1 : stored < 1 << 16 ? 2 : stored < 1 << 24 ? 3 : 4
            output.append(UInt8((59 + extraBytes) << 2))
            for index in 0..<extraBytes {
                output.append(UInt8(truncatingIfNeeded: stored >> (8 * index)))
            }
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: source[start..<end]))
    }

    /// Splits a match into copies of at most 64 bytes, keeping the last piece at least 4 bytes long so it can
    /// use the 2-byte form.
    private static func appendCopy(distance: Int, length: Int, to output: inout [UInt8]) {
        var remaining = length
        while remaining > 0 {
            var piece = min(remaining, 64)
            if remaining > 64 && remaining - 64 < 4 {
                piece = remaining - 4
            }
            appendSingleCopy(distance: distance, length: piece, to: &output)
            remaining -= piece
        }
    }

    private static func appendSingleCopy(distance: Int, length: Int, to output: inout [UInt8]) {
        if distance < 2048 && length >= 4 && length <= 11 {
            // Tag 01: 3 high bits of the offset, length − 4 in 3 bits; then the offset's low byte.
            output.append(UInt8((distance >> 8) << 5 | (length - 4) << 2 | 0b01))
            output.append(UInt8(truncatingIfNeeded: distance))
        } else if distance < 65536 {
            // Tag 10: length − 1 in 6 bits; then a 2-byte little-endian offset.
            output.append(UInt8((length - 1) << 2 | 0b10))
            output.append(UInt8(truncatingIfNeeded: distance))
            output.append(UInt8(truncatingIfNeeded: distance >> 8))
        } else {
            // Tag 11: length − 1 in 6 bits; then a 4-byte little-endian offset.
            output.append(UInt8((length - 1) << 2 | 0b11))
            for index in 0..<4 {
                output.append(UInt8(truncatingIfNeeded: distance >> (8 * index)))
            }
        }
    }
}
