import VigilEncoding
import VigilModel
import VigilStorage

/// The kinds of WAL record, by their type byte in the frame header (see `docs/format/wal.md`).
public enum WALRecordType: UInt8, Sendable {
    /// New series: ref and labels.
    case series = 1
    /// Samples: ref, timestamp, value, delta-encoded.
    case samples = 2
    /// Deleted time ranges: ref, mint, maxt.
    case tombstones = 3
}

/// A decoded WAL record.
public enum WALRecord: Sendable, Equatable {
    case series([WALSeries])
    case samples([WALSample])
    case tombstones([WALTombstone])

    public struct WALSeries: Sendable, Equatable {
        public var ref: UInt64
        public var labels: Labels
        public init(ref: UInt64, labels: Labels) {
            self.ref = ref
            self.labels = labels
        }
    }

    public struct WALSample: Sendable, Equatable {
        public var ref: UInt64
        public var timestamp: Int64
        public var value: Double
        public init(ref: UInt64, timestamp: Int64, value: Double) {
            self.ref = ref
            self.timestamp = timestamp
            self.value = value
        }
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.ref == rhs.ref && lhs.timestamp == rhs.timestamp && lhs.value.bitPattern == rhs.value.bitPattern
        }
    }

    /// The samples of series `ref` with `mint ≤ t ≤ maxt` are deleted.
    public struct WALTombstone: Sendable, Equatable {
        public var ref: UInt64
        public var mint: Int64
        public var maxt: Int64
        public init(ref: UInt64, mint: Int64, maxt: Int64) {
            self.ref = ref
            self.mint = mint
            self.maxt = maxt
        }
    }

    public var type: WALRecordType {
        switch self {
        case .series: .series
        case .samples: .samples
        case .tombstones: .tombstones
        }
    }
}

extension WALRecord {
    /// Appends the record's payload (without the frame) to `buffer`.
    public func encode(into buffer: inout [UInt8]) {
        switch self {
        case .series(let series):
            for entry in series {
                Varint.appendUnsigned(entry.ref, to: &buffer)
                Varint.appendUnsigned(UInt64(entry.labels.count), to: &buffer)
                for label in entry.labels {
                    Varint.appendUnsigned(UInt64(label.name.utf8.count), to: &buffer)
                    buffer.append(contentsOf: label.name.utf8)
                    Varint.appendUnsigned(UInt64(label.value.utf8.count), to: &buffer)
                    buffer.append(contentsOf: label.value.utf8)
                }
            }
        case .samples(let samples):
            guard let first = samples.first else { return }
            Varint.appendUnsigned(first.ref, to: &buffer)
            Varint.appendSigned(first.timestamp, to: &buffer)
            for sample in samples {
                Varint.appendSigned(Int64(bitPattern: sample.ref &- first.ref), to: &buffer)
                Varint.appendSigned(sample.timestamp &- first.timestamp, to: &buffer)
                let bits = sample.value.bitPattern
                for shift in stride(from: 56, through: 0, by: -8) {
                    buffer.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
                }
            }
        case .tombstones(let tombstones):
            for tombstone in tombstones {
                Varint.appendUnsigned(tombstone.ref, to: &buffer)
                Varint.appendSigned(tombstone.mint, to: &buffer)
                Varint.appendSigned(tombstone.maxt, to: &buffer)
            }
        }
    }

    /// Decodes a payload of the given type; a payload that does not decode throws ``CodecError``.
    public static func decode(type: WALRecordType, payload: [UInt8], range: Range<Int>) throws(CodecError) -> WALRecord?
    {
        var position = range.lowerBound
        let end = range.upperBound
        switch type {
        case .series:
            var series: [WALSeries] = []
            while position < end {
                let ref = try Varint.decodeUnsigned(from: payload, at: &position, end: end)
                let count = try Varint.decodeUnsigned(from: payload, at: &position, end: end)
                guard count <= UInt64(end - position) else {
                    throw CodecError(
                        code: .corrupt, offset: position, message: "label count \(count) exceeds the record")
                }
                var labels: [Label] = []
                labels.reserveCapacity(Int(count))
                for _ in 0..<count {
                    let name = try string(payload, at: &position, end: end)
                    let value = try string(payload, at: &position, end: end)
                    labels.append(Label(name, value))
                }
                series.append(WALSeries(ref: ref, labels: Labels(labels)))
            }
            return .series(series)
        case .samples:
            var samples: [WALSample] = []
            guard position < end else { return .samples([]) }
            let baseRef = try Varint.decodeUnsigned(from: payload, at: &position, end: end)
            let baseTime = try Varint.decodeSigned(from: payload, at: &position, end: end)
            while position < end {
                let refDelta = try Varint.decodeSigned(from: payload, at: &position, end: end)
                let timeDelta = try Varint.decodeSigned(from: payload, at: &position, end: end)
                guard end - position >= 8 else {
                    throw CodecError(code: .truncated, offset: position, message: "sample value cut off")
                }
                var bits: UInt64 = 0
                for index in 0..<8 { bits = bits << 8 | UInt64(payload[position + index]) }
                position += 8
                samples.append(
                    WALSample(
                        ref: baseRef &+ UInt64(bitPattern: refDelta), timestamp: baseTime &+ timeDelta,
                        value: Double(bitPattern: bits)))
            }
            return .samples(samples)
        case .tombstones:
            var tombstones: [WALTombstone] = []
            while position < end {
                let ref = try Varint.decodeUnsigned(from: payload, at: &position, end: end)
                let mint = try Varint.decodeSigned(from: payload, at: &position, end: end)
                let maxt = try Varint.decodeSigned(from: payload, at: &position, end: end)
                guard mint <= maxt else {
                    throw CodecError(
                        code: .corrupt, offset: position, message: "tombstone [\(mint), \(maxt)] ends before it starts")
                }
                tombstones.append(WALTombstone(ref: ref, mint: mint, maxt: maxt))
            }
            return .tombstones(tombstones)
        }
    }

    private static func string(_ bytes: [UInt8], at position: inout Int, end: Int) throws(CodecError) -> String {
        let length = try Varint.decodeUnsigned(from: bytes, at: &position, end: end)
        guard length <= UInt64(end - position) else {
            throw CodecError(code: .truncated, offset: position, message: "string of \(length) bytes cut off")
        }
        let text = String(decoding: bytes[position..<position + Int(length)], as: UTF8.self)
        position += Int(length)
        return text
    }
}
