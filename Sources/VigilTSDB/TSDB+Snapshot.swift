import Foundation
import Synchronization
import VigilModel
import VigilStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension TSDB {
    /// Writes a consistent copy of the database into `target` (created when missing), as Prometheus's
    /// `DB.Snapshot`: every block is hard-linked (no data is copied; the data directory and `target` must be
    /// on one file system), and with `withHead` the head's data that is not in blocks yet is written as one
    /// more block, without its deleted samples. Blocks keep their tombstones. The result is a data directory
    /// that ``open(directory:options:)`` opens (it has no WAL). Returns the blocks in the snapshot, oldest first.
    ///
    /// Waits for a running compaction and holds off the next one while it links; appends go on, and the head
    /// block holds what was committed when its series were read.
    @discardableResult
    public func snapshot(into target: String, withHead: Bool = true) throws(StorageError) -> [BlockMeta] {
        try maintenance.withLock { _ throws(StorageError) -> [BlockMeta] in
            try WAL.makeDirectory(target)
            let (blocks, floor) = state.withLock { ($0.blocks, $0.headFloor) }
            var result: [BlockMeta] = []
            for block in blocks {
                try Self.linkBlock(block, into: target)
                result.append(block.meta)
            }
            if withHead, let meta = try writeHeadBlock(into: target, from: floor) { result.append(meta) }
            WAL.syncDirectory(target)
            return result.sorted { $0.minTime < $1.minTime }
        }
    }

    /// Hard-links a block's files into `target/<ulid>`, built in `<ulid>.tmp` and renamed, like a new block.
    private static func linkBlock(_ block: BlockReader, into target: String) throws(StorageError) {
        let temporary = target + "/" + block.meta.ulid + ".tmp"
        let final = target + "/" + block.meta.ulid
        try? FileManager.default.removeItem(atPath: temporary)
        try WAL.makeDirectory(temporary + "/chunks")
        var files = [BlockMeta.fileName, "index", "chunks/" + BlockWriter.chunkSegmentName]
        if FileManager.default.fileExists(atPath: block.directory + "/" + Tombstones.fileName) {
            files.append(Tombstones.fileName)
        }
        for file in files {
            let from = block.directory + "/" + file
            guard link(from, temporary + "/" + file) == 0 else {
                let code = errno
                if code == EXDEV {
                    throw StorageError(
                        .io,
                        "cannot hard-link \(from) into the snapshot at \(target): it is on another file system than the data directory; choose a snapshot directory on the same file system"
                    )
                }
                throw .io("link", path: from, errno: code)
            }
        }
        WAL.syncDirectory(temporary + "/chunks")
        WAL.syncDirectory(temporary)
        guard rename(temporary, final) == 0 else { throw .io("rename", path: temporary, errno: errno) }
    }

    /// Writes the head's samples at or after `floor` (the blocks hold the older ones) as one block in
    /// `target`; nil when the head holds none. Times beyond ±2⁶² ms, which blocks cannot hold, are left out.
    private func writeHeadBlock(into target: String, from floor: Int64) throws(StorageError) -> BlockMeta? {
        let limit: Int64 = 1 << 62
        guard let newest = head.statistics.maxTime, let oldest = head.minTime(atOrAfter: floor) else { return nil }
        let minTime = Swift.max(oldest, -limit + 1)
        let maxTime = Swift.min(newest, limit - 2) + 1
        guard minTime < maxTime else { return nil }
        let writer = try BlockWriter(
            parent: target, minTime: minTime, maxTime: maxTime, samplesPerChunk: options.head.samplesPerChunk)
        do throws(StorageError) {
            for (labels, chunks, deleted) in head.seriesSnapshots().sorted(by: {
                Labels.compare($0.labels, $1.labels) < 0
            }) {
                var samples: [Sample] = []
                var iterator = HeadSampleIterator(chunks: chunks, mint: minTime, maxt: maxTime - 1, deleted: deleted)
                while iterator.next() { samples.append(iterator.at()) }
                if !samples.isEmpty { try writer.add(labels, samples: samples) }
            }
            return try writer.finish()
        } catch {
            writer.abort()
            throw error
        }
    }
}
