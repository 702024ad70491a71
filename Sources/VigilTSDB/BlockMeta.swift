import Foundation

/// What `meta.json` of a block says: its identity, time range, counts and compaction history, as
/// Prometheus's `BlockMeta`. Times are milliseconds; ``maxTime`` is exclusive.
public struct BlockMeta: Codable, Sendable, Equatable {
    public struct Stats: Codable, Sendable, Equatable {
        public var numSeries: Int
        public var numSamples: Int
        public var numChunks: Int
    }

    public struct Compaction: Codable, Sendable, Equatable {
        /// 1 for a block cut from the head or written by import; one more than its parents' for a compacted one.
        public var level: Int
        /// The ULIDs of the level-1 blocks whose data this block holds.
        public var sources: [String]
    }

    public var ulid: String
    public var minTime: Int64
    public var maxTime: Int64
    public var stats: Stats
    public var compaction: Compaction
    public var version: Int

    static let fileName = "meta.json"
    static let formatVersion = 1
}

/// Sortable block names: 48 bits of milliseconds and 80 random bits in Crockford base32 (26 characters),
/// like a ULID, so that `ls` lists blocks in creation order.
enum BlockID {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    static func make(milliseconds: UInt64 = UInt64(Date().timeIntervalSince1970 * 1000)) -> String {
        var generator = SystemRandomNumberGenerator()
        let high = (milliseconds << 16) | UInt64(generator.next() as UInt16)
        let low = generator.next() as UInt64
        // 128 bits → 26 characters of 5 bits (the first holds 3 bits).
        var characters: [UInt8] = []
        for index in 0..<26 {
            let bitOffset = 128 - 5 * (26 - index)  // may be negative for the first character
            var value: UInt64 = 0
            for bit in 0..<5 {
                let position = bitOffset + bit
                guard position >= 0 else { continue }
                let word = position < 64 ? high : low
                let shift = 63 - (position % 64)
                value = (value << 1) | ((word >> UInt64(shift)) & 1)
            }
            characters.append(alphabet[Int(value)])
        }
        return String(decoding: characters, as: UTF8.self)
    }

    static func isValid(_ name: String) -> Bool {
        name.utf8.count == 26 && name.utf8.allSatisfy { alphabet.contains($0) }
    }
}
