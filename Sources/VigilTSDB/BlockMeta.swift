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
        /// The ULIDs of the blocks this one was written from (merged, or rewritten without deleted data); empty
        /// for a block cut from the head. A block listed here is superseded once this one is complete, and
        /// ``TSDB/open(directory:options:)`` deletes it if a crash left it behind (as Prometheus does).
        public var parents: [String]

        init(level: Int, sources: [String], parents: [String] = []) {
            self.level = level
            self.sources = sources
            self.parents = parents
        }

        private enum CodingKeys: String, CodingKey { case level, sources, parents }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            level = try container.decode(Int.self, forKey: .level)
            sources = try container.decode([String].self, forKey: .sources)
            parents = try container.decodeIfPresent([String].self, forKey: .parents) ?? []
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(level, forKey: .level)
            try container.encode(sources, forKey: .sources)
            if !parents.isEmpty { try container.encode(parents, forKey: .parents) }
        }
    }

    public var ulid: String
    public var minTime: Int64
    public var maxTime: Int64
    public var stats: Stats
    public var compaction: Compaction
    public var version: Int

    static let fileName = "meta.json"
    static let formatVersion = 1

    /// The ULIDs among `metas` that another block of `metas` supersedes: those it names as parents, and
    /// those whose sources are a strict subset of its own (a merge that finished while its inputs were not
    /// yet deleted, at any level). Blocks with the same sources are told apart by the parent link alone, so a
    /// rewritten block never supersedes the block it replaced and is superseded by it at the same time.
    static func superseded(_ metas: [BlockMeta]) -> Set<String> {
        var result = Set<String>()
        let sourceSets = metas.map { Set($0.compaction.sources) }
        for (index, meta) in metas.enumerated() {
            result.formUnion(meta.compaction.parents)
            for (other, sources) in sourceSets.enumerated() where other != index {
                if sources.count < sourceSets[index].count && sources.isSubset(of: sourceSets[index]) {
                    result.insert(metas[other].ulid)
                }
            }
        }
        return result.intersection(metas.map(\.ulid))
    }
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
