/// Turns byte slices into `String`s, returning the same `String` for repeated bytes.
///
/// Metric names, label names and most label values repeat from line to line and from scrape to scrape, so
/// a hit saves UTF-8 validation and, for strings over 15 bytes, an allocation. Entries also get a dense
/// integer id that compares in one instruction (the parser finds duplicate label names with it).
/// Open addressing over a power-of-two slot table; the bytes of every entry live in one arena.
struct StringInterner: Sendable {
    /// Where an entry's bytes are, and their hash: plain data, so probing never touches reference counts.
    private struct Key: Sendable {
        var hash: UInt64
        var start: Int
        var count: Int
    }

    private var slots: [Int32]
    private var keys: [Key] = []
    private var strings: [String] = []
    private var arena: [UInt8] = []
    /// When the table holds this many entries the next miss empties it first; ids restart then.
    let entryLimit: Int

    init(entryLimit: Int) {
        self.entryLimit = entryLimit
        slots = Array(repeating: -1, count: 256)
    }

    var count: Int { keys.count }

    /// Forgets every entry.
    mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        strings.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        for index in slots.indices { slots[index] = -1 }
    }

    /// The string for `count` bytes at `start` and its id, or nil when the bytes are not valid UTF-8.
    mutating func intern(_ start: UnsafePointer<UInt8>, count: Int) -> (string: String, id: Int32)? {
        let hash = Self.hash(start, count: count)
        if let index = find(start, count: count, hash: hash) { return (strings[Int(index)], index) }
        guard let string = String(validating: UnsafeBufferPointer(start: start, count: count), as: UTF8.self) else {
            return nil
        }
        if keys.count >= entryLimit { removeAll() }
        if (keys.count + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        let index = Int32(keys.count)
        slots[slot] = index
        keys.append(Key(hash: hash, start: arena.count, count: count))
        strings.append(string)
        arena.append(contentsOf: UnsafeBufferPointer(start: start, count: count))
        return (string, index)
    }

    private func find(_ bytes: UnsafePointer<UInt8>, count: Int, hash: UInt64) -> Int32? {
        slots.withUnsafeBufferPointer { slots in
            keys.withUnsafeBufferPointer { keys in
                arena.withUnsafeBytes { arena in
                    let mask = slots.count - 1
                    var slot = Int(truncatingIfNeeded: hash) & mask
                    while true {
                        let index = slots[slot]
                        if index < 0 { return nil }
                        let key = keys[Int(index)]
                        if key.hash == hash, key.count == count {
                            // The empty string has no bytes to compare, and the arena may still be empty.
                            if count == 0 { return index }
                            if let base = arena.baseAddress,
                                Self.equal(base + key.start, UnsafeRawPointer(bytes), count)
                            {
                                return index
                            }
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (index, key) in keys.enumerated() {
            var slot = Int(truncatingIfNeeded: key.hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
    }

    @inline(__always)
    private static func equal(_ lhs: UnsafeRawPointer, _ rhs: UnsafeRawPointer, _ count: Int) -> Bool {
        var offset = 0
        while offset + 8 <= count {
            if lhs.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                != rhs.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            {
                return false
            }
            offset += 8
        }
        while offset < count {
            if lhs.load(fromByteOffset: offset, as: UInt8.self) != rhs.load(fromByteOffset: offset, as: UInt8.self) {
                return false
            }
            offset += 1
        }
        return true
    }

    /// A fast multiply-xorshift hash over 8-byte words.
    @inline(__always)
    static func hash(_ bytes: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        let raw = UnsafeRawPointer(bytes)
        var hash: UInt64 = 0x9e37_79b9_7f4a_7c15 ^ UInt64(truncatingIfNeeded: count)
        var offset = 0
        while offset + 8 <= count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xbf58_476d_1ce4_e5b9
            hash ^= hash >> 29
            offset += 8
        }
        if offset < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < count {
                tail |= UInt64(raw.load(fromByteOffset: offset, as: UInt8.self)) << shift
                shift += 8
                offset += 1
            }
            hash = (hash ^ tail) &* 0x94d0_49bb_1331_11eb
        }
        return hash ^ (hash >> 32)
    }
}
