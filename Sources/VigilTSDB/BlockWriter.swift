import Foundation
import VigilEncoding
import VigilModel
import VigilStorage

/// Writes one block: chunks go to disk as series arrive (memory holds only labels and chunk references),
/// the index and `meta.json` at ``finish(level:sources:parents:)``. Everything is written in `<final>.tmp`,
/// fsynced, then renamed into place, so a crash leaves either no block or a whole one.
/// Format: `docs/format/block.md`.
final class BlockWriter {
    struct ChunkEntry {
        var minTime: Int64
        var maxTime: Int64
        var ref: UInt64
    }

    struct SeriesEntry {
        var labels: Labels
        var chunks: [ChunkEntry]
    }

    static let chunkMagic: [UInt8] = Array("VGCK".utf8) + [1]
    static let indexMagic: [UInt8] = Array("VGIX".utf8) + [1]
    static let chunkSegmentName = "000001"

    let parent: String
    let ulid: String
    let minTime: Int64
    let maxTime: Int64
    let samplesPerChunk: Int
    private let temporary: String
    private let chunkFile: FileHandle
    private var buffer: [UInt8] = []
    private var written: UInt64 = 0
    private var series: [SeriesEntry] = []
    private var sampleCount = 0
    private var chunkCount = 0
    private var seen = Set<Labels>()

    /// Starts a block for `[minTime, maxTime)` in `parent`.
    init(parent: String, minTime: Int64, maxTime: Int64, samplesPerChunk: Int = 120, ulid: String = BlockID.make())
        throws(StorageError)
    {
        self.parent = parent
        self.ulid = ulid
        self.minTime = minTime
        self.maxTime = maxTime
        self.samplesPerChunk = samplesPerChunk
        temporary = parent + "/" + ulid + ".tmp"
        let fileManager = FileManager.default
        do {
            try? fileManager.removeItem(atPath: temporary)
            try fileManager.createDirectory(atPath: temporary + "/chunks", withIntermediateDirectories: true)
            let path = temporary + "/chunks/" + Self.chunkSegmentName
            guard fileManager.createFile(atPath: path, contents: nil) else {
                throw StorageError(.io, "cannot create \(path)")
            }
            chunkFile = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.io, "cannot start block \(ulid) in \(parent): \(error)", cause: error)
        }
        buffer = Self.chunkMagic
    }

    /// Adds a series with its samples (ascending, inside the block's range; others are skipped).
    /// Each series may be added once, or several times in a row with later samples each time.
    func add(_ labels: Labels, samples: some Collection<Sample>) throws(StorageError) {
        var chunks: [ChunkEntry] = []
        var encoder = XORChunkEncoder()
        var first: Int64 = 0
        var last: Int64 = 0
        for sample in samples where sample.timestamp >= minTime && sample.timestamp < maxTime {
            if encoder.count >= samplesPerChunk {
                chunks.append(try writeChunk(encoder.chunkBytes, minTime: first, maxTime: last))
                encoder = XORChunkEncoder()
            }
            if encoder.count == 0 { first = sample.timestamp }
            do {
                try encoder.append(timestamp: sample.timestamp, value: sample.value)
            } catch {
                throw StorageError(
                    .outOfOrderSample, "samples of \(labels) are not in ascending order at \(sample.timestamp)",
                    series: labels, timestamp: sample.timestamp)
            }
            last = sample.timestamp
            sampleCount += 1
        }
        if encoder.count > 0 { chunks.append(try writeChunk(encoder.chunkBytes, minTime: first, maxTime: last)) }
        guard !chunks.isEmpty else { return }
        if series.last?.labels == labels, let last = series.last?.chunks.last, last.maxTime < chunks[0].minTime {
            series[series.count - 1].chunks += chunks
            return
        }
        guard seen.insert(labels).inserted else {
            throw StorageError(.invalidImport, "series \(labels) was added twice to block \(ulid)", series: labels)
        }
        series.append(SeriesEntry(labels: labels, chunks: chunks))
    }

    var isEmpty: Bool { series.isEmpty }

    private func writeChunk(_ bytes: ArraySlice<UInt8>, minTime: Int64, maxTime: Int64) throws(StorageError)
        -> ChunkEntry
    {
        let ref = written + UInt64(buffer.count)
        Varint.appendUnsigned(UInt64(bytes.count), to: &buffer)
        buffer.append(contentsOf: bytes)
        buffer.appendBigEndian(CRC32C.checksum(bytes))
        chunkCount += 1
        if buffer.count >= 1 << 20 { try flush() }
        return ChunkEntry(minTime: minTime, maxTime: maxTime, ref: ref)
    }

    private func flush() throws(StorageError) {
        do {
            try chunkFile.write(contentsOf: buffer)
        } catch {
            throw StorageError(.io, "cannot write chunks of block \(ulid): \(error)", cause: error)
        }
        written += UInt64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes the index and meta, syncs, and renames the block into place; nil (and nothing on disk) when
    /// no series had a sample in range.
    func finish(level: Int = 1, sources: [String]? = nil, parents: [String] = []) throws(StorageError) -> BlockMeta? {
        if series.isEmpty {
            abort()
            return nil
        }
        try flush()
        do {
            try chunkFile.synchronize()
            try chunkFile.close()
        } catch {
            throw StorageError(.io, "cannot sync chunks of block \(ulid): \(error)", cause: error)
        }
        series.sort { Labels.compare($0.labels, $1.labels) < 0 }
        let index = Self.encodeIndex(series)
        let meta = BlockMeta(
            ulid: ulid, minTime: minTime, maxTime: maxTime,
            stats: .init(numSeries: series.count, numSamples: sampleCount, numChunks: chunkCount),
            compaction: .init(level: level, sources: sources ?? [ulid], parents: parents),
            version: BlockMeta.formatVersion)
        let final = parent + "/" + ulid
        do {
            try Self.writeSynced(index, to: temporary + "/index")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try Self.writeSynced(Array(try encoder.encode(meta)), to: temporary + "/" + BlockMeta.fileName)
            WAL.syncDirectory(temporary + "/chunks")
            WAL.syncDirectory(temporary)
            try FileManager.default.moveItem(atPath: temporary, toPath: final)
            WAL.syncDirectory(parent)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.io, "cannot finish block \(ulid) in \(parent): \(error)", cause: error)
        }
        return meta
    }

    /// Removes what was written.
    func abort() {
        try? chunkFile.close()
        try? FileManager.default.removeItem(atPath: temporary)
    }

    static func writeSynced(_ bytes: [UInt8], to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw StorageError(.io, "cannot create \(path)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.write(contentsOf: bytes)
        try handle.synchronize()
    }

    /// The index: symbols, series, postings, each a CRC-checked section, then the table of contents.
    static func encodeIndex(_ series: [SeriesEntry]) -> [UInt8] {
        var symbolSet = Set<String>()
        for entry in series {
            for label in entry.labels {
                symbolSet.insert(label.name)
                symbolSet.insert(label.value)
            }
        }
        let symbols = symbolSet.sorted()
        var symbolIDs: [String: UInt64] = [:]
        for (id, symbol) in symbols.enumerated() { symbolIDs[symbol] = UInt64(id) }

        var file = indexMagic
        var payload: [UInt8] = []
        Varint.appendUnsigned(UInt64(symbols.count), to: &payload)
        for symbol in symbols {
            Varint.appendUnsigned(UInt64(symbol.utf8.count), to: &payload)
            payload.append(contentsOf: symbol.utf8)
        }
        let symbolsOffset = appendSection(payload, to: &file)

        payload.removeAll(keepingCapacity: true)
        var postings: [String: [String: [UInt64]]] = [:]
        Varint.appendUnsigned(UInt64(series.count), to: &payload)
        for (id, entry) in series.enumerated() {
            Varint.appendUnsigned(UInt64(entry.labels.count), to: &payload)
            for label in entry.labels {
                Varint.appendUnsigned(symbolIDs[label.name]!, to: &payload)
                Varint.appendUnsigned(symbolIDs[label.value]!, to: &payload)
                postings[label.name, default: [:]][label.value, default: []].append(UInt64(id))
            }
            Varint.appendUnsigned(UInt64(entry.chunks.count), to: &payload)
            var previousRef: UInt64 = 0
            for chunk in entry.chunks {
                Varint.appendSigned(chunk.minTime, to: &payload)
                Varint.appendUnsigned(UInt64(bitPattern: chunk.maxTime &- chunk.minTime), to: &payload)
                Varint.appendUnsigned(chunk.ref &- previousRef, to: &payload)
                previousRef = chunk.ref
            }
        }
        let seriesOffset = appendSection(payload, to: &file)

        payload.removeAll(keepingCapacity: true)
        var pairCount: UInt64 = 0
        for (_, values) in postings { pairCount += UInt64(values.count) }
        Varint.appendUnsigned(pairCount, to: &payload)
        for name in postings.keys.sorted() {
            let values = postings[name]!
            for value in values.keys.sorted() {
                let ids = values[value]!
                Varint.appendUnsigned(symbolIDs[name]!, to: &payload)
                Varint.appendUnsigned(symbolIDs[value]!, to: &payload)
                Varint.appendUnsigned(UInt64(ids.count), to: &payload)
                var previous: UInt64 = 0
                for id in ids {
                    Varint.appendUnsigned(id - previous, to: &payload)
                    previous = id
                }
            }
        }
        let postingsOffset = appendSection(payload, to: &file)

        var toc: [UInt8] = []
        toc.appendBigEndian(symbolsOffset)
        toc.appendBigEndian(seriesOffset)
        toc.appendBigEndian(postingsOffset)
        toc.appendBigEndian(CRC32C.checksum(toc))
        file += toc
        return file
    }

    /// Appends `length <u32 BE> │ payload │ CRC32C(payload) <u32 BE>`; returns the section's offset.
    private static func appendSection(_ payload: [UInt8], to file: inout [UInt8]) -> UInt64 {
        let offset = UInt64(file.count)
        file.appendBigEndian(UInt32(payload.count))
        file += payload
        file.appendBigEndian(CRC32C.checksum(payload))
        return offset
    }
}

extension StorageError.Code {
    /// Input to a bulk import that cannot be stored: a line that does not parse, a series split up.
    public static let invalidImport = Self("invalidImport")
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        var big = value.bigEndian
        Swift.withUnsafeBytes(of: &big) { append(contentsOf: $0) }
    }

    func readBigEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T? {
        let size = MemoryLayout<T>.size
        guard offset >= 0, offset + size <= count else { return nil }
        var value: T = 0
        for index in offset..<(offset + size) { value = (value << 8) | T(self[index]) }
        return value
    }
}
