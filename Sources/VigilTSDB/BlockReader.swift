import Foundation
import Synchronization
import VigilEncoding
import VigilModel
import VigilStorage

/// An immutable block on disk, opened and fully checked: `meta.json`, every index section's CRC and every
/// chunk's CRC are verified before the block serves a query, so damage is found at open (and the block
/// quarantined by ``TSDB``) rather than in the middle of a query.
///
/// This first version keeps the block's chunks in memory (the bytes of the chunk file); memory-mapping
/// them is the next step.
public final class BlockReader: Queryable, Sendable {
    struct BlockSeries: Sendable {
        let labels: Labels
        let chunks: [HeadChunk]
    }

    public let directory: String
    public let meta: BlockMeta
    /// Bytes of the block's files.
    public let byteCount: Int
    let series: [BlockSeries]
    /// label name → value → ascending series ids (positions in ``series``).
    let postings: [String: [String: [UInt64]]]
    let allIDs: [UInt64]
    /// Deleted intervals by series id, from the `tombstones` file; ``TSDB/delete(matchers:mint:maxt:)``
    /// replaces them (file first), queries read a copy.
    let tombstones: Mutex<[UInt64: [ClosedRange<Int64>]]>

    public init(directory: String) throws(StorageError) {
        self.directory = directory
        let metaBytes = try Self.read(directory + "/" + BlockMeta.fileName)
        do {
            meta = try JSONDecoder().decode(BlockMeta.self, from: Data(metaBytes))
        } catch {
            throw Self.corrupt(directory, "meta.json does not decode: \(error)")
        }
        guard meta.version == BlockMeta.formatVersion else {
            throw Self.corrupt(directory, "meta.json has unknown version \(meta.version)")
        }
        let limit: Int64 = 1 << 62
        guard meta.minTime < meta.maxTime, meta.minTime > -limit, meta.maxTime < limit else {
            throw Self.corrupt(directory, "meta.json has an impossible time range [\(meta.minTime), \(meta.maxTime))")
        }
        let index = try Self.read(directory + "/index")
        let chunkFile = try Self.read(directory + "/chunks/" + BlockWriter.chunkSegmentName)
        byteCount = metaBytes.count + index.count + chunkFile.count
        let hasEncodingBytes: Bool
        if chunkFile.starts(with: BlockWriter.chunkMagic) {
            hasEncodingBytes = true
        } else if chunkFile.starts(with: BlockWriter.chunkMagicVersion1) {
            hasEncodingBytes = false
        } else {
            throw Self.corrupt(directory, "chunk file has a bad header")
        }
        let decoded = try Self.decodeIndex(
            index, chunkFile: chunkFile, hasEncodingBytes: hasEncodingBytes, directory: directory)
        series = decoded.series
        postings = decoded.postings
        allIDs = (0..<UInt64(series.count)).map { $0 }
        guard series.count == meta.stats.numSeries else {
            throw Self.corrupt(directory, "index has \(series.count) series, meta.json says \(meta.stats.numSeries)")
        }
        let tombstonesPath = directory + "/" + Tombstones.fileName
        if FileManager.default.fileExists(atPath: tombstonesPath) {
            tombstones = Mutex(
                try Tombstones.decode(try Self.read(tombstonesPath), seriesCount: series.count, directory: directory))
        } else {
            tombstones = Mutex([:])
        }
    }

    /// Whether any series has deleted intervals.
    var hasTombstones: Bool { tombstones.withLock { !$0.isEmpty } }

    /// Records `mint...maxt` (clipped to the block) as deleted for every series matching `matchers` that has
    /// a sample there, writing the `tombstones` file before the change is visible. Returns how many series.
    func delete(_ matchers: [LabelMatcher], mint: Int64, maxt: Int64) throws(StorageError) -> Int {
        let low = Swift.max(mint, meta.minTime)
        let high = Swift.min(maxt, meta.maxTime - 1)
        guard low <= high, !matchers.isEmpty else { return 0 }
        var updated = tombstones.withLock { $0 }
        var affected = 0
        for id in HeadPostingsView(postings: postings, allRefs: allIDs).matchingRefs(matchers)
        where series[Int(id)].chunks.hasSample(from: low, through: high, excluding: updated[id] ?? []) {
            Tombstones.add(low...high, to: &updated[id, default: []])
            affected += 1
        }
        guard affected > 0 else { return 0 }
        try Tombstones.write(updated, block: directory)
        tombstones.withLock { $0 = updated }
        return affected
    }

    public func querier(mint: Int64, maxt: Int64) -> any Querier {
        BlockQuerier(block: self, mint: Swift.max(mint, meta.minTime), maxt: Swift.min(maxt, meta.maxTime - 1))
    }

    static func corrupt(_ directory: String, _ message: String) -> StorageError {
        StorageError(.corruption, "block \(directory): \(message)")
    }

    static func read(_ path: String) throws(StorageError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StorageError(.corruption, "cannot read \(path): missing or unreadable")
        }
        return Array(data)
    }

    private static func decodeIndex(
        _ file: [UInt8], chunkFile: [UInt8], hasEncodingBytes: Bool, directory: String
    ) throws(StorageError)
        -> (series: [BlockSeries], postings: [String: [String: [UInt64]]])
    {
        let tocSize = 28
        guard file.count >= BlockWriter.indexMagic.count + tocSize, file.starts(with: BlockWriter.indexMagic) else {
            throw corrupt(directory, "index is truncated or has a bad header")
        }
        let tocStart = file.count - tocSize
        guard CRC32C.checksum(file[tocStart..<(file.count - 4)]) == file.readBigEndian(UInt32.self, at: file.count - 4)
        else { throw corrupt(directory, "index table of contents fails its CRC (truncated file?)") }
        var sections: [Range<Int>] = []
        for slot in 0..<3 {
            let offset = Int(clamping: file.readBigEndian(UInt64.self, at: tocStart + 8 * slot)!)
            guard let length = file.readBigEndian(UInt32.self, at: offset), offset + 8 + Int(length) <= tocStart
            else { throw corrupt(directory, "index section \(slot) lies outside the file") }
            let payload = (offset + 4)..<(offset + 4 + Int(length))
            guard CRC32C.checksum(file[payload]) == file.readBigEndian(UInt32.self, at: payload.upperBound) else {
                throw corrupt(directory, "index section \(slot) at offset \(offset) fails its CRC")
            }
            sections.append(payload)
        }
        do {
            var position = sections[0].lowerBound
            var end = sections[0].upperBound
            let symbolCount = try Varint.decodeUnsigned(from: file, at: &position, end: end)
            guard symbolCount <= UInt64(end - position) else { throw corrupt(directory, "symbol count too large") }
            var symbols: [String] = []
            symbols.reserveCapacity(Int(symbolCount))
            for _ in 0..<symbolCount {
                let length = Int(clamping: try Varint.decodeUnsigned(from: file, at: &position, end: end))
                guard length <= end - position else { throw corrupt(directory, "symbol runs past its section") }
                symbols.append(String(decoding: file[position..<(position + length)], as: UTF8.self))
                position += length
            }
            func symbol(_ id: UInt64) throws(StorageError) -> String {
                guard id < UInt64(symbols.count) else { throw corrupt(directory, "symbol \(id) out of range") }
                return symbols[Int(id)]
            }

            position = sections[1].lowerBound
            end = sections[1].upperBound
            let seriesCount = try Varint.decodeUnsigned(from: file, at: &position, end: end)
            guard seriesCount <= UInt64(end - position) else { throw corrupt(directory, "series count too large") }
            var series: [BlockSeries] = []
            series.reserveCapacity(Int(seriesCount))
            var decoder = XORChunkDecoder()
            for _ in 0..<seriesCount {
                let labelCount = try Varint.decodeUnsigned(from: file, at: &position, end: end)
                guard labelCount <= UInt64(end - position) else { throw corrupt(directory, "label count too large") }
                var labels: [Label] = []
                for _ in 0..<labelCount {
                    let name = try symbol(try Varint.decodeUnsigned(from: file, at: &position, end: end))
                    let value = try symbol(try Varint.decodeUnsigned(from: file, at: &position, end: end))
                    labels.append(Label(name, value))
                }
                let chunkCount = try Varint.decodeUnsigned(from: file, at: &position, end: end)
                guard chunkCount <= UInt64(end - position) else { throw corrupt(directory, "chunk count too large") }
                var chunks: [HeadChunk] = []
                var ref: UInt64 = 0
                for _ in 0..<chunkCount {
                    let minTime = try Varint.decodeSigned(from: file, at: &position, end: end)
                    let maxTime =
                        minTime &+ Int64(bitPattern: try Varint.decodeUnsigned(from: file, at: &position, end: end))
                    ref &+= try Varint.decodeUnsigned(from: file, at: &position, end: end)
                    var at = Int(clamping: ref)
                    let length = Int(clamping: try Varint.decodeUnsigned(from: chunkFile, at: &at))
                    // Version 2: the encoding byte, then the chunk; the CRC covers both. Version 1: XOR only.
                    let covered = at
                    let framing = hasEncodingBytes ? 1 : 0
                    guard length <= chunkFile.count - at - framing - 4 else {
                        throw corrupt(directory, "chunk at offset \(ref) runs past the end of the chunk file")
                    }
                    let encoding = hasEncodingBytes ? ChunkEncoding(rawValue: chunkFile[at]) : .xor
                    at += framing
                    guard
                        CRC32C.checksum(chunkFile[covered..<(at + length)])
                            == chunkFile.readBigEndian(UInt32.self, at: at + length)
                    else {
                        throw corrupt(directory, "chunk at offset \(ref) fails its CRC")
                    }
                    guard let encoding else {
                        throw corrupt(directory, "chunk at offset \(ref) has unknown encoding \(chunkFile[covered])")
                    }
                    let bytes = Array(chunkFile[at..<(at + length)])
                    switch encoding {
                    case .xor: try decoder.reset(bytes)
                    case .packed:
                        guard PackedChunk.sampleCount(of: bytes) != nil else {
                            throw corrupt(directory, "packed chunk at offset \(ref) has no sample count")
                        }
                    }
                    chunks.append(HeadChunk(bytes: bytes, minTime: minTime, maxTime: maxTime, encoding: encoding))
                }
                series.append(BlockSeries(labels: Labels(labels), chunks: chunks))
            }

            position = sections[2].lowerBound
            end = sections[2].upperBound
            var postings: [String: [String: [UInt64]]] = [:]
            let pairCount = try Varint.decodeUnsigned(from: file, at: &position, end: end)
            for _ in 0..<pairCount {
                let name = try symbol(try Varint.decodeUnsigned(from: file, at: &position, end: end))
                let value = try symbol(try Varint.decodeUnsigned(from: file, at: &position, end: end))
                let count = try Varint.decodeUnsigned(from: file, at: &position, end: end)
                guard count <= UInt64(end - position) else { throw corrupt(directory, "postings list too long") }
                var ids: [UInt64] = []
                ids.reserveCapacity(Int(count))
                var id: UInt64 = 0
                for _ in 0..<count {
                    id &+= try Varint.decodeUnsigned(from: file, at: &position, end: end)
                    guard id < UInt64(series.count) else { throw corrupt(directory, "posting \(id) out of range") }
                    ids.append(id)
                }
                postings[name, default: [:]][value] = ids
            }
            return (series, postings)
        } catch let error as StorageError {
            throw error
        } catch {
            throw corrupt(directory, "index does not decode: \(error)")
        }
    }
}

/// A querier over one block: postings from the index, chunks decoded lazily by the sample iterators.
struct BlockQuerier: Querier {
    let block: BlockReader
    let mint: Int64
    let maxt: Int64

    func select(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) -> any SeriesSet {
        guard let window = SelectHints.window(mint: mint, maxt: maxt, hints: hints), !matchers.isEmpty else {
            return EmptySeriesSet()
        }
        let (low, high) = (window.lowerBound, window.upperBound)
        let tombstones = block.tombstones.withLock { $0 }
        var found: [any Series] = []
        for id in matching(matchers) {
            let series = block.series[Int(id)]
            let deleted = tombstones[id] ?? []
            guard series.chunks.hasSample(from: low, through: high, excluding: deleted) else { continue }
            found.append(
                HeadQuerySeries(labels: series.labels, chunks: series.chunks, mint: low, maxt: high, deleted: deleted))
            if let limit = hints?.limit, found.count >= limit { break }
        }
        return ListSeriesSet(found)
    }

    /// Label lookups without matchers answer from the block's index, as Prometheus's block querier does:
    /// every series of a block has samples in the block's range, and a querier is only opened on blocks
    /// that overlap the query's range, so the block's names and values are the answer at block
    /// granularity (a block with tombstones is read series by series, since deletion may have emptied some).
    private var indexAnswersUnmatchedLookups: Bool { mint <= maxt && !block.hasTombstones }

    func labelNames(matchers: [LabelMatcher], hints: LabelHints?) -> LabelQueryResult {
        if matchers.isEmpty && indexAnswersUnmatchedLookups {
            return LabelQueryResult(values: block.postings.keys.sorted()).limited(hints)
        }
        var names = Set<String>()
        for series in candidates(matchers) { for label in series.labels { names.insert(label.name) } }
        return LabelQueryResult(values: names.sorted()).limited(hints)
    }

    func labelValues(name: String, matchers: [LabelMatcher], hints: LabelHints?) -> LabelQueryResult {
        if matchers.isEmpty && indexAnswersUnmatchedLookups {
            return LabelQueryResult(values: (block.postings[name] ?? [:]).keys.sorted()).limited(hints)
        }
        var values = Set<String>()
        for series in candidates(matchers) { if let value = series.labels[name] { values.insert(value) } }
        return LabelQueryResult(values: values.sorted()).limited(hints)
    }

    private func candidates(_ matchers: [LabelMatcher]) -> [BlockReader.BlockSeries] {
        guard mint <= maxt else { return [] }
        let ids = matchers.isEmpty ? block.allIDs : matching(matchers)
        let tombstones = block.tombstones.withLock { $0 }
        return ids.filter { id in
            block.series[Int(id)].chunks.hasSample(from: mint, through: maxt, excluding: tombstones[id] ?? [])
        }.map { block.series[Int($0)] }
    }

    private func matching(_ matchers: [LabelMatcher]) -> [UInt64] {
        HeadPostingsView(postings: block.postings, allRefs: block.allIDs).matchingRefs(matchers)
    }
}

extension LabelQueryResult {
    fileprivate func limited(_ hints: LabelHints?) -> LabelQueryResult {
        guard let limit = hints?.limit, values.count > limit else { return self }
        return LabelQueryResult(values: Array(values.prefix(max(0, limit))), warnings: warnings)
    }
}
