/// Operations on postings lists: ascending arrays of distinct series ids, as an inverted index keeps
/// them per label pair. Shared by the in-memory storage (32-bit ids) and the TSDB head (64-bit refs).
///
/// `@inlinable` so that callers in other modules get versions specialised for their id type.
public enum Postings {
    /// Inserts `id` keeping the list ascending; ids mostly arrive in order, so this is usually an append.
    @inlinable
    public static func insert<ID: FixedWidthInteger>(_ id: ID, into list: inout [ID]) {
        if let last = list.last, last >= id {
            let position = lowerBound(of: id, in: list, from: 0)
            if position < list.count && list[position] == id { return }
            list.insert(id, at: position)
        } else {
            list.append(id)
        }
    }

    /// The ids in both lists; binary-searching the larger list when one is much smaller.
    @inlinable
    public static func intersect<ID: FixedWidthInteger>(_ lhs: [ID], _ rhs: [ID]) -> [ID] {
        let (small, large) = lhs.count <= rhs.count ? (lhs, rhs) : (rhs, lhs)
        if small.isEmpty { return [] }
        var result: [ID] = []
        result.reserveCapacity(small.count)
        if small.count * 16 < large.count {
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
    @inlinable
    public static func subtract<ID: FixedWidthInteger>(_ lhs: [ID], _ rhs: [ID]) -> [ID] {
        if lhs.isEmpty || rhs.isEmpty { return lhs }
        var result: [ID] = []
        result.reserveCapacity(lhs.count)
        var right = 0
        for id in lhs {
            while right < rhs.count && rhs[right] < id { right += 1 }
            if right < rhs.count && rhs[right] == id { continue }
            result.append(id)
        }
        return result
    }

    /// The union of lists that share no id (the lists of different values of one label name): a merge
    /// for two lists, a sort of the concatenation for more.
    @inlinable
    public static func unionOfDisjoint<ID: FixedWidthInteger>(_ lists: [[ID]]) -> [ID] {
        switch lists.count {
        case 0: return []
        case 1: return lists[0]
        case 2: return merge(lists[0], lists[1])
        default:
            var result = Array(lists.joined())
            result.sort()
            return result
        }
    }

    /// The sorted union of two ascending lists, each id once.
    @inlinable
    public static func merge<ID: FixedWidthInteger>(_ lhs: [ID], _ rhs: [ID]) -> [ID] {
        var result: [ID] = []
        result.reserveCapacity(lhs.count + rhs.count)
        var left = 0
        var right = 0
        while left < lhs.count && right < rhs.count {
            if lhs[left] < rhs[right] {
                result.append(lhs[left])
                left += 1
            } else if rhs[right] < lhs[left] {
                result.append(rhs[right])
                right += 1
            } else {
                result.append(lhs[left])
                left += 1
                right += 1
            }
        }
        result.append(contentsOf: lhs[left...])
        result.append(contentsOf: rhs[right...])
        return result
    }

    /// The first position in `list` at or after `start` whose id is not below `id`.
    @inlinable
    public static func lowerBound<ID: FixedWidthInteger>(of id: ID, in list: [ID], from start: Int) -> Int {
        var low = start
        var high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid] < id { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
