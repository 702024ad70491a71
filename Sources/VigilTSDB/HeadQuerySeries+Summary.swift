import VigilEncoding
import VigilModel
import VigilStorage

extension HeadQuerySeries {
    /// Summarises the window from the headers of the packed chunks wholly inside it that no deleted interval
    /// touches, and by decoding the rest (the chunks at the window's edges, XOR chunks, chunks with
    /// tombstones). The same summary as folding the samples one by one.
    func summarize(from mint: Int64, through maxt: Int64) throws(StorageError) -> SampleSummary {
        let low = Swift.max(mint, self.mint)
        let high = Swift.min(maxt, self.maxt)
        var summary = SampleSummary()
        guard low <= high else { return summary }
        for (index, chunk) in chunks.enumerated() where chunk.maxTime >= low && chunk.minTime <= high {
            if chunk.encoding == .packed, chunk.minTime >= low, chunk.maxTime <= high, !isTouchedByDeletion(chunk) {
                do throws(CodecError) {
                    let header = try PackedChunk.summary(of: chunk.bytes)
                    summary.add(
                        SampleSummary(
                            count: header.count, minimum: header.minimum, maximum: header.maximum,
                            span: chunk.minTime...chunk.maxTime))
                    continue
                } catch {
                    throw StorageError(.corruption, "chunk \(index) does not decode", cause: error)
                }
            }
            var iterator = HeadSampleIterator(
                chunks: [chunk], mint: Swift.max(low, chunk.minTime), maxt: Swift.min(high, chunk.maxTime),
                deleted: deleted)
            while iterator.next() { summary.add(iterator.at()) }
            if let error = iterator.error {
                throw StorageError(.corruption, "chunk \(index) does not decode", cause: error)
            }
        }
        return summary
    }

    private func isTouchedByDeletion(_ chunk: HeadChunk) -> Bool {
        deleted.contains { $0.lowerBound <= chunk.maxTime && $0.upperBound >= chunk.minTime }
    }
}
