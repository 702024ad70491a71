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

    /// Version 2 frames each chunk with its encoding byte; version 1 (XOR only, no encoding byte) is still read.
    static let chunkMagic: [UInt8] = Array("VGCK".utf8) + [2]
    static let chunkMagicVersion1: [UInt8] = Array("VGCK".utf8) + [1]
    /// The most samples the writer puts in one packed chunk. A series' samples in a block are cut into as few
    /// chunks as this allows, of equal size (2,000 samples become 1,000 and 1,000, not 1,440 and 560).
    static let packedSamplesPerChunk = 1440
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
    /// One series' samples in range, reused from series to series.
    private var times: [Int64] = []
    private var values: [Double] = []
    private var packed: [UInt8] = []

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
    ///
    /// Decimal values go into packed chunks (``PackedChunkEncoder``). NaN (such as a staleness marker),
    /// infinities and −0, and runs the packed encoder declines (values with more digits than a double's
    /// decimal), are written as XOR chunks of `samplesPerChunk`.
    func add(_ labels: Labels, samples: some Collection<Sample>) throws(StorageError) {
        times.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        for sample in samples where sample.timestamp >= minTime && sample.timestamp < maxTime {
            if let last = times.last, sample.timestamp <= last {
                throw StorageError(
                    .outOfOrderSample, "samples of \(labels) are not in ascending order at \(sample.timestamp)",
                    series: labels, timestamp: sample.timestamp)
            }
            times.append(sample.timestamp)
            values.append(sample.value)
        }
        guard !times.isEmpty else { return }
        var chunks: [ChunkEntry] = []
        let runs = (times.count + Self.packedSamplesPerChunk - 1) / Self.packedSamplesPerChunk
        let runLength = (times.count + runs - 1) / runs
        var start = 0
        while start < times.count {
            let end = Swift.min(start + runLength, times.count)
            // NaN (a staleness marker), infinities and −0 never pack: they go into XOR chunks of their own, so
            // that the decimals around them still pack.
            var segment = start
            while segment < end {
                let special = Self.neverPacks(values[segment])
                var stop = segment + 1
                while stop < end && Self.neverPacks(values[stop]) == special { stop += 1 }
                let packed = special ? false : try appendPacked(from: segment, to: stop, into: &chunks)
                if !packed { try appendXOR(labels, from: segment, to: stop, into: &chunks) }
                segment = stop
            }
            start = end
        }
        sampleCount += times.count
        if series.last?.labels == labels, let last = series.last?.chunks.last, last.maxTime < chunks[0].minTime {
            series[series.count - 1].chunks += chunks
            return
        }
        guard seen.insert(labels).inserted else {
            throw StorageError(.invalidImport, "series \(labels) was added twice to block \(ulid)", series: labels)
        }
        series.append(SeriesEntry(labels: labels, chunks: chunks))
    }

    static func neverPacks(_ value: Double) -> Bool {
        !value.isFinite || (value == 0 && value.sign == .minus)
    }

    /// Writes the samples `start..<end` of the current series as one packed chunk; false (nothing written)
    /// when the packed encoder declines them.
    private func appendPacked(from start: Int, to end: Int, into chunks: inout [ChunkEntry]) throws(StorageError)
        -> Bool
    {
        packed.removeAll(keepingCapacity: true)
        let isPacked = times.withUnsafeBufferPointer { times in
            values.withUnsafeBufferPointer { values in
                PackedChunkEncoder.encode(
                    timestamps: UnsafeBufferPointer(rebasing: times[start..<end]),
                    values: UnsafeBufferPointer(rebasing: values[start..<end]), into: &packed)
            }
        }
        guard isPacked else { return false }
        chunks.append(try writeChunk(packed[...], encoding: .packed, minTime: times[start], maxTime: times[end - 1]))
        return true
    }

    /// Writes the samples `start..<end` of the current series as XOR chunks of `samplesPerChunk`.
    private func appendXOR(_ labels: Labels, from start: Int, to end: Int, into chunks: inout [ChunkEntry])
        throws(StorageError)
    {
        var encoder = XORChunkEncoder()
        var first: Int64 = 0
        for index in start..<end {
            if encoder.count >= samplesPerChunk {
                chunks.append(
                    try writeChunk(encoder.chunkBytes, encoding: .xor, minTime: first, maxTime: times[index - 1]))
                encoder = XORChunkEncoder()
            }
            if encoder.count == 0 { first = times[index] }
            do {
                try encoder.append(timestamp: times[index], value: values[index])
            } catch {
                // Unreachable: `add` checked the order and cuts chunks long before they are full.
                throw StorageError(.outOfOrderSample, "\(labels): \(error)", series: labels, timestamp: times[index])
            }
        }
        if encoder.count > 0 {
            chunks.append(try writeChunk(encoder.chunkBytes, encoding: .xor, minTime: first, maxTime: times[end - 1]))
        }
    }

    var isEmpty: Bool { series.isEmpty }

    /// Appends `len <uvarint> │ encoding <byte> │ chunk │ CRC-32C(encoding, chunk) <uint32 BE>`.
    private func writeChunk(
        _ bytes: ArraySlice<UInt8>, encoding: ChunkEncoding, minTime: Int64, maxTime: Int64
    ) throws(StorageError) -> ChunkEntry {
        let ref = written + UInt64(buffer.count)
        Varint.appendUnsigned(UInt64(bytes.count), to: &buffer)
        let covered = buffer.count
        buffer.append(encoding.rawValue)
        buffer.append(contentsOf: bytes)
        buffer.appendBigEndian(CRC32C.checksum(buffer[covered...]))
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
