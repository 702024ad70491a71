/// The error of chart rendering: which input is unusable, where, and what to change.
public struct ChartError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The width or height leaves no room for the plot (or is absurdly large).
        case invalidSize
        /// The time range or value range is empty, reversed or not finite, or the step is not positive.
        case invalidRange
        /// A series' samples are not in strictly increasing timestamp order.
        case unsortedSamples
        /// A heatmap row has more cells than there are columns.
        case invalidGrid
        /// A link is not a relative path or an http(s) URL (e.g. `javascript:`), so it is refused.
        case invalidLink
        /// An identifier prefix is not usable as an XML id (letters, digits, `-`, `_`, starting with a letter).
        case invalidIdentifier
    }

    public var code: Code
    /// What is wrong and what to do about it.
    public var message: String
    /// Where in the chart's input the problem is, e.g. `series[2].samples[17]` or `rows[3].cells`.
    public var keyPath: String

    public init(_ code: Code, _ message: String, keyPath: String) {
        self.code = code
        self.message = message
        self.keyPath = keyPath
    }

    public var description: String { "\(keyPath): \(message)" }
}
