import Foundation
import Synchronization
import VigilModel
import VigilStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded database: a ``Head`` (with its WAL) for recent data and immutable blocks on disk for the
/// rest, as Prometheus's `tsdb.DB`.
///
/// Queries merge the queriers of the blocks that overlap their range with the head's (samples present in
/// both, which happens around a block boundary, come once). ``compact()`` cuts old head data into 2 h
/// blocks, merges adjacent small blocks into larger ones and applies retention; call it periodically.
/// A block that fails its checks at open is renamed `<name>.damaged`, listed in ``quarantined`` and
/// otherwise ignored.
public final class TSDB: Storage, Sendable {
    public struct Options: Sendable {
        /// Length of the blocks cut from the head, in milliseconds (2 h).
        public var blockDuration: Int64
        /// Ranges blocks are compacted into, ascending, in milliseconds (6 h, 24 h).
        public var compactionRanges: [Int64]
        /// Blocks whose data is wholly older than `now − retention` are deleted; nil keeps everything.
        public var retention: Int64?
        /// Oldest blocks are deleted until the blocks take at most this many bytes; nil for no limit.
        public var maxBytes: Int?
        public var head: Head.Options
        /// Called at each ``MaintenanceStep`` (tests stop the process there to check crash recovery).
        var stepObserver: (@Sendable (MaintenanceStep) -> Void)?

        public init(
            blockDuration: Int64 = 2 * 3_600_000, compactionRanges: [Int64] = [6 * 3_600_000, 24 * 3_600_000],
            retention: Int64? = 15 * 86_400_000, maxBytes: Int? = nil, head: Head.Options = Head.Options()
        ) {
            self.blockDuration = blockDuration
            self.compactionRanges = compactionRanges
            self.retention = retention
            self.maxBytes = maxBytes
            self.head = head
        }
    }

    /// A block that failed its checks at open and was moved aside.
    public struct QuarantinedBlock: Sendable {
        /// Where it is now (`…/<name>.damaged`).
        public var path: String
        public var error: StorageError
    }

    struct State {
        /// Ascending by ``BlockMeta/minTime``.
        var blocks: [BlockReader]
        /// Head data before this time is in blocks.
        var headFloor: Int64
    }

    public let directory: String
    public let options: Options
    public let head: Head
    public let quarantined: [QuarantinedBlock]
    let state: Mutex<State>
    /// Serialises cutting, compaction and retention (queries and appends never wait on it).
    let maintenance = Mutex(())
    let maintenanceCounters = Mutex(MaintenanceCounters())

    private init(
        directory: String, options: Options, head: Head, blocks: [BlockReader], quarantined: [QuarantinedBlock]
    ) {
        self.directory = directory
        self.options = options
        self.head = head
        self.quarantined = quarantined
        let floor = blocks.map(\.meta.maxTime).max() ?? .min
        state = Mutex(State(blocks: blocks, headFloor: floor))
        if floor > .min {
            head.blockFloor.store(floor, ordering: .relaxed)
            head.dropChunks(before: floor)
            head.collectGarbage(before: floor)
        }
    }

    /// Opens (creating when needed) a database directory: loads and checks every block, quarantines the
    /// damaged ones, removes unfinished `.tmp` blocks, and replays the WAL into the head.
    public static func open(directory: String, options: Options = Options()) throws(StorageError) -> TSDB {
        try WAL.makeDirectory(directory)
        var blocks: [BlockReader] = []
        var quarantined: [QuarantinedBlock] = []
        let fileManager = FileManager.default
        let names = ((try? fileManager.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        for name in names {
            let path = directory + "/" + name
            if name.hasSuffix(".tmp") || name.hasSuffix(deletionSuffix) {
                try? fileManager.removeItem(atPath: path)
                continue
            }
            guard BlockID.isValid(name) else { continue }
            do throws(StorageError) {
                blocks.append(try BlockReader(directory: path))
            } catch {
                let target = quarantineName(for: path)
                do {
                    try fileManager.moveItem(atPath: path, toPath: target)
                } catch {
                    throw StorageError(.io, "cannot quarantine damaged block \(path): \(error)", cause: error)
                }
                quarantined.append(QuarantinedBlock(path: target, error: error))
            }
        }
        // A crash between writing a merged (or rewritten) block and deleting its inputs leaves both: the
        // complete newer block wins, as in Prometheus, so no data is served twice from overlapping blocks.
        let superseded = BlockMeta.superseded(blocks.map(\.meta))
        for block in blocks where superseded.contains(block.meta.ulid) { try deleteBlock(at: block.directory) }
        blocks.removeAll { superseded.contains($0.meta.ulid) }
        blocks.sort { $0.meta.minTime < $1.meta.minTime }
        let head = try Head(directory: directory, options: options.head)
        return TSDB(directory: directory, options: options, head: head, blocks: blocks, quarantined: quarantined)
    }

    /// What a block directory is renamed to before it is deleted (`open` removes leftovers).
    static let deletionSuffix = ".tmp-for-deletion"

    /// Deletes a block directory atomically as far as a crash can tell: renamed first (and the rename made
    /// durable), then removed, so a crash never leaves a half-deleted block that would look damaged.
    static func deleteBlock(at path: String, observer: (@Sendable (MaintenanceStep) -> Void)? = nil)
        throws(StorageError)
    {
        let doomed = path + deletionSuffix
        guard rename(path, doomed) == 0 else { throw .io("rename", path: path, errno: errno) }
        WAL.syncDirectory((path as NSString).deletingLastPathComponent)
        observer?(.blockRenamedForDeletion)
        do {
            try FileManager.default.removeItem(atPath: doomed)
        } catch {
            throw StorageError(.io, "cannot delete block directory \(doomed): \(error)", cause: error)
        }
    }

    static func quarantineName(for path: String) -> String {
        var target = path + ".damaged"
        var suffix = 1
        while FileManager.default.fileExists(atPath: target) {
            target = path + ".damaged.\(suffix)"
            suffix += 1
        }
        return target
    }

    public func appender() -> any Appender { head.appender() }

    public func querier(mint: Int64, maxt: Int64) -> any Querier {
        let blocks = state.withLock { $0.blocks }
        var queriers: [any Querier] = blocks.filter { $0.meta.maxTime > mint && $0.meta.minTime <= maxt }
            .map { $0.querier(mint: mint, maxt: maxt) }
        queriers.append(head.querier(mint: mint, maxt: maxt))
        return MergeQuerier(primaries: queriers)
    }

    /// The blocks now served, oldest first.
    public var blocks: [BlockMeta] { state.withLock { $0.blocks.map(\.meta) } }

    /// Syncs and closes the WAL.
    public func close() throws(StorageError) {
        try maintenance.withLock { _ throws(StorageError) in try head.close() }
    }

    /// Cuts head data into blocks, compacts, applies retention (`now` in milliseconds, default: the newest
    /// data's time); returns the blocks written.
    @discardableResult
    public func compact(now: Int64? = nil) throws(StorageError) -> [BlockMeta] {
        try compactReporting(now: now).written
    }

    func compactReporting(now: Int64?) throws(StorageError) -> MaintenanceReport {
        try maintenance.withLock { _ throws(StorageError) in
            var written = try cutHeadLocked()
            while let plan = planCompaction() {
                if let meta = try merge(plan) { written.append(meta) }
            }
            let deleted = try applyRetentionLocked(now: now)
            return MaintenanceReport(written: written, deleted: deleted)
        }
    }

    /// Writes every complete block range of head data that is at least half a block older than the
    /// head's newest sample, then drops that data from the head.
    @discardableResult
    public func cutHead() throws(StorageError) -> [BlockMeta] {
        try maintenance.withLock { _ throws(StorageError) in try cutHeadLocked() }
    }

    private func cutHeadLocked() throws(StorageError) -> [BlockMeta] {
        guard let headMax = head.statistics.maxTime else { return [] }
        let duration = options.blockDuration
        var floor = state.withLock { $0.headFloor }
        // Blocks hold times within ±2⁶² ms (BlockReader refuses others); data beyond stays in the head.
        let limit: Int64 = 1 << 62
        guard let headMin = head.minTime(atOrAfter: floor), headMin > -limit + duration else { return [] }
        var start = alignDown(headMin, duration)
        // Cut only ranges that end half a block before the newest sample (no overflow near the extremes).
        let (newestStart, overflow) = headMax.subtractingReportingOverflow(duration + duration / 2)
        guard !overflow else { return [] }
        let last = Swift.min(newestStart, limit - 2 * duration)
        guard start <= last else { return [] }
        // Claim the time being cut before taking snapshots: from now on a commit refuses samples before
        // `claimed` (see HeadAppender.commit), and every earlier commit is in the snapshots. On failure the
        // claim falls back to what was actually cut.
        let claimed = start + duration * ((last - start) / duration + 1)
        head.commitLock.withLock { _ in head.blockFloor.store(claimed, ordering: .relaxed) }
        defer { head.blockFloor.store(state.withLock { $0.headFloor }, ordering: .relaxed) }
        var written: [BlockMeta] = []
        while start <= last {
            let end = start + duration
            let writer = try BlockWriter(
                parent: directory, minTime: start, maxTime: end, samplesPerChunk: options.head.samplesPerChunk)
            do throws(StorageError) {
                for (labels, chunks, deleted) in head.seriesSnapshots() {
                    var samples: [Sample] = []
                    var iterator = HeadSampleIterator(
                        chunks: chunks, mint: Swift.max(start, floor), maxt: end - 1, deleted: deleted)
                    while iterator.next() { samples.append(iterator.at()) }
                    if !samples.isEmpty { try writer.add(labels, samples: samples) }
                }
                if let meta = try writer.finish() {
                    options.stepObserver?(.blockWritten)
                    let block = try BlockReader(directory: directory + "/" + meta.ulid)
                    state.withLock { $0.insert(block) }
                    written.append(meta)
                }
            } catch {
                writer.abort()
                throw error
            }
            floor = end
            state.withLock { $0.headFloor = Swift.max($0.headFloor, end) }
            start = end
        }
        head.dropChunks(before: floor)
        if !written.isEmpty {
            head.collectGarbage(before: floor)
            try head.checkpointWAL(observer: options.stepObserver)
        }
        return written
    }

    /// Blocks to merge: the first window of a compaction range holding two or more blocks that fit in it,
    /// once the head has moved past the window (no more data will arrive for it) or the window is full.
    func planCompaction() -> [BlockReader]? {
        let (blocks, floor) = state.withLock { ($0.blocks, $0.headFloor) }
        for range in options.compactionRanges {
            var groups: [Int64: [BlockReader]] = [:]
            for block in blocks where block.meta.maxTime - block.meta.minTime < range {
                let windowStart = alignDown(block.meta.minTime, range)
                guard block.meta.maxTime <= windowStart + range else { continue }
                groups[windowStart, default: []].append(block)
            }
            for windowStart in groups.keys.sorted() {
                let group = groups[windowStart]!
                guard group.count >= 2 else { continue }
                let covered = group.reduce(Int64(0)) { $0 + ($1.meta.maxTime - $1.meta.minTime) }
                if windowStart + range <= floor || covered >= range { return group }
            }
        }
        return nil
    }

    /// Writes the union of `group` as one block, then removes the group's blocks.
    private func merge(_ group: [BlockReader]) throws(StorageError) -> BlockMeta? {
        let minTime = group.map(\.meta.minTime).min()!
        let maxTime = group.map(\.meta.maxTime).max()!
        let writer = try BlockWriter(
            parent: directory, minTime: minTime, maxTime: maxTime, samplesPerChunk: options.head.samplesPerChunk)
        var meta: BlockMeta?
        do throws(StorageError) {
            let sets = group.map { BlockQuerier(block: $0, mint: minTime, maxt: maxTime - 1).allSeries() }
            var merged = mergeSeriesSets(sets)
            while let series = try merged.next() {
                try writer.add(series.labels, samples: try series.samples())
            }
            let level = group.map(\.meta.compaction.level).max()! + 1
            let sources = Array(Set(group.flatMap(\.meta.compaction.sources))).sorted()
            meta = try writer.finish(level: level, sources: sources, parents: group.map(\.meta.ulid))
            options.stepObserver?(.blockWritten)
        } catch {
            writer.abort()
            throw error
        }
        let replacement = try meta.map { meta throws(StorageError) in
            try BlockReader(directory: directory + "/" + meta.ulid)
        }
        let removed = Set(group.map(\.meta.ulid))
        state.withLock { state in
            state.blocks.removeAll { removed.contains($0.meta.ulid) }
            if let replacement { state.insert(replacement) }
        }
        for block in group { try Self.deleteBlock(at: block.directory, observer: options.stepObserver) }
        return meta
    }

    /// Deletes blocks by time and size retention; returns the ULIDs deleted.
    @discardableResult
    public func applyRetention(now: Int64? = nil) throws(StorageError) -> [String] {
        try maintenance.withLock { _ throws(StorageError) in try applyRetentionLocked(now: now) }
    }

    @discardableResult
    private func applyRetentionLocked(now: Int64?) throws(StorageError) -> [String] {
        let blocks = state.withLock { $0.blocks }
        var doomed = Set<String>()
        if let retention = options.retention {
            let reference = now ?? Swift.max(blocks.map(\.meta.maxTime).max() ?? .min, head.statistics.maxTime ?? .min)
            if reference > .min {
                for block in blocks where block.meta.maxTime <= reference - retention { doomed.insert(block.meta.ulid) }
            }
        }
        if let maxBytes = options.maxBytes {
            var total = blocks.filter { !doomed.contains($0.meta.ulid) }.reduce(0) { $0 + $1.byteCount }
            for block in blocks where total > maxBytes && !doomed.contains(block.meta.ulid) {
                doomed.insert(block.meta.ulid)
                total -= block.byteCount
            }
        }
        guard !doomed.isEmpty else { return [] }
        state.withLock { $0.blocks.removeAll { doomed.contains($0.meta.ulid) } }
        for block in blocks where doomed.contains(block.meta.ulid) {
            try Self.deleteBlock(at: block.directory, observer: options.stepObserver)
        }
        return blocks.map(\.meta.ulid).filter { doomed.contains($0) }
    }
}

extension TSDB.State {
    mutating func insert(_ block: BlockReader) {
        let position = blocks.firstIndex { $0.meta.minTime > block.meta.minTime } ?? blocks.count
        blocks.insert(block, at: position)
    }
}

extension BlockQuerier {
    /// Every series of the block in range, sorted by labels, without its deleted samples (for compaction).
    func allSeries() -> any SeriesSet {
        let tombstones = block.tombstones.withLock { $0 }
        var found: [any Series] = []
        for (id, series) in block.series.enumerated() {
            let deleted = tombstones[UInt64(id)] ?? []
            guard series.chunks.hasSample(from: mint, through: maxt, excluding: deleted) else { continue }
            found.append(
                HeadQuerySeries(labels: series.labels, chunks: series.chunks, mint: mint, maxt: maxt, deleted: deleted))
        }
        return ListSeriesSet(found)
    }
}

/// The moments of maintenance after which a crash leaves work half done for the next ``TSDB/open(directory:options:)``.
enum MaintenanceStep: String, CaseIterable, Sendable {
    /// A block is complete on disk (cut from the head, merged, or rewritten).
    case blockWritten
    /// A block directory was renamed for deletion, not yet removed.
    case blockRenamedForDeletion
    /// A WAL checkpoint is logged and synced, the segments before it not yet deleted.
    case checkpointLogged
    /// One WAL segment before a checkpoint was deleted.
    case walSegmentDeleted
}

/// The start of the `duration`-aligned range holding `time` (rounding towards −∞).
func alignDown(_ time: Int64, _ duration: Int64) -> Int64 {
    let remainder = time % duration
    guard remainder < 0 else { return time - remainder }
    let (aligned, overflow) = (time - remainder).subtractingReportingOverflow(duration)
    return overflow ? .min : aligned
}
