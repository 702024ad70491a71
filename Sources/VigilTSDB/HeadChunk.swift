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
    /// Whether any chunk holds a sample with `mint ≤ t ≤ maxt` (decoding only chunks that straddle it).
    func hasSample(from mint: Int64, through maxt: Int64) -> Bool {
        guard mint <= maxt else { return false }
        for chunk in self where chunk.maxTime >= mint && chunk.minTime <= maxt {
            if chunk.minTime >= mint || chunk.maxTime <= maxt { return true }
            var iterator = HeadSampleIterator(chunks: [chunk], mint: mint, maxt: maxt)
            if iterator.next() { return true }
        }
        return false
    }
}
