import Foundation
import VigilEncoding
import VigilStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Deleted time ranges of series, as Prometheus's `tombstones.Intervals`: per series, closed intervals
/// `[mint, maxt]` in milliseconds, ascending, neither overlapping nor adjacent. The head keeps them per series
/// (logged in the WAL); a block keeps them per series id in its `tombstones` file (`docs/format/block.md`).
/// Queries skip the samples inside them; compaction and ``TSDB/cleanTombstones()`` leave those samples out.
enum Tombstones {
    /// Adds `interval` to `list`, merging it with the intervals it overlaps or touches.
    static func add(_ interval: ClosedRange<Int64>, to list: inout [ClosedRange<Int64>]) {
        var lower = interval.lowerBound
        var upper = interval.upperBound
        var result: [ClosedRange<Int64>] = []
        result.reserveCapacity(list.count + 1)
        var placed = false
        for existing in list {
            // `existing` ends before the new one starts (with a gap): keep it.
            if existing.upperBound < lower && existing.upperBound &+ 1 < lower {
                result.append(existing)
            } else if existing.lowerBound > upper && existing.lowerBound &- 1 > upper {
                if !placed {
                    result.append(lower...upper)
                    placed = true
                }
                result.append(existing)
            } else {
                lower = Swift.min(lower, existing.lowerBound)
                upper = Swift.max(upper, existing.upperBound)
            }
        }
        if !placed { result.append(lower...upper) }
        list = result
    }

    /// Whether `list` (as ``add(_:to:)`` keeps it) holds every time in `mint...maxt`.
    static func covers(_ list: [ClosedRange<Int64>], _ mint: Int64, _ maxt: Int64) -> Bool {
        list.contains { $0.lowerBound <= mint && $0.upperBound >= maxt }
    }

    static let fileName = "tombstones"
    static let magic: [UInt8] = Array("VGTS".utf8) + [1]

    /// The `tombstones` file: magic and version, the count of entries, then per entry
    /// `series id <uvarint> │ mint <varint> │ maxt <varint>`, then a CRC-32C of everything after the magic.
    static func encode(_ tombstones: [UInt64: [ClosedRange<Int64>]]) -> [UInt8] {
        var body: [UInt8] = []
        let entries = tombstones.keys.sorted().flatMap { id in tombstones[id]!.map { (id, $0) } }
        Varint.appendUnsigned(UInt64(entries.count), to: &body)
        for (id, interval) in entries {
            Varint.appendUnsigned(id, to: &body)
            Varint.appendSigned(interval.lowerBound, to: &body)
            Varint.appendSigned(interval.upperBound, to: &body)
        }
        var file = magic + body
        file.appendBigEndian(CRC32C.checksum(body))
        return file
    }

    /// Reads a `tombstones` file; every series id must be below `seriesCount`.
    static func decode(_ file: [UInt8], seriesCount: Int, directory: String) throws(StorageError) -> [UInt64:
        [ClosedRange<Int64>]]
    {
        guard file.count >= magic.count + 4, file.starts(with: magic) else {
            throw BlockReader.corrupt(directory, "tombstones file is truncated or has a bad header")
        }
        let end = file.count - 4
        guard CRC32C.checksum(file[magic.count..<end]) == file.readBigEndian(UInt32.self, at: end) else {
            throw BlockReader.corrupt(directory, "tombstones file fails its CRC")
        }
        var result: [UInt64: [ClosedRange<Int64>]] = [:]
        var position = magic.count
        do {
            let count = try Varint.decodeUnsigned(from: file, at: &position, end: end)
            guard count <= UInt64(end - position) else {
                throw BlockReader.corrupt(directory, "tombstone count too large")
            }
            for _ in 0..<count {
                let id = try Varint.decodeUnsigned(from: file, at: &position, end: end)
                let mint = try Varint.decodeSigned(from: file, at: &position, end: end)
                let maxt = try Varint.decodeSigned(from: file, at: &position, end: end)
                guard id < UInt64(seriesCount) else {
                    throw BlockReader.corrupt(directory, "tombstone for series \(id), the block has \(seriesCount)")
                }
                guard mint <= maxt else {
                    throw BlockReader.corrupt(directory, "tombstone interval [\(mint), \(maxt)] ends before it starts")
                }
                add(mint...maxt, to: &result[id, default: []])
            }
            guard position == end else { throw BlockReader.corrupt(directory, "tombstones file has trailing bytes") }
        } catch let error as StorageError {
            throw error
        } catch {
            throw BlockReader.corrupt(directory, "tombstones file does not decode: \(error)")
        }
        return result
    }

    /// Replaces the block's `tombstones` file atomically (written beside it, synced, renamed, directory synced),
    /// or removes it when there are none. A snapshot's hard link to the old file keeps the old contents.
    static func write(_ tombstones: [UInt64: [ClosedRange<Int64>]], block directory: String) throws(StorageError) {
        let path = directory + "/" + fileName
        if tombstones.isEmpty {
            if unlink(path) != 0 && errno != ENOENT { throw .io("unlink", path: path, errno: errno) }
            WAL.syncDirectory(directory)
            return
        }
        let temporary = path + ".tmp"
        do {
            try BlockWriter.writeSynced(encode(tombstones), to: temporary)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.io, "cannot write \(temporary): \(error)", cause: error)
        }
        guard rename(temporary, path) == 0 else { throw .io("rename", path: temporary, errno: errno) }
        WAL.syncDirectory(directory)
    }
}
