import VigilEncoding
import VigilStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads one segment's frames.
struct WALSegmentReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    enum Outcome {
        case record(WALRecordType, Range<Int>)
        case end
        /// The bytes at `offset` are not a whole, valid frame; `torn` when they are just cut off.
        case bad(offset: Int, reason: String, torn: Bool)
    }

    mutating func next() -> Outcome {
        if offset == bytes.count { return .end }
        let start = offset
        guard bytes.count - start >= WAL.headerSize else {
            return .bad(offset: start, reason: "record header cut off after \(bytes.count - start) bytes", torn: true)
        }
        guard let type = WALRecordType(rawValue: bytes[start]) else {
            return .bad(offset: start, reason: "unknown record type \(bytes[start])", torn: false)
        }
        var length = 0
        var crc: UInt32 = 0
        for index in 1...4 { length = length << 8 | Int(bytes[start + index]) }
        for index in 5...8 { crc = crc << 8 | UInt32(bytes[start + index]) }
        let payloadStart = start + WAL.headerSize
        guard bytes.count - payloadStart >= length else {
            return .bad(
                offset: start,
                reason: "record of \(length) bytes cut off after \(bytes.count - payloadStart) bytes", torn: true)
        }
        let range = payloadStart..<payloadStart + length
        let actual = CRC32C.checksum(bytes[range])
        guard actual == crc else {
            return .bad(
                offset: start,
                reason:
                    "record CRC-32C mismatch: stored 0x\(String(crc, radix: 16)), computed 0x\(String(actual, radix: 16))",
                torn: false)
        }
        offset = range.upperBound
        return .record(type, range)
    }
}

extension WAL {
    /// Reads every record of the WAL in `directory` in order and hands it to `apply`, repairing damage:
    /// the segment holding the first bad record is truncated at it, and later segments are renamed
    /// `NAME.discarded` (their records come after a gap, so they are not replayed).
    ///
    /// Never traps on bad data; throws only when a file cannot be read, truncated or renamed.
    static func replay(
        directory: String, apply: (WALRecord, inout WALRecoveryReport) -> Void
    ) throws(StorageError) -> WALRecoveryReport {
        var report = WALRecoveryReport()
        let segments = try Self.segments(in: directory)
        for (position, segment) in segments.enumerated() {
            let path = Self.path(of: segment, in: directory)
            report.segments.append(segment)
            var reader = WALSegmentReader(bytes: try readFile(path))
            var failure: (offset: Int, reason: String, torn: Bool)?
            reading: while true {
                switch reader.next() {
                case .end:
                    break reading
                case .bad(let offset, let reason, let torn):
                    failure = (offset, reason, torn)
                    break reading
                case .record(let type, let range):
                    do {
                        if let record = try WALRecord.decode(type: type, payload: reader.bytes, range: range) {
                            apply(record, &report)
                        }
                        report.records += 1
                    } catch {
                        failure = (range.lowerBound - headerSize, "record does not decode: \(error)", false)
                        break reading
                    }
                }
            }
            guard let failure else { continue }
            let isLast = position == segments.count - 1
            // A crash can also leave the end of the last segment zero-filled (the file grew, its data never
            // reached the disk) or end in a record whose bytes were only partly written: both are a torn tail.
            let rest = reader.bytes[failure.offset...]
            let zeroFilled = rest.allSatisfy { $0 == 0 }
            let lastRecordReachesEnd = Self.declaredEnd(of: reader.bytes, at: failure.offset) == reader.bytes.count
            let torn = isLast && (failure.torn || zeroFilled || lastRecordReachesEnd)
            guard truncate(path, off_t(failure.offset)) == 0 else { throw .io("truncate", path: path, errno: errno) }
            var discarded: [Int] = []
            for later in segments[(position + 1)...] {
                let from = Self.path(of: later, in: directory)
                // Never overwrite what an earlier repair set aside.
                var target = from + ".discarded"
                var attempt = 1
                while access(target, F_OK) == 0 {
                    target = from + ".discarded.\(attempt)"
                    attempt += 1
                }
                guard rename(from, target) == 0 else { throw .io("rename", path: from, errno: errno) }
                discarded.append(later)
            }
            syncDirectory(directory)
            report.damage = WALRecoveryReport.Damage(
                kind: torn ? .tornTail : .corruption, segment: segment, offset: failure.offset,
                reason: failure.reason, discardedSegments: discarded)
            break
        }
        return report
    }

    /// Where the frame starting at `offset` says it ends, if its header is complete.
    static func declaredEnd(of bytes: [UInt8], at offset: Int) -> Int? {
        guard bytes.count - offset >= headerSize else { return nil }
        var length = 0
        for index in 1...4 { length = length << 8 | Int(bytes[offset + index]) }
        return offset + headerSize + length
    }
}
