/// Operations on postings lists: ascending arrays of distinct series ids, as an inverted index keeps
/// them per label pair.
enum Postings {
    /// The ids in both lists.
    static func intersect(_ lhs: [UInt32], _ rhs: [UInt32]) -> [UInt32] {
        let (small, large) = lhs.count <= rhs.count ? (lhs, rhs) : (rhs, lhs)
        if small.isEmpty { return [] }
        var result: [UInt32] = []
        result.reserveCapacity(small.count)
        if small.count * 16 < large.count {
            // Much smaller: look each id up instead of walking the large list.
            var low = 0
            for id in small {
                low = lowerBound(of: id, in: large, from: low)
                if low == large.count { break }
                if large[low] == id { result.append(id) }
            }
            return result
        }
        var left = 0
        var right = 0
        while left < small.count && right < large.count {
            let a = small[left]
            let b = large[right]
            if a == b {
                result.append(a)
                left += 1
                right += 1
            } else if a < b {
                left += 1
            } else {
                right += 1
            }
        }
        return result
    }

    /// The ids of `lhs` that are not in `rhs`.
    static func subtract(_ lhs: [UInt32], _ rhs: [UInt32]) -> [UInt32] {
        if lhs.isEmpty || rhs.isEmpty { return lhs }
        var result: [UInt32] = []
        result.reserveCapacity(lhs.count)
        var right = 0
        for id in lhs {
            while right < rhs.count && rhs[right] < id { right += 1 }
            if right < rhs.count && rhs[right] == id { continue }
            result.append(id)
        }
        return result
    }

    /// The union of lists that share no id (the lists of different values of one label name).
    static func unionOfDisjoint(_ lists: [[UInt32]]) -> [UInt32] {
        switch lists.count {
        case 0: return []
        case 1: return lists[0]
        default:
            var result = Array(lists.joined())
            result.sort()
            return result
        }
    }

    static func lowerBound(of id: UInt32, in list: [UInt32], from start: Int) -> Int {
        var low = start
        var high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid] < id { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
