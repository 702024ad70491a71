import VigilModel
import VigilStorage

/// The head's series lookup and inverted index, behind the head's index lock.
///
/// Series are found by the label set's ``Labels/stableHash``; a bucket holds every series with that hash,
/// told apart by their full labels, so two label sets whose hashes collide are still two series.
struct HeadIndex: ~Copyable {
    /// label-set hash → the series with that hash (almost always one).
    var buckets: [UInt64: [HeadSeries]] = [:]
    /// series ref → series.
    var series: [UInt64: HeadSeries] = [:]
    /// label name → label value → ascending series refs.
    var postings: [String: [String: [UInt64]]] = [:]
    /// Every ref, ascending.
    var allRefs: [UInt64] = []
    var nextRef: UInt64 = 1

    func lookup(_ labels: Labels, hash: UInt64) -> HeadSeries? {
        guard let bucket = buckets[hash] else { return nil }
        for candidate in bucket where candidate.labels == labels { return candidate }
        return nil
    }

    /// Adds a series under `ref` (a new one, or one replayed from the WAL with its old ref).
    mutating func add(_ labels: Labels, hash: UInt64, ref: UInt64) -> HeadSeries {
        let created = HeadSeries(ref: ref, labels: labels)
        buckets[hash, default: []].append(created)
        series[ref] = created
        nextRef = Swift.max(nextRef, ref &+ 1)
        Postings.insert(ref, into: &allRefs)
        for label in labels {
            Postings.insert(ref, into: &postings[label.name, default: [:]][label.value, default: []])
        }
        return created
    }

    /// Removes series from the lookup and from every postings list, dropping lists and names left empty.
    /// Each list is filtered once, however many of its series go.
    mutating func remove(_ doomed: [(series: HeadSeries, hash: UInt64)]) {
        guard !doomed.isEmpty else { return }
        var refs = Set<UInt64>()
        var pairs: [String: Set<String>] = [:]
        for (removed, hash) in doomed {
            refs.insert(removed.ref)
            buckets[hash]?.removeAll { $0 === removed }
            if buckets[hash]?.isEmpty == true { buckets[hash] = nil }
            series[removed.ref] = nil
            for label in removed.labels { pairs[label.name, default: []].insert(label.value) }
        }
        allRefs.removeAll { refs.contains($0) }
        for (name, values) in pairs {
            guard var byValue = postings[name] else { continue }
            for value in values {
                byValue[value]?.removeAll { refs.contains($0) }
                if byValue[value]?.isEmpty == true { byValue[value] = nil }
            }
            postings[name] = byValue.isEmpty ? nil : byValue
        }
    }

    /// The postings the matchers need, copied out (copy-on-write, so in constant time) to be evaluated
    /// after the index lock is released: regexes over many label values never hold up appends.
    func postingsView(for matchers: [LabelMatcher]) -> HeadPostingsView {
        var subset: [String: [String: [UInt64]]] = [:]
        for matcher in matchers where subset[matcher.name] == nil {
            subset[matcher.name] = postings[matcher.name] ?? [:]
        }
        return HeadPostingsView(postings: subset, allRefs: allRefs)
    }
}

/// The postings of a few label names, detached from the index, and the list of all refs.
struct HeadPostingsView {
    let postings: [String: [String: [UInt64]]]
    let allRefs: [UInt64]

    /// Ascending refs of the series matching every matcher (see ``Postings/matching(_:postings:all:)``).
    func matchingRefs(_ matchers: [LabelMatcher]) -> [UInt64] {
        Postings.matching(matchers, postings: postings, all: allRefs)
    }
}
