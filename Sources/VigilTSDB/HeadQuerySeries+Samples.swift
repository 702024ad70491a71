import VigilEncoding
import VigilModel
import VigilStorage

extension HeadQuerySeries {
    /// Decodes the chunks that overlap the window straight into `samples` with one concrete decoder (its
    /// `next()` inlined here), having skipped the chunks wholly outside the window by their time range and
    /// reserved room for the rest. Yields what ``HeadSampleIterator`` yields over the same window, and fails
    /// where it fails.
    func appendSamples(into samples: inout [Sample], from mint: Int64, through maxt: Int64) throws(StorageError) {
        let low = Swift.max(mint, self.mint)
        let high = Swift.min(maxt, self.maxt)
        guard low <= high, let first = chunks.firstIndex(where: { $0.maxTime >= low }) else { return }
        var end = first
        var expected = 0
        while end < chunks.count && chunks[end].minTime <= high {
            expected += XORChunkDecoder.sampleCount(of: chunks[end].bytes) ?? 0
            end += 1
        }
        samples.reserveCapacity(adding: expected)
        var decoder = XORChunkDecoder()
        var deletedIndex = 0
        for index in first..<end {
            do throws(CodecError) {
                try decoder.reset(chunks[index].bytes)
                while try decoder.next() {
                    let timestamp = decoder.timestamp
                    // Both checks are always taken the same way inside the window: they cost next to nothing.
                    if timestamp < low { continue }
                    // Past the window: like the iterator, stop without reading the rest of the chunk.
                    if timestamp > high { return }
                    if !deleted.isEmpty && isDeleted(timestamp, from: &deletedIndex) { continue }
                    samples.append(Sample(timestamp, decoder.value))
                }
            } catch {
                throw StorageError(.corruption, "head chunk \(index) does not decode", cause: error)
            }
        }
    }

    /// Whether `timestamp` lies in a deleted interval; `index` (the first interval not ending before the
    /// previous timestamp) only moves forwards.
    private func isDeleted(_ timestamp: Int64, from index: inout Int) -> Bool {
        while index < deleted.count && deleted[index].upperBound < timestamp { index += 1 }
        return index < deleted.count && deleted[index].lowerBound <= timestamp
    }
}
