import VigilModel

extension Labels {
    /// Orders label sets as Prometheus's `labels.Compare`: pair by pair, name then value, and a set that
    /// is a prefix of another first. Negative, zero or positive as `lhs` sorts before, with or after `rhs`.
    ///
    /// Strings compare as Swift compares them (consistent with `Labels`' own sort and equality), which is
    /// byte order for the ASCII names and values monitoring data is made of.
    public static func compare(_ lhs: Labels, _ rhs: Labels) -> Int {
        let count = Swift.min(lhs.count, rhs.count)
        var index = 0
        while index < count {
            let left = lhs[index]
            let right = rhs[index]
            if left.name != right.name { return left.name < right.name ? -1 : 1 }
            if left.value != right.value { return left.value < right.value ? -1 : 1 }
            index += 1
        }
        return lhs.count == rhs.count ? 0 : (lhs.count < rhs.count ? -1 : 1)
    }
}
