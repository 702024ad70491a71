/// One point of a series: a timestamp in milliseconds since the Unix epoch and a value.
public struct Sample: Sendable, Hashable {
    public var timestamp: Int64
    public var value: Double

    public init(_ timestamp: Int64, _ value: Double) {
        self.timestamp = timestamp
        self.value = value
    }

    /// Whether the value is Prometheus's staleness marker (the series ended here).
    public var isStaleMarker: Bool { value.bitPattern == staleNaN.bitPattern }

    public static func == (lhs: Sample, rhs: Sample) -> Bool {
        lhs.timestamp == rhs.timestamp && sameValue(lhs.value, rhs.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(timestamp)
        hasher.combine(value.bitPattern)
    }
}
