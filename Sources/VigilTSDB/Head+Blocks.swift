import Foundation
import Synchronization
import VigilEncoding
import VigilModel
import VigilStorage

extension Head {
    /// Every series with a committed sample, and a snapshot of its chunks and deleted intervals.
    func seriesSnapshots() -> [(labels: Labels, chunks: [HeadChunk], deleted: [ClosedRange<Int64>])] {
        let all = index.withLock { Array($0.series.values) }
        return all.compactMap { series in
            let (chunks, deleted) = series.snapshotWithDeletions()
            return chunks.isEmpty ? nil : (series.labels, chunks, deleted)
        }
    }

    /// The oldest sample time at or after `floor`, from chunk bounds; nil when the head has none.
    func minTime(atOrAfter floor: Int64) -> Int64? {
        var result: Int64?
        for (_, chunks, _) in seriesSnapshots() {
            for chunk in chunks where chunk.maxTime >= floor {
                let candidate = Swift.max(chunk.minTime, floor)
                result = Swift.min(result ?? candidate, candidate)
                break
            }
        }
        return result
    }

    /// Drops full chunks whose samples are all before `time` (they are in blocks now). The open chunk
    /// stays; queries merge the overlap away.
    func dropChunks(before time: Int64) {
        let all = index.withLock { Array($0.series.values) }
        var dropped = 0
        for series in all {
            series.state.withLock { state in
                let keep = state.full.firstIndex { $0.maxTime >= time } ?? state.full.count
                guard keep > 0 else { return }
                for chunk in state.full[..<keep] { dropped += chunk.sampleCount }
                state.full.removeFirst(keep)
            }
        }
        counters.withLock { $0.sampleCount -= dropped }
    }
}

extension Head {
    /// Replaces the WAL by a checkpoint of what the head holds now: under the commit lock (so no commit
    /// slips in between) it starts a new segment, logs every series, sample and tombstone the head keeps there,
    /// syncs it, and deletes the older segments. Returns how many segments were deleted.
    ///
    /// A crash before or during the deletion leaves old segments (always the oldest ones) in front of the
    /// checkpoint; replaying them and then the checkpoint gives the same head (the checkpoint's samples are
    /// duplicates by then, and a series it lists under a new ref is recognised by its labels).
    @discardableResult
    func checkpointWAL(observer: (@Sendable (MaintenanceStep) -> Void)? = nil) throws(StorageError) -> Int {
        guard let wal else { return 0 }
        return try commitLock.withLock { _ throws(StorageError) -> Int in
            let first = try wal.startSegment()
            let all = index.withLock { $0.series.values.sorted { $0.ref < $1.ref } }
            var entries: [WALRecord.WALSeries] = []
            var samples: [WALRecord.WALSample] = []
            var tombstones: [WALRecord.WALTombstone] = []
            entries.reserveCapacity(all.count)
            for series in all {
                entries.append(WALRecord.WALSeries(ref: series.ref, labels: series.labels))
                let (chunks, deleted) = series.snapshotWithDeletions()
                for interval in deleted {
                    tombstones.append(
                        WALRecord.WALTombstone(ref: series.ref, mint: interval.lowerBound, maxt: interval.upperBound))
                }
                var iterator = HeadSampleIterator(chunks: chunks, mint: .min, maxt: .max)
                while iterator.next() {
                    let sample = iterator.at()
                    samples.append(
                        WALRecord.WALSample(ref: series.ref, timestamp: sample.timestamp, value: sample.value))
                }
            }
            var records: [WALRecord] = [.series(entries)]
            if !samples.isEmpty { records.append(.samples(samples)) }
            if !tombstones.isEmpty { records.append(.tombstones(tombstones)) }
            try wal.log(records, sync: true)
            observer?(.checkpointLogged)
            var removed = 0
            // Newest first: a crash part-way leaves the oldest segments in front of the checkpoint, a prefix of
            // the history that replays cleanly before it (never a gap that would drop samples as out of order).
            for segment in try WAL.segments(in: wal.directory).reversed() where segment < first {
                let path = WAL.path(of: segment, in: wal.directory)
                do {
                    try FileManager.default.removeItem(atPath: path)
                    removed += 1
                    observer?(.walSegmentDeleted)
                } catch {
                    throw StorageError(.io, "cannot delete WAL segment \(path): \(error)", cause: error)
                }
            }
            if removed > 0 { WAL.syncDirectory(wal.directory) }
            return removed
        }
    }
}
