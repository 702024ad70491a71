import VigilEncoding
import VigilModel
import VigilStorage

/// Iterates the samples of a series' chunks inside `[mint, maxt]`, skipping those inside `deleted` (the
/// series' tombstones), decoding with one reusable decoder (XOR or packed, as each chunk is): nothing is
/// allocated per sample.
struct HeadSampleIterator: SampleIterator, Sendable {
    private let chunks: [HeadChunk]
    private let mint: Int64
    private let maxt: Int64
    private let deleted: [ClosedRange<Int64>]
    /// The first deleted interval that does not end before the current sample (samples only move forwards).
    private var deletedIndex = 0
    private var chunkIndex = -1
    private var decoder = ChunkCursor()
    private var decoderActive = false
    private var current = Sample(0, 0)
    private var hasCurrent = false
    private var done = false
    private(set) var error: StorageError?

    init(chunks: [HeadChunk], mint: Int64, maxt: Int64, deleted: [ClosedRange<Int64>] = []) {
        self.chunks = chunks
        self.mint = mint
        self.maxt = maxt
        self.deleted = deleted
        done = mint > maxt
    }

    mutating func next() -> Bool {
        advance(atOrAfter: mint)
    }

    mutating func seek(to timestamp: Int64) -> Bool {
        if done { return false }
        if hasCurrent && current.timestamp >= timestamp { return true }
        let target = Swift.max(timestamp, mint)
        if decoderActive && chunks[chunkIndex].maxTime < target { decoderActive = false }
        return advance(atOrAfter: target)
    }

    func at() -> Sample { current }

    /// Moves to the next sample at or after `target`.
    private mutating func advance(atOrAfter target: Int64) -> Bool {
        if done { return false }
        while true {
            if decoderActive {
                do {
                    if try decoder.next() {
                        let timestamp = decoder.timestamp
                        if timestamp < target { continue }
                        if timestamp > maxt { return finish() }
                        if isDeleted(timestamp) { continue }
                        current = Sample(timestamp, decoder.value)
                        hasCurrent = true
                        return true
                    }
                } catch {
                    return fail(error, chunk: chunkIndex)
                }
                decoderActive = false
            }
            chunkIndex += 1
            while chunkIndex < chunks.count && chunks[chunkIndex].maxTime < target { chunkIndex += 1 }
            guard chunkIndex < chunks.count, chunks[chunkIndex].minTime <= maxt else { return finish() }
            do {
                try decoder.reset(chunks[chunkIndex])
            } catch {
                return fail(error, chunk: chunkIndex)
            }
            decoderActive = true
        }
    }

    private mutating func isDeleted(_ timestamp: Int64) -> Bool {
        while deletedIndex < deleted.count && deleted[deletedIndex].upperBound < timestamp { deletedIndex += 1 }
        return deletedIndex < deleted.count && deleted[deletedIndex].lowerBound <= timestamp
    }

    private mutating func finish() -> Bool {
        done = true
        hasCurrent = false
        return false
    }

    private mutating func fail(_ cause: CodecError, chunk: Int) -> Bool {
        error = StorageError(.corruption, "chunk \(chunk) does not decode", cause: cause)
        return finish()
    }
}
