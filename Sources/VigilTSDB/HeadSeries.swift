import Synchronization
import VigilEncoding
import VigilModel
import VigilStorage

/// One series of the head: its identity and its samples: the open chunk is XOR (appendable), full chunks are
/// packed where that is smaller.
final class HeadSeries: Sendable {
    let ref: UInt64
    let labels: Labels
    let state: Mutex<HeadSeriesState>

    init(ref: UInt64, labels: Labels) {
        self.ref = ref
        self.labels = labels
        state = Mutex(HeadSeriesState())
    }

    /// The chunks as they are now: the full ones and a copy-on-write copy of the open one.
    func snapshot() -> [HeadChunk] {
        state.withLock { $0.snapshot() }
    }

    /// The chunks and the deleted intervals, taken together.
    func snapshotWithDeletions() -> (chunks: [HeadChunk], deleted: [ClosedRange<Int64>]) {
        state.withLock { ($0.snapshot(), $0.deleted) }
    }

    /// Whether a sample with `mint ≤ t ≤ maxt` is stored and not deleted.
    func hasSample(from mint: Int64, through maxt: Int64) -> Bool {
        let (chunks, deleted) = snapshotWithDeletions()
        return chunks.hasSample(from: mint, through: maxt, excluding: deleted)
    }
}

/// What a ``HeadSeries`` guards with its own lock, so appends to different series never wait on each other.
struct HeadSeriesState: ~Copyable {
    var full: [HeadChunk] = []
    var open = XORChunkEncoder()
    var openMinTime: Int64 = .max
    /// The newest sample committed: the out-of-order check is against it.
    var newest: Sample?
    /// Whether a series record for this series is in the WAL (touched only under the head's commit lock).
    var logged = false
    /// Deleted time ranges (tombstones), as ``Tombstones/add(_:to:)`` keeps them; queries and cuts skip them.
    var deleted: [ClosedRange<Int64>] = []
    /// Open appenders that hold this series (see ``Head/getOrCreate(_:)``): garbage collection spares it.
    var pins = 0

    /// Samples held, full chunks and open chunk together.
    var sampleCount: Int {
        full.reduce(open.count) { $0 + $1.sampleCount }
    }

    func snapshot() -> [HeadChunk] {
        guard let newest, open.count > 0 else { return full }
        var chunks = full
        chunks.append(HeadChunk(bytes: open.bytes, minTime: openMinTime, maxTime: newest.timestamp))
        return chunks
    }

    /// A full chunk as the head keeps it until the chunk goes into a block: packed when that is smaller
    /// (decimal values, the usual case: about a third less memory on exporter data, and faster to read),
    /// else the XOR bytes as they are.
    static func seal(_ open: XORChunkEncoder, minTime: Int64, maxTime: Int64) -> HeadChunk {
        let xor = Array(open.chunkBytes)
        var timestamps: [Int64] = []
        var values: [Double] = []
        timestamps.reserveCapacity(open.count)
        values.reserveCapacity(open.count)
        var decoder = XORChunkDecoder()
        do {
            try decoder.reset(xor)
            while try decoder.next() {
                timestamps.append(decoder.timestamp)
                values.append(decoder.value)
            }
        } catch {
            return HeadChunk(bytes: xor, minTime: minTime, maxTime: maxTime)  // unreachable: the head wrote it
        }
        var packed: [UInt8] = []
        let isPacked = timestamps.withUnsafeBufferPointer { timestamps in
            values.withUnsafeBufferPointer {
                PackedChunkEncoder.encode(timestamps: timestamps, values: $0, into: &packed)
            }
        }
        guard isPacked, packed.count < xor.count else {
            return HeadChunk(bytes: xor, minTime: minTime, maxTime: maxTime)
        }
        return HeadChunk(bytes: packed, minTime: minTime, maxTime: maxTime, encoding: .packed)
    }

    /// Stores a sample at commit, or says why not.
    mutating func commit(_ sample: Sample, samplesPerChunk: Int) -> CommitOutcome {
        if let newest, sample.timestamp <= newest.timestamp {
            if sample.timestamp == newest.timestamp && sample.value.bitPattern == newest.value.bitPattern {
                return .duplicate
            }
            return .rejected(sample.timestamp == newest.timestamp ? .duplicateSampleForTimestamp : .outOfOrderSample)
        }
        if open.count >= samplesPerChunk, let newest {
            full.append(Self.seal(open, minTime: openMinTime, maxTime: newest.timestamp))
            open = XORChunkEncoder()
        }
        if open.count == 0 {
            openMinTime = sample.timestamp
        }
        do {
            try open.append(timestamp: sample.timestamp, value: sample.value)
        } catch {
            // Unreachable: timestamps increase (checked above) and the chunk is cut long before it is full.
            return .rejected(.outOfOrderSample)
        }
        newest = sample
        return .stored
    }
}

/// What became of a sample at commit.
enum CommitOutcome {
    case stored
    /// The same timestamp and value as the newest sample: taken silently, stored once.
    case duplicate
    /// Made invalid by another transaction committed in between.
    case rejected(StorageError.Code)
}
