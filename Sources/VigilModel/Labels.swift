/// A set of labels, kept sorted by name with unique names: the identity of a series.
///
/// Sorting happens once on construction, so equality, hashing and lookups never sort again.
/// ``stableHash`` is the same on every machine and run (unlike `hashValue`), for on-disk indexes.
public struct Labels: Hashable, Sendable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    public private(set) var pairs: [Label]

    public init() { pairs = [] }

    /// Builds a label set; a later pair with the same name replaces an earlier one.
    public init(_ labels: some Sequence<Label>) {
        var sorted = Array(labels)
        if !sorted.isSortedByName { sorted.sort { $0.name < $1.name } }
        var unique: [Label] = []
        unique.reserveCapacity(sorted.count)
        for label in sorted {
            if let last = unique.last, last.name == label.name {
                unique[unique.count - 1] = label
            } else {
                unique.append(label)
            }
        }
        pairs = unique
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements.map { Label($0.0, $0.1) })
    }

    public var startIndex: Int { pairs.startIndex }
    public var endIndex: Int { pairs.endIndex }
    public subscript(position: Int) -> Label { pairs[position] }

    /// The value of the label `name`, or nil when absent.
    public subscript(name: String) -> String? {
        var low = 0
        var high = pairs.count
        while low < high {
            let mid = (low + high) / 2
            if pairs[mid].name < name { low = mid + 1 } else { high = mid }
        }
        return low < pairs.count && pairs[low].name == name ? pairs[low].value : nil
    }

    /// The metric name (`__name__`), or nil when absent.
    public var metricName: String? { self[metricNameLabel] }

    /// A copy with `name` set to `value` (added or replaced).
    public func setting(_ name: String, to value: String) -> Labels {
        var copy = Array(pairs.filter { $0.name != name })
        copy.append(Label(name, value))
        return Labels(copy)
    }

    /// A copy without the label `name`.
    public func removing(_ name: String) -> Labels {
        var copy = self
        copy.pairs.removeAll { $0.name == name }
        return copy
    }

    /// 64-bit FNV-1a over names and values with separators; stable across processes and machines.
    public var stableHash: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        for label in pairs {
            for byte in label.name.utf8 { mix(byte) }
            mix(0xff)
            for byte in label.value.utf8 { mix(byte) }
            mix(0xff)
        }
        return hash
    }
}

extension Labels: CustomStringConvertible {
    /// `{a="1", b="2"}` with Prometheus's escaping of `\`, `"` and newlines.
    public var description: String {
        "{" + pairs.map { "\($0.name)=\"\(escapeLabelValue($0.value))\"" }.joined(separator: ", ") + "}"
    }
}

/// Escapes `\`, `"` and newline as the Prometheus text formats require inside label values.
public func escapeLabelValue(_ value: String) -> String {
    guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 10 }) else {
        return value
    }
    var out = ""
    out.reserveCapacity(value.utf8.count + 4)
    for character in value.unicodeScalars {
        switch character {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        default: out.unicodeScalars.append(character)
        }
    }
    return out
}

extension Array where Element == Label {
    fileprivate var isSortedByName: Bool {
        var index = 1
        while index < count {
            if self[index - 1].name > self[index].name { return false }
            index += 1
        }
        return true
    }
}
