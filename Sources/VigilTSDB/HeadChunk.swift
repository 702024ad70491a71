import Synchronization
import VigilEncoding
import VigilModel
import VigilStorage

/// How a stored chunk's bytes are encoded: the byte before each chunk in a block's chunk file.
enum ChunkEncoding: UInt8, Sendable {
    /// Prometheus's XOR chunk: every chunk of the head, and block chunks whose values are not decimals.
    case xor = 1
    /// ``PackedChunkEncoder``'s chunk: block chunks of decimal values.
    case packed = 4
}

/// A chunk of one series with the time range it covers: the head's XOR chunks, and the chunks of blocks
/// (XOR or packed). Full chunks never change again; the open chunk is copied into one of these (sharing its
/// bytes copy-on-write) when a query snapshots it.
struct HeadChunk: Sendable {
    let bytes: [UInt8]
    let minTime: Int64
    let maxTime: Int64
    var encoding = ChunkEncoding.xor

    /// The number of samples the chunk's header declares (0 when it has none).
    var sampleCount: Int {
        switch encoding {
        case .xor: XORChunkDecoder.sampleCount(of: bytes) ?? 0
        case .packed: PackedChunk.sampleCount(of: bytes) ?? 0
        }
    }
}

/// One decoder for chunks of either encoding, walked a sample at a time.
struct ChunkCursor: Sendable {
    private var xor = XORChunkDecoder()
    private var packed = PackedChunkDecoder()
    private var isPacked = false

    mutating func reset(_ chunk: HeadChunk) throws(CodecError) {
        isPacked = chunk.encoding == .packed
        if isPacked { try packed.reset(chunk.bytes) } else { try xor.reset(chunk.bytes) }
    }

    mutating func next() throws(CodecError) -> Bool {
        isPacked ? packed.next() : try xor.next()
    }

    var timestamp: Int64 { isPacked ? packed.timestamp : xor.timestamp }
    var value: Double { isPacked ? packed.value : xor.value }
}

extension Array where Element == HeadChunk {
    /// Whether any chunk holds a sample with `mint ≤ t ≤ maxt` outside the `deleted` intervals (decoding only
    /// chunks that straddle the range, or every overlapping chunk when some of it is deleted).
    func hasSample(from mint: Int64, through maxt: Int64, excluding deleted: [ClosedRange<Int64>] = []) -> Bool {
        guard mint <= maxt else { return false }
        if !deleted.isEmpty {
            if Tombstones.covers(deleted, mint, maxt) { return false }
            var iterator = HeadSampleIterator(chunks: self, mint: mint, maxt: maxt, deleted: deleted)
            return iterator.next()
        }
        for chunk in self where chunk.maxTime >= mint && chunk.minTime <= maxt {
            if chunk.minTime >= mint || chunk.maxTime <= maxt { return true }
            var iterator = HeadSampleIterator(chunks: [chunk], mint: mint, maxt: maxt)
            if iterator.next() { return true }
        }
        return false
    }
}
