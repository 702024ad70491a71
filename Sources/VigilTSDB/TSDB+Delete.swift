import Foundation
import Synchronization
import VigilModel
import VigilStorage

extension StorageError.Code {
    /// A request the database cannot carry out as asked: a deletion without matchers, a time range that ends
    /// before it starts.
    public static let invalidArgument = Self("invalidArgument")
}

extension TSDB {
    /// Deletes the samples with `mint ≤ t ≤ maxt` (milliseconds, both inclusive) of every series matching all
    /// `matchers`, as Prometheus's `DB.Delete`: each block that holds such samples records the interval in its
    /// `tombstones` file, the head logs it in the WAL; every later query skips those samples (also after a
    /// restart), compaction leaves them out of the blocks it writes, and ``cleanTombstones()`` rewrites the
    /// blocks without them. Samples appended into the interval afterwards are hidden too while they are in
    /// the head. Waits for a running compaction.
    public func delete(matchers: [LabelMatcher], mint: Int64, maxt: Int64) throws(StorageError) {
        guard !matchers.isEmpty else {
            throw StorageError(
                .invalidArgument, "a deletion needs at least one matcher (to delete everything, match __name__=~\".+\")"
            )
        }
        guard mint <= maxt else {
            throw StorageError(.invalidArgument, "deletion range ends (\(maxt)) before it starts (\(mint))")
        }
        try maintenance.withLock { _ throws(StorageError) in
            let blocks = state.withLock { $0.blocks }
            for block in blocks where block.meta.maxTime > mint && block.meta.minTime <= maxt {
                _ = try block.delete(matchers, mint: mint, maxt: maxt)
            }
            try head.delete(matchers, mint: mint, maxt: maxt)
        }
    }

    /// Rewrites every block with tombstones without the deleted samples (a block left with nothing is
    /// removed), as Prometheus's `CleanTombstones`; returns the blocks written. The new block lists the old one
    /// in `compaction.parents` and keeps its level and sources, so a crash before the old one is deleted leaves
    /// it superseded, and the next open deletes it.
    @discardableResult
    public func cleanTombstones() throws(StorageError) -> [BlockMeta] {
        try maintenance.withLock { _ throws(StorageError) -> [BlockMeta] in
            var written: [BlockMeta] = []
            for block in state.withLock({ $0.blocks }) where block.hasTombstones {
                let meta = block.meta
                let writer = try BlockWriter(
                    parent: directory, minTime: meta.minTime, maxTime: meta.maxTime,
                    samplesPerChunk: options.head.samplesPerChunk)
                var rewritten: BlockMeta?
                do throws(StorageError) {
                    var all = BlockQuerier(block: block, mint: meta.minTime, maxt: meta.maxTime - 1).allSeries()
                    while let series = try all.next() { try writer.add(series.labels, samples: try series.samples()) }
                    rewritten = try writer.finish(
                        level: meta.compaction.level, sources: meta.compaction.sources, parents: [meta.ulid])
                } catch {
                    writer.abort()
                    throw error
                }
                let replacement = try rewritten.map { meta throws(StorageError) in
                    options.stepObserver?(.blockWritten)
                    return try BlockReader(directory: directory + "/" + meta.ulid)
                }
                state.withLock { state in
                    state.blocks.removeAll { $0.meta.ulid == meta.ulid }
                    if let replacement { state.insert(replacement) }
                }
                try Self.deleteBlock(at: block.directory, observer: options.stepObserver)
                if let rewritten { written.append(rewritten) }
            }
            return written
        }
    }
}
