import VigilModel

/// How one series is drawn: a colour from the Okabe–Ito palette (distinguishable with the common colour
/// vision deficiencies) and, once the colours run out, a dash pattern, so no two series differ by hue alone.
public struct SeriesStyle: Sendable, Hashable {
    /// `#rrggbb`.
    public var color: String
    /// An SVG `stroke-dasharray`, nil for a solid line.
    public var dashArray: String?

    /// Okabe & Ito's palette without its yellow (too light on white) and black (kept for axes).
    public static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F5F00"]
    /// Solid first, then dashes; a style is (colour, dash) and all colours are used before the next dash.
    public static let dashes: [String?] = [nil, "6 3", "2 2", "8 3 2 3"]

    /// Styles for series with these label sets, stable across refreshes: each series prefers the colour its
    /// label set's ``Labels/stableHash`` picks and takes the next free one when an earlier series holds it.
    public static func assign(to labelSets: [Labels]) -> [SeriesStyle] {
        var used = Set<Int>()
        let styleCount = palette.count * dashes.count
        return labelSets.map { labels in
            let preferred = Int(labels.stableHash % UInt64(palette.count))
            var slot = -1
            for level in 0..<dashes.count where slot < 0 {
                for offset in 0..<palette.count {
                    let candidate = level * palette.count + (preferred + offset) % palette.count
                    if !used.contains(candidate) {
                        slot = candidate
                        break
                    }
                }
            }
            if slot < 0 { slot = (preferred + used.count) % styleCount }
            used.insert(slot)
            return SeriesStyle(
                color: palette[slot % palette.count], dashArray: dashes[slot / palette.count % dashes.count])
        }
    }
}
