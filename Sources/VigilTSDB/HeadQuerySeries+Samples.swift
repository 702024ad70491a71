import VigilEncoding
import VigilModel
import VigilStorage

extension HeadQuerySeries {
    /// Decodes the chunks that overlap the window straight into `samples` with one concrete decoder (its
    /// `next()` inlined here), having skipped the chunks wholly outside the window by their time range. Yields
    /// what ``HeadSampleIterator`` yields over the same window, and fails where it fails.
    func appendSamples(into samples: inout [Sample], from mint: Int64, through maxt: Int64) throws(StorageError) {
        let low = Swift.max(mint, self.mint)
        let high = Swift.min(maxt, self.maxt)
        guard low <= high, let first = chunks.firstIndex(where: { $0.maxTime >= low }) else { return }
        var end = first
        var room = 0
        while end < chunks.count && chunks[end].minTime <= high {
            room += XORChunkDecoder.sampleCount(of: chunks[end].bytes) ?? 0
            end += 1
        }
        // Room for every sample the chunks' headers declare (the decoder never yields more), written through
        // a pointer: appending one by one checks the array's uniqueness and capacity at every sample.
        let base = samples.count
        samples.reserveCapacity(adding: room)
        samples.append(contentsOf: repeatElement(Sample(0, 0), count: room))
        var written = base
        let failure: StorageError? = samples.withUnsafeMutableBufferPointer { buffer in
            decode(chunks[first..<end], low: low, high: high, into: buffer, at: &written)
        }
        samples.removeSubrange(written...)
        if let failure { throw failure }
    }

    /// Decodes `chunks` into `buffer` from `position` on, keeping the samples inside `low...high` and
    /// outside the deleted intervals; returns why it stopped early, if it did.
    private func decode(
        _ chunks: ArraySlice<HeadChunk>, low: Int64, high: Int64, into buffer: UnsafeMutableBufferPointer<Sample>,
        at position: inout Int
    ) -> StorageError? {
        guard let output = buffer.baseAddress else { return nil }
        var decoder = XORChunkDecoder()
        var deletedIndex = 0
        for index in chunks.indices {
            do throws(CodecError) {
                try decoder.reset(chunks[index].bytes)
                while try decoder.next() {
                    let timestamp = decoder.timestamp
                    // Both checks go the same way throughout the window: they cost next to nothing.
                    if timestamp < low { continue }
                    // Past the window: like the iterator, stop without reading the rest of the chunk.
                    if timestamp > high { return nil }
                    if !deleted.isEmpty && isDeleted(timestamp, from: &deletedIndex) { continue }
                    assert(position < buffer.count, "a chunk yielded more samples than its header declares")
                    output[position] = Sample(timestamp, decoder.value)
                    position &+= 1
                }
            } catch {
                return StorageError(.corruption, "head chunk \(index) does not decode", cause: error)
            }
        }
        return nil
    }

    /// Whether `timestamp` lies in a deleted interval; `index` (the first interval not ending before the
    /// previous timestamp) only moves forwards.
    private func isDeleted(_ timestamp: Int64, from index: inout Int) -> Bool {
        while index < deleted.count && deleted[index].upperBound < timestamp { index += 1 }
        return index < deleted.count && deleted[index].lowerBound <= timestamp
    }
}

extension Array where Element == Sample {
    /// Makes room for `additional` more samples, growing geometrically (`reserveCapacity` alone grows to
    /// exactly what is asked, which would copy the array at every part of a chained series).
    fileprivate mutating func reserveCapacity(adding additional: Int) {
        let needed = count + additional
        if capacity < needed { reserveCapacity(Swift.max(needed, capacity * 2)) }
    }
}
