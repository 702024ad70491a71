import VigilEncoding
import VigilModel
import VigilStorage

extension HeadQuerySeries {
    /// Decodes the chunks that overlap the window straight into `samples` (an XOR chunk with one concrete
    /// decoder whose `next()` is inlined here, a packed chunk at once and then copied), having skipped the
    /// chunks wholly outside the window by their time range. Yields
    /// what ``HeadSampleIterator`` yields over the same window, and fails where it fails.
    func appendSamples(into samples: inout [Sample], from mint: Int64, through maxt: Int64) throws(StorageError) {
        let low = Swift.max(mint, self.mint)
        let high = Swift.min(maxt, self.maxt)
        guard low <= high, let first = chunks.firstIndex(where: { $0.maxTime >= low }) else { return }
        var end = first
        var room = 0
        while end < chunks.count && chunks[end].minTime <= high {
            room += chunks[end].sampleCount
            end += 1
        }
        // Room for every sample the chunks' headers declare (the decoder never yields more), written through
        // a pointer: appending one by one checks the array's uniqueness and capacity at every sample.
        if samples.isEmpty {
            // The usual case, one part per series: no zero-filling first (it cost 4 % of a long scan).
            var failure: StorageError?
            samples = [Sample](unsafeUninitializedCapacity: room) { buffer, initialized in
                failure = decode(chunks[first..<end], low: low, high: high, into: buffer, at: &initialized)
            }
            if let failure { throw failure }
            return
        }
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
        var packed = PackedChunkDecoder()
        var deletedIndex = 0
        for index in chunks.indices {
            do throws(CodecError) {
                if chunks[index].encoding == .packed {
                    try packed.reset(chunks[index].bytes)
                    if copy(packed, low: low, high: high, into: buffer, at: &position, deletedIndex: &deletedIndex) {
                        return nil
                    }
                    continue
                }
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
                return StorageError(.corruption, "chunk \(index) does not decode", cause: error)
            }
        }
        return nil
    }

    /// Copies a decoded packed chunk's samples inside `low...high` (and outside the deleted intervals) into
    /// `buffer`; returns whether the chunk reached past `high`, so that no later chunk is needed.
    private func copy(
        _ packed: PackedChunkDecoder, low: Int64, high: Int64, into buffer: UnsafeMutableBufferPointer<Sample>,
        at position: inout Int, deletedIndex: inout Int
    ) -> Bool {
        let count = packed.count
        return packed.timestamps.withUnsafeBufferPointer { times in
            packed.values.withUnsafeBufferPointer { values in
                // The window's first and past-the-end samples, by binary search over the ascending times.
                var first = 0
                var end = count
                if times[0] < low { first = Self.firstIndex(in: times, count: count, atOrAfter: low) }
                if times[count - 1] > high { end = Self.firstIndex(in: times, count: count, atOrAfter: high &+ 1) }
                assert(position + Swift.max(end - first, 0) <= buffer.count, "more samples than the header declares")
                if deleted.isEmpty {
                    for index in first..<Swift.max(first, end) {
                        buffer[position] = Sample(times[index], values[index])
                        position &+= 1
                    }
                } else {
                    for index in first..<Swift.max(first, end) where !isDeleted(times[index], from: &deletedIndex) {
                        buffer[position] = Sample(times[index], values[index])
                        position &+= 1
                    }
                }
                return end < count
            }
        }
    }

    /// The first index below `count` whose time is at least `time`, or `count`.
    private static func firstIndex(in times: UnsafeBufferPointer<Int64>, count: Int, atOrAfter time: Int64) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if times[middle] < time { low = middle + 1 } else { high = middle }
        }
        return low
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
