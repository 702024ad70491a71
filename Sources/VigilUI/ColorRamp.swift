/// A sequential colour scale for heatmaps: viridis, perceptually uniform and readable with the common colour
/// vision deficiencies and in greyscale (dark purple for low values, yellow for high).
public struct ColorRamp: Sendable, Hashable {
    /// The stops as 0xRRGGBB, evenly spaced from 0 to 1.
    public var stopValues: [UInt32]

    public init(stopValues: [UInt32]) {
        precondition(stopValues.count >= 2, "a colour ramp needs at least two stops")
        self.stopValues = stopValues
    }

    /// Viridis sampled at 11 points (matplotlib's colormap).
    public static let viridis = ColorRamp(stopValues: [
        0x440154, 0x482475, 0x414487, 0x355F8D, 0x2A788E, 0x21918C, 0x22A884, 0x44BF70, 0x7AD151, 0xBDDF26, 0xFDE725,
    ])

    /// The colour at `position` in 0...1 (clamped; NaN gives the low end) as `#rrggbb`, interpolated in RGB.
    public func color(at position: Double) -> String {
        let p = position.isNaN ? 0 : min(max(position, 0), 1)
        let scaled = p * Double(stopValues.count - 1)
        let index = min(Int(scaled), stopValues.count - 2)
        let fraction = scaled - Double(index)
        let a = stopValues[index]
        let b = stopValues[index + 1]
        var hex = "#"
        for shift in [16, 8, 0] as [UInt32] {
            let ca = Double(a >> shift & 0xff)
            let cb = Double(b >> shift & 0xff)
            let c = Int((ca + (cb - ca) * fraction).rounded())
            hex += Self.hexDigits[c >> 4] + Self.hexDigits[c & 0xf]
        }
        return hex
    }

    private static let hexDigits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]
}
