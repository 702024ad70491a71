import Synchronization
import VigilEncoding
import VigilModel
import VigilStorage

/// An XOR chunk of one series with the time range it covers. Full chunks never change again; the open
/// chunk is copied into one of these (sharing its bytes copy-on-write) when a query snapshots it.
struct HeadChunk: Sendable {
    let bytes: [UInt8]
    let minTime: Int64
    let maxTime: Int64
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
